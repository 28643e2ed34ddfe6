package app

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/internal/fakebotapi"
)

func testConfig(t *testing.T, api *fakebotapi.Server, token string) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{
			"TELEGRAM_TOKEN": token, "TELEGRAM_API_URL": api.APIURL(),
			"DATA_DIR": t.TempDir(), "HTTP_ADDR": "127.0.0.1:0",
		}[k]
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// New wires the bot against the Bot API; Run polls until its context
// ends and returns cleanly; Close releases the store.
func TestNewRunClose(t *testing.T) {
	api := fakebotapi.New(t)
	a, err := New(t.Context(), testConfig(t, api, fakebotapi.Token), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	api.WaitFor(t, "getUpdates", 1, 10*time.Second)
	if n := len(api.Requests("setMyCommands")); n != 2 {
		t.Errorf("%d setMyCommands calls, want Indonesian and English", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not stop")
	}
	if err := a.Close(); err != nil {
		t.Error(err)
	}
}

// A token Telegram rejects is a configuration error naming the variable,
// and leaves nothing open.
func TestNewRejectedToken(t *testing.T) {
	api := fakebotapi.New(t)
	cfg := testConfig(t, api, "999:WRONG")
	_, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Var != "TELEGRAM_TOKEN" {
		t.Fatalf("err %v, want a TELEGRAM_TOKEN error", err)
	}
	// The embedded store was closed: it can be opened again.
	st, err := OpenStore(t.Context(), cfg, config.StoreFile, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("store still locked: %v", err)
	}
	st.Close()
}
