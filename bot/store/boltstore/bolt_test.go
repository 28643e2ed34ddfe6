package boltstore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, err := Open(filepath.Join(t.TempDir(), "layanan.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// openStore opens a store in a fresh file, closed when the test ends
// (unless the test closed it).
func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "layanan.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, bot.ErrStoreClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestSubscriptionsContract(t *testing.T) {
	storetest.RunSubscriptions(t, func(t *testing.T) bot.SubscriptionStore { return openStore(t) })
}

func TestTempContract(t *testing.T) {
	storetest.RunTemp(t, func(t *testing.T) bot.TempStore { return openStore(t) })
}

func TestHandoffContract(t *testing.T) {
	storetest.RunHandoff(t, func(t *testing.T) bot.HandoffStore { return openStore(t) })
}

func TestStatsContract(t *testing.T) {
	storetest.RunStats(t, func(t *testing.T) storetest.StatsStore { return openStore(t) })
}

func TestQueueContract(t *testing.T) {
	storetest.RunQueue(t, func(t *testing.T) broadcast.Queue { return openStore(t) })
}

// clock is a settable Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// openWithClock opens a store in a fresh file whose time only moves when
// the test advances it.
func openWithClock(t *testing.T) (*Store, *clock) {
	t.Helper()
	c := &clock{now: time.Date(2025, 8, 17, 10, 0, 0, 0, time.UTC)}
	s, err := OpenWithOptions(filepath.Join(t.TempDir(), "layanan.db"), Options{Now: c.Now})
	if err != nil {
		t.Fatalf("OpenWithOptions: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

// keyCount returns the number of keys in a bucket.
func keyCount(t *testing.T, s *Store, bucket []byte) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket(bucket).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatalf("count keys in %s: %v", bucket, err)
	}
	return n
}

func TestExpiryByClock(t *testing.T) {
	s, c := openWithClock(t)
	ctx := t.Context()

	if err := s.SaveSession(ctx, 1, bot.Session{Lang: "id"}, time.Minute); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if err := s.SaveSession(ctx, 2, bot.Session{Lang: "en"}, time.Hour); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if adm, err := s.Admit(ctx, bot.Arrival{UpdateID: 500, ClaimTTL: time.Minute, UserID: 1, FloodWindow: time.Minute}); err != nil || adm.Claim != bot.Claimed || adm.Messages != 1 {
		t.Fatalf("Admit = %+v, %v; want claimed, count 1", adm, err)
	}

	c.Advance(time.Minute - time.Nanosecond)
	if _, found, err := s.LoadSession(ctx, 1); err != nil || !found {
		t.Errorf("session 1 just before its ttl: found = %v, %v; want found", found, err)
	}
	if adm, err := s.Admit(ctx, bot.Arrival{UpdateID: 500, ClaimTTL: time.Minute, UserID: 1, FloodWindow: time.Minute}); err != nil || adm.Claim != bot.ClaimHeld {
		t.Errorf("Admit just before the claim's ttl = %+v, %v; want held", adm, err)
	}
	if adm, err := s.Admit(ctx, bot.Arrival{UpdateID: 502, ClaimTTL: time.Minute, UserID: 1, FloodWindow: time.Minute}); err != nil || adm.Messages != 2 {
		t.Errorf("Admit of a second message at the end of the window = %+v, %v; want count 2", adm, err)
	}

	c.Advance(time.Nanosecond)
	if _, found, err := s.LoadSession(ctx, 1); err != nil || found {
		t.Errorf("session 1 at its ttl: found = %v, %v; want not found", found, err)
	}
	if adm, err := s.Admit(ctx, bot.Arrival{UpdateID: 501, ClaimTTL: time.Minute, UserID: 2, FloodWindow: time.Minute}); err != nil || adm.Messages != 1 {
		t.Errorf("Admit of another user = %+v, %v; want count 1", adm, err)
	}

	// Still stored until the sweep.
	if n := keyCount(t, s, bucketSessions); n != 2 {
		t.Errorf("sessions before the sweep: %d, want 2", n)
	}
	c.Advance(time.Minute)
	if err := s.sweep(); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if n := keyCount(t, s, bucketSessions); n != 1 {
		t.Errorf("sessions after the sweep: %d, want 1 (the unexpired one)", n)
	}
	if n := keyCount(t, s, bucketUpdates); n != 0 {
		t.Errorf("update claims after the sweep: %d, want 0", n)
	}
	s.flood.mu.Lock()
	floods := len(s.flood.counts)
	s.flood.mu.Unlock()
	if floods != 0 {
		t.Errorf("flood counters after the sweep: %d, want 0", floods)
	}
	if _, found, err := s.LoadSession(ctx, 2); err != nil || !found {
		t.Errorf("session 2 after the sweep: found = %v, %v; want found", found, err)
	}
	// A lapsed claim is replaced: the update is claimed again.
	if adm, err := s.Admit(ctx, bot.Arrival{UpdateID: 500, ClaimTTL: time.Minute}); err != nil || adm.Claim != bot.Claimed {
		t.Errorf("Admit after expiry = %+v, %v; want claimed", adm, err)
	}
}

func TestUnansweredTrimByClock(t *testing.T) {
	s, c := openWithClock(t)
	ctx := t.Context()
	logQ := func(text string, max int) {
		t.Helper()
		if err := s.LogUnanswered(ctx, bot.Unanswered{Text: text, Lang: "id"}, time.Hour, max); err != nil {
			t.Fatalf("LogUnanswered(%q): %v", text, err)
		}
	}
	list := func() string {
		t.Helper()
		qs, err := s.ListUnanswered(ctx, time.Time{})
		if err != nil {
			t.Fatalf("ListUnanswered: %v", err)
		}
		var texts []string
		for _, q := range qs {
			texts = append(texts, q.Text)
		}
		return strings.Join(texts, " ")
	}

	logQ("a", 10)
	c.Advance(30 * time.Minute)
	logQ("b", 10)
	c.Advance(30 * time.Minute) // a is now exactly an hour old: kept
	logQ("c", 10)
	if got, want := list(), "a b c"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
	c.Advance(time.Nanosecond) // a is older than an hour
	logQ("d", 10)
	if got, want := list(), "b c d"; got != want {
		t.Errorf("log after a's retention = %q, want %q", got, want)
	}
	logQ("e", 2)
	if got, want := list(), "d e"; got != want {
		t.Errorf("log capped at 2 = %q, want %q", got, want)
	}
	if got := keyCount(t, s, bucketUnanswered); got != 2 {
		t.Errorf("questions in the bucket: %d, want 2", got)
	}
	var counted int64
	s.db.View(func(tx *bbolt.Tx) error {
		counted = countOf(tx.Bucket(bucketUnanswered), tx.Bucket(bucketMeta))
		return nil
	})
	if counted != 2 {
		t.Errorf("kept count of questions: %d, want 2", counted)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "layanan.db")
	ctx := t.Context()
	at := time.Now().Add(-time.Minute)

	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	want := bot.Session{Lang: "en", TopicID: "ktp/hilang", Offered: []string{"a", "b"}, UpdatedAt: at}
	steps := []error{
		s.SaveSession(ctx, 42, want, time.Hour),
		s.Finish(ctx, bot.Completion{UpdateID: 9, DoneTTL: time.Hour}),
		func() error {
			_, err := s.RecordFeedback(ctx, bot.Feedback{ChatID: 1, MessageID: 2, UserID: 42, EntryID: "ktp/hilang", Helpful: true, At: at})
			return err
		}(),
		s.LogUnanswered(ctx, bot.Unanswered{Text: "apa itu NIB?", Lang: "id", At: at}, time.Hour, 10),
		s.Close(),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatalf("writing before the reopen: %v", err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()
	got, found, err := s.LoadSession(ctx, 42)
	if err != nil || !found || got.TopicID != want.TopicID || !got.UpdatedAt.Equal(at) || len(got.Offered) != 2 {
		t.Errorf("session after reopen = %+v, %v, %v; want %+v", got, found, err, want)
	}
	if adm, err := s.Admit(ctx, bot.Arrival{UpdateID: 9, ClaimTTL: time.Hour}); err != nil || adm.Claim != bot.ClaimDone {
		t.Errorf("Admit after reopen = %+v, %v; want done", adm, err)
	}
	if recorded, err := s.RecordFeedback(ctx, bot.Feedback{ChatID: 1, MessageID: 2, UserID: 7, EntryID: "ktp/hilang"}); err != nil || recorded {
		t.Errorf("second vote after reopen: recorded = %v, %v; want false", recorded, err)
	}
	if counts, err := s.FeedbackCounts(ctx); err != nil || counts["ktp/hilang"] != (bot.Votes{Helpful: 1}) {
		t.Errorf("FeedbackCounts after reopen = %v, %v", counts, err)
	}
	if qs, err := s.ListUnanswered(ctx, time.Time{}); err != nil || len(qs) != 1 || qs[0].Text != "apa itu NIB?" {
		t.Errorf("ListUnanswered after reopen = %v, %v", qs, err)
	}
}

func TestOpenCreatesFolders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "var", "lib", "layanan", "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open in missing folders: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("file not created: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "read-only")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	inUse := filepath.Join(dir, "in-use.db")
	held, err := Open(inUse)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer held.Close()
	notBolt := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notBolt, []byte(strings.Repeat("catatan rapat\n", 2000)), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		path     string
		wantErr  []string
		skipRoot bool // root writes into any folder
	}{
		{"folder is a file", filepath.Join(file, "sub", "layanan.db"), []string{"create its folder", "not a directory"}, false},
		{"unwritable folder", filepath.Join(readOnly, "layanan.db"), []string{"permission denied"}, true},
		{"unwritable parent of a missing folder", filepath.Join(readOnly, "sub", "layanan.db"), []string{"create its folder", "permission denied"}, true},
		{"in use", inUse, []string{"in use by another process"}, false},
		{"not a bbolt file", notBolt, []string{"not a bbolt file", "invalid database"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skipRoot && os.Geteuid() == 0 {
				t.Skip("permissions do not stop root")
			}
			s, err := Open(tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s): no error", tt.path)
			}
			msg := err.Error()
			t.Logf("error: %s", msg)
			if !strings.HasPrefix(msg, "boltstore: open "+tt.path+": ") {
				t.Errorf("error %q does not start with \"boltstore: open <path>: \"", msg)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

func TestCloseStopsSweep(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "layanan.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return: the sweep did not stop")
	}
	if err := s.sweep(); !errors.Is(err, bot.ErrStoreClosed) {
		t.Errorf("sweep after Close: %v, want ErrStoreClosed", err)
	}
}

func TestQueueResumesAfterReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "layanan.db")
	ctx := t.Context()
	const total = 10

	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var chats []int64
	for i := range int64(total) {
		chats = append(chats, 100+i)
	}
	steps := []error{
		s.CreateJob(ctx, broadcast.Job{ID: "j", Text: "pengumuman"}),
		s.Enqueue(ctx, "j", chats),
		s.StartJob(ctx, "j", total),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatalf("filling the job: %v", err)
	}
	// A worker claims three deliveries, completes one and crashes.
	var inFlight []broadcast.Delivery
	for range 3 {
		d, found, err := s.Claim(ctx, "crashed", time.Hour)
		if err != nil || !found {
			t.Fatalf("Claim = %v, %v", found, err)
		}
		inFlight = append(inFlight, d)
	}
	if _, err := s.Complete(ctx, inFlight[0], broadcast.Sent); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()
	if j, c, err := s.Job(ctx, "j"); err != nil || j.State != broadcast.StateRunning || c != (broadcast.Counts{Sent: 1}) {
		t.Fatalf("Job after reopen = %+v, %+v, %v; want running with one sent", j, c, err)
	}
	// The seven never claimed come first, then the two left in flight
	// once idle for minIdle.
	const minIdle = 200 * time.Millisecond
	seen := map[int64]int{inFlight[0].ChatID: 1}
	finished := 0
	deadline := time.Now().Add(10 * time.Second)
	for claimed := 0; claimed < total-1; {
		d, found, err := s.Claim(ctx, "restarted", minIdle)
		if err != nil {
			t.Fatalf("Claim after reopen: %v", err)
		}
		if !found {
			if claimed < total-3 {
				t.Fatalf("after %d claims, nothing to claim; want the %d never claimed first", claimed, total-3)
			}
			if time.Now().After(deadline) {
				t.Fatalf("the deliveries left in flight were not claimed again")
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		claimed++
		seen[d.ChatID]++
		done, err := s.Complete(ctx, d, broadcast.Sent)
		if err != nil {
			t.Fatalf("Complete after reopen: %v", err)
		}
		if done {
			finished++
		}
	}
	for _, chat := range chats {
		if seen[chat] != 1 {
			t.Errorf("chat %d delivered %d times, want once", chat, seen[chat])
		}
	}
	if finished != 1 {
		t.Errorf("finished reported %d times, want once", finished)
	}
	if j, c, err := s.Job(ctx, "j"); err != nil || j.State != broadcast.StateDone || c != (broadcast.Counts{Sent: total}) {
		t.Errorf("Job at the end = %+v, %+v, %v; want done with %d sent", j, c, err, total)
	}
	for _, b := range [][]byte{bucketDeliveries, bucketUnclaimed, bucketClaimed} {
		if n := keyCount(t, s, b); n != 0 {
			t.Errorf("bucket %s keeps %d keys after every delivery completed", b, n)
		}
	}
}

func TestClaimIdleByClock(t *testing.T) {
	s, c := openWithClock(t)
	ctx := t.Context()
	const minIdle = time.Minute
	if err := errors.Join(
		s.CreateJob(ctx, broadcast.Job{ID: "j"}),
		s.Enqueue(ctx, "j", []int64{1}),
		s.StartJob(ctx, "j", 1),
	); err != nil {
		t.Fatalf("filling the job: %v", err)
	}
	claim := func(consumer string) bool {
		t.Helper()
		_, found, err := s.Claim(ctx, consumer, minIdle)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		return found
	}
	if !claim("a") {
		t.Fatal("first Claim found nothing")
	}
	c.Advance(minIdle - time.Nanosecond)
	if claim("b") {
		t.Error("claimed again just before minIdle")
	}
	c.Advance(time.Nanosecond)
	if !claim("b") {
		t.Error("not claimed again at minIdle")
	}
	if claim("a") {
		t.Error("claimed a third time right after the second")
	}
}

func TestStatsPruneByClock(t *testing.T) {
	s, c := openWithClock(t)
	ctx := t.Context()
	first := c.Now()
	if err := s.CountQuestion(ctx, first, 1, "answered", "ktp/hilang"); err != nil {
		t.Fatalf("CountQuestion: %v", err)
	}
	dayBucket := func(at time.Time) bool {
		t.Helper()
		var found bool
		s.db.View(func(tx *bbolt.Tx) error {
			found = tx.Bucket(bucketStats).Bucket([]byte(bot.StatsDay(at).Format(dayLayout))) != nil
			return nil
		})
		return found
	}
	// Kept until 400 days after the day ends.
	end := bot.StatsDay(first).Add(day)
	c.Advance(end.Add(bot.StatsRetention).Sub(first) - time.Nanosecond)
	if err := s.sweep(); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if !dayBucket(first) {
		t.Fatal("the day was removed before its 400 days")
	}
	c.Advance(time.Nanosecond)
	if err := s.sweep(); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if dayBucket(first) {
		t.Error("the day is kept after its 400 days")
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 1 {
		t.Errorf("CountUsers = %d, %v; want 1: all time's users are kept", n, err)
	}
}
