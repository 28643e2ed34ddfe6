package telegram_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/boltstore"
)

// While a broadcast runs at its full rate, a citizen's question is still
// answered at once: answers do not wait for the broadcast's rate limit.
func TestAnswersGoOutDuringABroadcast(t *testing.T) {
	h := newHarnessWith(t, bot.DefaultConfig(), func(*boltstore.Store) bot.Options { return bot.Options{} })
	for i := int64(1); i <= 300; i++ {
		if err := h.store.Subscribe(context.Background(), bot.Subscription{ChatID: 10000 + i, UserID: 10000 + i}); err != nil {
			t.Fatal(err)
		}
	}
	svc := broadcast.NewService(broadcast.Config{Workers: 8, Rate: 25, PollInterval: 50 * time.Millisecond}, h.store, h.store, h.client, broadcast.LocalLimiter(25), quietLog(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go svc.Run(ctx)
	if _, err := svc.StartBroadcast(context.Background(), "Pengumuman", "", 0); err != nil {
		t.Fatal(err)
	}
	// Let the broadcast reach its pace, then ask.
	for len(h.api.SentMessages()) < 25 {
		time.Sleep(10 * time.Millisecond)
	}
	asked := time.Now()
	h.add(h.message("syarat bikin skck"))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range h.api.SentMessages() {
			if m.ChatID == userID && strings.Contains(m.Text, "SKCK") {
				// 300 announcements take 12 s at 25/s; the answer must not
				// queue behind them.
				if wait := m.At.Sub(asked); wait > 2*time.Second {
					t.Errorf("answer took %v during a broadcast", wait)
				}
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no answer during the broadcast")
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
