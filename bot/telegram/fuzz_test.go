package telegram_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/fakebotapi"
	"github.com/layanan-id/layanan/knowledge"
)

// FuzzWebhookUpdate sends arbitrary bodies through the webhook into the
// whole conversation (commands with arguments, admin commands, callback
// data, odd text): nothing panics, the status is one of 200/400/413, and
// every reply the bot sends is one Telegram accepts (the fake rejects
// invalid HTML, over-long messages and bad callback data with 400, which
// the client reports as an error, counted here).
func FuzzWebhookUpdate(f *testing.F) {
	seeds := []string{
		`{"update_id":1,"message":{"message_id":1,"from":{"id":7},"chat":{"id":7,"type":"private"},"text":"syarat skck"}}`,
		`{"update_id":2,"message":{"message_id":2,"from":{"id":7},"chat":{"id":7,"type":"private"},"text":"/start ktp-el-baru","entities":[{"type":"bot_command","offset":0,"length":6}]}}`,
		`{"update_id":3,"message":{"message_id":3,"from":{"id":777},"chat":{"id":777,"type":"private"},"text":"/broadcast #umum <b>x</b> & **y","entities":[{"type":"bot_command","offset":0,"length":10}]}}`,
		`{"update_id":4,"callback_query":{"id":"c","from":{"id":7},"message":{"message_id":9,"chat":{"id":7,"type":"private"}},"data":"c:kependudukan:999"}}`,
		`{"update_id":5,"callback_query":{"id":"c","from":{"id":7},"data":"b:send"}}`,
		`{"update_id":6,"message":{"message_id":1,"from":{"id":7},"chat":{"id":-5,"type":"group"},"text":"/menu@x","entities":[{"type":"bot_command","offset":0,"length":99}]}}`,
		`{"update_id":7,"message":{"message_id":1,"chat":{"id":7,"type":"private"},"text":"no from"}}`,
		`{"update_id":8,"callback_query":{"id":"c","from":{"id":7},"data":"f:1:../../etc"}}`,
		`{"update_id":9,"message":{"message_id":1,"from":{"id":7},"chat":{"id":7,"type":"private"},"sticker":{"file_id":"x"}}}`,
		`not json`, `{}`, `[]`, `{"update_id":"x"}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	ix, err := bundledIndex()
	if err != nil {
		f.Fatal(err)
	}
	api := fakebotapi.New(f)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 5 * time.Second}, log)
	if err != nil {
		f.Fatal(err)
	}
	store, err := boltstore.Open(filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	cfg := bot.DefaultConfig()
	cfg.FloodLimit = 0
	conv, err := bot.New(cfg, ix, store, client, log, bot.Options{
		Admins: []int64{777}, Subscriptions: store, Stats: store,
		Reload: func(context.Context) (int, []knowledge.Problem, error) { return 1, nil, nil },
	})
	if err != nil {
		f.Fatal(err)
	}
	var handlerErr error
	handler := bot.HandlerFunc(func(ctx context.Context, u bot.Update) (bot.Outcome, error) {
		out, err := bot.Recovered(conv, log).Handle(ctx, u)
		handlerErr = err
		return out, err
	})
	wh := telegram.NewWebhook("s", handler, log)
	f.Fuzz(func(t *testing.T, body string) {
		handlerErr = nil
		req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
		req.Header.Set(telegram.SecretHeader, "s")
		rec := httptest.NewRecorder()
		wh.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 413:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if handlerErr != nil && strings.Contains(handlerErr.Error(), "panic") {
			t.Fatalf("handler panicked on %q: %v", body, handlerErr)
		}
		for _, r := range api.Requests("sendMessage") {
			if r.Status == 400 {
				t.Fatalf("Telegram would reject a reply (%q) to %q", r.Params.Get("text"), body)
			}
			if r.Params.Get("parse_mode") == "HTML" && render.Valid(r.Params.Get("text")) != nil {
				t.Fatalf("invalid HTML sent for %q", body)
			}
		}
		api.Reset()
	})
}
