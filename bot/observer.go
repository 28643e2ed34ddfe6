package bot

import (
	"context"
	"errors"
	"time"
)

// Observer is told how updates went, for metrics; internal/metrics
// implements it with Prometheus collectors.
type Observer interface {
	// UpdateHandled reports one update: its type (message, callback,
	// other), its outcome (Outcome.Kind) and how long handling took.
	UpdateHandled(updateType string, outcome OutcomeKind, latency time.Duration)
	// StoreError reports a failed store operation.
	StoreError(op string)
}

// Observed reports every update to o.
func Observed(next Handler, o Observer) Handler {
	return HandlerFunc(func(ctx context.Context, u Update) (Outcome, error) {
		start := time.Now()
		out, err := next.Handle(ctx, u)
		kind := out.Kind
		switch {
		case errors.Is(err, ErrInProgress):
			// out.Kind says so.
		case blockedByUser(err):
			kind = OutcomeBlocked
		case err != nil:
			kind = OutcomeError
		}
		o.UpdateHandled(u.Kind(), kind, time.Since(start))
		return out, err
	})
}
