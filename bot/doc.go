// Package bot is Layanan's conversation with citizens, independent of the
// transport: an update comes in (a Telegram update, or a line typed in the
// terminal), replies go out through a Sender. It asks the knowledge engine
// for answers and keeps short per-user state in a Store.
package bot
