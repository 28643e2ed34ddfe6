// Package boltstore keeps the conversation's state (bot.Store), the
// subscriptions (bot.SubscriptionStore), daily question counts
// (bot.StatsStore) and the announcements' queue (broadcast.Queue) in one
// embedded bbolt file, for a single bot process on a small server that runs
// no Redis. The file is locked while open: a second process gets an "in
// use" error after a second instead of waiting.
//
// The file has these buckets:
//
//	sessions     user id → expiry (8 bytes, Unix nanoseconds) + session as JSON
//	updates      update id → expiry (8 bytes) + "c" while claimed; without
//	             "c" it was handled
//	votes        chat id + message id → the vote that stands, as JSON
//	counts       "e" + entry id → helpful and not helpful votes (8 bytes each)
//	unanswered   time (8 bytes, Unix nanoseconds) + sequence (8 bytes) → question as JSON
//	meta         "unanswered_count" → number of questions in unanswered;
//	             "stats_users_count" → number of users in stats_users
//
//	subscriptions         chat id → subscription as JSON
//	subscription_index    "n" + chat id → nothing, for a chat that follows no topic;
//	                      "t" + topic + 0 + chat id → nothing, for each topic it follows
//	subscription_counts   "a" → subscriptions; "n" and "t" + topic + 0 → chats under that index prefix
//	stats                 one bucket per UTC day, named yyyy-mm-dd, holding
//	                      "o" + outcome → questions, "e" + entry id → questions,
//	                      "u" + user id → nothing, "n" → number of the day's users
//	stats_users           user id → nothing, for every user who ever asked
//	broadcast_jobs        job id → job, state, counts as JSON
//	broadcast_job_times   creation time + job id → nothing, for Jobs
//	broadcast_deliveries  sequence → delivery (job id, chat id, claimed by, claimed at) as JSON
//	broadcast_unclaimed   sequence → nothing, for each delivery never claimed
//	broadcast_claimed     claim time + sequence → nothing, for each delivery claimed
//	                      and not completed, oldest claim first
//
// Integers are big-endian, so keys sort by time and a question's key is its
// place in the log. Expired sessions and update marks are not found, and a
// sweep removes them every minute; the log of unanswered questions is
// trimmed on every write. Flood counters are only kept in memory: they
// live for a window, and only this process counts. Days of statistics
// past bot.StatsRetention are removed when a question is counted and by the
// sweep.
//
// A delivery moves from broadcast_unclaimed to broadcast_claimed when
// claimed, within broadcast_claimed when claimed again after minIdle, and
// out of both when completed, so Claim and Complete cost the same with ten
// or a hundred thousand deliveries queued.
package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/layanan-id/layanan/bot"
)

const (
	// lockTimeout is how long Open waits for another process to release
	// the file.
	lockTimeout = time.Second
	// sweepInterval is how often expired entries are removed.
	sweepInterval = time.Minute
)

var (
	bucketSessions   = []byte("sessions")
	bucketUpdates    = []byte("updates")
	bucketVotes      = []byte("votes")
	bucketCounts     = []byte("counts")
	bucketUnanswered = []byte("unanswered")
	bucketMeta       = []byte("meta")

	bucketSubscriptions      = []byte("subscriptions")
	bucketSubscriptionIndex  = []byte("subscription_index")
	bucketSubscriptionCounts = []byte("subscription_counts")
	bucketStats              = []byte("stats")
	bucketStatsUsers         = []byte("stats_users")
	bucketJobs               = []byte("broadcast_jobs")
	bucketJobTimes           = []byte("broadcast_job_times")
	bucketDeliveries         = []byte("broadcast_deliveries")
	bucketUnclaimed          = []byte("broadcast_unclaimed")
	bucketClaimed            = []byte("broadcast_claimed")
	bucketTickets            = []byte("tickets")
	bucketTicketsOpen        = []byte("tickets_open")
	bucketTicketLinks        = []byte("ticket_links")
	bucketTemp               = []byte("temp")

	keyUnansweredCount = []byte("unanswered_count")
	keyStatsUsersCount = []byte("stats_users_count")
)

// buckets are the top-level buckets, made by Open when missing.
var buckets = [][]byte{
	bucketSessions, bucketUpdates, bucketVotes, bucketCounts, bucketUnanswered, bucketMeta,
	bucketSubscriptions, bucketSubscriptionIndex, bucketSubscriptionCounts,
	bucketStats, bucketStatsUsers,
	bucketJobs, bucketJobTimes, bucketDeliveries, bucketUnclaimed, bucketClaimed,
	bucketTickets, bucketTicketsOpen, bucketTicketLinks, bucketTemp,
}

// Options configures a Store.
type Options struct {
	// Now is the clock; nil means time.Now. Tests set it to expire entries
	// without waiting.
	Now func() time.Time
	// Logger receives the failures of the background sweep; nil discards
	// them.
	Logger *slog.Logger
}

// Store is a bot.Store in a bbolt file. It is safe for concurrent use by
// one process.
type Store struct {
	db     *bbolt.DB
	now    func() time.Time
	log    *slog.Logger
	flood  floodCounts
	closed atomic.Bool
	stop   chan struct{}  // closed by Close to end the sweep
	swept  sync.WaitGroup // the sweep goroutine
}

var _ bot.Store = (*Store)(nil)

// Open opens the store in the file at path, creating the file and its
// folders when missing. See OpenWithOptions for the errors.
func Open(path string) (*Store, error) {
	return OpenWithOptions(path, Options{})
}

// OpenWithOptions opens the store in the file at path, creating the file
// and its folders when missing, and starts the sweep of expired entries.
// It returns an error naming the path when a folder cannot be created, the
// file cannot be opened or is not a bbolt file, or another process keeps it
// locked for longer than a second.
func OpenWithOptions(path string, opts Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("boltstore: open %s: create its folder: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: open %s: the file is in use by another process (still locked after %v): %w", path, lockTimeout, err)
	}
	if errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrVersionMismatch) {
		return nil, fmt.Errorf("boltstore: open %s: not a bbolt file of a version this program reads: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range buckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}

	s := &Store{
		db:    db,
		now:   opts.Now,
		log:   opts.Logger,
		flood: floodCounts{counts: make(map[floodKey]floodCount)},
		stop:  make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	// Commits are written to the file at once but flushed to the disk once
	// a second rather than twice per commit: a crash of the process loses
	// nothing (the operating system has the writes), a power cut at most
	// the last second. Each update commits 3–4 times; waiting for the disk
	// each time halved the throughput (see README, Load).
	db.NoSync = true
	s.swept.Go(s.sweepEvery)
	s.swept.Go(s.syncEvery)
	return s, nil
}

// syncInterval is how often commits are flushed to the disk.
const syncInterval = time.Second

func (s *Store) syncEvery() {
	ticker := time.NewTicker(syncInterval)
	defer ticker.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
			if err := s.db.Sync(); err != nil {
				s.log.Error("boltstore: flush to disk", slog.Any("error", err))
			}
		}
	}
}

// LoadSession returns the user's session; found is false when there is
// none or it expired.
func (s *Store) LoadSession(ctx context.Context, userID int64) (bot.Session, bool, error) {
	const op = "load session"
	if s.closed.Load() {
		return bot.Session{}, false, fail(op, bot.ErrStoreClosed)
	}
	var (
		sess  bot.Session
		found bool
	)
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get(itob(userID))
		if len(v) < 8 || expired(v, s.now()) {
			return nil
		}
		found = true
		return json.Unmarshal(v[8:], &sess)
	})
	if err != nil {
		return bot.Session{}, false, fail(op, err)
	}
	return sess, found, nil
}

// SaveSession stores the user's session for ttl, which must be positive.
func (s *Store) SaveSession(ctx context.Context, userID int64, sess bot.Session, ttl time.Duration) error {
	const op = "save session"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if ttl <= 0 {
		return fail(op, fmt.Errorf("ttl %v is not positive", ttl))
	}
	data, err := json.Marshal(sess)
	if err != nil {
		return fail(op, err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		v := append(itob(s.now().Add(ttl).UnixNano()), data...)
		return tx.Bucket(bucketSessions).Put(itob(userID), v)
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// RecordFeedback stores a vote unless the answer message already has one.
// Votes are kept without expiry.
func (s *Store) RecordFeedback(ctx context.Context, f bot.Feedback) (bool, error) {
	const op = "record feedback"
	if s.closed.Load() {
		return false, fail(op, bot.ErrStoreClosed)
	}
	data, err := f.Record()
	if err != nil {
		return false, fail(op, err)
	}
	var recorded bool
	err = s.db.Update(func(tx *bbolt.Tx) error {
		votes, key := tx.Bucket(bucketVotes), append(itob(f.ChatID), itob(int64(f.MessageID))...)
		if votes.Get(key) != nil {
			return nil
		}
		if err := votes.Put(key, data); err != nil {
			return err
		}
		counts, ckey := tx.Bucket(bucketCounts), countKey(f.EntryID)
		v := decodeVotes(counts.Get(ckey))
		if f.Helpful {
			v.Helpful++
		} else {
			v.NotHelpful++
		}
		recorded = true
		return counts.Put(ckey, encodeVotes(v))
	})
	if err != nil {
		return false, fail(op, err)
	}
	return recorded, nil
}

// FeedbackCounts returns the votes per entry id; entries without votes are
// absent.
func (s *Store) FeedbackCounts(ctx context.Context) (map[string]bot.Votes, error) {
	const op = "feedback counts"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	counts := make(map[string]bot.Votes)
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
			counts[string(k[1:])] = decodeVotes(v)
			return nil
		})
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return counts, nil
}

// LogUnanswered adds the question to the log and trims the log to the
// newest maxEntries and to retention, both of which must be positive. A
// zero q.At means now; a question already older than retention is not
// kept.
func (s *Store) LogUnanswered(ctx context.Context, q bot.Unanswered, retention time.Duration, maxEntries int) error {
	const op = "log unanswered"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if retention <= 0 || maxEntries <= 0 {
		return fail(op, fmt.Errorf("retention %v and maxEntries %d must be positive", retention, maxEntries))
	}
	now := s.now()
	q, keep := unansweredAt(q, now, retention)
	if !keep {
		return nil
	}
	data, err := json.Marshal(q)
	if err != nil {
		return fail(op, err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		return logUnansweredTx(tx, q, data, now.Add(-retention), maxEntries)
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// unansweredAt gives q the time now when it has none; keep is false when
// q is already older than retention.
func unansweredAt(q bot.Unanswered, now time.Time, retention time.Duration) (_ bot.Unanswered, keep bool) {
	if q.At.IsZero() {
		q.At = now
	}
	return q, !q.At.Before(now.Add(-retention))
}

// logUnansweredTx appends q (data is its JSON) and drops the questions
// before cutoff and beyond maxEntries.
func logUnansweredTx(tx *bbolt.Tx, q bot.Unanswered, data []byte, cutoff time.Time, maxEntries int) error {
	b, meta := tx.Bucket(bucketUnanswered), tx.Bucket(bucketMeta)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	n := countOf(b, meta) + 1
	if err := b.Put(append(itob(q.At.UnixNano()), itob(int64(seq))...), data); err != nil {
		return err
	}
	// The oldest questions come first: drop them while too old or too many.
	for {
		k, _ := b.Cursor().First()
		if k == nil || (int64(binary.BigEndian.Uint64(k)) >= cutoff.UnixNano() && n <= int64(maxEntries)) {
			break
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		n--
	}
	return meta.Put(keyUnansweredCount, itob(n))
}

// countOf returns the number of questions in the log, counting them when
// the file has no count yet.
func countOf(b, meta *bbolt.Bucket) int64 {
	if v := meta.Get(keyUnansweredCount); len(v) == 8 {
		return int64(binary.BigEndian.Uint64(v))
	}
	return int64(b.Stats().KeyN)
}

// ListUnanswered returns the logged questions at or after since, oldest
// first.
func (s *Store) ListUnanswered(ctx context.Context, since time.Time) ([]bot.Unanswered, error) {
	const op = "list unanswered"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	var qs []bot.Unanswered
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketUnanswered).Cursor()
		k, v := c.First()
		if ns := since.UnixNano(); !since.IsZero() && ns > 0 {
			k, v = c.Seek(itob(ns))
		}
		for ; k != nil; k, v = c.Next() {
			var q bot.Unanswered
			if err := json.Unmarshal(v, &q); err != nil {
				return fmt.Errorf("question %x: %w", k, err)
			}
			qs = append(qs, q)
		}
		return nil
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return qs, nil
}

// Ping reports whether the store is open.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return fail("ping", bot.ErrStoreClosed)
	}
	return nil
}

// Close stops the sweep and closes the file. Closing again returns an
// error wrapping bot.ErrStoreClosed.
func (s *Store) Close() error {
	const op = "close"
	if s.closed.Swap(true) {
		return fail(op, bot.ErrStoreClosed)
	}
	close(s.stop)
	s.swept.Wait()
	if err := s.db.Sync(); err != nil {
		s.db.Close()
		return fail(op, err)
	}
	if err := s.db.Close(); err != nil {
		return fail(op, err)
	}
	return nil
}

// sweepEvery removes expired entries every sweepInterval until Close.
func (s *Store) sweepEvery() {
	ticker := time.NewTicker(sweepInterval)
	defer ticker.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
			if err := s.sweep(); err != nil && !errors.Is(err, bot.ErrStoreClosed) {
				s.log.Error("boltstore: sweep expired entries", slog.Any("error", err))
			}
		}
	}
}

// sweep removes expired sessions, update marks and flood counters, the
// statistics of days past bot.StatsRetention and tickets closed longer
// than bot.TicketRetention ago.
func (s *Store) sweep() error {
	now := s.now()
	s.flood.sweep(now)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := pruneStats(tx, now); err != nil {
			return err
		}
		if err := deleteTickets(tx, 0, now.Add(-bot.TicketRetention)); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketSessions, bucketUpdates, bucketTemp} {
			b := tx.Bucket(name)
			var stale [][]byte
			err := b.ForEach(func(k, v []byte) error {
				if len(v) < 8 || expired(v, now) {
					stale = append(stale, bytes.Clone(k))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, k := range stale {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fail("sweep", err)
	}
	return nil
}

// fail wraps err with the operation; a database closed under a running
// call counts as a closed store.
func fail(op string, err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("boltstore: %s: %w: %w", op, bot.ErrStoreClosed, err)
	}
	return fmt.Errorf("boltstore: %s: %w", op, err)
}

// itob encodes an integer as 8 big-endian bytes.
func itob(n int64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(n))
}

// btoi decodes the first 8 bytes of b, written by itob.
func btoi(b []byte) int64 {
	return int64(binary.BigEndian.Uint64(b))
}

// expired reports whether a value starting with an expiry time has expired.
func expired(v []byte, now time.Time) bool {
	return int64(binary.BigEndian.Uint64(v)) <= now.UnixNano()
}

// countKey prefixes the entry id, because bbolt keys cannot be empty.
func countKey(entryID string) []byte {
	return append([]byte{'e'}, entryID...)
}

func encodeVotes(v bot.Votes) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(v.Helpful))
	return binary.BigEndian.AppendUint64(b, uint64(v.NotHelpful))
}

func decodeVotes(b []byte) bot.Votes {
	if len(b) != 16 {
		return bot.Votes{}
	}
	return bot.Votes{
		Helpful:    int(binary.BigEndian.Uint64(b)),
		NotHelpful: int(binary.BigEndian.Uint64(b[8:])),
	}
}

// floodCounts are the message counts of the current windows.
type floodCounts struct {
	mu     sync.Mutex
	counts map[floodKey]floodCount
}

type floodKey struct {
	userID int64
	window time.Duration
}

type floodCount struct {
	index int64 // the window: Unix nanoseconds / window length
	n     int
}

// add counts a message at now and returns the count in its window.
func (f *floodCounts) add(k floodKey, now time.Time) int {
	index := now.UnixNano() / int64(k.window)
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.counts[k]
	if c.index != index {
		c = floodCount{index: index}
	}
	c.n++
	f.counts[k] = c
	return c.n
}

// sweep forgets the counts of windows that have ended.
func (f *floodCounts) sweep(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, c := range f.counts {
		if c.index < now.UnixNano()/int64(k.window) {
			delete(f.counts, k)
		}
	}
}
