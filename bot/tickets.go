package bot

import (
	"context"
	"time"
)

// Ticket is one citizen's handoff to staff: the conversation relays
// messages between the citizen's chat and the staff group while it is
// open (handoff.go).
type Ticket struct {
	Number  int64  // 1, 2, 3… per deployment; staff see it as #12
	UserID  int64  // the citizen
	ChatID  int64  // the citizen's private chat
	Lang    string // the citizen's language
	Service string // the entry the citizen last asked about, "" for none
	// Consent is true when the citizen allowed staff to see NIK, KK,
	// phone numbers and e-mail addresses unmasked.
	Consent bool
	// ThreadID is the ticket's forum topic in the staff group; 0 when the
	// group has no topics and staff reply to the ticket's messages.
	ThreadID int
	// HeaderID is the ticket's first post in the staff group.
	HeaderID     int
	OpenedAt     time.Time
	ActiveAt     time.Time // the last message either way
	FirstReplyAt time.Time // the first staff message; zero until then
	ClosedAt     time.Time // zero while open
	Rating       int       // 1–5 once the citizen rated it; 0 before
}

// Open reports whether the ticket is still open.
func (t Ticket) Open() bool { return t.ClosedAt.IsZero() }

// HandoffStats counts tickets since the store began.
type HandoffStats struct {
	Opened, Closed int
	// FirstReplies tickets got a staff reply, FirstReplyTotal after this
	// much time in all (for the average).
	FirstReplies    int
	FirstReplyTotal time.Duration
	// Rated tickets, RatingTotal the sum of their ratings.
	Rated, RatingTotal int
}

// TicketRetention is how long a closed ticket is kept (for its rating and
// the note to staff who write in its topic after it closed).
const TicketRetention = 30 * 24 * time.Hour

// HandoffStore keeps tickets. Both stores implement it; ForgetUser deletes
// a user's tickets and their links.
type HandoffStore interface {
	// OpenTicket numbers t and keeps it open. When the user has an open
	// ticket already, that one is returned with opened false.
	OpenTicket(ctx context.Context, t Ticket) (ticket Ticket, opened bool, err error)
	// Ticket returns the ticket with that number, open or closed.
	Ticket(ctx context.Context, number int64) (Ticket, bool, error)
	// OpenTicketOf returns the user's open ticket.
	OpenTicketOf(ctx context.Context, userID int64) (Ticket, bool, error)
	// OpenTickets returns every open ticket, oldest first.
	OpenTickets(ctx context.Context) ([]Ticket, error)
	// TicketsOf returns the user's tickets kept, open and closed, oldest
	// first.
	TicketsOf(ctx context.Context, userID int64) ([]Ticket, error)
	// LinkMessage records that a message of the staff group belongs to the
	// ticket, so that a staff reply to it reaches the citizen; with topic,
	// messageID is the ticket's forum topic (message_thread_id) and becomes
	// its ThreadID; the first other message linked becomes its HeaderID.
	LinkMessage(ctx context.Context, number int64, messageID int, topic bool) error
	// TicketByMessage returns the ticket a staff-group message or topic
	// was linked to.
	TicketByMessage(ctx context.Context, messageID int) (Ticket, bool, error)
	// TouchTicket notes a message on an open ticket at at; byStaff sets
	// FirstReplyAt the first time. It returns the ticket as it is now,
	// and found false when it is not open.
	TouchTicket(ctx context.Context, number int64, at time.Time, byStaff bool) (Ticket, bool, error)
	// CloseTicket closes an open ticket; closed is false when it was not
	// open (another replica or the other side closed it first). With
	// activeBefore not zero, it closes only a ticket whose last message
	// came before it (closing for silence loses no race with a message).
	CloseTicket(ctx context.Context, number int64, at, activeBefore time.Time) (ticket Ticket, closed bool, err error)
	// RateTicket records the user's rating (1–5) of their closed ticket;
	// rated is false for another user's ticket, an open one, or a second
	// rating.
	RateTicket(ctx context.Context, number, userID int64, rating int) (rated bool, err error)
	// HandoffStats returns the counts since the store began.
	HandoffStats(ctx context.Context) (HandoffStats, error)
}
