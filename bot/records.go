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
