// Package bot is Layanan's conversation with citizens, independent of the
// transport: an Update of its own model comes in (a message or a button
// press; bot/telegram converts the Bot API's, the terminal chat and the
// tests build them directly), replies go out through a Sender. It asks the
// knowledge engine for answers and keeps short per-user state in a Store.
// It does not import the Telegram library.
package bot
