package telegram_test

// Fault tests: Redis killed and restarted under a running bot, and a Bot
// API that is slow, fails with 5xx or answers 429. They check that the bot
// keeps answering, retries within bounds, backs off instead of spinning,
// and leaves no goroutines behind.

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/bot/store/redisstore"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/fakebotapi"
	"github.com/layanan-id/layanan/internal/redistest"
)

// faultLog counts log records by message, so a test can tell how often
// something was retried or reported.
type faultLog struct {
	mu     sync.Mutex
	counts map[string]int
}

func newFaultLog() *faultLog { return &faultLog{counts: map[string]int{}} }

func (l *faultLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *faultLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *faultLog) WithGroup(string) slog.Handler            { return l }
func (l *faultLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.counts[r.Message]++
	l.mu.Unlock()
	return nil
}

func (l *faultLog) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[msg]
}

func (l *faultLog) logger() *slog.Logger { return slog.New(l) }

// faultUpdates makes updates with increasing ids.
type faultUpdates struct{ next atomic.Int64 }

func (f *faultUpdates) message(chat int64, text string) tgbotapi.Update {
	id := int(f.next.Add(1))
	return tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{
		MessageID: id,
		From:      &tgbotapi.User{ID: chat, FirstName: "Warga", LanguageCode: "id"},
		Chat:      &tgbotapi.Chat{ID: chat, Type: "private"},
		Text:      text,
		Date:      int(time.Now().Unix()),
	}}
}

// waitReply waits for the first message to chat after the first skip
// messages the fake accepted, and returns its text.
func waitReply(t *testing.T, api *fakebotapi.Server, chat int64, skip int, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		sent := api.SentMessages()
		for _, m := range sent[min(skip, len(sent)):] {
			if m.ChatID == chat {
				return m.Text
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no reply to chat %d within %v", chat, timeout)
	return ""
}

// settleGoroutines waits until the goroutine count is back within slack of
// baseline, and fails with a dump of the goroutines if it is not.
func settleGoroutines(t *testing.T, baseline, slack int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	n := runtime.NumGoroutine()
	for n > baseline+slack && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	if n > baseline+slack {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%d goroutines, baseline %d (slack %d):\n%s", n, baseline, slack, buf)
	}
}

// TestRedisOutageWhileAnswering kills Redis under a running bot and starts
// it again on the same port: questions are answered throughout (without
// follow-ups while Redis is down), the failures are logged once, not per
// message, and after the restart sessions work again without restarting
// the bot. The restarted server is empty (no persistence), so sessions of
// before the outage are gone; that is expected of a Redis without it.
func TestRedisOutageWhileAnswering(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts redis-server; skipped with -short")
	}
	ix, err := bundledIndex()
	if err != nil {
		t.Fatal(err)
	}
	srv := redistest.StartRestartable(t, redistest.RestartOptions{})
	ctx := context.Background()
	store, err := redisstore.Open(ctx, srv.URL, redisstore.Options{Prefix: srv.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	api := fakebotapi.New(t)
	logs := newFaultLog()
	client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 10 * time.Second}, logs.logger())
	if err != nil {
		t.Fatal(err)
	}
	cfg := bot.DefaultConfig()
	cfg.BotUsername = fakebotapi.BotUsername
	conv, err := bot.New(cfg, ix, store, client, logs.logger(), bot.Options{Subscriptions: store, Stats: store})
	if err != nil {
		t.Fatal(err)
	}
	pollCtx, stopPoll := context.WithCancel(ctx)
	p := telegram.NewPoller(client, bot.Recovered(conv, logs.logger()), logs.logger())
	p.PollTimeout = time.Second
	polled := make(chan struct{})
	go func() { p.Run(pollCtx); close(polled) }()
	t.Cleanup(func() { stopPoll(); <-polled })

	var us faultUpdates
	ask := func(chat int64, text string, timeout time.Duration) (string, time.Duration) {
		t.Helper()
		skip := len(api.SentMessages())
		start := time.Now()
		api.AddUpdates(us.message(chat, text))
		reply := waitReply(t, api, chat, skip, timeout)
		return reply, time.Since(start)
	}
	const storeDown = "store unavailable; answering without session features"

	// Before: an answer and a follow-up from the session.
	if got, _ := ask(1, "gmn cara bikin ktp pertama kali?", 5*time.Second); !strings.Contains(got, "KTP-el") {
		t.Fatalf("answer before the outage = %q", got)
	}
	if got, _ := ask(1, "biayanya berapa?", 5*time.Second); !strings.Contains(got, "KTP-el") || !strings.Contains(got, "Biaya") {
		t.Fatalf("follow-up before the outage = %q", got)
	}
	if n := logs.count(storeDown); n != 0 {
		t.Fatalf("store failures logged before the outage: %d", n)
	}

	// During: every question is still answered. The first ones wait for
	// go-redis's dial retries (about 1.6 s per store call) until its pool
	// gives up dialing; later ones fail fast.
	srv.Kill()
	questions := []struct {
		chat       int64
		text, want string
	}{
		{2, "syarat perpanjang sim", "SIM"},
		{3, "gmn cara bikin ktp pertama kali?", "KTP-el"},
		{4, "syarat bikin skck", "SKCK"},
		{2, "syarat perpanjang sim", "SIM"},
		{5, "cara bikin paspor", "aspor"},
	}
	for _, q := range questions {
		got, took := ask(q.chat, q.text, 20*time.Second)
		if !strings.Contains(got, q.want) {
			t.Errorf("during the outage %q = %q", q.text, got)
		}
		t.Logf("during the outage: %q answered in %v", q.text, took.Round(time.Millisecond))
	}
	// A follow-up without a session still gets a reply, not silence.
	if got, took := ask(1, "biayanya berapa?", 20*time.Second); got == "" {
		t.Error("no reply to a follow-up during the outage")
	} else {
		t.Logf("follow-up during the outage answered in %v: %.60q", took.Round(time.Millisecond), got)
	}
	// Many failures, one log line (the rate is once a minute).
	if n := logs.count(storeDown); n != 1 {
		t.Errorf("store failure logged %d times during the outage, want once", n)
	}

	// After: the same bot, the same store, Redis back on the same port.
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for store.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the store did not reconnect within 10 s of the restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, took := ask(6, "cara bikin paspor", 5*time.Second)
	if !strings.Contains(got, "aspor") {
		t.Fatalf("answer after the restart = %q", got)
	}
	if took > 2*time.Second {
		t.Errorf("answer after the restart took %v", took)
	}
	if got, _ := ask(6, "biayanya berapa?", 5*time.Second); !strings.Contains(got, "aspor") || !strings.Contains(got, "Biaya") {
		t.Errorf("follow-up after the restart = %q (sessions should work again)", got)
	}
}

// faultClient returns a client of the fake with the given HTTP timeout.
func faultClient(t *testing.T, api *fakebotapi.Server, timeout time.Duration, log *slog.Logger) *telegram.Client {
	t.Helper()
	c, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: timeout}, log)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSlowBotAPI: answers slower than the HTTP timeout are retried a
// bounded number of times, then the send fails; it never hangs, and a
// caller's deadline ends it at once.
func TestSlowBotAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for four timeouts and their backoff (about 8 s); skipped with -short")
	}
	baseline := runtime.NumGoroutine()
	api := fakebotapi.New(t)
	api.SetDelay(2 * time.Second)
	c := faultClient(t, api, time.Second, quietLog())

	start := time.Now()
	_, err := c.Send(context.Background(), bot.Reply{ChatID: 1, Text: "halo"})
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("send to a slow API: %v, want a failure after 4 attempts", err)
	}
	// 4 timeouts of 1 s and waits of 0.5 + 1 + 2 s.
	if took < 7*time.Second || took > 15*time.Second {
		t.Errorf("gave up after %v, want about 7.5 s", took)
	}
	if n := len(api.Requests("sendMessage")); n != 4 {
		t.Errorf("%d attempts, want 4", n)
	}

	// The caller's deadline wins over the retries.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = c.Send(ctx, bot.Reply{ChatID: 1, Text: "halo"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("send with a deadline: %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("send with a 1.5 s deadline returned after %v", took)
	}

	api.SetDelay(0)
	api.Close()
	settleGoroutines(t, baseline, 3, 5*time.Second)
}

// TestBotAPIErrorsRetriedWithBackoff: 5xx are retried with a doubling
// wait, 429 after retry_after, a retry_after too long and other 4xx not at
// all.
func TestBotAPIErrorsRetriedWithBackoff(t *testing.T) {
	if testing.Short() {
		t.Skip("waits through real backoffs (about 8 s); skipped with -short")
	}
	e502 := fakebotapi.Failure{Code: 502, Description: "Bad Gateway"}
	e503 := fakebotapi.Failure{Code: 503, Description: "Service Unavailable"}
	tests := []struct {
		name     string
		failures []fakebotapi.Failure
		attempts int
		wantCode int             // 0: the send succeeds
		gaps     []time.Duration // the least wait before each retry
	}{
		{"502 three times, then ok", []fakebotapi.Failure{e502, e502, e502}, 4, 0,
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{"503 four times: gives up", []fakebotapi.Failure{e503, e503, e503, e503}, 4, 503,
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{"429 retry_after 1", []fakebotapi.Failure{{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1}}, 2, 0,
			[]time.Duration{time.Second}},
		{"429 retry_after an hour: gives up at once", []fakebotapi.Failure{{Code: 429, Description: "Too Many Requests: retry after 3600", RetryAfter: 3600}}, 1, 429, nil},
		{"400: not retried", []fakebotapi.Failure{{Code: 400, Description: "Bad Request: chat not found"}}, 1, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := fakebotapi.New(t)
			api.FailNext("sendMessage", tt.failures...)
			c := faultClient(t, api, 10*time.Second, quietLog())
			start := time.Now()
			_, err := c.Send(context.Background(), bot.Reply{ChatID: 1, Text: "halo"})
			took := time.Since(start)
			var apiErr *telegram.APIError
			switch {
			case tt.wantCode == 0 && err != nil:
				t.Errorf("send: %v, want success", err)
			case tt.wantCode != 0 && (!errors.As(err, &apiErr) || apiErr.Code != tt.wantCode):
				t.Errorf("send: %v, want a %d", err, tt.wantCode)
			}
			reqs := api.Requests("sendMessage")
			if len(reqs) != tt.attempts {
				t.Fatalf("%d attempts, want %d", len(reqs), tt.attempts)
			}
			var least time.Duration
			for i, want := range tt.gaps {
				least += want
				gap := reqs[i+1].At.Sub(reqs[i].At)
				// A timer never fires early; the upper bound only catches
				// a wait far longer than asked.
				if gap < want || gap > want+1500*time.Millisecond {
					t.Errorf("retry %d came %v after the failure, want %v", i+1, gap.Round(time.Millisecond), want)
				}
			}
			if took > least+3*time.Second {
				t.Errorf("send took %v, want about %v", took, least)
			}
			// Nothing more goes out later.
			time.Sleep(200 * time.Millisecond)
			if n := len(api.Requests("sendMessage")); n != tt.attempts {
				t.Errorf("%d requests after the send returned, want %d", n, tt.attempts)
			}
		})
	}
}

// TestPollerBacksOff: when getUpdates keeps failing, the polling loop
// waits longer each time (1 s, 2 s, 4 s …) or as long as a 429 asks;
// it never spins, and stops promptly while waiting.
func TestPollerBacksOff(t *testing.T) {
	if testing.Short() {
		t.Skip("watches the loop for seconds; skipped with -short")
	}
	handler := bot.HandlerFunc(func(context.Context, bot.Update) (bot.Outcome, error) { return bot.Outcome{}, nil })
	run := func(t *testing.T, c *telegram.Client, log *slog.Logger, watch time.Duration) {
		t.Helper()
		p := telegram.NewPoller(c, handler, log)
		p.PollTimeout = time.Second
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { p.Run(ctx); close(done) }()
		time.Sleep(watch)
		cancel()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatal("the poller did not stop within 2 s of the cancel while backing off")
		}
	}

	t.Run("5xx", func(t *testing.T) {
		api := fakebotapi.New(t)
		fails := make([]fakebotapi.Failure, 50)
		for i := range fails {
			fails[i] = fakebotapi.Failure{Code: 502, Description: "Bad Gateway"}
		}
		api.FailNext("getUpdates", fails...)
		run(t, faultClient(t, api, 5*time.Second, quietLog()), quietLog(), 3500*time.Millisecond)
		reqs := api.Requests("getUpdates")
		// At 0, 1 and 3 s; a busy loop would make thousands.
		if len(reqs) < 2 || len(reqs) > 5 {
			t.Fatalf("%d getUpdates in 3.5 s of failures, want about 3", len(reqs))
		}
		for i := 1; i < len(reqs); i++ {
			gap := reqs[i].At.Sub(reqs[i-1].At)
			want := time.Second << (i - 1)
			if gap < want {
				t.Errorf("poll %d came %v after the failure, want at least %v", i+1, gap.Round(time.Millisecond), want)
			}
		}
	})

	t.Run("429 retry_after", func(t *testing.T) {
		api := fakebotapi.New(t)
		api.FailNext("getUpdates", fakebotapi.Failure{Code: 429, Description: "Too Many Requests: retry after 2", RetryAfter: 2})
		run(t, faultClient(t, api, 5*time.Second, quietLog()), quietLog(), 2500*time.Millisecond)
		reqs := api.Requests("getUpdates")
		if len(reqs) < 2 {
			t.Fatalf("%d getUpdates, want the retry after 2 s", len(reqs))
		}
		if gap := reqs[1].At.Sub(reqs[0].At); gap < 2*time.Second {
			t.Errorf("polled again %v after a 429 asking for 2 s", gap.Round(time.Millisecond))
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		gone := httptest.NewServer(http.NotFoundHandler())
		gone.Close() // connections to its port are refused now
		logs := newFaultLog()
		c, err := telegram.NewClient(fakebotapi.Token, gone.URL, &http.Client{Timeout: 5 * time.Second}, logs.logger())
		if err != nil {
			t.Fatal(err)
		}
		run(t, c, logs.logger(), 3500*time.Millisecond)
		if n := logs.count("getUpdates failed"); n < 2 || n > 5 {
			t.Errorf("%d failed polls in 3.5 s of an unreachable API, want about 3", n)
		}
	})
}

// TestLongRunUnderBotAPIFaults runs 500 questions through the whole bot
// while the Bot API answers some calls with 5xx and 429: every update is
// handled once, nearly all are answered, and afterwards the goroutines are
// back to where they started and the heap did not grow from the first
// half of the run to the second.
func TestLongRunUnderBotAPIFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("500 updates through retries; skipped with -short")
	}
	ix, err := bundledIndex()
	if err != nil {
		t.Fatal(err)
	}
	questions := []string{
		"gmn cara bikin ktp pertama kali?", "syarat perpanjang sim", "biayanya berapa?", "syarat bikin skck",
		"cara bikin paspor", "di mana?", "akte lahir anak", "resep rendang padang", "makasih min", "bpjs pindah faskes",
	}
	runtime.GC()
	baseline := runtime.NumGoroutine()

	api := fakebotapi.New(t)
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 10 * time.Second, Transport: transport}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := bot.DefaultConfig()
	cfg.BotUsername = fakebotapi.BotUsername
	cfg.FloodLimit = 0
	conv, err := bot.New(cfg, ix, store, client, quietLog(), bot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var handled, failed atomic.Int64
	counted := bot.HandlerFunc(func(ctx context.Context, u bot.Update) (bot.Outcome, error) {
		out, err := conv.Handle(ctx, u)
		handled.Add(1)
		if err != nil {
			failed.Add(1)
		}
		return out, err
	})
	p := telegram.NewPoller(client, bot.Recovered(counted, quietLog()), quietLog())
	p.PollTimeout = time.Second
	pollCtx, stopPoll := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() { p.Run(pollCtx); close(polled) }()

	// Faults at random points of the run, about one per twenty updates:
	// mostly 5xx, some 429, a few on getUpdates.
	injectCtx, stopInject := context.WithCancel(context.Background())
	injected := make(chan int)
	go func() {
		rng := rand.New(rand.NewPCG(1, 2))
		n, next := 0, int64(10)
		for {
			select {
			case <-injectCtx.Done():
				injected <- n
				return
			case <-time.After(5 * time.Millisecond):
			}
			if handled.Load() < next {
				continue
			}
			next += int64(10 + rng.IntN(20))
			method := []string{"sendMessage", "sendMessage", "sendChatAction"}[rng.IntN(3)]
			if rng.IntN(15) == 0 {
				method = "getUpdates"
			}
			f := []fakebotapi.Failure{
				{Code: 500, Description: "Internal Server Error"},
				{Code: 502, Description: "Bad Gateway"},
				{Code: 503, Description: "Service Unavailable"},
				{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1},
			}[rng.IntN(4)]
			// A burst now and then: the same request fails again on retry.
			burst := 1 + rng.IntN(2)
			for range burst {
				api.FailNext(method, f)
			}
			n += burst
		}
	}()

	var us faultUpdates
	const half = 250
	runHalf := func() {
		t.Helper()
		want := handled.Load() + half
		var batch []tgbotapi.Update
		for i := range half {
			batch = append(batch, us.message(int64(100+i%50), questions[i%len(questions)]))
		}
		api.AddUpdates(batch...)
		deadline := time.Now().Add(30 * time.Second)
		for handled.Load() < want {
			if time.Now().After(deadline) {
				t.Fatalf("handled %d of %d updates", handled.Load(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// goroutines counts them with the HTTP connections closed (how many
	// are kept open varies) and takes the least of a few samples, so that
	// connections closing on the server's side are not counted.
	goroutines := func() int {
		transport.CloseIdleConnections()
		least := runtime.NumGoroutine()
		for range 15 {
			time.Sleep(20 * time.Millisecond)
			least = min(least, runtime.NumGoroutine())
		}
		return least
	}
	heap := func() uint64 {
		api.Reset() // the fake's own record of requests is not the bot's memory
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}

	start := time.Now()
	runHalf()
	h1, g1 := heap(), goroutines()
	runHalf()
	h2, g2 := heap(), goroutines()
	took := time.Since(start)
	stopInject()
	n := <-injected

	t.Logf("500 updates in %v with %d faults injected; %d handled, %d failed; heap %d → %d KiB; goroutines %d → %d (baseline %d)",
		took.Round(time.Millisecond), n, handled.Load(), failed.Load(), h1>>10, h2>>10, g1, g2, baseline)
	if got := handled.Load(); got != 2*half {
		t.Errorf("%d updates handled, want each of %d once", got, 2*half)
	}
	// A request fails for good only when four attempts in a row meet a
	// fault: rare at this rate.
	if f := failed.Load(); f > 2*half/50 {
		t.Errorf("%d of %d updates failed, want at most 2%%", f, 2*half)
	}
	// The second half may hold the fake's record of accepted messages and
	// bbolt's growing pages, a few hundred KiB; a leak per update of
	// anything like a response body or a goroutine would be megabytes.
	if h2 > h1+3<<20 {
		t.Errorf("heap after GC grew from %d KiB to %d KiB over the second half", h1>>10, h2>>10)
	}
	if g2 > g1+5 {
		t.Errorf("goroutines grew from %d to %d over the second half", g1, g2)
	}

	stopPoll()
	<-polled
	transport.CloseIdleConnections()
	api.Close()
	store.Close()
	settleGoroutines(t, baseline, 3, 5*time.Second)
}
