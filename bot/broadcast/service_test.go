package broadcast_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/bot/store/redisstore"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/fakebotapi"
	"github.com/layanan-id/layanan/internal/redistest"
)

// store is what the service needs of a store.
type store interface {
	bot.SubscriptionStore
	broadcast.Queue
	Close() error
}

type backend struct {
	name string
	open func(t *testing.T) (store, broadcast.Limiter)
}

// rate is the broadcast rate of these tests: fast enough for 2,000
// messages in seconds, slow enough that the limiter does the pacing.
const rate = 200

func backends() []backend {
	return []backend{
		{"bolt", func(t *testing.T) (store, broadcast.Limiter) {
			s, err := boltstore.Open(filepath.Join(t.TempDir(), "b.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s, broadcast.LocalLimiter(rate)
		}},
		{"redis", func(t *testing.T) (store, broadcast.Limiter) {
			srv := redistest.Start(t)
			s, err := redisstore.Open(context.Background(), srv.URL, redisstore.Options{Prefix: srv.Prefix})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s, s.Limiter("broadcast", rate)
		}},
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func subscribe(t *testing.T, s store, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if err := s.Subscribe(context.Background(), bot.Subscription{ChatID: int64(i), UserID: int64(i), Since: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
}

func newService(t *testing.T, s store, lim broadcast.Limiter, api *fakebotapi.Server, consumer string) *broadcast.Service {
	t.Helper()
	client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 10 * time.Second}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	return broadcast.NewService(broadcast.Config{Workers: 8, Rate: rate, MinIdle: time.Minute, PollInterval: 50 * time.Millisecond, Consumer: consumer},
		s, s, client, lim, quiet(), nil)
}

func waitState(t *testing.T, svc *broadcast.Service, id string, states ...string) bot.BroadcastStatus {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		s, err := svc.StatusOf(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(states, s.State) {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %s did not reach %v", id, states)
	return bot.BroadcastStatus{}
}

// deliveries counts the messages each chat got.
func deliveries(api *fakebotapi.Server) map[int64]int {
	got := map[int64]int{}
	for _, m := range api.SentMessages() {
		got[m.ChatID]++
	}
	return got
}

// maxPerSecond is the most messages that arrived in any one-second window.
func maxPerSecond(api *fakebotapi.Server) int {
	var times []time.Time
	for _, m := range api.SentMessages() {
		times = append(times, m.At)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	most, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= time.Second {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

func TestBroadcastToEverySubscriberOnceWithinRate(t *testing.T) {
	const n = 2000
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, lim := b.open(t)
			subscribe(t, s, n)
			api := fakebotapi.New(t)
			// Some subscribers blocked the bot; a 429 comes in the middle.
			api.BlockChats(7, 70, 700)
			svc := newService(t, s, lim, api, "a")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go svc.Run(ctx)
			job, err := svc.StartBroadcast(context.Background(), "<b>Pengumuman</b> uji", "", 42)
			if err != nil {
				t.Fatal(err)
			}
			for len(api.Requests("sendMessage")) < 500 {
				time.Sleep(10 * time.Millisecond)
			}
			api.FailNext("sendMessage", fakebotapi.Failure{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1})
			st := waitState(t, svc, job.ID, broadcast.StateDone)
			if st.Sent != n-3 || st.Blocked != 3 || st.Failed != 0 || st.Total != n {
				t.Errorf("status %+v, want %d sent, 3 blocked", st, n-3)
			}
			got := deliveries(api)
			for id := int64(1); id <= n; id++ {
				want := 1
				if id == 7 || id == 70 || id == 700 {
					want = 0
				}
				if got[id] != want {
					t.Fatalf("chat %d got %d messages, want %d", id, got[id], want)
				}
			}
			if most := maxPerSecond(api); most > rate {
				t.Errorf("%d messages in one second, limit %d", most, rate)
			}
			for _, id := range []int64{7, 70, 700} {
				if _, found, _ := s.Subscription(context.Background(), id); found {
					t.Errorf("chat %d blocked the bot but is still subscribed", id)
				}
			}
			if _, found, _ := s.Subscription(context.Background(), 8); !found {
				t.Error("chat 8 lost its subscription")
			}
		})
	}
}

func TestBroadcastPausesOn429(t *testing.T) {
	s, lim := backends()[0].open(t)
	subscribe(t, s, 50)
	api := fakebotapi.New(t)
	svc := newService(t, s, lim, api, "a")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api.FailNext("sendMessage", fakebotapi.Failure{Code: 429, Description: "Too Many Requests: retry after 2", RetryAfter: 2})
	start := time.Now()
	go svc.Run(ctx)
	job, err := svc.StartBroadcast(context.Background(), "uji", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	st := waitState(t, svc, job.ID, broadcast.StateDone)
	if st.Sent != 50 {
		t.Errorf("sent %d, want 50", st.Sent)
	}
	// The refused message was retried after retry_after, not before.
	var refused *fakebotapi.Request
	retried := false
	for _, r := range api.Requests("sendMessage") {
		switch {
		case r.Status == http.StatusTooManyRequests:
			refused = &r
		case refused != nil && r.Params.Get("chat_id") == refused.Params.Get("chat_id"):
			retried = true
			if wait := r.At.Sub(refused.At); wait < 2*time.Second {
				t.Errorf("retried %v after a 429 asking for 2 s", wait)
			}
		}
	}
	if refused == nil || !retried {
		t.Errorf("no 429 and retry seen (refused %v, retried %v)", refused != nil, retried)
	}
	_ = start
	if n := deliveries(api); len(n) != 50 {
		t.Errorf("%d chats reached, want 50", len(n))
	}
}

func TestBroadcastResumesAfterRestart(t *testing.T) {
	const n = 600
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, lim := b.open(t)
			subscribe(t, s, n)
			api := fakebotapi.New(t)
			first := newService(t, s, lim, api, "first")
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { first.Run(ctx); close(done) }()
			job, err := first.StartBroadcast(context.Background(), "uji", "", 0)
			if err != nil {
				t.Fatal(err)
			}
			for len(api.SentMessages()) < 200 {
				time.Sleep(5 * time.Millisecond)
			}
			stop() // SIGTERM mid-broadcast
			<-done
			sentBefore := len(api.SentMessages())
			if sentBefore >= n {
				t.Fatal("the broadcast finished before the stop; slow it down")
			}
			// A new process (another consumer) takes over.
			second := newService(t, s, lim, api, "second")
			ctx2, cancel2 := context.WithCancel(context.Background())
			defer cancel2()
			go second.Run(ctx2)
			st := waitState(t, second, job.ID, broadcast.StateDone)
			if st.Sent != n {
				t.Errorf("sent %d, want %d", st.Sent, n)
			}
			got := deliveries(api)
			dups := 0
			for id := int64(1); id <= n; id++ {
				switch got[id] {
				case 1:
				case 0:
					t.Fatalf("chat %d skipped", id)
				default:
					dups += got[id] - 1
				}
			}
			// At most the messages in flight at the stop (one per worker).
			if dups > 8 {
				t.Errorf("%d duplicates, more than one per worker", dups)
			}
			t.Logf("%d sent before the stop, %d duplicates", sentBefore, dups)
		})
	}
}

func TestCancelSkipsTheRest(t *testing.T) {
	s, lim := backends()[0].open(t)
	subscribe(t, s, 1000)
	api := fakebotapi.New(t)
	svc := newService(t, s, lim, api, "a")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go svc.Run(ctx)
	job, err := svc.StartBroadcast(context.Background(), "uji", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for len(api.Requests("sendMessage")) < 100 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := svc.CancelBroadcast(context.Background(), job.ID); err != nil {
		t.Fatal(err)
	}
	st := waitState(t, svc, job.ID, broadcast.StateCancelled)
	deadline := time.Now().Add(20 * time.Second)
	for st.Sent+st.Skipped+st.Failed+st.Blocked < st.Total && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		st = waitState(t, svc, job.ID, broadcast.StateCancelled)
	}
	if st.Skipped == 0 || st.Sent >= 1000 {
		t.Errorf("after cancel: %+v", st)
	}
	sent := len(api.SentMessages())
	time.Sleep(300 * time.Millisecond)
	if now := len(api.SentMessages()); now > sent {
		t.Errorf("%d messages sent after the job was cancelled and drained", now-sent)
	}
}
