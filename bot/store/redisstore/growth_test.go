package redisstore

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/internal/redistest"
)

// envGrowth turns TestGrowth on.
const envGrowth = "LAYANAN_GROWTH"

// Sizes of TestGrowth: a city's subscribers and a month of sessions.
const (
	growthSubscribers = 100_000
	growthSessions    = 1_000_000
	growthUpdates     = 1_000_000 // a day of updates, one per session
	growthUnanswered  = 20_000
	growthLogCap      = 10_000 // bot.DefaultConfig's UnansweredMax
	growthFloodUsers  = 10_000
	growthSample      = 1_000 // keys whose TTL is read one by one
	growthWorkers     = 4     // writers of the pipelined steps
	growthPipeline    = 1_000 // commands a pipeline sends at once
	telegramRate      = 25    // messages a second: a broadcast's floor
)

// TestGrowth fills a throwaway Redis to a city's scale with the store's own
// keys and logs, step by step, used_memory and what each item costs; it
// checks that everything that should expire does, and that the broadcast
// queue is far faster than Telegram lets a broadcast go. It takes a minute
// or two and about 400 MB of Redis, so it runs only when asked:
//
//	LAYANAN_GROWTH=1 go test ./bot/store/redisstore -run Growth -v -count=1 -timeout 20m
//
// It needs a redis-server of its own (REDIS_URL unset): used_memory of a
// shared server measures other people's keys too.
func TestGrowth(t *testing.T) {
	if testing.Short() || os.Getenv(envGrowth) != "1" {
		t.Skipf("heavy (a million sessions, about 400 MB of Redis): set %s=1 and run without -short", envGrowth)
	}
	if os.Getenv("REDIS_URL") != "" {
		t.Skip("measures a redis-server of its own: unset REDIS_URL")
	}
	srv := redistest.Start(t)
	// The production prefix, so that keys have their real length; the
	// server is a throwaway one, and the keys are deleted at the end for
	// the package's later tests.
	s, err := Open(t.Context(), srv.URL, Options{Prefix: DefaultPrefix})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		deletePrefix(t, s.client, DefaultPrefix)
		s.Close()
	})
	g := &growth{s: s, ctx: t.Context()}
	g.mark(t)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"subscribers", g.subscribers},
		{"sessions", g.sessions},
		{"updates", g.updates},
		{"ttls", g.ttls},
		{"unanswered", g.unanswered},
		{"flood", g.flood},
		{"enqueue", g.enqueue},
		{"drain", g.drain},
	}
	for _, step := range steps {
		if !t.Run(step.name, step.run) {
			break
		}
	}
	t.Logf("summary:\n%s", strings.Join(g.summary, "\n"))
}

// growth is the state TestGrowth's steps share, in order.
type growth struct {
	s   *Store
	ctx context.Context

	memory  int64 // used_memory after the last step
	summary []string

	keysBefore, expiresBefore int64 // INFO keyspace before the sessions
	job                       string
	enqueued                  time.Duration
}

// mark reads used_memory after a step.
func (g *growth) mark(t *testing.T) int64 {
	t.Helper()
	before := g.memory
	g.memory = usedMemory(t, g.s.client)
	return g.memory - before
}

// report logs a step's memory: in total and per item.
func (g *growth) report(t *testing.T, what string, items int, took time.Duration) {
	t.Helper()
	before := g.memory
	delta := g.mark(t)
	line := fmt.Sprintf("%-34s %9d in %7v  used_memory %7.1f → %7.1f MB (%+7.1f MB, %4d bytes each)",
		what, items, took.Round(time.Millisecond), mb(before), mb(g.memory), mb(delta), delta/int64(max(items, 1)))
	t.Log(line)
	g.summary = append(g.summary, line)
}

func (g *growth) note(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	g.summary = append(g.summary, line)
}

// subscribers subscribes 100,000 chats through Subscribe itself: half
// follow everything, a quarter one topic, a quarter two.
func (g *growth) subscribers(t *testing.T) {
	start := time.Now()
	err := inChunks(g.ctx, growthSubscribers, 100, 8, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			chat := chatID(i)
			sub := bot.Subscription{ChatID: chat, UserID: chat, Lang: "id", Since: time.Now()}
			switch i % 4 {
			case 1:
				sub.Topics = []string{"kependudukan"}
			case 3:
				sub.Topics = []string{"kependudukan", "pajak"}
			}
			if err := g.s.Subscribe(g.ctx, sub); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	g.report(t, "subscriptions (Subscribe)", growthSubscribers, time.Since(start))
	if n, err := g.s.CountSubscribers(g.ctx, ""); err != nil || n != growthSubscribers {
		t.Errorf("CountSubscribers = %d, %v; want %d", n, err, growthSubscribers)
	}
}

// sessions stores a million sessions as SaveSession does (SET PX of the
// same JSON), pipelined; every hundredth goes through SaveSession itself.
func (g *growth) sessions(t *testing.T) {
	g.keysBefore, g.expiresBefore = keyspace(t, g.s.client)
	ttl := bot.DefaultConfig().SessionTTL
	var bytes atomic.Int64
	start := time.Now()
	err := inChunks(g.ctx, growthSessions, growthPipeline, growthWorkers, func(lo, hi int) error {
		pipe := g.s.client.Pipeline()
		for i := lo; i < hi; i++ {
			sess := sampleSession(i)
			if i%100 == 0 {
				if err := g.s.SaveSession(g.ctx, userID(i), sess, ttl); err != nil {
					return err
				}
				continue
			}
			data, err := json.Marshal(sess)
			if err != nil {
				return err
			}
			bytes.Add(int64(len(data)))
			pipe.Set(g.ctx, g.s.keys.session(userID(i)), data, ttl)
		}
		_, err := pipe.Exec(g.ctx)
		return err
	})
	if err != nil {
		t.Fatalf("store sessions: %v", err)
	}
	took := time.Since(start)
	g.report(t, "sessions (SET PX, 30 days)", growthSessions, took)
	g.note(t, "  sessions: %.0f a second; JSON %d bytes on average", float64(growthSessions)/took.Seconds(), bytes.Load()/(growthSessions*99/100))
}

// updates marks a million update ids handled as Finish does (SET PX
// "done"), pipelined; every hundredth through Admit and Finish themselves.
func (g *growth) updates(t *testing.T) {
	ttl := bot.DefaultConfig().UpdateTTL
	start := time.Now()
	err := inChunks(g.ctx, growthUpdates, growthPipeline, growthWorkers, func(lo, hi int) error {
		pipe := g.s.client.Pipeline()
		for i := lo; i < hi; i++ {
			if i%100 == 0 {
				if adm, err := g.s.Admit(g.ctx, bot.Arrival{UpdateID: updateID(i), ClaimTTL: bot.DefaultConfig().ClaimTTL}); err != nil || adm.Claim != bot.Claimed {
					return fmt.Errorf("Admit(%d) = %+v, %v; want a claim", updateID(i), adm, err)
				}
				if err := g.s.Finish(g.ctx, bot.Completion{UpdateID: updateID(i), DoneTTL: ttl}); err != nil {
					return err
				}
				continue
			}
			pipe.Set(g.ctx, g.s.keys.update(updateID(i)), updateDone, ttl)
		}
		_, err := pipe.Exec(g.ctx)
		return err
	})
	if err != nil {
		t.Fatalf("mark updates: %v", err)
	}
	g.report(t, "update ids (SET NX PX, 24 h)", growthUpdates, time.Since(start))
}

// ttls checks that every session and update key expires: INFO keyspace
// counts every key and every key with a TTL, so the two million new keys
// must all be among the latter; and a sample of each kind, half of it
// written by the store's own methods, has a TTL no longer than it should.
func (g *growth) ttls(t *testing.T) {
	keys, expires := keyspace(t, g.s.client)
	newKeys, newExpires := keys-g.keysBefore, expires-g.expiresBefore
	if newKeys != growthSessions+growthUpdates || newExpires != newKeys {
		t.Errorf("INFO keyspace: %d new keys, %d new keys with a TTL; want %d and %d", newKeys, newExpires, growthSessions+growthUpdates, growthSessions+growthUpdates)
	}
	g.note(t, "  TTLs: %d new keys, %d of them with a TTL (INFO keyspace: keys=%d expires=%d)", newKeys, newExpires, keys, expires)

	cfg := bot.DefaultConfig()
	check := func(kind string, n int, ttl time.Duration, key func(i int) string) {
		pipe := g.s.client.Pipeline()
		cmds := make([]*redis.DurationCmd, growthSample)
		for j := range cmds {
			i := rand.IntN(n/100) * 100 // written by the store's method
			if j%2 == 1 {
				i += 1 + rand.IntN(99) // pipelined
			}
			cmds[j] = pipe.PTTL(g.ctx, key(i))
		}
		if _, err := pipe.Exec(g.ctx); err != nil {
			t.Fatalf("PTTL of %s keys: %v", kind, err)
		}
		least := ttl
		for _, c := range cmds {
			// PTTL answers -1 for a key without a TTL, -2 for none.
			if d := c.Val(); d <= 0 || d > ttl {
				t.Errorf("PTTL %s = %v, want within (0, %v]", c.Args()[1], d, ttl)
			} else {
				least = min(least, d)
			}
		}
		g.note(t, "  TTLs: %d %s keys sampled, every one expiring within %v (the soonest in %v)", growthSample, kind, ttl, least.Round(time.Second))
	}
	check("session", growthSessions, cfg.SessionTTL, func(i int) string { return g.s.keys.session(userID(i)) })
	check("update-id", growthUpdates, cfg.UpdateTTL, func(i int) string { return g.s.keys.update(updateID(i)) })
}

// unanswered logs 20,000 questions with a cap of 10,000: the log keeps
// the newest 10,000 and expires as a whole.
func (g *growth) unanswered(t *testing.T) {
	retention := bot.DefaultConfig().UnansweredRetention
	start := time.Now()
	err := inChunks(g.ctx, growthUnanswered, 100, growthWorkers, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			q := bot.Unanswered{
				Text:   fmt.Sprintf("bagaimana cara mengurus surat keterangan pindah domisili ke kabupaten lain, nomor %d?", i),
				Lang:   "id",
				UserID: userID(i),
			}
			if err := g.s.LogUnanswered(g.ctx, q, retention, growthLogCap); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("LogUnanswered: %v", err)
	}
	took := time.Since(start)
	key := g.s.keys.unanswered()
	n, err := g.s.client.XLen(g.ctx, key).Result()
	if err != nil || n != growthLogCap {
		t.Errorf("XLEN after %d questions with a cap of %d = %d, %v; want %d", growthUnanswered, growthLogCap, n, err, growthLogCap)
	}
	ttl, err := g.s.client.PTTL(g.ctx, key).Result()
	if err != nil || ttl <= 0 || ttl > retention {
		t.Errorf("PTTL of the log = %v, %v; want within (0, %v]", ttl, err, retention)
	}
	size, err := g.s.client.MemoryUsage(g.ctx, key, 0).Result()
	if err != nil {
		t.Fatalf("MEMORY USAGE %s: %v", key, err)
	}
	g.report(t, fmt.Sprintf("unanswered (%d logged, cap %d)", growthUnanswered, growthLogCap), growthLogCap, took)
	g.note(t, "  unanswered: XLEN %d, expires in %v, MEMORY USAGE %.1f MB (%d bytes a question)", n, ttl.Round(time.Hour), mb(size), size/max(n, 1))
}

// flood counts a message for 10,000 users in a 5-second window: every
// counter's TTL ends with its window (plus a second's margin), and after
// that none is left. Redis reclaims expired keys it is not asked about
// by sampling the keys that have a TTL, so among two million keys that
// expire in days the counters linger a while: the log shows how many went
// on their own before the counters are read (a read deletes an expired
// key at once).
func (g *growth) flood(t *testing.T) {
	const window = 5 * time.Second
	// Start with a window, so that the counters outlive the reads below.
	time.Sleep(time.Until(windowEnd(time.Now(), window)))
	keysBefore, _ := keyspace(t, g.s.client)
	start := time.Now()
	err := inChunks(g.ctx, growthFloodUsers, 100, 8, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			if _, err := g.s.Admit(g.ctx, bot.Arrival{UpdateID: -i - 1, ClaimTTL: window, UserID: userID(i), FloodWindow: window}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	took := time.Since(start)
	var keys []string
	iter := g.s.client.Scan(g.ctx, 0, g.s.keys.prefix+"flood:*", 10_000).Iterator()
	for iter.Next(g.ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("SCAN flood keys: %v", err)
	}
	if len(keys) != growthFloodUsers {
		t.Fatalf("%d flood keys for %d users, one message each", len(keys), growthFloodUsers)
	}
	pipe := g.s.client.Pipeline()
	ttls := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		ttls[i] = pipe.PTTL(g.ctx, k)
	}
	if _, err := pipe.Exec(g.ctx); err != nil {
		t.Fatalf("PTTL of flood keys: %v", err)
	}
	for _, c := range ttls {
		if d := c.Val(); d <= 0 || d > window+floodMargin {
			t.Fatalf("PTTL %s = %v, want within (0, %v]", c.Args()[1], d, window+floodMargin)
		}
	}
	g.report(t, fmt.Sprintf("flood counters (%v window)", window), len(keys), took)

	// Wait for every window to end, then watch Redis reclaim them alone.
	expiry := windowEnd(start.Add(took), window).Add(floodMargin)
	time.Sleep(time.Until(expiry))
	const watch = 20 * time.Second
	var reclaimed int64
	for time.Since(expiry) < watch {
		now, _ := keyspace(t, g.s.client)
		reclaimed = keysBefore + int64(len(keys)) - now
		if reclaimed >= int64(len(keys)) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	g.note(t, "  flood: %d of %d expired counters reclaimed by Redis alone within %v of their expiry", reclaimed, len(keys), time.Since(expiry).Round(time.Second))

	pipe = g.s.client.Pipeline()
	exists := make([]*redis.IntCmd, len(keys))
	for i, k := range keys {
		exists[i] = pipe.Exists(g.ctx, k)
	}
	if _, err := pipe.Exec(g.ctx); err != nil {
		t.Fatalf("EXISTS flood keys: %v", err)
	}
	left := 0
	for _, c := range exists {
		left += int(c.Val())
	}
	if left > 0 {
		t.Errorf("%d of %d flood counters still exist after their windows", left, len(keys))
	}
	g.mark(t) // the counters are gone: start the next step from here
	g.note(t, "  flood: %d counters left once read", left)
}

// enqueue starts a broadcast to every subscriber, as broadcast.Service
// does, and times it.
func (g *growth) enqueue(t *testing.T) {
	g.job = "growth"
	start := time.Now()
	if err := g.s.CreateJob(g.ctx, broadcast.Job{ID: g.job, Text: "<b>Pengumuman</b>: pelayanan KTP-el tutup pada hari libur nasional."}); err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	total := 0
	err := g.s.Subscribers(g.ctx, "", func(ids []int64) error {
		total += len(ids)
		return g.s.Enqueue(g.ctx, g.job, ids)
	})
	if err != nil {
		t.Fatalf("Subscribers and Enqueue: %v", err)
	}
	if err := g.s.StartJob(g.ctx, g.job, total); err != nil {
		t.Fatalf("StartJob: %v", err)
	}
	g.enqueued = time.Since(start)
	if total != growthSubscribers {
		t.Errorf("enqueued %d deliveries, want %d", total, growthSubscribers)
	}
	g.report(t, "broadcast deliveries (enqueue)", total, g.enqueued)
	g.note(t, "  enqueue: %.0f deliveries a second", float64(total)/g.enqueued.Seconds())
}

// drain delivers the job through broadcast.Service with 8 workers, a
// sender that does nothing and no rate limit: what is left is the queue's
// own cost, a claim and a completion per delivery.
func (g *growth) drain(t *testing.T) {
	finished := make(chan broadcast.Counts, 1)
	svc := broadcast.NewService(broadcast.Config{Workers: 8, MinIdle: time.Minute, PollInterval: 10 * time.Millisecond, Consumer: "growth"},
		g.s, g.s, noopSender{}, unlimited{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	svc.OnFinished = func(_ context.Context, _ broadcast.Job, c broadcast.Counts) { finished <- c }
	ctx, cancel := context.WithCancel(g.ctx)
	stopped := make(chan struct{})
	start := time.Now()
	go func() { svc.Run(ctx); close(stopped) }()
	var counts broadcast.Counts
	select {
	case counts = <-finished:
	case <-time.After(10 * time.Minute):
		t.Fatal("the job did not finish within 10 minutes")
	}
	took := time.Since(start)
	cancel()
	<-stopped
	if counts.Sent != growthSubscribers || counts.Completed() != growthSubscribers {
		t.Errorf("counts %+v, want %d sent", counts, growthSubscribers)
	}
	if n, err := g.s.client.XLen(g.ctx, g.s.keys.bcDeliveries()).Result(); err != nil || n != 0 {
		t.Errorf("XLEN of the deliveries after the job = %d, %v; want 0", n, err)
	}
	perSecond := float64(growthSubscribers) / took.Seconds()
	floor := time.Duration(growthSubscribers/telegramRate) * time.Second
	g.report(t, "broadcast drained (8 workers, no-op)", growthSubscribers, took)
	g.note(t, "  queue: %.0f claim+complete a second with 8 workers: %v for %d deliveries, against %v at Telegram's %d a second (%.0f times faster); enqueueing took %v",
		perSecond, took.Round(time.Millisecond), growthSubscribers, floor, telegramRate, floor.Seconds()/took.Seconds(), g.enqueued.Round(time.Millisecond))
}

// windowEnd is when the flood window holding t ends.
func windowEnd(t time.Time, window time.Duration) time.Time {
	return time.Unix(0, (t.UnixNano()/int64(window)+1)*int64(window))
}

// noopSender accepts every message at once.
type noopSender struct{}

func (noopSender) Send(context.Context, bot.Reply) (int, error) { return 1, nil }

// unlimited lets every delivery through at once.
type unlimited struct{}

func (unlimited) Wait(context.Context) error { return nil }

// inChunks calls fn for [lo, hi) chunks of [0, n) from workers
// goroutines, and returns the first error.
func inChunks(ctx context.Context, n, chunk, workers int, fn func(lo, hi int) error) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				if err := fn(lo, min(lo+chunk, n)); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n)) // the others stop at their next chunk
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// Ids of today's size: Telegram user ids have ten digits, update ids nine.
func userID(i int) int64 { return 5_000_000_000 + int64(i) }
func chatID(i int) int64 { return userID(i) }
func updateID(i int) int { return 850_000_000 + i }
func mb(n int64) float64 { return float64(n) / (1 << 20) }
func sampleTopic(i int) string {
	topics := []string{"ktp-el-baru", "kartu-keluarga-baru", "akta-kelahiran", "bpjs-kesehatan-daftar", "e-tilang", "bansos"}
	return topics[i%len(topics)]
}

// sampleSession is a citizen's session after a question: a language, the
// entry last answered and, for one in four, the entries offered.
func sampleSession(i int) bot.Session {
	s := bot.Session{Lang: "id", TopicID: sampleTopic(i), UpdatedAt: time.Now().UTC()}
	if i%10 == 0 {
		s.Lang = "en"
	}
	if i%4 == 0 {
		s.Offered = []string{sampleTopic(i + 1), sampleTopic(i + 2), sampleTopic(i + 3)}
	}
	return s
}

// keyspace reads db0's keys and keys with a TTL from INFO keyspace.
func keyspace(t *testing.T, client redis.UniversalClient) (keys, expires int64) {
	t.Helper()
	info, err := client.Info(context.Background(), "keyspace").Result()
	if err != nil {
		t.Fatalf("INFO keyspace: %v", err)
	}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		fields, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "db0:")
		if !ok {
			continue
		}
		for f := range strings.SplitSeq(fields, ",") {
			name, value, _ := strings.Cut(f, "=")
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				continue // avg_ttl and others
			}
			switch name {
			case "keys":
				keys = n
			case "expires":
				expires = n
			}
		}
	}
	return keys, expires
}

// deletePrefix unlinks every key under prefix.
func deletePrefix(t *testing.T, client redis.UniversalClient, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	iter := client.Scan(ctx, 0, prefix+"*", 10_000).Iterator()
	pipe := client.Pipeline()
	for iter.Next(ctx) {
		pipe.Unlink(ctx, iter.Val())
		if pipe.Len() == growthPipeline {
			if _, err := pipe.Exec(ctx); err != nil {
				t.Errorf("delete keys under %q: %v", prefix, err)
				return
			}
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("delete keys under %q: %v", prefix, err)
		return
	}
	if pipe.Len() == 0 {
		return
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Errorf("delete keys under %q: %v", prefix, err)
	}
}
