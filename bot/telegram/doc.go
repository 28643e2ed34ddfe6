// Package telegram connects the conversation (package bot) to the Telegram
// Bot API: a client that sends replies with bounded retries (honouring
// 429 retry_after), a long-polling loop that stops cleanly on a context,
// and a webhook handler that checks Telegram's secret token.
//
// It is the only package of the bot that imports
// github.com/go-telegram-bot-api/telegram-bot-api/v5, for the API's types
// and requests; DecodeUpdate turns an update into the conversation's own
// model (bot.Update) and reads the fields newer than the library
// (message_thread_id, is_topic_message, is_forum) from the same JSON. That library (v5.5.1) has no context support, so each
// call runs on a copy of the BotAPI whose HTTP client carries the call's
// context; its own update channel is not used.
package telegram
