package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// echoCommand is the argument that makes this binary the echo bot.
const echoCommand = "echo-bot"

// runEcho serves the echo bot: a webhook that decodes each update with
// the Telegram library and sends its text back with the library, in the
// request, as Layanan does. It is what a bot costs with no work of its
// own. getenv gives TELEGRAM_TOKEN, TELEGRAM_API_URL, LISTEN_ADDR and
// WEBHOOK_SECRET.
func runEcho(ctx context.Context, getenv func(string) string) error {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns, transport.MaxIdleConnsPerHost = 100, 100
	api, err := tgbotapi.NewBotAPIWithClient(getenv("TELEGRAM_TOKEN"), getenv("TELEGRAM_API_URL")+"/bot%s/%s", &http.Client{Timeout: 30 * time.Second, Transport: transport})
	if err != nil {
		return fmt.Errorf("connect to the Bot API: %w", err)
	}
	secret := getenv("WEBHOOK_SECRET")
	srv := &http.Server{
		Addr:              getenv("LISTEN_ADDR"),
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(secretHeader) != secret {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			var u tgbotapi.Update
			if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
				http.Error(w, "not an update", http.StatusBadRequest)
				return
			}
			if u.Message != nil && u.Message.Chat != nil {
				if _, err := api.Send(tgbotapi.NewMessage(u.Message.Chat.ID, u.Message.Text)); err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
			}
			w.WriteHeader(http.StatusOK)
		}),
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("listen: %w", err)
	}
	return nil
}
