package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Session is the short conversation state kept per user: only what the
// conversation needs to understand a follow-up, never the chat history.
type Session struct {
	Lang    string   `json:"lang,omitempty"`    // "id" or "en"; empty: not chosen yet
	TopicID string   `json:"topic,omitempty"`   // the entry last answered
	Offered []string `json:"offered,omitempty"` // entry ids last offered as "did you mean"
	Draft   *Draft   `json:"draft,omitempty"`   // an admin's announcement awaiting Kirim / Batal
	// CommentOn is the entry whose answer the citizen just marked 👎: the
	// next text message (within commentWindow) says what was wrong.
	CommentOn string `json:"comment_on,omitempty"`
	// Answers are the last answer cards sent, so that a 👍 or 👎 reaction
	// on one counts as its vote; at most maxAnswersKept.
	Answers []AnswerRef `json:"answers,omitempty"`
	// Ticket is the number of the citizen's handoff to staff while it may
	// be open; Handoff one being opened; Asked the last question the bot
	// could not answer, offered as the description of a handoff (kept
	// only when the handoff is on).
	Ticket    int64         `json:"ticket,omitempty"`
	Handoff   *HandoffDraft `json:"handoff,omitempty"`
	Asked     string        `json:"asked,omitempty"`
	UpdatedAt time.Time     `json:"updated"`
}

// AnswerRef is an answer card sent as the messages First to Last (a long
// card is split); its buttons are under Last, so a vote is on Last.
type AnswerRef struct {
	ChatID  int64  `json:"c"` // message ids are per chat
	First   int    `json:"f"`
	Last    int    `json:"l"`
	EntryID string `json:"e"`
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

// Unanswered is a question that got no confident answer, kept for staff;
// with EntryID, a citizen's comment on an answer they marked 👎; with
// Example too, a citizen's question that staff suggested, from a handoff
// (/contoh), as an example question for the entry.
type Unanswered struct {
	Text    string    `json:"text"`
	Lang    string    `json:"lang"`
	At      time.Time `json:"at"`
	UserID  int64     `json:"user,omitempty"`  // kept only so /hapusdata can delete it
	EntryID string    `json:"entry,omitempty"` // the answer commented on; "" for a question
	Example bool      `json:"example,omitempty"`
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
	// Admit claims an update and reads what handling it needs, in one
	// round trip: the claim (see Claim), the sender's message count in
	// the flood window and the sender's session. A claim that is not
	// finished within Arrival.ClaimTTL lapses, so that a redelivery of
	// an update whose handler died takes it over.
	Admit(ctx context.Context, a Arrival) (Admission, error)
	// Finish writes what handling the update changed, in one round
	// trip: the update is marked handled for Completion.DoneTTL, and the
	// session, the question's statistics and the unanswered question are
	// written when set. It runs after the reply, so a handler that dies
	// before it leaves the claim to lapse and nothing counted twice.
	Finish(ctx context.Context, c Completion) error

	// RecordFeedback stores a vote. recorded is false when the answer
	// message already has a vote (the first vote stands).
	RecordFeedback(ctx context.Context, f Feedback) (recorded bool, err error)
	// FeedbackCounts returns the votes per entry id.
	FeedbackCounts(ctx context.Context) (map[string]Votes, error)

	// ListUnanswered returns the logged questions at or after since, oldest first.
	ListUnanswered(ctx context.Context, since time.Time) ([]Unanswered, error)

	// ForgetUser deletes what the store keeps about a user: the session,
	// the subscription of their private chat, their votes (the entries'
	// counts go down accordingly), the questions they asked that are kept
	// for staff, and their id in the statistics (Redis keeps distinct users
	// in HyperLogLogs, which hold no ids). Flood counters and update ids
	// expire within minutes and a day, and their keys carry a keyed hash
	// of the user id, never the id.
	ForgetUser(ctx context.Context, userID int64) error

	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// Claim says who handles an update.
type Claim int

const (
	// Claimed: this call claimed the update; handle it and Finish it.
	Claimed Claim = iota
	// ClaimHeld: another handler claimed it less than its ClaimTTL ago
	// and has not finished it; it may still be running. Try again later.
	ClaimHeld
	// ClaimDone: it was handled already; a redelivery is dropped.
	ClaimDone
)

// Arrival is what Admit claims and reads for one update.
type Arrival struct {
	UpdateID int
	ClaimTTL time.Duration // positive: how long the claim holds without Finish
	// UserID is the sender; 0 reads no session and counts nothing.
	UserID int64
	// FloodWindow, when positive, counts the message in the sender's
	// current fixed window of this length (windows are aligned on the
	// Unix epoch; each length counts on its own). A redelivered update
	// counts once.
	FloodWindow time.Duration
}

// Admission is what Admit found. Messages, Session and Found are read
// whatever the claim, but only a Claimed update should act on them.
type Admission struct {
	Claim    Claim
	Messages int     // when Claimed: the count in the flood window, this message included; 0 when not counted
	Session  Session // the sender's session, when Found
	Found    bool
}

// Completion is what Finish writes for one handled update.
type Completion struct {
	UpdateID int
	DoneTTL  time.Duration // positive: how long a redelivery is recognised
	UserID   int64         // the sender, for the session and statistics
	// Session, when not nil, is saved to expire after SessionTTL.
	Session    *Session
	SessionTTL time.Duration
	// Question, when not nil, is counted in the statistics (StatsStore).
	Question *QuestionCount
	// Unanswered, when not nil, is logged for staff, keeping at most the
	// newest UnansweredMax questions and none older than
	// UnansweredRetention.
	Unanswered          *Unanswered
	UnansweredRetention time.Duration
	UnansweredMax       int
}

// QuestionCount is one question for the daily statistics.
type QuestionCount struct {
	At      time.Time
	Outcome string // Outcome.Kind; never empty
	EntryID string // the entry answered; "" for none
}

// Check reports what is wrong with the completion's settings.
func (c Completion) Check() error {
	switch {
	case c.DoneTTL <= 0:
		return fmt.Errorf("done ttl %v is not positive", c.DoneTTL)
	case c.Session != nil && c.SessionTTL <= 0:
		return fmt.Errorf("session ttl %v is not positive", c.SessionTTL)
	case c.Question != nil && c.Question.Outcome == "":
		return errors.New("empty outcome")
	case c.Unanswered != nil && (c.UnansweredRetention <= 0 || c.UnansweredMax <= 0):
		return fmt.Errorf("retention %v and maxEntries %d must be positive", c.UnansweredRetention, c.UnansweredMax)
	}
	return nil
}

// Check reports what is wrong with the arrival's settings.
func (a Arrival) Check() error {
	switch {
	case a.ClaimTTL <= 0:
		return fmt.Errorf("claim ttl %v is not positive", a.ClaimTTL)
	case a.FloodWindow < 0:
		return fmt.Errorf("window %v is negative", a.FloodWindow)
	}
	return nil
}
