// Package telegram connects the conversation (package bot) to the Telegram
// Bot API: a client that sends replies with bounded retries (honouring
// 429 retry_after), a long-polling loop that stops cleanly on a context,
// and a webhook handler that checks Telegram's secret token.
//
// It uses github.com/go-telegram-bot-api/telegram-bot-api/v5 for the API's
// types and requests. That library (v5.5.1) has no context support, so each
// call runs on a copy of the BotAPI whose HTTP client carries the call's
// context; its own update channel is not used.
package telegram
