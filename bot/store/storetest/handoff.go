package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// handoffTest is one subtest of RunHandoff.
type handoffTest = contractTest[bot.HandoffStore]

// RunHandoff runs the contract of bot.HandoffStore against the stores open
// returns: a fresh, empty store per parallel subtest, which open closes
// itself when the test ends. Beyond the comments of bot.HandoffStore, it
// fixes these details:
//   - numbers start at 1 and are never given twice, even to concurrent
//     openers;
//   - times come back equal (time.Time.Equal) to what was written, to the
//     millisecond;
//   - a message linked to a ticket stays linked after it closes;
//   - closing counts once in HandoffStats, however many try.
//
// When the store has a Close method, a last subtest closes it and expects
// every method to fail with bot.ErrStoreClosed.
func RunHandoff(t *testing.T, open func(t *testing.T) bot.HandoffStore) {
	runAll(t, append(handoffTests, handoffTest{"closed", handoffClosed}), open, nil)
}

var ticketTime = time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)

func newTicket(user int64) bot.Ticket {
	return bot.Ticket{UserID: user, ChatID: user, Lang: "id", Service: "ktp-baru", OpenedAt: ticketTime, ActiveAt: ticketTime}
}

func openTicket(t *testing.T, s bot.HandoffStore, tk bot.Ticket) bot.Ticket {
	t.Helper()
	got, opened, err := s.OpenTicket(context.Background(), tk)
	if err != nil || !opened {
		t.Fatalf("OpenTicket(user %d): opened %v, err %v", tk.UserID, opened, err)
	}
	return got
}

func wantTicket(t *testing.T, s bot.HandoffStore, want bot.Ticket) {
	t.Helper()
	got, found, err := s.Ticket(context.Background(), want.Number)
	if err != nil || !found {
		t.Fatalf("Ticket(%d): found %v, err %v", want.Number, found, err)
	}
	if !sameTicket(got, want) {
		t.Errorf("Ticket(%d) = %+v, want %+v", want.Number, got, want)
	}
}

func sameTicket(a, b bot.Ticket) bool {
	return a.Number == b.Number && a.UserID == b.UserID && a.ChatID == b.ChatID && a.Lang == b.Lang &&
		a.Service == b.Service && a.Consent == b.Consent && a.ThreadID == b.ThreadID && a.HeaderID == b.HeaderID &&
		a.OpenedAt.Equal(b.OpenedAt) && a.ActiveAt.Equal(b.ActiveAt) &&
		a.FirstReplyAt.Equal(b.FirstReplyAt) && a.ClosedAt.Equal(b.ClosedAt) && a.Rating == b.Rating
}

var handoffTests = []handoffTest{
	{"open and read", func(t *testing.T, s bot.HandoffStore) {
		ctx := context.Background()
		if _, found, err := s.Ticket(ctx, 1); err != nil || found {
			t.Fatalf("Ticket(1) on an empty store: found %v, err %v", found, err)
		}
		if _, found, err := s.OpenTicketOf(ctx, 42); err != nil || found {
			t.Fatalf("OpenTicketOf(42) on an empty store: found %v, err %v", found, err)
		}
		tk := newTicket(42)
		tk.ChatID, tk.Consent, tk.Lang, tk.Service = 4242, true, "en", ""
		first := openTicket(t, s, tk)
		if first.Number != 1 {
			t.Errorf("first ticket's number = %d, want 1", first.Number)
		}
		tk.Number = 1
		wantTicket(t, s, tk)
		second := openTicket(t, s, newTicket(7_000_000_001))
		if second.Number != 2 {
			t.Errorf("second ticket's number = %d, want 2", second.Number)
		}
		got, found, err := s.OpenTicketOf(ctx, 42)
		if err != nil || !found || got.Number != 1 {
			t.Errorf("OpenTicketOf(42) = #%d, found %v, err %v; want #1", got.Number, found, err)
		}
		open, err := s.OpenTickets(ctx)
		if err != nil || len(open) != 2 || open[0].Number != 1 || open[1].Number != 2 {
			t.Errorf("OpenTickets = %+v, err %v; want #1 and #2", open, err)
		}
	}},
	{"one open ticket per user", func(t *testing.T, s bot.HandoffStore) {
		first := openTicket(t, s, newTicket(42))
		again := newTicket(42)
		again.Service = "paspor"
		got, opened, err := s.OpenTicket(context.Background(), again)
		if err != nil || opened || got.Number != first.Number || got.Service != "ktp-baru" {
			t.Errorf("second OpenTicket = #%d %q, opened %v, err %v; want the open #%d", got.Number, got.Service, opened, err, first.Number)
		}
		closeTicket(t, s, first.Number, ticketTime.Add(time.Hour))
		next := openTicket(t, s, again)
		if next.Number != 2 {
			t.Errorf("ticket after closing = #%d, want #2", next.Number)
		}
	}},
	{"concurrent opening numbers each once", func(t *testing.T, s bot.HandoffStore) {
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			numbers []int64
		)
		for i := range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, opened, err := s.OpenTicket(context.Background(), newTicket(int64(100+i)))
				if err != nil || !opened {
					t.Errorf("OpenTicket: opened %v, err %v", opened, err)
					return
				}
				mu.Lock()
				numbers = append(numbers, tk.Number)
				mu.Unlock()
			}()
		}
		wg.Wait()
		slices.Sort(numbers)
		for i, n := range numbers {
			if n != int64(i+1) {
				t.Fatalf("numbers = %v, want 1..%d each once", numbers, concurrency)
			}
		}
	}},
	{"links", func(t *testing.T, s bot.HandoffStore) {
		ctx := context.Background()
		a := openTicket(t, s, newTicket(42))
		b := openTicket(t, s, newTicket(43))
		must(t, s.LinkMessage(ctx, a.Number, 77, true))
		must(t, s.LinkMessage(ctx, a.Number, 78, false))
		must(t, s.LinkMessage(ctx, b.Number, 79, false))
		for msg, want := range map[int]int64{77: a.Number, 78: a.Number, 79: b.Number} {
			got, found, err := s.TicketByMessage(ctx, msg)
			if err != nil || !found || got.Number != want {
				t.Errorf("TicketByMessage(%d) = #%d, found %v, err %v; want #%d", msg, got.Number, found, err, want)
			}
		}
		if _, found, err := s.TicketByMessage(ctx, 80); err != nil || found {
			t.Errorf("TicketByMessage(80): found %v, err %v; want none", found, err)
		}
		a.ThreadID, a.HeaderID = 77, 78
		wantTicket(t, s, a)
		must(t, s.LinkMessage(ctx, a.Number, 82, false))
		wantTicket(t, s, a) // the header stays the first message linked
		closeTicket(t, s, a.Number, ticketTime.Add(time.Hour))
		if got, found, err := s.TicketByMessage(ctx, 78); err != nil || !found || got.Open() {
			t.Errorf("TicketByMessage(78) after closing: open %v, found %v, err %v; want the closed ticket", got.Open(), found, err)
		}
		if err := s.LinkMessage(ctx, 99, 81, false); err == nil {
			t.Error("LinkMessage to a ticket that does not exist: no error")
		}
	}},
	{"tickets of a user", func(t *testing.T, s bot.HandoffStore) {
		ctx := context.Background()
		first := openTicket(t, s, newTicket(42))
		openTicket(t, s, newTicket(43))
		closeTicket(t, s, first.Number, ticketTime.Add(time.Hour))
		second := openTicket(t, s, newTicket(42))
		got, err := s.TicketsOf(ctx, 42)
		if err != nil || len(got) != 2 || got[0].Number != first.Number || got[1].Number != second.Number || got[0].Open() || !got[1].Open() {
			t.Errorf("TicketsOf(42) = %+v, err %v; want #%d closed and #%d open", got, err, first.Number, second.Number)
		}
		if got, err := s.TicketsOf(ctx, 44); err != nil || len(got) != 0 {
			t.Errorf("TicketsOf(44) = %+v, err %v; want none", got, err)
		}
	}},
	{"touch", func(t *testing.T, s bot.HandoffStore) {
		ctx := context.Background()
		tk := openTicket(t, s, newTicket(42))
		at := ticketTime.Add(time.Minute)
		got, found, err := s.TouchTicket(ctx, tk.Number, at, false)
		if err != nil || !found || !got.ActiveAt.Equal(at) || !got.FirstReplyAt.IsZero() {
			t.Fatalf("TouchTicket by the citizen = %+v, found %v, err %v", got, found, err)
		}
		reply := ticketTime.Add(5 * time.Minute)
		got, _, err = s.TouchTicket(ctx, tk.Number, reply, true)
		if err != nil || !got.FirstReplyAt.Equal(reply) {
			t.Fatalf("first staff TouchTicket: first reply %v, err %v; want %v", got.FirstReplyAt, err, reply)
		}
		later := ticketTime.Add(9 * time.Minute)
		got, _, err = s.TouchTicket(ctx, tk.Number, later, true)
		if err != nil || !got.FirstReplyAt.Equal(reply) || !got.ActiveAt.Equal(later) {
			t.Fatalf("second staff TouchTicket: first reply %v, active %v, err %v", got.FirstReplyAt, got.ActiveAt, err)
		}
		closeTicket(t, s, tk.Number, ticketTime.Add(time.Hour))
		if _, found, err := s.TouchTicket(ctx, tk.Number, ticketTime.Add(2*time.Hour), true); err != nil || found {
			t.Errorf("TouchTicket on a closed ticket: found %v, err %v; want not found", found, err)
		}
		if _, found, err := s.TouchTicket(ctx, 99, later, true); err != nil || found {
			t.Errorf("TouchTicket(99): found %v, err %v", found, err)
		}
		stats := handoffStats(t, s)
		if stats.FirstReplies != 1 || stats.FirstReplyTotal != 5*time.Minute {
			t.Errorf("stats = %+v, want one first reply after 5m", stats)
		}
	}},
	{"close once", func(t *testing.T, s bot.HandoffStore) {
		ctx := context.Background()
		tk := openTicket(t, s, newTicket(42))
		at := ticketTime.Add(time.Hour)
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			closes int
		)
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, closed, err := s.CloseTicket(ctx, tk.Number, at, time.Time{})
				if err != nil {
					t.Errorf("CloseTicket: %v", err)
					return
				}
				if closed {
					if !got.ClosedAt.Equal(at) {
						t.Errorf("closed ticket's ClosedAt = %v, want %v", got.ClosedAt, at)
					}
					mu.Lock()
					closes++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if closes != 1 {
			t.Errorf("%d closers were told they closed it, want 1", closes)
		}
		if _, found, err := s.OpenTicketOf(ctx, 42); err != nil || found {
			t.Errorf("OpenTicketOf after closing: found %v, err %v", found, err)
		}
		if open, err := s.OpenTickets(ctx); err != nil || len(open) != 0 {
			t.Errorf("OpenTickets after closing = %v, err %v", open, err)
		}
		tk.ClosedAt = at
		wantTicket(t, s, tk)
		if _, closed, err := s.CloseTicket(ctx, 99, at, time.Time{}); err != nil || closed {
			t.Errorf("CloseTicket(99): closed %v, err %v", closed, err)
		}
		if stats := handoffStats(t, s); stats.Opened != 1 || stats.Closed != 1 {
			t.Errorf("stats = %+v, want 1 opened and 1 closed", stats)
		}
	}},
	{"close for silence only when silent", func(t *testing.T, s bot.HandoffStore) {
		ctx := context.Background()
		tk := openTicket(t, s, newTicket(42))
		if _, _, err := s.TouchTicket(ctx, tk.Number, ticketTime.Add(time.Hour), false); err != nil {
			t.Fatal(err)
		}
		// A sweep that read the ticket before the message must not close it.
		if _, closed, err := s.CloseTicket(ctx, tk.Number, ticketTime.Add(2*time.Hour), ticketTime.Add(30*time.Minute)); err != nil || closed {
			t.Errorf("closed a ticket active since: closed %v, err %v", closed, err)
		}
		if _, closed, err := s.CloseTicket(ctx, tk.Number, ticketTime.Add(2*time.Hour), ticketTime.Add(90*time.Minute)); err != nil || !closed {
			t.Errorf("a silent ticket: closed %v, err %v", closed, err)
		}
	}},
	{"rate", func(t *testing.T, s bot.HandoffStore) {
		ctx := context.Background()
		tk := openTicket(t, s, newTicket(42))
		if rated, err := s.RateTicket(ctx, tk.Number, 42, 5); err != nil || rated {
			t.Errorf("rating an open ticket: rated %v, err %v", rated, err)
		}
		closeTicket(t, s, tk.Number, ticketTime.Add(time.Hour))
		for _, bad := range []struct {
			user   int64
			rating int
		}{{43, 4}, {42, 0}, {42, 6}} {
			if rated, err := s.RateTicket(ctx, tk.Number, bad.user, bad.rating); err != nil || rated {
				t.Errorf("RateTicket(user %d, %d): rated %v, err %v; want refused", bad.user, bad.rating, rated, err)
			}
		}
		if rated, err := s.RateTicket(ctx, tk.Number, 42, 4); err != nil || !rated {
			t.Fatalf("RateTicket: rated %v, err %v", rated, err)
		}
		if rated, err := s.RateTicket(ctx, tk.Number, 42, 1); err != nil || rated {
			t.Errorf("second rating: rated %v, err %v; the first stands", rated, err)
		}
		if rated, err := s.RateTicket(ctx, 99, 42, 3); err != nil || rated {
			t.Errorf("rating ticket 99: rated %v, err %v", rated, err)
		}
		got, _, _ := s.Ticket(ctx, tk.Number)
		if got.Rating != 4 {
			t.Errorf("rating = %d, want 4", got.Rating)
		}
		if stats := handoffStats(t, s); stats.Rated != 1 || stats.RatingTotal != 4 {
			t.Errorf("stats = %+v, want one rating of 4", stats)
		}
	}},
}

func closeTicket(t *testing.T, s bot.HandoffStore, number int64, at time.Time) {
	t.Helper()
	if _, closed, err := s.CloseTicket(context.Background(), number, at, time.Time{}); err != nil || !closed {
		t.Fatalf("CloseTicket(%d): closed %v, err %v", number, closed, err)
	}
}

func handoffStats(t *testing.T, s bot.HandoffStore) bot.HandoffStats {
	t.Helper()
	stats, err := s.HandoffStats(context.Background())
	if err != nil {
		t.Fatalf("HandoffStats: %v", err)
	}
	return stats
}

// handoffClosed closes the store and expects every method to refuse.
func handoffClosed(t *testing.T, s bot.HandoffStore) {
	closer, ok := s.(interface{ Close() error })
	if !ok {
		t.Skip("the store has no Close method")
	}
	ctx := context.Background()
	tk := openTicket(t, s, newTicket(42))
	must(t, closer.Close())
	calls := map[string]error{}
	_, _, calls["OpenTicket"] = s.OpenTicket(ctx, newTicket(43))
	_, _, calls["Ticket"] = s.Ticket(ctx, tk.Number)
	_, _, calls["OpenTicketOf"] = s.OpenTicketOf(ctx, 42)
	_, calls["OpenTickets"] = s.OpenTickets(ctx)
	_, calls["TicketsOf"] = s.TicketsOf(ctx, 42)
	calls["LinkMessage"] = s.LinkMessage(ctx, tk.Number, 1, false)
	_, _, calls["TicketByMessage"] = s.TicketByMessage(ctx, 1)
	_, _, calls["TouchTicket"] = s.TouchTicket(ctx, tk.Number, ticketTime, false)
	_, _, calls["CloseTicket"] = s.CloseTicket(ctx, tk.Number, ticketTime, time.Time{})
	_, calls["RateTicket"] = s.RateTicket(ctx, tk.Number, 42, 5)
	_, calls["HandoffStats"] = s.HandoffStats(ctx)
	for name, err := range calls {
		if !errors.Is(err, bot.ErrStoreClosed) {
			t.Errorf("%s after Close: %v, want ErrStoreClosed", name, err)
		}
	}
}
