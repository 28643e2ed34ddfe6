package telegram

import (
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/layanan-id/layanan/bot"
)

// MaxWebhookBody is the largest update body accepted (1 MB); Telegram's
// updates are far smaller.
const MaxWebhookBody = 1 << 20

// SecretHeader carries the webhook's secret token.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Webhook receives updates that Telegram posts. It answers 401 when the
// secret token is wrong or missing, 405 for anything but POST, 413 for a
// body over MaxWebhookBody and 400 for a body that is not an update, all
// without handling anything. A handled update gets 200 even when replying
// failed: the failure is logged, and a redelivery would not help. An
// update that another replica is still handling (bot.ErrInProgress) gets
// 503, so that Telegram delivers it again later: by then it is answered
// (and the redelivery dropped), or its handler died and this delivery
// answers it.
type Webhook struct {
	secret  []byte
	handler bot.Handler
	log     *slog.Logger
}

// NewWebhook returns the handler; secret must not be empty.
func NewWebhook(secret string, handler bot.Handler, log *slog.Logger) *Webhook {
	return &Webhook{secret: []byte(secret), handler: handler, log: log}
}

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := []byte(r.Header.Get(SecretHeader))
	if len(w.secret) == 0 || subtle.ConstantTimeCompare(got, w.secret) != 1 {
		http.Error(rw, "unauthorized", http.StatusUnauthorized)
		return
	}
	if r.ContentLength > MaxWebhookBody {
		http.Error(rw, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(rw, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(rw, "could not read the body", http.StatusBadRequest)
		return
	}
	u, err := DecodeUpdate(body)
	if err != nil {
		// An update the model cannot read is acknowledged and skipped, as
		// the poller does, so Telegram does not deliver it again and again.
		if id, idErr := UpdateID(body); idErr == nil {
			w.log.Warn("webhook: skipped an update that could not be read", "update_id", id, "err", err)
			rw.WriteHeader(http.StatusOK)
			return
		}
		http.Error(rw, "not a Telegram update", http.StatusBadRequest)
		return
	}
	// Handled in the request: its context ends if Telegram gives up, and a
	// graceful server shutdown waits for it.
	if _, err := w.handler.Handle(r.Context(), u); errors.Is(err, bot.ErrInProgress) {
		rw.Header().Set("Retry-After", "1")
		http.Error(rw, "update is being handled; deliver it again later", http.StatusServiceUnavailable)
		return
	}
	rw.WriteHeader(http.StatusOK)
}
