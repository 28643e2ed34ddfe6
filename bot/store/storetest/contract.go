// Package storetest is the contract every bot.Store implementation passes,
// and those of bot.SubscriptionStore, StatsStore and broadcast.Queue
// (RunSubscriptions, RunStats and RunQueue, each in a file of its own).
// Run drives an implementation through the Store interface alone, so
// the Redis store and the embedded bbolt store behave the same for the
// conversation. An implementation's test passes a function that opens a
// fresh, empty store:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store { ... })
//	}
//
// Run closes every store it opens; the open function only cleans up what
// lies under the store (a client, a file). It is called from parallel
// subtests, one store per subtest.
//
// Expiry is tested with real time and TTLs of a second, polling until a
// deadline rather than sleeping a fixed time: the tests only assert what
// the clock proves (nothing expires before its TTL, everything within a
// generous grace after it), so a slow machine cannot make them fail.
//
// Beyond the comments of Store, the contract fixes these details:
//   - a non-positive ttl, window, retention or maxEntries is an error;
//   - Admit keeps a separate flood count per window length;
//   - Finish writes a session, a question's statistics and an unanswered
//     question as SaveSession, CountQuestion and LogUnanswered would;
//   - LogUnanswered logs a question with a zero At at the current time and
//     does not keep one already older than retention;
//   - ListUnanswered orders by At;
//   - Close, like every other method, returns ErrStoreClosed once closed.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
)

const (
	shortTTL     = time.Second     // for expiry: long enough to see the value before it expires
	expiryGrace  = 5 * time.Second // how late after its TTL an expiry may be seen
	pollInterval = 50 * time.Millisecond
	longWindow   = time.Hour // a window the tests do not expect to cross
	longTTL      = time.Hour
	concurrency  = 20
)

// Store is bot.Store with the direct reads and writes the contract checks
// Admit and Finish against; both backends have them.
type Store interface {
	bot.Store
	// LoadSession returns the user's session; found is false when there
	// is none or it expired.
	LoadSession(ctx context.Context, userID int64) (s bot.Session, found bool, err error)
	// SaveSession stores the user's session, to expire after ttl.
	SaveSession(ctx context.Context, userID int64, s bot.Session, ttl time.Duration) error
	// LogUnanswered keeps a question as Finish does for Unanswered.
	LogUnanswered(ctx context.Context, q bot.Unanswered, retention time.Duration, maxEntries int) error
}

// StatsStore is bot.StatsStore with the direct count the contract checks
// Finish against.
type StatsStore interface {
	bot.StatsStore
	// CountQuestion counts one question as Finish does for Question.
	CountQuestion(ctx context.Context, at time.Time, userID int64, outcome, entryID string) error
}

// opener opens a fresh, empty store for one subtest.
type opener = func(t *testing.T) Store

// contractTest is one subtest of a contract: it gets a store of its own,
// of the interface S under test.
type contractTest[S any] struct {
	name string
	run  func(t *testing.T, s S)
}

// storeTest is one subtest of Store's contract.
type storeTest = contractTest[Store]

// runAll runs every test in parallel, each on a fresh store from open;
// closeAfter, when set, closes the store when the test ends.
func runAll[S any](t *testing.T, tests []contractTest[S], open func(t *testing.T) S, closeAfter func(t *testing.T, s S)) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			if any(s) == nil {
				t.Fatal("open returned a nil store")
			}
			if closeAfter != nil {
				t.Cleanup(func() { closeAfter(t, s) })
			}
			tt.run(t, s)
		})
	}
}

// Run runs the contract test suite against the stores open returns.
func Run(t *testing.T, open func(t *testing.T) Store) {
	groups := []struct {
		name  string
		tests []storeTest
	}{
		{"Session", sessionTests},
		{"Claim", claimTests},
		{"Flood", floodTests},
		{"Finish", finishTests},
		{"Feedback", feedbackTests},
		{"Unanswered", unansweredTests},
		{"Concurrency", concurrencyTests},
		{"Closed", closedTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			runAll(t, g.tests, open, closeStore)
		})
	}
}

// closeStore closes a store at the end of its test.
func closeStore(t *testing.T, s Store) {
	if err := s.Close(); err != nil && !errors.Is(err, bot.ErrStoreClosed) {
		t.Errorf("Close: %v", err)
	}
}

// ---- sessions ----

var sessionTests = []storeTest{
	{"load missing", func(t *testing.T, s Store) {
		_, found, err := s.LoadSession(t.Context(), 42)
		if err != nil {
			t.Fatalf("LoadSession: %v", err)
		}
		if found {
			t.Error("LoadSession found a session that was never saved")
		}
	}},
	{"save and load", func(t *testing.T, s Store) {
		want := sampleSession()
		saveSession(t, s, 42, want, longTTL)
		mustLoadSession(t, s, 42, want)
	}},
	{"empty session", func(t *testing.T, s Store) {
		saveSession(t, s, 42, bot.Session{}, longTTL)
		mustLoadSession(t, s, 42, bot.Session{})
	}},
	{"overwrite", func(t *testing.T, s Store) {
		saveSession(t, s, 42, sampleSession(), longTTL)
		want := bot.Session{Lang: "en", TopicID: "kk/pindah", UpdatedAt: time.Date(2025, 3, 15, 8, 0, 0, 1, time.UTC)}
		saveSession(t, s, 42, want, longTTL)
		mustLoadSession(t, s, 42, want)
	}},
	{"per user", func(t *testing.T, s Store) {
		a, b := sampleSession(), bot.Session{Lang: "en", UpdatedAt: time.Unix(1_700_000_000, 0)}
		saveSession(t, s, 1, a, longTTL)
		saveSession(t, s, 7_000_000_001, b, longTTL)
		mustLoadSession(t, s, 1, a)
		mustLoadSession(t, s, 7_000_000_001, b)
	}},
	{"expiry", func(t *testing.T, s Store) {
		// The second save must replace the first one's TTL.
		saveSession(t, s, 42, sampleSession(), longTTL)
		start := time.Now()
		saveSession(t, s, 42, sampleSession(), shortTTL)
		waitExpiry(t, start, shortTTL, func() bool {
			_, found, err := s.LoadSession(t.Context(), 42)
			if err != nil {
				t.Fatalf("LoadSession: %v", err)
			}
			return !found
		})
	}},
	{"non-positive ttl", func(t *testing.T, s Store) {
		for _, ttl := range []time.Duration{0, -time.Second} {
			if err := s.SaveSession(t.Context(), 42, sampleSession(), ttl); err == nil {
				t.Errorf("SaveSession with ttl %v: no error", ttl)
			}
		}
	}},
}

func sampleSession() bot.Session {
	return bot.Session{
		Lang:      "id",
		TopicID:   "ktp/hilang",
		Offered:   []string{"ktp/baru", "kk/ubah-data", "akta/kelahiran"},
		UpdatedAt: time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.FixedZone("WIB", 7*3600)),
	}
}

func saveSession(t *testing.T, s Store, userID int64, sess bot.Session, ttl time.Duration) {
	t.Helper()
	if err := s.SaveSession(t.Context(), userID, sess, ttl); err != nil {
		t.Fatalf("SaveSession(%d): %v", userID, err)
	}
}

func mustLoadSession(t *testing.T, s Store, userID int64, want bot.Session) {
	t.Helper()
	got, found, err := s.LoadSession(t.Context(), userID)
	if err != nil {
		t.Fatalf("LoadSession(%d): %v", userID, err)
	}
	if !found {
		t.Fatalf("LoadSession(%d): not found", userID)
	}
	if !sameSession(got, want) {
		t.Errorf("LoadSession(%d) = %+v, want %+v", userID, got, want)
	}
}

func sameSession(got, want bot.Session) bool {
	return got.Lang == want.Lang && got.TopicID == want.TopicID &&
		slices.Equal(got.Offered, want.Offered) && got.UpdatedAt.Equal(want.UpdatedAt)
}

// waitExpiry polls gone until it reports the value expired. It fails when
// the value is gone before ttl has passed since start (taken before the
// value was written), or still there expiryGrace after that.
func waitExpiry(t *testing.T, start time.Time, ttl time.Duration, gone func() bool) {
	t.Helper()
	deadline := start.Add(ttl + expiryGrace)
	for {
		g := gone()
		elapsed := time.Since(start) // after the check: a lower bound would be unfair to the store
		if g {
			if elapsed < ttl {
				t.Errorf("expired after at most %v, before its ttl of %v", elapsed.Round(time.Millisecond), ttl)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not expired %v after being written with a ttl of %v", elapsed.Round(time.Millisecond), ttl)
		}
		time.Sleep(pollInterval)
	}
}

// ---- updates ----

// inOneWindow returns the result of the first run of f that started and
// ended in the same fixed window, so that crossing a window boundary in the
// middle of a run cannot fail a test. Windows are taken as aligned on the
// Unix epoch, as both stores align them; attempt lets f use fresh users.
func inOneWindow[T any](t *testing.T, window time.Duration, f func(attempt int) T) T {
	t.Helper()
	index := func() int64 { return time.Now().UnixNano() / int64(window) }
	for attempt := 0; ; attempt++ {
		before := index()
		result := f(attempt)
		if index() == before {
			return result
		}
		if attempt == 5 {
			t.Fatalf("every run crossed a boundary of a %v window", window)
		}
	}
}

// ---- feedback ----

var feedbackTests = []storeTest{
	{"no votes", func(t *testing.T, s Store) {
		wantCounts(t, s, map[string]bot.Votes{})
	}},
	{"first vote stands", func(t *testing.T, s Store) {
		wantRecord(t, s, vote(-100123, 55, 7, "ktp/hilang", true), true)
		// Another user, the opposite opinion, the same message: not counted.
		wantRecord(t, s, vote(-100123, 55, 8, "ktp/hilang", false), false)
		wantRecord(t, s, vote(-100123, 55, 7, "ktp/hilang", true), false)
		wantCounts(t, s, map[string]bot.Votes{"ktp/hilang": {Helpful: 1}})
	}},
	{"same message id in another chat", func(t *testing.T, s Store) {
		wantRecord(t, s, vote(1, 55, 1, "kk/baru", false), true)
		wantRecord(t, s, vote(2, 55, 2, "kk/baru", false), true)
		wantCounts(t, s, map[string]bot.Votes{"kk/baru": {NotHelpful: 2}})
	}},
	{"counts per entry", func(t *testing.T, s Store) {
		votes := []struct {
			f    bot.Feedback
			want bool
		}{
			{vote(1, 10, 1, "ktp/hilang", true), true},
			{vote(1, 11, 1, "ktp/hilang", true), true},
			{vote(1, 12, 1, "ktp/hilang", false), true},
			{vote(1, 12, 1, "ktp/hilang", true), false},
			{vote(2, 10, 2, "akta:kelahiran/{2025}", false), true},
			{vote(3, 10, 3, "pajak/😀 kendaraan", true), true},
			{vote(3, 10, 3, "pajak/😀 kendaraan", true), false},
		}
		for _, v := range votes {
			wantRecord(t, s, v.f, v.want)
		}
		wantCounts(t, s, map[string]bot.Votes{
			"ktp/hilang":            {Helpful: 2, NotHelpful: 1},
			"akta:kelahiran/{2025}": {NotHelpful: 1},
			"pajak/😀 kendaraan":     {Helpful: 1},
		})
	}},
}

func vote(chatID int64, messageID int, userID int64, entryID string, helpful bool) bot.Feedback {
	return bot.Feedback{
		ChatID: chatID, MessageID: messageID, UserID: userID,
		EntryID: entryID, Helpful: helpful, At: time.Now(),
	}
}

func wantRecord(t *testing.T, s Store, f bot.Feedback, want bool) {
	t.Helper()
	recorded, err := s.RecordFeedback(t.Context(), f)
	if err != nil {
		t.Fatalf("RecordFeedback(chat %d, message %d): %v", f.ChatID, f.MessageID, err)
	}
	if recorded != want {
		t.Errorf("RecordFeedback(chat %d, message %d, user %d) = %v, want %v", f.ChatID, f.MessageID, f.UserID, recorded, want)
	}
}

func wantCounts(t *testing.T, s Store, want map[string]bot.Votes) {
	t.Helper()
	got, err := s.FeedbackCounts(t.Context())
	if err != nil {
		t.Fatalf("FeedbackCounts: %v", err)
	}
	if len(got) != len(want) {
		t.Errorf("FeedbackCounts = %v, want %v", got, want)
		return
	}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("FeedbackCounts = %v, want %v", got, want)
			return
		}
	}
}

// ---- unanswered questions ----

const (
	retention  = time.Hour
	maxEntries = 100
)

var unansweredTests = []storeTest{
	{"empty", func(t *testing.T, s Store) {
		wantUnanswered(t, s, time.Time{}, nil)
	}},
	{"oldest first", func(t *testing.T, s Store) {
		qs := questions(3, time.Now().Add(-time.Minute))
		logAll(t, s, qs, retention, maxEntries)
		wantUnanswered(t, s, time.Time{}, qs)
	}},
	{"since", func(t *testing.T, s Store) {
		qs := questions(3, time.Now().Add(-time.Minute))
		logAll(t, s, qs, retention, maxEntries)
		wantUnanswered(t, s, qs[1].At, qs[1:])                      // at or after
		wantUnanswered(t, s, qs[1].At.Add(time.Nanosecond), qs[2:]) // not before
		wantUnanswered(t, s, qs[0].At.Add(-time.Hour), qs)
		wantUnanswered(t, s, time.Now().Add(time.Minute), nil)
	}},
	{"max entries keeps the newest", func(t *testing.T, s Store) {
		qs := questions(5, time.Now().Add(-time.Minute))
		logAll(t, s, qs, retention, 3)
		wantUnanswered(t, s, time.Time{}, qs[2:])
	}},
	{"retention drops old questions", func(t *testing.T, s Store) {
		now := time.Now()
		old := bot.Unanswered{Text: "kemarin dulu", Lang: "id", At: now.Add(-2 * time.Hour)}
		recent := bot.Unanswered{Text: "barusan", Lang: "id", At: now.Add(-time.Minute), EntryID: "ktp-baru", Example: true}
		logAll(t, s, []bot.Unanswered{old, recent}, time.Hour, maxEntries)
		wantUnanswered(t, s, time.Time{}, []bot.Unanswered{recent})
	}},
	{"retention as time passes", func(t *testing.T, s Store) {
		const retention = time.Second
		first := bot.Unanswered{Text: "pertama", Lang: "id", At: time.Now()}
		logAll(t, s, []bot.Unanswered{first}, retention, maxEntries)
		afterFirst := time.Now()
		// A write within the retention keeps the log itself alive (a store
		// may expire the whole log when nothing is written for a while), so
		// the next write must drop the first question by its age.
		time.Sleep(retention / 2)
		second := bot.Unanswered{Text: "kedua", Lang: "id", At: time.Now()}
		logAll(t, s, []bot.Unanswered{second}, retention, maxEntries)
		// Half a second more than the retention leaves room for a server
		// clock slightly ahead of this one.
		time.Sleep(time.Until(afterFirst.Add(retention + 500*time.Millisecond)))
		third := bot.Unanswered{Text: "ketiga", Lang: "id", At: time.Now()}
		logAll(t, s, []bot.Unanswered{third}, retention, maxEntries)
		got := listUnanswered(t, s, time.Time{})
		// Whether the second is still there depends on how long the test took.
		if len(got) == 0 || got[0].Text == first.Text || got[len(got)-1].Text != third.Text {
			t.Errorf("ListUnanswered = %s, want the second (if not expired yet) and the third", describeAll(got))
		}
	}},
	{"texts round-trip", func(t *testing.T, s Store) {
		texts := []struct{ text, lang string }{
			{"bagaimana cara urus KTP yang hilang?", "id"},
			{"gmn cr bkin akta klhran 🙏🙏", "id"},
			{"Where do I renew my passport?", "en"},
			{"ꦲꦏ꧀ꦠ ꦏꦼꦭꦲꦶꦫꦤ꧀ (Javanese script)", "id"},
			{"مرحبا — 你好 — ẞtraße — e\u0301 — 👩🏽‍💻", "en"},
			{"line one\nline two\t\"quoted\" \\ {braces} 'single'", "id"},
			{strings.Repeat("surat keterangan domisili ", 160), "id"}, // 4160 bytes
			{strings.Repeat("ä😀", 700), "en"},                         // 4200 bytes, multi-byte throughout
		}
		base := time.Now().Add(-time.Minute)
		var qs []bot.Unanswered
		for i, tx := range texts {
			qs = append(qs, bot.Unanswered{Text: tx.text, Lang: tx.lang, At: base.Add(time.Duration(i) * time.Millisecond)})
		}
		logAll(t, s, qs, retention, maxEntries)
		wantUnanswered(t, s, time.Time{}, qs)
	}},
	{"zero time is now", func(t *testing.T, s Store) {
		before := time.Now()
		logAll(t, s, []bot.Unanswered{{Text: "kapan?", Lang: "id"}}, retention, maxEntries)
		after := time.Now()
		got := listUnanswered(t, s, time.Time{})
		if len(got) != 1 {
			t.Fatalf("ListUnanswered returned %d questions, want 1", len(got))
		}
		// Stores may keep times to the millisecond.
		if got[0].At.Before(before.Truncate(time.Millisecond)) || got[0].At.After(after) {
			t.Errorf("logged at %v, want between %v and %v", got[0].At, before, after)
		}
	}},
	{"invalid limits", func(t *testing.T, s Store) {
		q := bot.Unanswered{Text: "x", Lang: "id", At: time.Now()}
		for _, c := range []struct {
			retention time.Duration
			max       int
		}{{0, 10}, {-time.Hour, 10}, {time.Hour, 0}, {time.Hour, -1}} {
			if err := s.LogUnanswered(t.Context(), q, c.retention, c.max); err == nil {
				t.Errorf("LogUnanswered with retention %v, maxEntries %d: no error", c.retention, c.max)
			}
		}
	}},
}

// questions returns n questions a second apart, starting at start.
func questions(n int, start time.Time) []bot.Unanswered {
	qs := make([]bot.Unanswered, n)
	for i := range qs {
		qs[i] = bot.Unanswered{Text: fmt.Sprintf("pertanyaan nomor %d", i+1), Lang: "id", At: start.Add(time.Duration(i) * time.Second)}
	}
	return qs
}

func logAll(t *testing.T, s Store, qs []bot.Unanswered, retention time.Duration, maxEntries int) {
	t.Helper()
	for _, q := range qs {
		if err := s.LogUnanswered(t.Context(), q, retention, maxEntries); err != nil {
			t.Fatalf("LogUnanswered(%s): %v", describe(q), err)
		}
	}
}

func listUnanswered(t *testing.T, s Store, since time.Time) []bot.Unanswered {
	t.Helper()
	got, err := s.ListUnanswered(t.Context(), since)
	if err != nil {
		t.Fatalf("ListUnanswered: %v", err)
	}
	return got
}

func wantUnanswered(t *testing.T, s Store, since time.Time, want []bot.Unanswered) {
	t.Helper()
	got := listUnanswered(t, s, since)
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = got[i].Text == want[i].Text && got[i].Lang == want[i].Lang && got[i].At.Equal(want[i].At) && got[i].EntryID == want[i].EntryID && got[i].Example == want[i].Example
	}
	if !same {
		t.Errorf("ListUnanswered(since %v):\n got %s\nwant %s", since, describeAll(got), describeAll(want))
	}
}

// describe shortens a question for failure messages: texts can be 4 kB.
func describe(q bot.Unanswered) string {
	text := q.Text
	if r := []rune(text); len(r) > 24 {
		text = string(r[:24]) + fmt.Sprintf("…(%d bytes)", len(q.Text))
	}
	return fmt.Sprintf("{%q %s %s %s example=%v}", text, q.Lang, q.At.Format(time.RFC3339Nano), q.EntryID, q.Example)
}

func describeAll(qs []bot.Unanswered) string {
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = describe(q)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// ---- concurrency ----

var concurrencyTests = []storeTest{
	{"claim the same update", func(t *testing.T, s Store) {
		claims := parallel(t, func() (bool, error) {
			adm, err := s.Admit(t.Context(), bot.Arrival{UpdateID: 77, ClaimTTL: longTTL})
			return adm.Claim == bot.Claimed, err
		})
		if n := countTrue(claims); n != 1 {
			t.Errorf("%d of %d concurrent Admit calls claimed the update, want exactly 1", n, concurrency)
		}
	}},
	{"count messages", func(t *testing.T, s Store) {
		var mu sync.Mutex
		update := 5000
		counts := inOneWindow(t, longWindow, func(attempt int) []int {
			return parallel(t, func() (int, error) {
				mu.Lock()
				update++
				id := update
				mu.Unlock()
				adm, err := s.Admit(t.Context(), bot.Arrival{UpdateID: id, ClaimTTL: longTTL, UserID: 300 + int64(attempt), FloodWindow: longWindow})
				return adm.Messages, err
			})
		})
		slices.Sort(counts)
		for i, n := range counts {
			if n != i+1 {
				t.Fatalf("concurrent counts = %v, want each of 1..%d once", counts, concurrency)
			}
		}
	}},
	{"vote on the same message", func(t *testing.T, s Store) {
		var user sync.Mutex
		next := int64(0)
		recorded := parallel(t, func() (bool, error) {
			user.Lock()
			next++
			f := vote(5, 99, next, "ktp/hilang", next%2 == 0)
			user.Unlock()
			return s.RecordFeedback(t.Context(), f)
		})
		if n := countTrue(recorded); n != 1 {
			t.Errorf("%d of %d concurrent votes on one message were recorded, want exactly 1", n, concurrency)
		}
		counts, err := s.FeedbackCounts(t.Context())
		if err != nil {
			t.Fatalf("FeedbackCounts: %v", err)
		}
		if v := counts["ktp/hilang"]; v.Helpful+v.NotHelpful != 1 || len(counts) != 1 {
			t.Errorf("FeedbackCounts = %v, want one vote on ktp/hilang", counts)
		}
	}},
	{"log questions", func(t *testing.T, s Store) {
		parallel(t, func() (struct{}, error) {
			return struct{}{}, s.LogUnanswered(t.Context(), bot.Unanswered{Text: "serentak", Lang: "id", At: time.Now()}, retention, maxEntries)
		})
		if got := listUnanswered(t, s, time.Time{}); len(got) != concurrency {
			t.Errorf("ListUnanswered returned %d questions after %d concurrent logs", len(got), concurrency)
		}
	}},
}

// parallel calls f from concurrency goroutines released at once, and
// returns the results.
func parallel[T any](t *testing.T, f func() (T, error)) []T {
	t.Helper()
	results := make([]T, concurrency)
	errs := make([]error, concurrency)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range concurrency {
		wg.Go(func() {
			<-start
			results[i], errs[i] = f()
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent calls: %v", err)
	}
	return results
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// ---- closing ----

var closedTests = []storeTest{
	{"ping", func(t *testing.T, s Store) {
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	}},
	{"every method after close", func(t *testing.T, s Store) {
		ctx := t.Context()
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		calls := []struct {
			name string
			call func() error
		}{
			{"LoadSession", func() error { _, _, err := s.LoadSession(ctx, 1); return err }},
			{"SaveSession", func() error { return s.SaveSession(ctx, 1, sampleSession(), longTTL) }},
			{"Admit", func() error {
				_, err := s.Admit(ctx, bot.Arrival{UpdateID: 1, ClaimTTL: longTTL, UserID: 1, FloodWindow: longWindow})
				return err
			}},
			{"Finish", func() error { return s.Finish(ctx, bot.Completion{UpdateID: 1, DoneTTL: longTTL}) }},
			{"RecordFeedback", func() error { _, err := s.RecordFeedback(ctx, vote(1, 1, 1, "x", true)); return err }},
			{"FeedbackCounts", func() error { _, err := s.FeedbackCounts(ctx); return err }},
			{"LogUnanswered", func() error {
				return s.LogUnanswered(ctx, bot.Unanswered{Text: "x", Lang: "id", At: time.Now()}, retention, maxEntries)
			}},
			{"ListUnanswered", func() error { _, err := s.ListUnanswered(ctx, time.Time{}); return err }},
			{"Ping", func() error { return s.Ping(ctx) }},
			{"Close", s.Close},
		}
		for _, c := range calls {
			if err := c.call(); !errors.Is(err, bot.ErrStoreClosed) {
				t.Errorf("%s after Close: error %v, want one wrapping bot.ErrStoreClosed", c.name, err)
			}
		}
	}},
}
