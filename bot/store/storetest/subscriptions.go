package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// subscriptionTest is one subtest of RunSubscriptions.
type subscriptionTest = contractTest[bot.SubscriptionStore]

// RunSubscriptions runs the contract of bot.SubscriptionStore against the
// stores open returns: a fresh, empty store per parallel subtest, which
// open closes itself when the test ends (t.Cleanup). Beyond the comments
// of bot.SubscriptionStore, it fixes these details:
//   - Topics are stored as given; repeated topics count once;
//   - fn's error is returned as it is (errors.Is finds it), and fn is not
//     called again after it;
//   - Subscribers does not call fn when nobody receives the announcement.
//
// When the store has a Close method, a last subtest closes it and expects
// every method to fail with bot.ErrStoreClosed.
func RunSubscriptions(t *testing.T, open func(t *testing.T) bot.SubscriptionStore) {
	runAll(t, append(subscriptionTests, subscriptionTest{"closed", subscriptionsClosed}), open, nil)
}

var subscribedAt = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.FixedZone("WIB", 7*3600))

var subscriptionTests = []subscriptionTest{
	{"lookup missing", func(t *testing.T, s bot.SubscriptionStore) {
		wantNoSubscription(t, s, 42)
		wantCount(t, s, "", 0)
		wantCount(t, s, "ktp", 0)
		wantSubscribers(t, s, "", nil)
	}},
	{"subscribe and lookup", func(t *testing.T, s bot.SubscriptionStore) {
		subs := []bot.Subscription{
			{ChatID: 42, UserID: 42, Lang: "id", Topics: []string{"ktp", "pajak"}, Since: subscribedAt},
			{ChatID: -1001234567890, UserID: 7, Lang: "en", Since: subscribedAt.Add(time.Hour)},
			{ChatID: 7_000_000_001, UserID: 7_000_000_001, Topics: []string{"akta:kelahiran/{2026}", "😀 lain-lain"}, Since: subscribedAt},
		}
		for _, sub := range subs {
			subscribe(t, s, sub)
		}
		for _, sub := range subs {
			wantSubscription(t, s, sub)
		}
		wantCount(t, s, "", 3)
	}},
	{"replace", func(t *testing.T, s bot.SubscriptionStore) {
		subscribe(t, s, bot.Subscription{ChatID: 42, UserID: 42, Lang: "id", Topics: []string{"ktp"}, Since: subscribedAt})
		next := bot.Subscription{ChatID: 42, UserID: 42, Lang: "en", Topics: []string{"pajak"}, Since: subscribedAt.Add(time.Hour)}
		subscribe(t, s, next)
		wantSubscription(t, s, next)
		wantCount(t, s, "", 1)
		wantSubscribers(t, s, "ktp", nil)
		wantSubscribers(t, s, "pajak", []int64{42})
		// Following no topic in particular: every announcement.
		all := bot.Subscription{ChatID: 42, UserID: 42, Lang: "en", Since: subscribedAt}
		subscribe(t, s, all)
		wantSubscription(t, s, all)
		wantSubscribers(t, s, "ktp", []int64{42})
		wantCount(t, s, "pajak", 1)
		// And back to one topic.
		subscribe(t, s, next)
		wantSubscribers(t, s, "ktp", nil)
		wantCount(t, s, "ktp", 0)
		wantCount(t, s, "", 1)
	}},
	{"unsubscribe", func(t *testing.T, s bot.SubscriptionStore) {
		subscribe(t, s, bot.Subscription{ChatID: 42, UserID: 42, Topics: []string{"ktp"}, Since: subscribedAt})
		subscribe(t, s, bot.Subscription{ChatID: 43, UserID: 43, Since: subscribedAt})
		wantUnsubscribe(t, s, 42, true)
		wantUnsubscribe(t, s, 42, false)
		wantUnsubscribe(t, s, 44, false)
		wantNoSubscription(t, s, 42)
		wantSubscribers(t, s, "ktp", []int64{43})
		wantSubscribers(t, s, "", []int64{43})
		wantCount(t, s, "", 1)
		wantUnsubscribe(t, s, 43, true)
		wantSubscribers(t, s, "", nil)
		wantCount(t, s, "", 0)
		wantCount(t, s, "ktp", 0)
	}},
	{"repeated topics", func(t *testing.T, s bot.SubscriptionStore) {
		sub := bot.Subscription{ChatID: 42, UserID: 42, Topics: []string{"ktp", "ktp", "pajak"}, Since: subscribedAt}
		subscribe(t, s, sub)
		wantSubscription(t, s, sub)
		wantCount(t, s, "ktp", 1)
		wantSubscribers(t, s, "ktp", []int64{42})
		wantUnsubscribe(t, s, 42, true)
		wantCount(t, s, "ktp", 0)
	}},
	{"receives", func(t *testing.T, s bot.SubscriptionStore) {
		subs := []bot.Subscription{
			{ChatID: 1, Topics: nil},                        // everything
			{ChatID: 2, Topics: []string{}},                 // everything too
			{ChatID: 3, Topics: []string{"ktp"}},            // ktp only
			{ChatID: 4, Topics: []string{"ktp", "pajak"}},   // both
			{ChatID: 5, Topics: []string{"pajak"}},          // pajak only
			{ChatID: 6, Topics: []string{"ktp/hilang"}},     // a topic that starts like another
			{ChatID: 7, Topics: []string{"k"}},              // and one that is a prefix of another
			{ChatID: -8, Topics: []string{"ktp", "bansos"}}, // a group chat
		}
		for i := range subs {
			subs[i].UserID, subs[i].Since = int64(i), subscribedAt
			subscribe(t, s, subs[i])
		}
		for _, topic := range []string{"", "ktp", "pajak", "bansos", "k", "ktp/hilang", "kt", "lainnya"} {
			t.Run("topic "+topic, func(t *testing.T) {
				var want []int64
				for _, sub := range subs {
					if sub.Receives(topic) {
						want = append(want, sub.ChatID)
					}
				}
				wantSubscribers(t, s, topic, want)
				wantCount(t, s, topic, len(want))
			})
		}
	}},
	{"many in batches", func(t *testing.T, s bot.SubscriptionStore) {
		const n = 2500
		var subs []bot.Subscription
		for i := range n {
			sub := bot.Subscription{ChatID: int64(1_000_000 + i), UserID: int64(i), Lang: "id", Since: subscribedAt}
			switch i % 3 {
			case 1:
				sub.Topics = []string{"ktp"}
			case 2:
				sub.Topics = []string{"ktp", "pajak"}
			}
			subs = append(subs, sub)
		}
		forEach(t, subs, func(sub bot.Subscription) error { return s.Subscribe(t.Context(), sub) })
		for _, topic := range []string{"", "ktp", "pajak", "bansos"} {
			var want []int64
			for _, sub := range subs {
				if sub.Receives(topic) {
					want = append(want, sub.ChatID)
				}
			}
			wantSubscribers(t, s, topic, want)
			wantCount(t, s, topic, len(want))
		}
	}},
	{"fn error stops", func(t *testing.T, s bot.SubscriptionStore) {
		for i := range 1500 {
			subscribe(t, s, bot.Subscription{ChatID: int64(i), UserID: int64(i), Since: subscribedAt})
		}
		errStop := errors.New("stop here")
		calls := 0
		err := s.Subscribers(t.Context(), "", func([]int64) error { calls++; return errStop })
		if !errors.Is(err, errStop) {
			t.Errorf("Subscribers returned %v, want fn's error", err)
		}
		if calls != 1 {
			t.Errorf("fn called %d times after failing, want once", calls)
		}
	}},
	{"concurrent writes to one chat", func(t *testing.T, s bot.SubscriptionStore) {
		// Each write must move the chat out of exactly the sets of the
		// subscription it replaced, whichever write comes last.
		topics := [][]string{nil, {"ktp"}, {"pajak"}, {"ktp", "pajak"}, {"bansos"}}
		var mu sync.Mutex
		next := 0
		parallel(t, func() (struct{}, error) {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			if i%7 == 6 {
				_, err := s.Unsubscribe(t.Context(), 42)
				return struct{}{}, err
			}
			return struct{}{}, s.Subscribe(t.Context(), bot.Subscription{ChatID: 42, UserID: 42, Topics: topics[i%len(topics)], Since: subscribedAt})
		})
		final, found, err := s.Subscription(t.Context(), 42)
		if err != nil {
			t.Fatalf("Subscription: %v", err)
		}
		for _, topic := range []string{"", "ktp", "pajak", "bansos"} {
			var want []int64
			if found && final.Receives(topic) {
				want = []int64{42}
			}
			wantSubscribers(t, s, topic, want)
			wantCount(t, s, topic, len(want))
		}
	}},
}

func subscriptionsClosed(t *testing.T, s bot.SubscriptionStore) {
	closer, ok := s.(interface{ Close() error })
	if !ok {
		t.Skip("the store has no Close method")
	}
	if err := closer.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := t.Context()
	wantClosed(t, map[string]func() error{
		"Subscribe":    func() error { return s.Subscribe(ctx, bot.Subscription{ChatID: 1}) },
		"Unsubscribe":  func() error { _, err := s.Unsubscribe(ctx, 1); return err },
		"Subscription": func() error { _, _, err := s.Subscription(ctx, 1); return err },
		"Subscribers": func() error {
			return s.Subscribers(ctx, "", func([]int64) error { return nil })
		},
		"CountSubscribers": func() error { _, err := s.CountSubscribers(ctx, ""); return err },
	})
}

// wantClosed checks that each call fails with bot.ErrStoreClosed.
func wantClosed(t *testing.T, calls map[string]func() error) {
	t.Helper()
	for name, call := range calls {
		if err := call(); !errors.Is(err, bot.ErrStoreClosed) {
			t.Errorf("%s after Close: error %v, want one wrapping bot.ErrStoreClosed", name, err)
		}
	}
}

func subscribe(t *testing.T, s bot.SubscriptionStore, sub bot.Subscription) {
	t.Helper()
	if err := s.Subscribe(t.Context(), sub); err != nil {
		t.Fatalf("Subscribe(chat %d): %v", sub.ChatID, err)
	}
}

func wantSubscription(t *testing.T, s bot.SubscriptionStore, want bot.Subscription) {
	t.Helper()
	got, found, err := s.Subscription(t.Context(), want.ChatID)
	if err != nil {
		t.Fatalf("Subscription(%d): %v", want.ChatID, err)
	}
	if !found {
		t.Fatalf("Subscription(%d): not found", want.ChatID)
	}
	if got.ChatID != want.ChatID || got.UserID != want.UserID || got.Lang != want.Lang ||
		!slices.Equal(got.Topics, want.Topics) || !got.Since.Equal(want.Since) {
		t.Errorf("Subscription(%d) = %+v, want %+v", want.ChatID, got, want)
	}
}

func wantNoSubscription(t *testing.T, s bot.SubscriptionStore, chatID int64) {
	t.Helper()
	got, found, err := s.Subscription(t.Context(), chatID)
	if err != nil {
		t.Fatalf("Subscription(%d): %v", chatID, err)
	}
	if found {
		t.Errorf("Subscription(%d) found %+v, want none", chatID, got)
	}
}

func wantUnsubscribe(t *testing.T, s bot.SubscriptionStore, chatID int64, want bool) {
	t.Helper()
	existed, err := s.Unsubscribe(t.Context(), chatID)
	if err != nil {
		t.Fatalf("Unsubscribe(%d): %v", chatID, err)
	}
	if existed != want {
		t.Errorf("Unsubscribe(%d) = %v, want %v", chatID, existed, want)
	}
}

func wantCount(t *testing.T, s bot.SubscriptionStore, topic string, want int) {
	t.Helper()
	n, err := s.CountSubscribers(t.Context(), topic)
	if err != nil {
		t.Fatalf("CountSubscribers(%q): %v", topic, err)
	}
	if n != want {
		t.Errorf("CountSubscribers(%q) = %d, want %d", topic, n, want)
	}
}

// wantSubscribers checks that Subscribers gives each of want exactly once,
// and nothing else, in batches of 1 to 1,000.
func wantSubscribers(t *testing.T, s bot.SubscriptionStore, topic string, want []int64) {
	t.Helper()
	var got []int64
	err := s.Subscribers(t.Context(), topic, func(ids []int64) error {
		if len(ids) == 0 || len(ids) > 1000 {
			t.Errorf("Subscribers(%q) gave a batch of %d", topic, len(ids))
		}
		got = append(got, ids...)
		return nil
	})
	if err != nil {
		t.Fatalf("Subscribers(%q): %v", topic, err)
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("Subscribers(%q) gave %s, want %s", topic, describeIDs(got), describeIDs(want))
	}
}

// describeIDs shortens long lists of ids for failure messages, noting
// repeats.
func describeIDs(ids []int64) string {
	dups := len(ids) - len(slices.Compact(slices.Clone(ids)))
	if len(ids) <= 10 {
		return fmt.Sprint(ids)
	}
	return fmt.Sprintf("%d ids (%d repeated) from %d to %d", len(ids), dups, ids[0], ids[len(ids)-1])
}

// forEach calls f for each item from a few goroutines, to write many
// items quickly.
func forEach[T any](t *testing.T, items []T, f func(T) error) {
	t.Helper()
	const workers = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(items); i += workers {
				if err := f(items[i]); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}
