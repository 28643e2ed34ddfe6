package storetest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// Forgettable is a store whose data about a user can be deleted.
type Forgettable interface {
	Store
	bot.SubscriptionStore
	StatsStore
	bot.HandoffStore
}

// RunForget checks ForgetUser: after it, nothing the store returns is
// about the user, and other users' data is untouched. keysOf, when not
// nil, lists every raw key and value the store holds, so the check also
// covers what no method returns (Redis); it may be nil (bbolt's buckets
// are covered by the methods).
func RunForget(t *testing.T, open func(t *testing.T) Forgettable, dump func(t *testing.T, s Forgettable) []string) {
	t.Helper()
	ctx := context.Background()
	s := open(t)
	const forgotten, kept = int64(981234567), int64(555)
	now := time.Now()
	for _, u := range []int64{forgotten, kept} {
		must(t, s.SaveSession(ctx, u, bot.Session{Lang: "id", TopicID: "skck"}, time.Hour))
		must(t, s.Subscribe(ctx, bot.Subscription{ChatID: u, UserID: u, Topics: []string{"umum"}, Since: now}))
		if _, err := s.RecordFeedback(ctx, bot.Feedback{ChatID: u, MessageID: 1, UserID: u, EntryID: "skck", Helpful: true, At: now}); err != nil {
			t.Fatal(err)
		}
		must(t, s.LogUnanswered(ctx, bot.Unanswered{Text: "pertanyaan rahasia", Lang: "id", At: now, UserID: u}, time.Hour, 100))
		must(t, s.CountQuestion(ctx, now, u, "answered", "skck"))
	}
	// Each user has a closed ticket and an open one, with linked messages.
	tickets := map[int64][]int64{}
	for i, u := range []int64{forgotten, kept} {
		for j := range 2 {
			tk := openTicket(t, s, bot.Ticket{UserID: u, ChatID: u, Lang: "id", OpenedAt: now, ActiveAt: now})
			must(t, s.LinkMessage(ctx, tk.Number, 100*(i+1)+j, j == 0))
			if j == 0 {
				closeTicket(t, s, tk.Number, now)
			}
			tickets[u] = append(tickets[u], tk.Number)
		}
	}
	// The /hapusdata command and the button that confirms it, as the
	// conversation handles them: both claimed and finished, the command
	// counted against the flood limit. Those keys outlive ForgetUser.
	for i, window := range []time.Duration{time.Minute, 0} {
		if _, err := s.Admit(ctx, bot.Arrival{UpdateID: 9000 + i, ClaimTTL: time.Minute, UserID: forgotten, FloodWindow: window}); err != nil {
			t.Fatal(err)
		}
	}
	must(t, s.ForgetUser(ctx, forgotten))
	for i := range 2 {
		must(t, s.Finish(ctx, bot.Completion{UpdateID: 9000 + i, DoneTTL: time.Hour, UserID: forgotten}))
	}

	if _, found, err := s.LoadSession(ctx, forgotten); err != nil || found {
		t.Errorf("session after ForgetUser: found %v, err %v", found, err)
	}
	if _, found, err := s.Subscription(ctx, forgotten); err != nil || found {
		t.Errorf("subscription after ForgetUser: found %v, err %v", found, err)
	}
	votes, err := s.FeedbackCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := votes["skck"]; v.Helpful != 1 {
		t.Errorf("votes after ForgetUser = %+v, want only the other user's", v)
	}
	qs, err := s.ListUnanswered(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.UserID == forgotten {
			t.Errorf("a question of the forgotten user remains: %+v", q)
		}
	}
	if len(qs) != 1 {
		t.Errorf("%d questions remain, want the other user's 1", len(qs))
	}
	for _, n := range tickets[forgotten] {
		if _, found, err := s.Ticket(ctx, n); err != nil || found {
			t.Errorf("ticket #%d after ForgetUser: found %v, err %v", n, found, err)
		}
	}
	for _, msg := range []int{100, 101} {
		if _, found, err := s.TicketByMessage(ctx, msg); err != nil || found {
			t.Errorf("message %d's ticket after ForgetUser: found %v, err %v", msg, found, err)
		}
	}
	if _, found, err := s.OpenTicketOf(ctx, forgotten); err != nil || found {
		t.Errorf("open ticket after ForgetUser: found %v, err %v", found, err)
	}
	if open, err := s.OpenTickets(ctx); err != nil || len(open) != 1 || open[0].UserID != kept {
		t.Errorf("open tickets after ForgetUser = %+v, err %v; want the other user's", open, err)
	}
	if _, found, err := s.TicketByMessage(ctx, 201); err != nil || !found {
		t.Errorf("the other user's linked message: found %v, err %v", found, err)
	}
	if _, found, _ := s.LoadSession(ctx, kept); !found {
		t.Error("the other user's session is gone")
	}
	if dump != nil {
		for _, line := range dump(t, s) {
			if containsID(line, forgotten) {
				t.Errorf("the forgotten user's id remains in %q", line)
			}
		}
	}
	// Forgetting someone unknown is fine.
	if err := s.ForgetUser(ctx, 42); err != nil {
		t.Errorf("ForgetUser of an unknown user: %v", err)
	}
	must(t, s.Close())
	if err := s.ForgetUser(ctx, kept); !errors.Is(err, bot.ErrStoreClosed) {
		t.Errorf("ForgetUser after Close: %v", err)
	}
}

func containsID(s string, id int64) bool {
	return strings.Contains(s, strconv.FormatInt(id, 10))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
