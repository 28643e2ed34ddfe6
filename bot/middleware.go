package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// Handler handles one update; *Conversation is one, and middleware wraps it.
type Handler interface {
	Handle(ctx context.Context, u Update) (Outcome, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, u Update) (Outcome, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, u Update) (Outcome, error) {
	return f(ctx, u)
}

// Logged writes one structured line per update: its id, chat, outcome,
// entry and latency; never the message text. Failures are logged at error
// level with the error, which citizens never see.
func Logged(next Handler, log *slog.Logger) Handler {
	return HandlerFunc(func(ctx context.Context, u Update) (Outcome, error) {
		start := time.Now()
		out, err := next.Handle(ctx, u)
		attrs := []any{
			slog.Int("update_id", u.ID),
			slog.Int64("chat_id", out.ChatID),
			slog.String("outcome", string(out.Kind)),
			slog.Int64("latency_ms", time.Since(start).Milliseconds()),
		}
		if out.EntryID != "" {
			attrs = append(attrs, slog.String("entry_id", out.EntryID))
		}
		switch {
		case errors.Is(err, ErrInProgress):
			log.InfoContext(ctx, "update is being handled elsewhere; redelivery asked", attrs...)
		case blockedByUser(err):
			// The citizen blocked the bot: nothing the operator must fix.
			log.WarnContext(ctx, "citizen has blocked the bot", attrs...)
		case err != nil:
			log.ErrorContext(ctx, "update failed", append(attrs, slog.Any("err", err))...)
		default:
			log.InfoContext(ctx, "update handled", attrs...)
		}
		return out, err
	})
}

// blockedByUser reports whether err says the user blocked the bot (the
// transport's error has a Blocked method; see telegram.APIError).
func blockedByUser(err error) bool {
	var b interface{ Blocked() bool }
	return errors.As(err, &b) && b.Blocked()
}

// Recovered turns a panic in a handler into an error, so one bad update
// cannot take the bot down.
func Recovered(next Handler, log *slog.Logger) Handler {
	return HandlerFunc(func(ctx context.Context, u Update) (out Outcome, err error) {
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(ctx, "handler panic", slog.Int("update_id", u.ID), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				err = fmt.Errorf("bot: panic handling update %d: %v", u.ID, p)
			}
		}()
		return next.Handle(ctx, u)
	})
}
