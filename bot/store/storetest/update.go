package storetest

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// ---- claims: Admit and Finish of one update ----

var claimTests = []storeTest{
	{"claimed, held, done", func(t *testing.T, s Store) {
		wantClaim(t, s, 1001, longTTL, bot.Claimed)
		// A redelivery while the first handler runs.
		wantClaim(t, s, 1001, longTTL, bot.ClaimHeld)
		finish(t, s, bot.Completion{UpdateID: 1001, DoneTTL: longTTL})
		wantClaim(t, s, 1001, longTTL, bot.ClaimDone)
		wantClaim(t, s, 1001, longTTL, bot.ClaimDone)
	}},
	{"independent ids", func(t *testing.T, s Store) {
		ids := []int{0, 1, 2, 1 << 40, -5}
		for _, id := range ids {
			wantClaim(t, s, id, longTTL, bot.Claimed)
		}
		for _, id := range ids {
			wantClaim(t, s, id, longTTL, bot.ClaimHeld)
		}
	}},
	{"a lapsed claim is taken over", func(t *testing.T, s Store) {
		// The first handler died: no Finish. Its claim lapses and a
		// redelivery claims the update.
		start := time.Now()
		wantClaim(t, s, 1002, shortTTL, bot.Claimed)
		waitExpiry(t, start, shortTTL, func() bool {
			return admit(t, s, bot.Arrival{UpdateID: 1002, ClaimTTL: longTTL}).Claim == bot.Claimed
		})
		wantClaim(t, s, 1002, longTTL, bot.ClaimHeld)
	}},
	{"done expires", func(t *testing.T, s Store) {
		wantClaim(t, s, 1003, longTTL, bot.Claimed)
		start := time.Now()
		finish(t, s, bot.Completion{UpdateID: 1003, DoneTTL: shortTTL})
		waitExpiry(t, start, shortTTL, func() bool {
			return admit(t, s, bot.Arrival{UpdateID: 1003, ClaimTTL: longTTL}).Claim == bot.Claimed
		})
	}},
	{"finish without a claim", func(t *testing.T, s Store) {
		// A handler whose claim lapsed and was taken over still finishes.
		finish(t, s, bot.Completion{UpdateID: 1004, DoneTTL: longTTL})
		wantClaim(t, s, 1004, longTTL, bot.ClaimDone)
	}},
	{"bad settings", func(t *testing.T, s Store) {
		for _, a := range []bot.Arrival{
			{UpdateID: 1, ClaimTTL: 0},
			{UpdateID: 1, ClaimTTL: -time.Second},
			{UpdateID: 1, ClaimTTL: time.Second, UserID: 5, FloodWindow: -time.Second},
		} {
			if _, err := s.Admit(t.Context(), a); err == nil {
				t.Errorf("Admit(%+v): no error", a)
			}
		}
		sess := sampleSession()
		for _, c := range []bot.Completion{
			{UpdateID: 1, DoneTTL: 0},
			{UpdateID: 1, DoneTTL: time.Hour, UserID: 5, Session: &sess},
			{UpdateID: 1, DoneTTL: time.Hour, UserID: 5, Question: &bot.QuestionCount{At: time.Now()}},
			{UpdateID: 1, DoneTTL: time.Hour, UserID: 5, Unanswered: &bot.Unanswered{Text: "x"}},
		} {
			if err := s.Finish(t.Context(), c); err == nil {
				t.Errorf("Finish(%+v): no error", c)
			}
		}
	}},
}

func admit(t *testing.T, s Store, a bot.Arrival) bot.Admission {
	t.Helper()
	adm, err := s.Admit(t.Context(), a)
	if err != nil {
		t.Fatalf("Admit(%+v): %v", a, err)
	}
	return adm
}

func finish(t *testing.T, s Store, c bot.Completion) {
	t.Helper()
	if err := s.Finish(t.Context(), c); err != nil {
		t.Fatalf("Finish(update %d): %v", c.UpdateID, err)
	}
}

func wantClaim(t *testing.T, s Store, updateID int, ttl time.Duration, want bot.Claim) {
	t.Helper()
	if got := admit(t, s, bot.Arrival{UpdateID: updateID, ClaimTTL: ttl}).Claim; got != want {
		t.Errorf("Admit(update %d).Claim = %v, want %v", updateID, got, want)
	}
}

// ---- flood counting and the session, read by Admit ----

var floodTests = []storeTest{
	{"counts up", func(t *testing.T, s Store) {
		got := inOneWindow(t, longWindow, func(attempt int) []int {
			u := 100 + int64(attempt)
			return countMessages(t, s, longWindow, u, u, u, u)
		})
		if want := []int{1, 2, 3, 4}; !slices.Equal(got, want) {
			t.Errorf("counts = %v, want %v", got, want)
		}
	}},
	{"per user", func(t *testing.T, s Store) {
		got := inOneWindow(t, longWindow, func(attempt int) []int {
			a, b := 100+int64(attempt), 200+int64(attempt)
			return countMessages(t, s, longWindow, a, a, b, a, b)
		})
		if want := []int{1, 2, 1, 3, 2}; !slices.Equal(got, want) {
			t.Errorf("counts for users a, a, b, a, b = %v, want %v", got, want)
		}
	}},
	{"per window length", func(t *testing.T, s Store) {
		got := inOneWindow(t, longWindow, func(attempt int) []int {
			user := 100 + int64(attempt)
			var counts []int
			counts = append(counts, countMessages(t, s, longWindow, user, user)...)
			counts = append(counts, countMessages(t, s, 2*longWindow, user)...)
			return counts
		})
		if want := []int{1, 2, 1}; !slices.Equal(got, want) {
			t.Errorf("counts for windows 1h, 1h, 2h = %v, want %v", got, want)
		}
	}},
	{"next window starts at one", func(t *testing.T, s Store) {
		const window = time.Second
		var user int64
		got := inOneWindow(t, window, func(attempt int) []int {
			user = 100 + int64(attempt)
			return countMessages(t, s, window, user, user)
		})
		if want := []int{1, 2}; !slices.Equal(got, want) {
			t.Fatalf("counts in one window = %v, want %v", got, want)
		}
		// Two instants more than a window apart lie in different windows,
		// however the store aligns them.
		time.Sleep(window + 50*time.Millisecond)
		if got := countMessages(t, s, window, user); got[0] != 1 {
			t.Errorf("first count in the next window = %d, want 1", got[0])
		}
	}},
	{"a redelivery counts once", func(t *testing.T, s Store) {
		got := inOneWindow(t, longWindow, func(attempt int) []int {
			u := 100 + int64(attempt)
			first := int(nextUpdate.Add(2))
			var counts []int
			for _, id := range []int{first, first, first, first + 1} {
				adm := admit(t, s, bot.Arrival{UpdateID: id, ClaimTTL: longTTL, UserID: u, FloodWindow: longWindow})
				if adm.Claim == bot.Claimed {
					counts = append(counts, adm.Messages)
				}
			}
			return counts
		})
		if want := []int{1, 2}; !slices.Equal(got, want) {
			t.Errorf("counts of the claimed deliveries of updates a, a, a, b = %v, want %v", got, want)
		}
	}},
	{"not counted", func(t *testing.T, s Store) {
		// No window (a button press), or no user.
		for _, a := range []bot.Arrival{{UpdateID: 1, ClaimTTL: longTTL, UserID: 100}, {UpdateID: 2, ClaimTTL: longTTL, FloodWindow: longWindow}} {
			if n := admit(t, s, a).Messages; n != 0 {
				t.Errorf("Admit(%+v).Messages = %d, want 0", a, n)
			}
		}
	}},
	{"session", func(t *testing.T, s Store) {
		if adm := admit(t, s, bot.Arrival{UpdateID: 1, ClaimTTL: longTTL, UserID: 42}); adm.Found {
			t.Errorf("Admit found a session never saved: %+v", adm.Session)
		}
		want := sampleSession()
		saveSession(t, s, 42, want, longTTL)
		adm := admit(t, s, bot.Arrival{UpdateID: 2, ClaimTTL: longTTL, UserID: 42, FloodWindow: longWindow})
		if !adm.Found || !sameSession(adm.Session, want) {
			t.Errorf("Admit session = %+v (found %v), want %+v", adm.Session, adm.Found, want)
		}
	}},
}

// nextUpdate gives countMessages fresh update ids.
var nextUpdate atomic.Int64

func countMessages(t *testing.T, s Store, window time.Duration, users ...int64) []int {
	t.Helper()
	var counts []int
	for _, u := range users {
		id := int(nextUpdate.Add(1))
		counts = append(counts, admit(t, s, bot.Arrival{UpdateID: id, ClaimTTL: longTTL, UserID: u, FloodWindow: window}).Messages)
	}
	return counts
}

// ---- what Finish writes ----

var finishTests = []storeTest{
	{"session, question and unanswered", func(t *testing.T, s Store) {
		now := time.Now()
		sess := sampleSession()
		q := bot.Unanswered{Text: "cara lapor kdrt", Lang: "id", At: now, UserID: 42}
		finish(t, s, bot.Completion{
			UpdateID: 9, DoneTTL: longTTL, UserID: 42,
			Session: &sess, SessionTTL: longTTL,
			Question:   &bot.QuestionCount{At: now, Outcome: "not_found"},
			Unanswered: &q, UnansweredRetention: retention, UnansweredMax: maxEntries,
		})
		mustLoadSession(t, s, 42, sess)
		wantUnanswered(t, s, time.Time{}, []bot.Unanswered{q})
		if st, ok := s.(StatsStore); ok {
			days, err := st.Stats(t.Context(), now, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != 1 || days[0].Outcomes["not_found"] != 1 || days[0].Users != 1 {
				t.Errorf("Stats after Finish = %+v, want one not_found question by one user", days)
			}
		}
		wantClaim(t, s, 9, longTTL, bot.ClaimDone)
	}},
	{"a comment on an answer", func(t *testing.T, s Store) {
		c := bot.Unanswered{Text: "biayanya sudah naik", Lang: "id", At: time.Now(), UserID: 42, EntryID: "skck"}
		finish(t, s, bot.Completion{UpdateID: 12, DoneTTL: longTTL, UserID: 42, Unanswered: &c, UnansweredRetention: retention, UnansweredMax: maxEntries})
		wantUnanswered(t, s, time.Time{}, []bot.Unanswered{c})
	}},
	{"nothing but done", func(t *testing.T, s Store) {
		saveSession(t, s, 42, sampleSession(), longTTL)
		finish(t, s, bot.Completion{UpdateID: 10, DoneTTL: longTTL, UserID: 42})
		mustLoadSession(t, s, 42, sampleSession())
		wantUnanswered(t, s, time.Time{}, nil)
	}},
	{"session expiry", func(t *testing.T, s Store) {
		sess := sampleSession()
		start := time.Now()
		finish(t, s, bot.Completion{UpdateID: 11, DoneTTL: longTTL, UserID: 42, Session: &sess, SessionTTL: shortTTL})
		waitExpiry(t, start, shortTTL, func() bool {
			_, found, err := s.LoadSession(t.Context(), 42)
			if err != nil {
				t.Fatalf("LoadSession: %v", err)
			}
			return !found
		})
	}},
}
