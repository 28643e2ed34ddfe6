package bot

import (
	"context"
	"errors"
	"time"
)

// Session is the short conversation state kept per user: only what the
// conversation needs to understand a follow-up, never the chat history.
type Session struct {
	Lang      string    `json:"lang,omitempty"`    // "id" or "en"; empty: not chosen yet
	TopicID   string    `json:"topic,omitempty"`   // the entry last answered
	Offered   []string  `json:"offered,omitempty"` // entry ids last offered as "did you mean"
	Draft     *Draft    `json:"draft,omitempty"`   // an admin's announcement awaiting Kirim / Batal
	UpdatedAt time.Time `json:"updated"`
}

// Draft is an announcement an admin has previewed but not yet sent.
type Draft struct {
	HTML  string `json:"html"`
	Topic string `json:"topic,omitempty"`
}

// Feedback is one citizen's vote on one answer message.
type Feedback struct {
	ChatID    int64     // the chat of the answer message
	MessageID int       // the answer message; a vote counts once per message
	UserID    int64     // who voted
	EntryID   string    // the entry the answer showed
	Helpful   bool      // 👍 or 👎
	At        time.Time // when
}

// Unanswered is a question that got no confident answer, kept for staff.
type Unanswered struct {
	Text   string    `json:"text"`
	Lang   string    `json:"lang"`
	At     time.Time `json:"at"`
	UserID int64     `json:"user,omitempty"` // kept only so /hapusdata can delete it
}

// Votes counts the feedback on one entry.
type Votes struct {
	Helpful, NotHelpful int
}

// ErrStoreClosed is returned by every Store method after Close.
var ErrStoreClosed = errors.New("store closed")

// Store keeps the conversation's state. Two implementations exist: Redis
// (bot/store/redisstore, for one or several replicas) and an embedded bbolt
// file (bot/store/boltstore, for one small server); both pass the same
// contract test (bot/store/storetest). Every method may fail with a
// wrapped error when the backing store is unreachable; the conversation
// then carries on without the failed feature.
type Store interface {
	// LoadSession returns the user's session; found is false when there is
	// none or it expired.
	LoadSession(ctx context.Context, userID int64) (s Session, found bool, err error)
	// SaveSession stores the user's session; it expires after ttl without
	// a new save.
	SaveSession(ctx context.Context, userID int64, s Session, ttl time.Duration) error
	// DeleteSession forgets the user's session.
	DeleteSession(ctx context.Context, userID int64) error

	// MarkUpdate records that an update is being handled. first is false
	// when the same update id was marked within ttl: Telegram delivered it
	// twice and it must not be handled again.
	MarkUpdate(ctx context.Context, updateID int, ttl time.Duration) (first bool, err error)

	// CountMessage counts one message from the user in the current fixed
	// window of the given length and returns the count so far in it.
	CountMessage(ctx context.Context, userID int64, window time.Duration) (int, error)

	// RecordFeedback stores a vote. recorded is false when the answer
	// message already has a vote (the first vote stands).
	RecordFeedback(ctx context.Context, f Feedback) (recorded bool, err error)
	// FeedbackCounts returns the votes per entry id.
	FeedbackCounts(ctx context.Context) (map[string]Votes, error)

	// LogUnanswered keeps a question that got no confident answer. The log
	// keeps at most the newest maxEntries questions and none older than
	// retention.
	LogUnanswered(ctx context.Context, q Unanswered, retention time.Duration, maxEntries int) error
	// ListUnanswered returns the logged questions at or after since, oldest first.
	ListUnanswered(ctx context.Context, since time.Time) ([]Unanswered, error)

	// ForgetUser deletes what the store keeps about a user: the session,
	// the subscription of their private chat, their votes (the entries'
	// counts go down accordingly), the questions they asked that are kept
	// for staff, and their id in the statistics (Redis keeps distinct users
	// in HyperLogLogs, which hold no ids). Flood counters and update ids
	// expire within minutes and a day.
	ForgetUser(ctx context.Context, userID int64) error

	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}
