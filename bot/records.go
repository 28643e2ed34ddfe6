package bot

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// What both stores keep the same way, defined once with the contract so
// that the backends only do I/O.

// StatsDay is midnight UTC of t's UTC day: statistics count by UTC day.
func StatsDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// StatsDays returns the first day and the number of days from from's UTC
// day to to's, inclusive (0 when to is before from); a range longer than
// MaxStatsDays is an error.
func StatsDays(from, to time.Time) (first time.Time, days int, err error) {
	first, last := StatsDay(from), StatsDay(to)
	if last.Before(first) {
		return first, 0, nil
	}
	n := int(last.Sub(first)/(24*time.Hour)) + 1
	if n > MaxStatsDays {
		return first, 0, fmt.Errorf("range of %d days is longer than %d", n, MaxStatsDays)
	}
	return first, n, nil
}

// TopicSet is a subscription's topics as stored: sorted, each once.
func TopicSet(topics []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(topics)))
}

// VoteRecord is what a store keeps of a recorded vote, for a later audit
// and for /hapusdata (which takes the user's votes out of the counts).
type VoteRecord struct {
	UserID  int64     `json:"user"`
	EntryID string    `json:"entry"`
	Helpful bool      `json:"helpful"`
	At      time.Time `json:"at"`
}

// Record is the vote's record, encoded.
func (f Feedback) Record() ([]byte, error) {
	data, err := json.Marshal(VoteRecord{UserID: f.UserID, EntryID: f.EntryID, Helpful: f.Helpful, At: f.At})
	if err != nil {
		return nil, fmt.Errorf("bot: encode vote: %w", err)
	}
	return data, nil
}

// TicketRecord is what a store keeps of a handoff ticket: the ticket and
// the staff-group messages linked to it (so that /hapusdata removes the
// links too). Its methods are the HandoffStore rules both stores share.
type TicketRecord struct {
	Ticket
	Links []int `json:"links,omitempty"`
}

// Link links a staff-group message (or, with topic, the ticket's forum
// topic) to the ticket; the first message that is not a topic is its
// header.
func (r *TicketRecord) Link(messageID int, topic bool) {
	r.Links = append(r.Links, messageID)
	switch {
	case topic:
		r.ThreadID = messageID
	case r.HeaderID == 0:
		r.HeaderID = messageID
	}
}

// Touch notes a message at at on the open ticket and reports whether it
// is the first staff reply.
func (r *TicketRecord) Touch(at time.Time, byStaff bool) (firstReply bool) {
	r.ActiveAt = at
	if byStaff && r.FirstReplyAt.IsZero() {
		r.FirstReplyAt = at
		return true
	}
	return false
}

// Closable reports whether CloseTicket closes the ticket: open, and with
// activeBefore not zero, silent since before it.
func (r *TicketRecord) Closable(activeBefore time.Time) bool {
	return r.Open() && (activeBefore.IsZero() || r.ActiveAt.Before(activeBefore))
}

// CanRate reports whether userID may give the ticket this rating: their
// own closed ticket, not rated yet, 1 to 5.
func (r *TicketRecord) CanRate(userID int64, rating int) bool {
	return !r.Open() && r.UserID == userID && r.Rating == 0 && rating >= 1 && rating <= 5
}

// NewTicket is t as OpenTicket keeps it under number: open, not answered,
// not rated, with nothing linked.
func NewTicket(t Ticket, number int64) Ticket {
	t.Number, t.ClosedAt, t.Rating, t.ThreadID, t.HeaderID, t.FirstReplyAt = number, time.Time{}, 0, 0, 0, time.Time{}
	return t
}

// Tickets returns the tickets of records.
func Tickets(records []TicketRecord) []Ticket {
	out := make([]Ticket, len(records))
	for i, r := range records {
		out[i] = r.Ticket
	}
	return out
}
