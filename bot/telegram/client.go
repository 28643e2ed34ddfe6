package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/render"
)

// DefaultAPIURL is the public Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Client talks to the Bot API. It implements bot.Sender.
type Client struct {
	api        *tgbotapi.BotAPI
	endpoint   string // the Bot API's URL pattern: base/bot<token>/<method>
	http       *http.Client
	log        *slog.Logger
	maxRetries int
	maxWait    time.Duration // the longest total of retry_after waits for one request
	observer   ErrorObserver

	pausedUntil atomic.Int64 // unix nanoseconds; Telegram answered 429 until then
}

// ErrorObserver is told about every error answer of the Bot API, for
// metrics; internal/metrics implements it.
type ErrorObserver interface {
	APIError(method string, code int)
}

// Observe makes the client report API errors to o. Call it before use.
func (c *Client) Observe(o ErrorObserver) { c.observer = o }

var (
	_ bot.Sender = (*Client)(nil)
	_ bot.Relay  = (*Client)(nil)
)

// ctxHTTPClient gives one library call its context.
type ctxHTTPClient struct {
	ctx    context.Context
	client *http.Client
}

func (c ctxHTTPClient) Do(req *http.Request) (*http.Response, error) {
	return c.client.Do(req.WithContext(c.ctx))
}

// discardLogger keeps the library from printing on its own.
type discardLogger struct{}

func (discardLogger) Println(...interface{})        {}
func (discardLogger) Printf(string, ...interface{}) {}

// NewClient returns a client for the bot with token, talking to the Bot API
// server at baseURL (DefaultAPIURL, a self-hosted server, or a test
// server). It makes no request.
func NewClient(token, baseURL string, httpClient *http.Client, log *slog.Logger) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("telegram: API URL %q: want http(s)://host", baseURL)
	}
	// The library logs through a package-level logger; silence it once.
	if err := tgbotapi.SetLogger(discardLogger{}); err != nil {
		return nil, fmt.Errorf("telegram: set library logger: %w", err)
	}
	api := &tgbotapi.BotAPI{Token: token, Client: httpClient, Buffer: 100}
	api.SetAPIEndpoint(strings.TrimSuffix(baseURL, "/") + "/bot%s/%s")
	endpoint := strings.TrimSuffix(baseURL, "/") + "/bot%s/%s"
	return &Client{api: api, endpoint: endpoint, http: httpClient, log: log, maxRetries: 3, maxWait: 10 * time.Minute}, nil
}

// with returns a copy of the library client whose requests carry ctx.
func (c *Client) with(ctx context.Context) *tgbotapi.BotAPI {
	b := *c.api
	b.Client = ctxHTTPClient{ctx: ctx, client: c.http}
	return &b
}

// APIError is an error answer of the Bot API.
type APIError struct {
	Code       int
	Message    string
	RetryAfter time.Duration // set on 429
}

func (e *APIError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("telegram: %d %s (retry after %s)", e.Code, e.Message, e.RetryAfter)
	}
	return fmt.Sprintf("telegram: %d %s", e.Code, e.Message)
}

// Blocked reports whether the user blocked the bot or the chat is gone.
func (e *APIError) Blocked() bool {
	return e.Code == 403 || (e.Code == 400 && strings.Contains(strings.ToLower(e.Message), "chat not found"))
}

// request runs one Bot API call with bounded retries: on 429 it waits the
// retry_after Telegram asks for (the whole bot is blocked meanwhile), on
// 5xx and network errors it backs off; other errors return at once.
func (c *Client) request(ctx context.Context, method string, call func(*tgbotapi.BotAPI) (*tgbotapi.APIResponse, error)) (*tgbotapi.APIResponse, error) {
	backoff := 500 * time.Millisecond
	failures := 0 // 5xx and network errors; 429s are bounded by maxWait instead
	waited := time.Duration(0)
	for {
		if err := c.waitPause(ctx); err != nil {
			return nil, fmt.Errorf("telegram: %s: %w", method, err)
		}
		// Each attempt has its own bound, so a hanging Bot API costs one
		// attempt, not the whole retry budget.
		attemptCtx, cancel := context.WithTimeout(ctx, attemptTimeout)
		resp, err := call(c.with(attemptCtx))
		cancel()
		if err == nil {
			return resp, nil
		}
		err = c.redact(err)
		var wait time.Duration
		var tgErr *tgbotapi.Error
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("telegram: %s: %w", method, ctx.Err())
		case errors.As(err, &tgErr):
			apiErr := &APIError{Code: tgErr.Code, Message: tgErr.Message, RetryAfter: time.Duration(tgErr.RetryAfter) * time.Second}
			if c.observer != nil {
				c.observer.APIError(method, apiErr.Code)
			}
			switch {
			case apiErr.Code == http.StatusTooManyRequests:
				// Telegram blocks the whole bot meanwhile: every request of
				// this client waits, not only this one.
				wait = max(apiErr.RetryAfter, time.Second)
				if waited+wait > c.maxWait {
					return nil, fmt.Errorf("telegram: %s: waited %v for rate limits already: %w", method, waited, apiErr)
				}
				waited += wait
				c.pause(wait)
				c.log.Warn("telegram rate limit; pausing", "method", method, "retry_after_s", int(wait.Seconds()))
				continue
			case apiErr.Code >= 500:
				wait = backoff
			default:
				return nil, fmt.Errorf("telegram: %s: %w", method, apiErr)
			}
			err = apiErr
		default:
			wait = backoff // network error or an answer that is not the Bot API's JSON
		}
		failures++
		if failures > c.maxRetries {
			return nil, fmt.Errorf("telegram: %s: after %d attempts: %w", method, failures, err)
		}
		c.log.Warn("telegram request failed; retrying", "method", method, "attempt", failures, "wait_ms", wait.Milliseconds(), "err", err)
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("telegram: %s: %w", method, err)
		}
		backoff = min(backoff*2, 8*time.Second)
	}
}

// attemptTimeout bounds one Bot API call (long polling has its own).
const attemptTimeout = 15 * time.Second

// pause makes every request of this client wait d from now (a 429).
func (c *Client) pause(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		cur := c.pausedUntil.Load()
		if cur >= until || c.pausedUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// waitPause waits out a pause set by a 429.
func (c *Client) waitPause(ctx context.Context) error {
	if d := time.Until(time.Unix(0, c.pausedUntil.Load())); d > 0 {
		return sleep(ctx, d)
	}
	return nil
}

// redactedError hides the bot token, which the library puts in request
// URLs and so in network errors, from every error the client returns.
type redactedError struct {
	err   error
	token string
}

func (e *redactedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.token, "<TOKEN>") }
func (e *redactedError) Unwrap() error { return e.err }

func (c *Client) redact(err error) error {
	if err == nil || c.api.Token == "" || !strings.Contains(err.Error(), c.api.Token) {
		return err
	}
	return &redactedError{err: err, token: c.api.Token}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// GetMe returns the bot's own user; it checks the token.
func (c *Client) GetMe(ctx context.Context) (tgbotapi.User, error) {
	resp, err := c.request(ctx, "getMe", func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.MakeRequest("getMe", nil)
	})
	if err != nil {
		return tgbotapi.User{}, err
	}
	var u tgbotapi.User
	if err := json.Unmarshal(resp.Result, &u); err != nil {
		return tgbotapi.User{}, fmt.Errorf("telegram: getMe: decode: %w", err)
	}
	return u, nil
}

// Send implements bot.Sender. Should Telegram ever reject the HTML, the
// message goes out again as plain text rather than not at all. Link
// previews are off (link_preview_options, which the library lacks): an
// answer's source link would otherwise show a large preview card. The
// request is JSON, written by this package rather than the library's
// form encoding: an answer card is kilobytes of text, and escaping it for
// a form cost a twentieth of the bot's CPU under load.
func (c *Client) Send(ctx context.Context, r bot.Reply) (int, error) {
	body, err := encodeJSON(newSendMessage(r, true))
	if err != nil {
		return 0, fmt.Errorf("telegram: sendMessage: encode: %w", err)
	}
	resp, err := c.request(ctx, "sendMessage", c.postJSON("sendMessage", body))
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == 400 && strings.Contains(apiErr.Message, "can't parse entities") {
		c.log.Error("telegram rejected HTML; sending plain text", "chat_id", r.ChatID, "err", err)
		if body, err = encodeJSON(newSendMessage(r, false)); err != nil {
			return 0, fmt.Errorf("telegram: sendMessage: encode: %w", err)
		}
		resp, err = c.request(ctx, "sendMessage", c.postJSON("sendMessage", body))
	}
	if err != nil {
		return 0, err
	}
	var sent struct {
		MessageID int `json:"message_id"`
	}
	if err := json.Unmarshal(resp.Result, &sent); err != nil {
		return 0, fmt.Errorf("telegram: sendMessage: decode: %w", err)
	}
	return sent.MessageID, nil
}

// encodeJSON encodes v without escaping <, > and & (the text is HTML,
// and escaping every tag would cost time and bytes).
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sendMessage is a sendMessage request as JSON.
type sendMessage struct {
	ChatID          int64            `json:"chat_id"`
	Text            string           `json:"text"`
	ParseMode       string           `json:"parse_mode,omitempty"`
	LinkPreview     json.RawMessage  `json:"link_preview_options"`
	ReplyMarkup     *inlineKeyboard  `json:"reply_markup,omitempty"`
	ThreadID        int              `json:"message_thread_id,omitempty"`
	ReplyParameters *replyParameters `json:"reply_parameters,omitempty"`
}

type replyParameters struct {
	MessageID                int  `json:"message_id"`
	AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
}

// newSendMessage is r as a sendMessage request, as HTML or as the HTML's
// plain text.
func newSendMessage(r bot.Reply, html bool) sendMessage {
	m := sendMessage{ChatID: r.ChatID, LinkPreview: json.RawMessage(linkPreviewOff), ThreadID: r.ThreadID}
	if html {
		m.Text, m.ParseMode = r.Text, tgbotapi.ModeHTML
	} else {
		m.Text = render.PlainText(r.Text)
	}
	if len(r.Buttons) > 0 {
		kb := keyboard(r.Buttons)
		m.ReplyMarkup = &kb
	}
	if r.ReplyTo != 0 {
		m.ReplyParameters = &replyParameters{MessageID: r.ReplyTo, AllowSendingWithoutReply: true}
	}
	return m
}

// postJSON is a Bot API call with a JSON body, for request.
func (c *Client) postJSON(method string, body []byte) func(*tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
	return func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		req, err := http.NewRequest(http.MethodPost, fmt.Sprintf(c.endpoint, b.Token, method), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.Client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var apiResp tgbotapi.APIResponse
		if err := json.NewDecoder(resp.Body).Decode(&apiResp); err != nil {
			return nil, fmt.Errorf("decode the answer (HTTP %d): %w", resp.StatusCode, err)
		}
		if !apiResp.Ok {
			var params tgbotapi.ResponseParameters
			if apiResp.Parameters != nil {
				params = *apiResp.Parameters
			}
			return &apiResp, &tgbotapi.Error{Code: apiResp.ErrorCode, Message: apiResp.Description, ResponseParameters: params}
		}
		return &apiResp, nil
	}
}

// linkPreviewOff is the link_preview_options of every message.
const linkPreviewOff = `{"is_disabled":true}`

// place sets a message's forum topic and the message it replies to
// (reply_parameters, which the library lacks); a reply whose message was
// deleted goes out anyway.
func place(params tgbotapi.Params, threadID, replyTo int) {
	if threadID != 0 {
		params["message_thread_id"] = strconv.Itoa(threadID)
	}
	if replyTo != 0 {
		params["reply_parameters"] = fmt.Sprintf(`{"message_id":%d,"allow_sending_without_reply":true}`, replyTo)
	}
}

// Copy implements bot.Relay with copyMessage.
func (c *Client) Copy(ctx context.Context, cp bot.Copy) (int, error) {
	params := tgbotapi.Params{
		"chat_id":      strconv.FormatInt(cp.ToChat, 10),
		"from_chat_id": strconv.FormatInt(cp.FromChat, 10),
		"message_id":   strconv.Itoa(cp.MessageID),
	}
	place(params, cp.ThreadID, cp.ReplyTo)
	if cp.Caption != nil {
		params["caption"] = *cp.Caption
	}
	resp, err := c.request(ctx, "copyMessage", func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.MakeRequest("copyMessage", params)
	})
	if err != nil {
		return 0, err
	}
	var id struct {
		MessageID int `json:"message_id"`
	}
	if err := json.Unmarshal(resp.Result, &id); err != nil {
		return 0, fmt.Errorf("telegram: copyMessage: decode: %w", err)
	}
	return id.MessageID, nil
}

// CreateTopic implements bot.Relay with createForumTopic (Bot API 6.3).
func (c *Client) CreateTopic(ctx context.Context, chatID int64, name string) (int, error) {
	params := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "name": name}
	resp, err := c.request(ctx, "createForumTopic", func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.MakeRequest("createForumTopic", params)
	})
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == 400 && strings.Contains(strings.ToLower(apiErr.Message), "not a forum") {
		return 0, fmt.Errorf("%w: %w", bot.ErrNoTopics, err)
	}
	if err != nil {
		return 0, err
	}
	var topic struct {
		ThreadID int `json:"message_thread_id"`
	}
	if err := json.Unmarshal(resp.Result, &topic); err != nil {
		return 0, fmt.Errorf("telegram: createForumTopic: decode: %w", err)
	}
	return topic.ThreadID, nil
}

// CloseTopic implements bot.Relay.
func (c *Client) CloseTopic(ctx context.Context, chatID int64, threadID int) error {
	return c.topicCall(ctx, "closeForumTopic", chatID, threadID)
}

// DeleteTopic implements bot.Relay.
func (c *Client) DeleteTopic(ctx context.Context, chatID int64, threadID int) error {
	return c.topicCall(ctx, "deleteForumTopic", chatID, threadID)
}

func (c *Client) topicCall(ctx context.Context, method string, chatID int64, threadID int) error {
	params := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "message_thread_id": strconv.Itoa(threadID)}
	_, err := c.request(ctx, method, func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.MakeRequest(method, params)
	})
	return err
}

// inlineKeyboard is reply_markup with the buttons the library lacks
// (copy_text, Bot API 7.11).
type inlineKeyboard struct {
	Rows [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string    `json:"text"`
	CallbackData string    `json:"callback_data,omitempty"`
	URL          string    `json:"url,omitempty"`
	CopyText     *copyText `json:"copy_text,omitempty"`
}

type copyText struct {
	Text string `json:"text"`
}

func keyboard(rows [][]bot.Button) inlineKeyboard {
	kb := inlineKeyboard{Rows: make([][]inlineButton, 0, len(rows))}
	for _, row := range rows {
		r := make([]inlineButton, 0, len(row))
		for _, b := range row {
			ib := inlineButton{Text: b.Text}
			switch {
			case b.URL != "":
				ib.URL = b.URL
			case b.CopyText != "":
				ib.CopyText = &copyText{Text: b.CopyText}
			default:
				ib.CallbackData = b.Data
			}
			r = append(r, ib)
		}
		kb.Rows = append(kb.Rows, r)
	}
	return kb
}

// AnswerCallback implements bot.Sender.
func (c *Client) AnswerCallback(ctx context.Context, callbackID, text string) error {
	cfg := tgbotapi.NewCallback(callbackID, text)
	_, err := c.request(ctx, "answerCallbackQuery", func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.Request(cfg)
	})
	return err
}

// Typing implements bot.Sender.
func (c *Client) Typing(ctx context.Context, chatID int64) error {
	cfg := tgbotapi.NewChatAction(chatID, tgbotapi.ChatTyping)
	_, err := c.request(ctx, "sendChatAction", func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.Request(cfg)
	})
	return err
}

// SetCommands registers the command list shown by Telegram clients for one
// language ("" for the default).
func (c *Client) SetCommands(ctx context.Context, language string, commands []bot.Command) error {
	var list []tgbotapi.BotCommand
	for _, cmd := range commands {
		list = append(list, tgbotapi.BotCommand{Command: cmd.Name, Description: cmd.Description})
	}
	cfg := tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), language, list...)
	_, err := c.request(ctx, "setMyCommands", func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.Request(cfg)
	})
	return err
}

// allowedUpdates are the update kinds the bot asks Telegram for: reactions
// count as votes on answers.
const allowedUpdates = `["message","callback_query","message_reaction"]`

// SetWebhook registers the webhook with a secret token, which Telegram then
// sends in the X-Telegram-Bot-Api-Secret-Token header. (v5.5.1's
// WebhookConfig has no secret_token field, so the request is built here.)
func (c *Client) SetWebhook(ctx context.Context, webhookURL, secret string) error {
	params := tgbotapi.Params{"url": webhookURL, "secret_token": secret}
	params.AddNonEmpty("allowed_updates", allowedUpdates)
	_, err := c.request(ctx, "setWebhook", func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.MakeRequest("setWebhook", params)
	})
	return err
}

// DeleteWebhook removes a webhook so long polling can work.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	_, err := c.request(ctx, "deleteWebhook", func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.MakeRequest("deleteWebhook", nil)
	})
	return err
}

// GetUpdates long-polls for updates after offset, waiting up to timeout.
// An update the model cannot read is logged and skipped (its id still
// moves the offset on), so one odd update cannot stall the bot.
func (c *Client) GetUpdates(ctx context.Context, offset int, timeout time.Duration) ([]bot.Update, error) {
	params := tgbotapi.Params{}
	params.AddNonZero("offset", offset)
	params.AddNonZero("timeout", int(timeout.Seconds()))
	params.AddNonEmpty("allowed_updates", allowedUpdates)
	// No retry here: the polling loop has its own backoff.
	resp, err := c.with(ctx).MakeRequest("getUpdates", params)
	err = c.redact(err)
	if err != nil {
		var tgErr *tgbotapi.Error
		if errors.As(err, &tgErr) {
			return nil, fmt.Errorf("telegram: getUpdates: %w", &APIError{Code: tgErr.Code, Message: tgErr.Message, RetryAfter: time.Duration(tgErr.RetryAfter) * time.Second})
		}
		return nil, fmt.Errorf("telegram: getUpdates: %w", err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: decode: %w", err)
	}
	updates := make([]bot.Update, 0, len(raws))
	for _, raw := range raws {
		u, err := DecodeUpdate(raw)
		if err != nil {
			id, idErr := UpdateID(raw)
			if idErr != nil {
				c.log.Warn("getUpdates: skipped an update without an id", "err", err)
				continue
			}
			c.log.Warn("getUpdates: skipped an update that could not be read", "update_id", id, "err", err)
			u = bot.Update{ID: id}
		}
		updates = append(updates, u)
	}
	return updates, nil
}
