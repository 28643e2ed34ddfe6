package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
)

var _ bot.StatsStore = (*Store)(nil)

const (
	day       = 24 * time.Hour
	dayLayout = time.DateOnly
)

// CountQuestion counts one question on the UTC day of at: its outcome
// (which must not be empty), its entry unless entryID is "", and the user
// among the day's and all time's users. A day's keys expire bot.StatsRetention
// after the day ends; a question on a day already past that is only
// counted among all time's users.
func (s *Store) CountQuestion(ctx context.Context, at time.Time, userID int64, outcome, entryID string) error {
	const op = "count question"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if outcome == "" {
		return fail(op, errors.New("empty outcome"))
	}
	// Counts need no transaction, and the keys live in different slots of
	// a cluster: a plain pipeline is one round trip.
	pipe := s.client.Pipeline()
	s.queueCountQuestion(ctx, pipe, at, userID, outcome, entryID)
	if _, err := pipe.Exec(ctx); err != nil {
		return fail(op, err)
	}
	return nil
}

// queueCountQuestion adds the commands that count a question to pipe.
func (s *Store) queueCountQuestion(ctx context.Context, pipe redis.Pipeliner, at time.Time, userID int64, outcome, entryID string) {
	user := strconv.FormatInt(userID, 10)
	start := bot.StatsDay(at)
	expireAt := start.Add(day + bot.StatsRetention)
	pipe.PFAdd(ctx, s.keys.statsAllUsers(), user)
	if expireAt.After(time.Now()) {
		d := start.Format(dayLayout)
		expire := func(key string) {
			if s.expiries.due(key, time.Now()) {
				pipe.ExpireAt(ctx, key, expireAt)
			}
		}
		pipe.HIncrBy(ctx, s.keys.statsOutcomes(d), outcome, 1)
		expire(s.keys.statsOutcomes(d))
		if entryID != "" {
			pipe.HIncrBy(ctx, s.keys.statsEntries(d), entryID, 1)
			expire(s.keys.statsEntries(d))
		}
		pipe.PFAdd(ctx, s.keys.statsUsers(d), user)
		expire(s.keys.statsUsers(d))
	}
}

// Stats returns one DayStats per UTC day from from's to to's, oldest
// first; none when to's day is before from's. A range longer than
// bot.MaxStatsDays is an error. Users is a HyperLogLog's estimate.
func (s *Store) Stats(ctx context.Context, from, to time.Time) ([]bot.DayStats, error) {
	const op = "stats"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	first, n, err := bot.StatsDays(from, to)
	if err != nil {
		return nil, fail(op, err)
	}
	type dayCmds struct {
		outcomes, entries *redis.MapStringStringCmd
		users             *redis.IntCmd
	}
	cmds := make([]dayCmds, n)
	pipe := s.client.Pipeline()
	for i := range cmds {
		d := first.Add(time.Duration(i) * day).Format(dayLayout)
		cmds[i] = dayCmds{
			outcomes: pipe.HGetAll(ctx, s.keys.statsOutcomes(d)),
			entries:  pipe.HGetAll(ctx, s.keys.statsEntries(d)),
			users:    pipe.PFCount(ctx, s.keys.statsUsers(d)),
		}
	}
	if n > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fail(op, err)
		}
	}
	stats := make([]bot.DayStats, n)
	for i, c := range cmds {
		ds := bot.DayStats{Day: first.Add(time.Duration(i) * day), Users: int(c.users.Val())}
		if ds.Outcomes, err = atoiMap(c.outcomes.Val()); err != nil {
			return nil, fail(op, fmt.Errorf("outcomes of %s: %w", ds.Day.Format(dayLayout), err))
		}
		if ds.Entries, err = atoiMap(c.entries.Val()); err != nil {
			return nil, fail(op, fmt.Errorf("entries of %s: %w", ds.Day.Format(dayLayout), err))
		}
		stats[i] = ds
	}
	return stats, nil
}

// CountUsers returns the HyperLogLog's estimate of how many distinct users
// ever asked.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	const op = "count users"
	if s.closed.Load() {
		return 0, fail(op, bot.ErrStoreClosed)
	}
	n, err := s.client.PFCount(ctx, s.keys.statsAllUsers()).Result()
	if err != nil {
		return 0, fail(op, err)
	}
	return int(n), nil
}

// atoiMap decodes a hash of counts.
func atoiMap(h map[string]string) (map[string]int, error) {
	m := make(map[string]int, len(h))
	for k, v := range h {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("count of %q: %w", k, err)
		}
		m[k] = n
	}
	return m, nil
}

// expiryMemo remembers which keys this process gave their expiry lately,
// so that a day's statistics keys get EXPIREAT once a few minutes rather
// than with every question (three commands fewer per question). It is
// renewed after expiryRenew, so a key that Redis lost and a later
// question recreated gets its expiry again soon.
type expiryMemo struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// expiryRenew is how long an expiry set is trusted.
const expiryRenew = 5 * time.Minute

// due tells whether key's expiry should be set now, and notes that it is.
func (m *expiryMemo) due(key string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if at, ok := m.last[key]; ok && now.Sub(at) < expiryRenew {
		return false
	}
	if m.last == nil || len(m.last) > 64 {
		// Only the current days' keys matter; forget the rest.
		m.last = make(map[string]time.Time)
	}
	m.last[key] = now
	return true
}
