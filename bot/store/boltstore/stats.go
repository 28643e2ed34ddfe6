package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot"
)

var _ bot.StatsStore = (*Store)(nil)

const (
	day       = 24 * time.Hour
	dayLayout = time.DateOnly
)

// Keys inside a day's bucket of the stats bucket.
const (
	outcomeMark = 'o' // + outcome → questions
	entryMark   = 'e' // + entry id → questions
	userMark    = 'u' // + user id → nothing: the day's users
)

// dayUsersKey counts the day's users.
var dayUsersKey = []byte("n")

// CountQuestion counts one question on the UTC day of at: its outcome
// (which must not be empty), its entry unless entryID is "", and the user
// among the day's and all time's users. A question on a day whose counts
// are already past bot.StatsRetention is only counted among all time's users.
// Days past bot.StatsRetention are removed here and by the sweep.
func (s *Store) CountQuestion(ctx context.Context, at time.Time, userID int64, outcome, entryID string) error {
	const op = "count question"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if outcome == "" {
		return fail(op, errors.New("empty outcome"))
	}
	now, start := s.now(), bot.StatsDay(at)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return countQuestionTx(tx, now, start, userID, outcome, entryID)
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// countQuestionTx counts a question of the day that starts at start.
func countQuestionTx(tx *bbolt.Tx, now, start time.Time, userID int64, outcome, entryID string) error {
	users, meta := tx.Bucket(bucketStatsUsers), tx.Bucket(bucketMeta)
	if users.Get(itob(userID)) == nil {
		if err := users.Put(itob(userID), []byte{}); err != nil {
			return err
		}
		if err := addCount(meta, keyStatsUsersCount, 1); err != nil {
			return err
		}
	}
	if err := pruneStats(tx, now); err != nil {
		return err
	}
	if !start.Add(day + bot.StatsRetention).After(now) {
		return nil
	}
	b, err := tx.Bucket(bucketStats).CreateBucketIfNotExists([]byte(start.Format(dayLayout)))
	if err != nil {
		return err
	}
	if err := addCount(b, markKey(outcomeMark, outcome), 1); err != nil {
		return err
	}
	if entryID != "" {
		if err := addCount(b, markKey(entryMark, entryID), 1); err != nil {
			return err
		}
	}
	if ukey := append([]byte{userMark}, itob(userID)...); b.Get(ukey) == nil {
		if err := b.Put(ukey, []byte{}); err != nil {
			return err
		}
		return addCount(b, dayUsersKey, 1)
	}
	return nil
}

// Stats returns one DayStats per UTC day from from's to to's, oldest
// first; none when to's day is before from's. A range longer than
// bot.MaxStatsDays is an error.
func (s *Store) Stats(ctx context.Context, from, to time.Time) ([]bot.DayStats, error) {
	const op = "stats"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	first, n, err := bot.StatsDays(from, to)
	if err != nil {
		return nil, fail(op, err)
	}
	stats := make([]bot.DayStats, n)
	err = s.db.View(func(tx *bbolt.Tx) error {
		all := tx.Bucket(bucketStats)
		for i := range stats {
			ds := bot.DayStats{Day: first.Add(time.Duration(i) * day), Outcomes: map[string]int{}, Entries: map[string]int{}}
			if b := all.Bucket([]byte(ds.Day.Format(dayLayout))); b != nil {
				ds.Users = int(count(b, dayUsersKey))
				c := b.Cursor()
				for k, v := c.Seek([]byte{entryMark}); k != nil && k[0] == entryMark; k, v = c.Next() {
					ds.Entries[string(k[1:])] = int(btoi(v))
				}
				for k, v := c.Seek([]byte{outcomeMark}); k != nil && k[0] == outcomeMark; k, v = c.Next() {
					ds.Outcomes[string(k[1:])] = int(btoi(v))
				}
			}
			stats[i] = ds
		}
		return nil
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return stats, nil
}

// CountUsers returns how many distinct users ever asked, exactly.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	const op = "count users"
	if s.closed.Load() {
		return 0, fail(op, bot.ErrStoreClosed)
	}
	var n int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		n = count(tx.Bucket(bucketMeta), keyStatsUsersCount)
		return nil
	})
	if err != nil {
		return 0, fail(op, err)
	}
	return int(n), nil
}

// pruneStats removes the days whose counts are past bot.StatsRetention. Day
// buckets are named by date, so the oldest come first.
func pruneStats(tx *bbolt.Tx, now time.Time) error {
	all := tx.Bucket(bucketStats)
	cutoff := []byte(bot.StatsDay(now.Add(-bot.StatsRetention - day)).Format(dayLayout))
	var old [][]byte
	c := all.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, cutoff) <= 0; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := all.DeleteBucket(k); err != nil {
			return fmt.Errorf("delete stats of %s: %w", k, err)
		}
	}
	return nil
}

// markKey is a one-byte mark followed by a name.
func markKey(mark byte, name string) []byte {
	return append([]byte{mark}, name...)
}
