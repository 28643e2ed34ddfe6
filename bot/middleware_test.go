package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// blockedError is what the transport returns when the user blocked the bot.
type blockedError struct{}

func (blockedError) Error() string { return "Forbidden: bot was blocked by the user" }
func (blockedError) Blocked() bool { return true }

type outcomeRecorder struct{ outcomes []OutcomeKind }

func (r *outcomeRecorder) UpdateHandled(_ string, outcome OutcomeKind, _ time.Duration) {
	r.outcomes = append(r.outcomes, outcome)
}
func (r *outcomeRecorder) StoreError(string) {}

// A citizen who blocked the bot is counted, and logged as a warning, not
// as an error the operator must fix.
func TestBlockedUserIsNotAnError(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		level     string
		outcome   OutcomeKind
		wantInLog string
	}{
		{"blocked", fmt.Errorf("bot: send to chat 7: %w", blockedError{}), "level=WARN", "blocked", "citizen has blocked the bot"},
		{"other failure", errors.New("dial tcp: refused"), "level=ERROR", "error", "update failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			obs := &outcomeRecorder{}
			h := Logged(Observed(HandlerFunc(func(context.Context, Update) (Outcome, error) {
				return Outcome{Kind: "answered"}, tt.err
			}), obs), slog.New(slog.NewTextHandler(&logs, nil)))
			if _, err := h.Handle(context.Background(), Update{ID: 1}); !errors.Is(err, tt.err) {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(logs.String(), tt.level) || !strings.Contains(logs.String(), tt.wantInLog) {
				t.Errorf("log %q, want %s %q", logs.String(), tt.level, tt.wantInLog)
			}
			if len(obs.outcomes) != 1 || obs.outcomes[0] != tt.outcome {
				t.Errorf("outcomes %q, want %q", obs.outcomes, tt.outcome)
			}
		})
	}
}
