// Package metrics counts what the bot does, as Prometheus collectors named
// layanan_*. A Metrics is built once in main on a registry of its own (the
// ops handler serves that registry at /metrics) and handed to the parts
// that report: the bot's Observed middleware and store (bot.Observer), the
// Telegram client (telegram.ErrorObserver), the broadcast workers and the
// content reloader.
//
// Label values come from the code (update types, Outcome kinds, Bot API
// method names, store operations), never from users, so the number of
// series stays small.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
)

// Known label values, created at zero so that dashboards and rate() see a
// series before its first event.
var (
	updateTypes     = []string{"message", "callback", "reaction", "other"}
	deliveryResults = []broadcast.Result{broadcast.Sent, broadcast.Failed, broadcast.Blocked, broadcast.Skipped}
)

// durationBuckets span 1 ms (an answer from a warm index) to 5 s (Bot API
// retries), in seconds.
var durationBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// Metrics holds the collectors. Its methods are safe for concurrent use.
type Metrics struct {
	updates        *prometheus.CounterVec
	answers        *prometheus.CounterVec
	updateDuration prometheus.Histogram
	telegramErrors *prometheus.CounterVec
	deliveries     *prometheus.CounterVec
	reloads        *prometheus.CounterVec
	storeErrors    *prometheus.CounterVec
	entries        prometheus.Gauge
	ticketsOpened  prometheus.Counter
	ticketsClosed  *prometheus.CounterVec
	firstReply     prometheus.Histogram
	ratings        *prometheus.CounterVec
}

// firstReplyBuckets span a minute to two days, in seconds.
var firstReplyBuckets = []float64{60, 300, 900, 1800, 3600, 7200, 4 * 3600, 8 * 3600, 24 * 3600, 48 * 3600}

var _ bot.HandoffObserver = (*Metrics)(nil)

var (
	_ bot.Observer = (*Metrics)(nil)
)

// New creates the collectors and registers them with reg; with a nil reg
// they are not registered (the counts are kept but not exposed). It panics
// if reg already holds collectors of the same names: registering twice is a
// wiring mistake, not a runtime condition.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "layanan_updates_total",
			Help: "Telegram updates handled, by type (message, callback, other).",
		}, []string{"type"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "layanan_answers_total",
			Help: "Updates handled, by outcome (answered, followup, suggested, not_found, ..., blocked: the citizen blocked the bot, error).",
		}, []string{"outcome"}),
		updateDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "layanan_update_duration_seconds",
			Help:    "Time to handle one update, replies included.",
			Buckets: durationBuckets,
		}),
		telegramErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "layanan_telegram_errors_total",
			Help: "Error answers of the Bot API, by method and error code (each attempt counts).",
		}, []string{"method", "code"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "layanan_broadcast_deliveries_total",
			Help: "Broadcast deliveries completed, by result (sent, failed, blocked, skipped).",
		}, []string{"result"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "layanan_content_reloads_total",
			Help: "Content reloads, by result (ok, failed).",
		}, []string{"result"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "layanan_store_errors_total",
			Help: "Failed store operations, by operation.",
		}, []string{"op"}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "layanan_content_entries",
			Help: "Content entries in the index now serving.",
		}),
		ticketsOpened: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "layanan_handoff_tickets_opened_total",
			Help: "Handoff tickets citizens opened to staff.",
		}),
		ticketsClosed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "layanan_handoff_tickets_closed_total",
			Help: "Handoff tickets closed, by who closed them (citizen, staff, timeout, blocked, forget).",
		}, []string{"by"}),
		firstReply: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "layanan_handoff_first_reply_seconds",
			Help:    "Time from a ticket's opening to the first staff message.",
			Buckets: firstReplyBuckets,
		}),
		ratings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "layanan_handoff_ratings_total",
			Help: "Citizens' ratings of closed tickets, 1 to 5.",
		}, []string{"rating"}),
	}
	for _, by := range bot.TicketClosers() {
		m.ticketsClosed.WithLabelValues(by)
	}
	for r := 1; r <= 5; r++ {
		m.ratings.WithLabelValues(strconv.Itoa(r))
	}
	for _, t := range updateTypes {
		m.updates.WithLabelValues(t)
	}
	for _, o := range bot.Outcomes() {
		m.answers.WithLabelValues(string(o))
	}
	for _, r := range deliveryResults {
		m.deliveries.WithLabelValues(string(r))
	}
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("failed")
	if reg != nil {
		reg.MustRegister(m.updates, m.answers, m.updateDuration, m.telegramErrors,
			m.deliveries, m.reloads, m.storeErrors, m.entries,
			m.ticketsOpened, m.ticketsClosed, m.firstReply, m.ratings)
	}
	return m
}

// UpdateHandled implements bot.Observer: one update of updateType handled
// with outcome (an Outcome.Kind, or "error") in latency.
func (m *Metrics) UpdateHandled(updateType string, outcome bot.OutcomeKind, latency time.Duration) {
	m.updates.WithLabelValues(updateType).Inc()
	m.answers.WithLabelValues(string(outcome)).Inc()
	m.updateDuration.Observe(latency.Seconds())
}

// StoreError implements bot.Observer.
func (m *Metrics) StoreError(op string) {
	m.storeErrors.WithLabelValues(op).Inc()
}

// APIError implements telegram.ErrorObserver.
func (m *Metrics) APIError(method string, code int) {
	m.telegramErrors.WithLabelValues(method, strconv.Itoa(code)).Inc()
}

// Delivered counts one completed broadcast delivery.
func (m *Metrics) Delivered(r broadcast.Result) {
	m.deliveries.WithLabelValues(string(r)).Inc()
}

// Reloaded counts one content reload, successful or not.
func (m *Metrics) Reloaded(ok bool) {
	result := "failed"
	if ok {
		result = "ok"
	}
	m.reloads.WithLabelValues(result).Inc()
}

// SetEntries records how many entries the serving index holds.
func (m *Metrics) SetEntries(n int) {
	m.entries.Set(float64(n))
}

// TicketOpened implements bot.HandoffObserver.
func (m *Metrics) TicketOpened() { m.ticketsOpened.Inc() }

// TicketClosed implements bot.HandoffObserver.
func (m *Metrics) TicketClosed(by string) { m.ticketsClosed.WithLabelValues(by).Inc() }

// FirstStaffReply implements bot.HandoffObserver.
func (m *Metrics) FirstStaffReply(after time.Duration) { m.firstReply.Observe(after.Seconds()) }

// TicketRated implements bot.HandoffObserver.
func (m *Metrics) TicketRated(rating int) { m.ratings.WithLabelValues(strconv.Itoa(rating)).Inc() }
