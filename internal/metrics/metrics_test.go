package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/layanan-id/layanan/bot/broadcast"
)

// scrape returns the exposition text of reg as Prometheus would fetch it.
func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestMetrics(t *testing.T) {
	tests := []struct {
		name string
		do   func(m *Metrics)
		want []string
	}{
		{
			name: "answered message",
			do:   func(m *Metrics) { m.UpdateHandled("message", "answered", 3*time.Millisecond) },
			want: []string{
				`layanan_updates_total{type="message"} 1`,
				`layanan_answers_total{outcome="answered"} 1`,
				`layanan_update_duration_seconds_bucket{le="0.0025"} 0`,
				`layanan_update_duration_seconds_bucket{le="0.005"} 1`,
				`layanan_update_duration_seconds_bucket{le="+Inf"} 1`,
				`layanan_update_duration_seconds_sum 0.003`,
				`layanan_update_duration_seconds_count 1`,
			},
		},
		{
			name: "handoff tickets",
			do: func(m *Metrics) {
				m.TicketOpened()
				m.TicketOpened()
				m.FirstStaffReply(10 * time.Minute)
				m.TicketClosed("staff")
				m.TicketRated(4)
			},
			want: []string{
				`layanan_handoff_tickets_opened_total 2`,
				`layanan_handoff_tickets_closed_total{by="staff"} 1`,
				`layanan_handoff_tickets_closed_total{by="timeout"} 0`,
				`layanan_handoff_first_reply_seconds_bucket{le="300"} 0`,
				`layanan_handoff_first_reply_seconds_bucket{le="900"} 1`,
				`layanan_handoff_ratings_total{rating="4"} 1`,
				`layanan_handoff_ratings_total{rating="5"} 0`,
				`layanan_answers_total{outcome="handoff"} 0`,
			},
		},
		{
			name: "callbacks and an error",
			do: func(m *Metrics) {
				m.UpdateHandled("callback", "feedback", time.Millisecond)
				m.UpdateHandled("callback", "callback", time.Millisecond)
				m.UpdateHandled("other", "error", 6*time.Second)
			},
			want: []string{
				`layanan_updates_total{type="callback"} 2`,
				`layanan_updates_total{type="other"} 1`,
				`layanan_answers_total{outcome="feedback"} 1`,
				`layanan_answers_total{outcome="callback"} 1`,
				`layanan_answers_total{outcome="error"} 1`,
				`layanan_update_duration_seconds_bucket{le="5"} 2`,
				`layanan_update_duration_seconds_bucket{le="+Inf"} 3`,
			},
		},
		{
			name: "telegram errors",
			do: func(m *Metrics) {
				m.APIError("sendMessage", 429)
				m.APIError("sendMessage", 429)
				m.APIError("answerCallbackQuery", 400)
			},
			want: []string{
				`layanan_telegram_errors_total{code="429",method="sendMessage"} 2`,
				`layanan_telegram_errors_total{code="400",method="answerCallbackQuery"} 1`,
			},
		},
		{
			name: "broadcast deliveries",
			do: func(m *Metrics) {
				m.Delivered(broadcast.Sent)
				m.Delivered(broadcast.Sent)
				m.Delivered(broadcast.Blocked)
			},
			want: []string{
				`layanan_broadcast_deliveries_total{result="sent"} 2`,
				`layanan_broadcast_deliveries_total{result="blocked"} 1`,
				`layanan_broadcast_deliveries_total{result="failed"} 0`,
				`layanan_broadcast_deliveries_total{result="skipped"} 0`,
			},
		},
		{
			name: "content reloads and entries",
			do: func(m *Metrics) {
				m.Reloaded(true)
				m.Reloaded(false)
				m.Reloaded(true)
				m.SetEntries(40)
				m.SetEntries(41)
			},
			want: []string{
				`layanan_content_reloads_total{result="ok"} 2`,
				`layanan_content_reloads_total{result="failed"} 1`,
				`layanan_content_entries 41`,
			},
		},
		{
			name: "store errors",
			do: func(m *Metrics) {
				m.StoreError("session_get")
				m.StoreError("session_get")
				m.StoreError("seen")
			},
			want: []string{
				`layanan_store_errors_total{op="session_get"} 2`,
				`layanan_store_errors_total{op="seen"} 1`,
			},
		},
		{
			name: "known series start at zero",
			do:   func(*Metrics) {},
			want: []string{
				`layanan_updates_total{type="message"} 0`,
				`layanan_updates_total{type="callback"} 0`,
				`layanan_updates_total{type="other"} 0`,
				`layanan_answers_total{outcome="answered"} 0`,
				`layanan_answers_total{outcome="followup"} 0`,
				`layanan_answers_total{outcome="suggested"} 0`,
				`layanan_answers_total{outcome="not_found"} 0`,
				`layanan_answers_total{outcome="smalltalk"} 0`,
				`layanan_answers_total{outcome="command"} 0`,
				`layanan_answers_total{outcome="callback"} 0`,
				`layanan_answers_total{outcome="feedback"} 0`,
				`layanan_answers_total{outcome="flood"} 0`,
				`layanan_answers_total{outcome="non_text"} 0`,
				`layanan_answers_total{outcome="duplicate"} 0`,
				`layanan_answers_total{outcome="ignored"} 0`,
				`layanan_answers_total{outcome="error"} 0`,
				`layanan_broadcast_deliveries_total{result="sent"} 0`,
				`layanan_content_reloads_total{result="ok"} 0`,
				`layanan_content_reloads_total{result="failed"} 0`,
				`layanan_content_entries 0`,
				`layanan_update_duration_seconds_count 0`,
				`# TYPE layanan_update_duration_seconds histogram`,
				`# TYPE layanan_content_entries gauge`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m := New(reg)
			tt.do(m)
			got := scrape(t, reg)
			lines := make(map[string]bool)
			for _, l := range strings.Split(got, "\n") {
				lines[l] = true
			}
			for _, w := range tt.want {
				if !lines[w] {
					t.Errorf("missing line %q in:\n%s", w, got)
				}
			}
		})
	}
}

// The counter vectors without preset labels (Telegram and store errors)
// are exposed from their first event on; with one event each, all twelve
// families appear, and all are named layanan_*.
func TestOnlyLayananNames(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	m.APIError("getMe", 401)
	m.StoreError("seen")
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	if len(families) != 12 {
		t.Errorf("got %d metric families, want 12", len(families))
	}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "layanan_") {
			t.Errorf("metric %q is not named layanan_*", f.GetName())
		}
	}
}

func TestNewTwiceOnOneRegistryPanics(t *testing.T) {
	reg := prometheus.NewRegistry()
	New(reg)
	defer func() {
		if recover() == nil {
			t.Error("second New on the same registry did not panic")
		}
	}()
	New(reg)
}

func TestNewWithoutRegistry(t *testing.T) {
	m := New(nil)
	m.UpdateHandled("message", "answered", time.Millisecond) // must not panic
}
