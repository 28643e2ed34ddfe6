package storetest

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// statsTest is one subtest of RunStats.
type statsTest = contractTest[StatsStore]

// RunStats runs the contract of StatsStore against the stores open
// returns: a fresh, empty store per parallel subtest, which open closes
// itself when the test ends (t.Cleanup). Beyond the comments of
// StatsStore, it fixes these details:
//   - an empty outcome is an error; an empty entry id is not counted;
//   - Stats returns nothing when to's day is before from's, and fails for
//     a range of more than ten years;
//   - a question asked more than 400 days ago is not counted by day;
//   - Users and CountUsers may be off by 1% (a HyperLogLog).
//
// The days tested lie shortly before today, since counts are only kept
// for 400 days. When the store has a Close method, a last subtest closes
// it and expects every method to fail with bot.ErrStoreClosed.
func RunStats(t *testing.T, open func(t *testing.T) StatsStore) {
	runAll(t, append(statsTests, statsTest{"closed", statsClosed}), open, nil)
}

var (
	wib = time.FixedZone("WIB", 7*3600)
	est = time.FixedZone("EST", -5*3600)
)

// statsBase is midnight UTC ten days ago.
func statsBase() time.Time {
	y, m, d := time.Now().UTC().AddDate(0, 0, -10).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var statsTests = []statsTest{
	{"empty days", func(t *testing.T, s StatsStore) {
		base := statsBase()
		wantStats(t, s, base, base.Add(2*day), []bot.DayStats{
			{Day: base}, {Day: base.Add(day)}, {Day: base.Add(2 * day)},
		})
		wantUsers(t, s, 0)
	}},
	{"by UTC day", func(t *testing.T, s StatsStore) {
		base := statsBase()
		questions := []struct {
			at             time.Time
			user           int64
			outcome, entry string
		}{
			// The last instant of the first day, seen from Jakarta: already
			// the next morning there, still the first day in UTC.
			{base.Add(day - time.Nanosecond).In(wib), 1, "answered", "ktp/hilang"},
			{base.Add(day).In(wib), 1, "answered", "ktp/hilang"},
			{base.Add(day + time.Hour).In(est), 2, "not_found", ""},
			{base.Add(day + 2*time.Hour), 1, "followup", "ktp/hilang"},
			{base.Add(2*day - time.Second), 3, "suggested", ""},
			{base.Add(3*day + 5*time.Hour).In(wib), 2, "answered", "pajak/pbb"},
		}
		for _, q := range questions {
			countQuestion(t, s, q.at, q.user, q.outcome, q.entry)
		}
		want := []bot.DayStats{
			{Day: base, Outcomes: map[string]int{"answered": 1}, Entries: map[string]int{"ktp/hilang": 1}, Users: 1},
			{Day: base.Add(day), Outcomes: map[string]int{"answered": 1, "not_found": 1, "followup": 1, "suggested": 1},
				Entries: map[string]int{"ktp/hilang": 2}, Users: 3},
			{Day: base.Add(2 * day)},
			{Day: base.Add(3 * day), Outcomes: map[string]int{"answered": 1}, Entries: map[string]int{"pajak/pbb": 1}, Users: 1},
		}
		// Any instant of the first and last days will do, in any zone.
		wantStats(t, s, base.Add(12*time.Hour).In(wib), base.Add(3*day+time.Hour).In(est), want)
		wantStats(t, s, base.Add(day), base.Add(day+23*time.Hour), want[1:2])
		wantStats(t, s, base.Add(-day), base.Add(-time.Nanosecond), []bot.DayStats{{Day: base.Add(-day)}})
		wantUsers(t, s, 3)
	}},
	{"range order", func(t *testing.T, s StatsStore) {
		base := statsBase()
		for i := range 5 {
			for range i + 1 {
				countQuestion(t, s, base.Add(time.Duration(i)*day+time.Hour), int64(i), "answered", "")
			}
		}
		got := stats(t, s, base, base.Add(4*day))
		if len(got) != 5 {
			t.Fatalf("Stats over 5 days returned %d days", len(got))
		}
		for i, ds := range got {
			if !ds.Day.Equal(base.Add(time.Duration(i)*day)) || ds.Outcomes["answered"] != i+1 {
				t.Errorf("day %d: %s, want %s with %d answered", i, describeDay(ds), base.Add(time.Duration(i)*day).Format(time.DateOnly), i+1)
			}
		}
		if got := stats(t, s, base.Add(4*day), base); len(got) != 0 {
			t.Errorf("Stats with to before from returned %d days, want none", len(got))
		}
	}},
	{"distinct users", func(t *testing.T, s StatsStore) {
		base := statsBase()
		const users = 300
		var qs []int64
		for u := range int64(users) {
			qs = append(qs, 1_000_000+u, 1_000_000+u, 1_000_000+u)
		}
		forEach(t, qs, func(user int64) error {
			return s.CountQuestion(t.Context(), base.Add(time.Hour), user, "answered", "")
		})
		// The first hundred ask again the next day.
		forEach(t, qs[:300], func(user int64) error {
			return s.CountQuestion(t.Context(), base.Add(day+time.Hour), user, "not_found", "")
		})
		got := stats(t, s, base, base.Add(day))
		if len(got) != 2 {
			t.Fatalf("Stats over 2 days returned %d days", len(got))
		}
		if !within1Percent(got[0].Users, users) || got[0].Outcomes["answered"] != 3*users {
			t.Errorf("first day: %s, want %d users and %d answered", describeDay(got[0]), users, 3*users)
		}
		if !within1Percent(got[1].Users, 100) || got[1].Outcomes["not_found"] != 300 {
			t.Errorf("second day: %s, want 100 users and 300 not_found", describeDay(got[1]))
		}
		n, err := s.CountUsers(t.Context())
		if err != nil {
			t.Fatalf("CountUsers: %v", err)
		}
		if !within1Percent(n, users) {
			t.Errorf("CountUsers = %d, want %d within 1%%", n, users)
		}
	}},
	{"kept 400 days", func(t *testing.T, s StatsStore) {
		now := time.Now()
		kept, gone := now.Add(-400*day), now.Add(-402*day)
		countQuestion(t, s, kept, 1, "answered", "ktp/hilang")
		countQuestion(t, s, gone, 2, "answered", "ktp/hilang")
		got := stats(t, s, gone, kept)
		if len(got) != 3 {
			t.Fatalf("Stats over 3 days returned %d", len(got))
		}
		if got[0].Outcomes["answered"] != 0 || got[0].Users != 0 {
			t.Errorf("a day 402 days ago: %s, want it not kept", describeDay(got[0]))
		}
		if got[2].Outcomes["answered"] != 1 || got[2].Users != 1 {
			t.Errorf("a day 400 days ago: %s, want it kept", describeDay(got[2]))
		}
	}},
	{"concurrent counts", func(t *testing.T, s StatsStore) {
		base := statsBase()
		parallel(t, func() (struct{}, error) {
			return struct{}{}, s.CountQuestion(t.Context(), base.Add(time.Hour), 5, "answered", "ktp/hilang")
		})
		wantStats(t, s, base, base, []bot.DayStats{{
			Day: base, Outcomes: map[string]int{"answered": concurrency}, Entries: map[string]int{"ktp/hilang": concurrency}, Users: 1,
		}})
	}},
	{"invalid", func(t *testing.T, s StatsStore) {
		if err := s.CountQuestion(t.Context(), time.Now(), 1, "", "ktp/hilang"); err == nil {
			t.Error("CountQuestion with an empty outcome: no error")
		}
		if _, err := s.Stats(t.Context(), time.Time{}, time.Now()); err == nil {
			t.Error("Stats from the year 1 to today: no error")
		}
		if _, err := s.Stats(t.Context(), time.Now().AddDate(-11, 0, 0), time.Now()); err == nil {
			t.Error("Stats over eleven years: no error")
		}
	}},
}

func statsClosed(t *testing.T, s StatsStore) {
	closer, ok := s.(interface{ Close() error })
	if !ok {
		t.Skip("the store has no Close method")
	}
	if err := closer.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := t.Context()
	wantClosed(t, map[string]func() error{
		"CountQuestion": func() error { return s.CountQuestion(ctx, time.Now(), 1, "answered", "x") },
		"Stats":         func() error { _, err := s.Stats(ctx, time.Now(), time.Now()); return err },
		"CountUsers":    func() error { _, err := s.CountUsers(ctx); return err },
	})
}

const day = 24 * time.Hour

func countQuestion(t *testing.T, s StatsStore, at time.Time, user int64, outcome, entry string) {
	t.Helper()
	if err := s.CountQuestion(t.Context(), at, user, outcome, entry); err != nil {
		t.Fatalf("CountQuestion(%v, user %d, %s, %q): %v", at, user, outcome, entry, err)
	}
}

func stats(t *testing.T, s StatsStore, from, to time.Time) []bot.DayStats {
	t.Helper()
	got, err := s.Stats(t.Context(), from, to)
	if err != nil {
		t.Fatalf("Stats(%v, %v): %v", from, to, err)
	}
	return got
}

// wantStats compares exactly; nil maps in want stand for empty ones, which
// the store must return (not nil).
func wantStats(t *testing.T, s StatsStore, from, to time.Time, want []bot.DayStats) {
	t.Helper()
	got := stats(t, s, from, to)
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		g, w := got[i], want[i]
		same = g.Day.Equal(w.Day) && g.Day.Location() == time.UTC && g.Users == w.Users &&
			g.Outcomes != nil && g.Entries != nil &&
			maps.Equal(g.Outcomes, w.Outcomes) && maps.Equal(g.Entries, w.Entries)
	}
	if !same {
		t.Errorf("Stats(%v, %v):\n got %s\nwant %s", from, to, describeDays(got), describeDays(want))
	}
}

func wantUsers(t *testing.T, s StatsStore, want int) {
	t.Helper()
	n, err := s.CountUsers(t.Context())
	if err != nil {
		t.Fatalf("CountUsers: %v", err)
	}
	if n != want {
		t.Errorf("CountUsers = %d, want %d", n, want)
	}
}

func within1Percent(got, want int) bool {
	diff := got - want
	return diff*100 <= want && -diff*100 <= want
}

func describeDay(ds bot.DayStats) string {
	outcomes, entries := fmt.Sprint(ds.Outcomes), fmt.Sprint(ds.Entries)
	if ds.Outcomes == nil {
		outcomes = "nil"
	}
	if ds.Entries == nil {
		entries = "nil"
	}
	return fmt.Sprintf("{%s %s outcomes %s entries %s users %d}", ds.Day.Format(time.RFC3339), ds.Day.Location(), outcomes, entries, ds.Users)
}

func describeDays(days []bot.DayStats) string {
	s := "["
	for i, ds := range days {
		if i > 0 {
			s += "\n     "
		}
		s += describeDay(ds)
	}
	return s + "]"
}
