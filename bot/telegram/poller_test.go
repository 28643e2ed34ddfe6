package telegram_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/fakebotapi"
)

// An update another handler still holds (bot.ErrInProgress: the process
// before a restart died while answering it) is tried again until it is
// handled, within HeldAttempts.
func TestPollerRetriesHeldUpdate(t *testing.T) {
	api := fakebotapi.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 5 * time.Second}, log)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	handled := make(chan struct{})
	h := bot.HandlerFunc(func(context.Context, bot.Update) (bot.Outcome, error) {
		if calls.Add(1) < 3 {
			return bot.Outcome{Kind: bot.OutcomeInProgress}, bot.ErrInProgress
		}
		close(handled)
		return bot.Outcome{Kind: bot.OutcomeAnswered}, nil
	})
	p := telegram.NewPoller(client, h, log)
	p.PollTimeout, p.HeldRetry, p.HeldAttempts = time.Second, time.Millisecond, 5
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	api.AddUpdates(tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{MessageID: 1, From: &tgbotapi.User{ID: 5}, Chat: &tgbotapi.Chat{ID: 5, Type: "private"}, Text: "skck"}})
	select {
	case <-handled:
	case <-time.After(10 * time.Second):
		t.Fatalf("the held update was not handled; %d calls", calls.Load())
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3 (two held, then handled)", n)
	}
}
