package bot

import (
	"context"
	"time"
)

// Subscription is a citizen's opt-in to announcements.
type Subscription struct {
	ChatID int64     `json:"chat"`
	UserID int64     `json:"user"`
	Lang   string    `json:"lang,omitempty"`
	Topics []string  `json:"topics,omitempty"` // category ids followed; empty: every announcement
	Since  time.Time `json:"since"`
}

// Receives reports whether an announcement on topic ("" for everyone)
// goes to this subscriber: general announcements reach everyone, a topical
// one reaches those who follow the topic or follow no topic in particular.
func (s Subscription) Receives(topic string) bool {
	if topic == "" || len(s.Topics) == 0 {
		return true
	}
	for _, t := range s.Topics {
		if t == topic {
			return true
		}
	}
	return false
}

// SubscriptionStore keeps subscriptions. Both stores implement it.
type SubscriptionStore interface {
	// Subscribe inserts or replaces the chat's subscription.
	Subscribe(ctx context.Context, s Subscription) error
	// Unsubscribe removes it; existed is false when there was none.
	Unsubscribe(ctx context.Context, chatID int64) (existed bool, err error)
	// Subscription returns the chat's subscription.
	Subscription(ctx context.Context, chatID int64) (s Subscription, found bool, err error)
	// Subscribers calls fn with batches (at most 1,000 each) of the chat
	// ids that receive an announcement on topic (see Subscription.Receives),
	// each chat once, until fn returns an error, which is returned.
	Subscribers(ctx context.Context, topic string, fn func(chatIDs []int64) error) error
	// CountSubscribers counts the chats that receive an announcement on topic.
	CountSubscribers(ctx context.Context, topic string) (int, error)
}

// DayStats is one day's questions, for staff.
type DayStats struct {
	Day      time.Time      // midnight UTC of the day
	Outcomes map[string]int // answered, followup, suggested, not_found → questions
	Entries  map[string]int // entry id → questions answered with it
	Users    int            // distinct users who asked that day
}

// Statistics limits every StatsStore keeps to.
const (
	// StatsRetention is how long a day's counts are kept after the day ends.
	StatsRetention = 400 * 24 * time.Hour
	// MaxStatsDays is the longest range Stats reads.
	MaxStatsDays = 3660
)

// StatsStore counts questions per day. Both stores implement it.
type StatsStore interface {
	// Stats returns one DayStats per day from from to to (inclusive, by
	// UTC day), oldest first; days without questions have empty maps.
	Stats(ctx context.Context, from, to time.Time) ([]DayStats, error)
	// CountUsers returns how many distinct users ever asked (approximate
	// in Redis: a HyperLogLog, within 1%).
	CountUsers(ctx context.Context) (int, error)
}
