package broadcast_test

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/redisstore"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/fakebotapi"
	"github.com/layanan-id/layanan/internal/redistest"
)

// claimCounter counts the workers' Claim calls, to tell a loop that waits
// between attempts from one that spins.
type claimCounter struct {
	broadcast.Queue
	calls, failed atomic.Int64
}

func (c *claimCounter) Claim(ctx context.Context, consumer string, minIdle time.Duration) (broadcast.Delivery, bool, error) {
	c.calls.Add(1)
	d, found, err := c.Queue.Claim(ctx, consumer, minIdle)
	if err != nil {
		c.failed.Add(1)
	}
	return d, found, err
}

// limitCounter counts the workers' calls of the shared rate limiter, which
// they make before each claim and which lives in Redis too.
type limitCounter struct {
	broadcast.Limiter
	calls atomic.Int64
}

func (l *limitCounter) Wait(ctx context.Context) error {
	l.calls.Add(1)
	return l.Limiter.Wait(ctx)
}

// warnCounter counts log records at warning level and above.
type warnCounter struct{ n atomic.Int64 }

func (w *warnCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnCounter) Handle(context.Context, slog.Record) error    { w.n.Add(1); return nil }
func (w *warnCounter) WithAttrs([]slog.Attr) slog.Handler           { return w }
func (w *warnCounter) WithGroup(string) slog.Handler                { return w }

// TestBroadcastSurvivesRedisRestart kills Redis in the middle of a
// broadcast and starts it again on the same port, with its data kept (an
// append-only file fsynced on every write). While Redis is down the
// workers retry at their poll interval, without spinning, and nothing goes
// to Telegram; after the restart the same service, never restarted,
// finishes the job: every subscriber gets the announcement, at most the
// deliveries in flight at the kill (one per worker) twice, and no
// subscription is lost.
func TestBroadcastSurvivesRedisRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts redis-server mid-broadcast; skipped with -short")
	}
	const (
		n       = 600
		workers = 8
		poll    = 100 * time.Millisecond
		outage  = 2 * time.Second
	)
	srv := redistest.StartRestartable(t, redistest.RestartOptions{Persistent: true})
	ctx := context.Background()
	s, err := redisstore.Open(ctx, srv.URL, redisstore.Options{Prefix: srv.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := int64(1); i <= n; i++ {
		if err := s.Subscribe(ctx, bot.Subscription{ChatID: i, UserID: i, Since: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}

	api := fakebotapi.New(t)
	client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 10 * time.Second}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	queue := &claimCounter{Queue: s}
	limiter := &limitCounter{Limiter: s.Limiter("broadcast", rate)}
	warnings := &warnCounter{}
	// MinIdle is short so that a delivery sent just as Redis died, whose
	// Complete then failed, is taken over within the test (it is then one
	// of the duplicates allowed); with the default 20 min it, and the
	// job's end, would wait that long. Sends here take milliseconds.
	svc := broadcast.NewService(broadcast.Config{Workers: workers, Rate: rate, MinIdle: 3 * time.Second, PollInterval: poll, Consumer: "a"},
		queue, s, client, limiter, slog.New(warnings), nil)
	var (
		mu       sync.Mutex
		finished []broadcast.Counts
	)
	svc.OnFinished = func(_ context.Context, _ broadcast.Job, c broadcast.Counts) {
		mu.Lock()
		finished = append(finished, c)
		mu.Unlock()
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { svc.Run(runCtx); close(ran) }()
	t.Cleanup(func() { stop(); <-ran })

	job, err := svc.StartBroadcast(ctx, "<b>Pengumuman</b> uji gangguan", "", 42)
	if err != nil {
		t.Fatal(err)
	}
	for len(api.SentMessages()) < n/4 {
		time.Sleep(5 * time.Millisecond)
	}

	srv.Kill()
	// What was past the rate limiter at the kill still goes out.
	time.Sleep(500 * time.Millisecond)
	sentAtKill := len(api.SentMessages())
	requestsAtKill := len(api.Requests("sendMessage"))
	if sentAtKill >= n {
		t.Fatal("the broadcast finished before the kill; slow it down")
	}
	claims, paced, warned := queue.calls.Load(), limiter.calls.Load(), warnings.n.Load()
	goroutines := runtime.NumGoroutine()
	time.Sleep(outage)
	claims, paced, warned = queue.calls.Load()-claims, limiter.calls.Load()-paced, warnings.n.Load()-warned

	if got := len(api.Requests("sendMessage")); got != requestsAtKill {
		t.Errorf("%d sendMessage requests while Redis was down, want none", got-requestsAtKill)
	}
	// Each worker waits at least poll between attempts (backing off from
	// there), so at most workers × outage/poll attempts at the limiter and
	// the queue together; a spinning loop would make thousands. No lower
	// bound: at the start of an outage a worker can spend the whole window
	// inside one go-redis call (its dial retries); that the workers resume
	// is checked below, by the job finishing.
	if most := int64(workers) * int64(outage/poll+1); claims+paced > most {
		t.Errorf("%d limiter and %d claim attempts in %v of outage, want at most %d in all", paced, claims, outage, most)
	}
	// The failing queue is logged once a minute, not per attempt; a
	// delivery in flight at the kill may add its own line.
	if warned > workers+1 {
		t.Errorf("%d warnings logged in %v of outage, want at most %d", warned, outage, workers+1)
	}
	if g := runtime.NumGoroutine(); g > goroutines+5 {
		t.Errorf("goroutines grew from %d to %d during the outage", goroutines, g)
	}
	t.Logf("outage of %v: %d limiter and %d claim attempts, %d warnings logged, %d sent before it", outage, paced, claims, warned, sentAtKill)

	srv.Restart()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		done := len(finished) > 0
		mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			st, _ := svc.StatusOf(ctx, job.ID)
			t.Fatalf("the job did not finish within 30 s of the restart: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a duplicate report would come now

	st, err := svc.StatusOf(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != broadcast.StateDone || st.Total != n || st.Sent != n {
		t.Errorf("status %+v, want done with %d sent", st, n)
	}
	mu.Lock()
	if len(finished) != 1 {
		t.Errorf("finish reported %d times, want once", len(finished))
	}
	mu.Unlock()
	got := deliveries(api)
	dups := 0
	for id := int64(1); id <= n; id++ {
		switch got[id] {
		case 0:
			t.Fatalf("chat %d never got the announcement", id)
		case 1:
		default:
			dups += got[id] - 1
		}
	}
	if dups > workers {
		t.Errorf("%d duplicates, more than the %d deliveries in flight at the kill", dups, workers)
	}
	if subs, err := s.CountSubscribers(ctx, ""); err != nil || subs != n {
		t.Errorf("%d subscribers after the restart (%v), want %d", subs, err, n)
	}
	t.Logf("%d duplicates after the restart", dups)
}
