package redisstore

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
)

// TestMemoryHundredThousand subscribes 100,000 chats, enqueues them into
// one job and logs what Redis holds for them; go test -v shows the
// figures. It is not timed, and skipped with -short.
func TestMemoryHundredThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 subscribers take seconds; skipped with -short")
	}
	const n = 100_000
	s := openStore(t)
	ctx := t.Context()

	before := usedMemory(t, s.client)
	start := time.Now()
	chats := make(chan int64)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range 16 {
		wg.Go(func() {
			for chat := range chats {
				sub := bot.Subscription{ChatID: chat, UserID: chat, Lang: "id", Since: time.Now()}
				switch chat % 4 { // half follow everything, half one or two topics
				case 1:
					sub.Topics = []string{"ktp"}
				case 3:
					sub.Topics = []string{"ktp", "pajak"}
				}
				if err := s.Subscribe(ctx, sub); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	for i := range int64(n) {
		chats <- 5_000_000_000 + i // user ids of today's size
	}
	close(chats)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("Subscribe: %v (and %d more)", errs[0], len(errs)-1)
	}
	subscribed := time.Since(start)
	afterSubs := usedMemory(t, s.client)

	start = time.Now()
	if err := s.CreateJob(ctx, broadcast.Job{ID: "all", Text: "<b>Pengumuman</b> untuk semua"}); err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	total := 0
	err := s.Subscribers(ctx, "", func(ids []int64) error {
		total += len(ids)
		return s.Enqueue(ctx, "all", ids)
	})
	if err != nil {
		t.Fatalf("Subscribers: %v", err)
	}
	if err := s.StartJob(ctx, "all", total); err != nil {
		t.Fatalf("StartJob: %v", err)
	}
	enqueued := time.Since(start)
	afterQueue := usedMemory(t, s.client)
	if total != n {
		t.Errorf("enqueued %d deliveries, want %d", total, n)
	}
	if c, err := s.CountSubscribers(ctx, "pajak"); err != nil || c != n*3/4 {
		t.Errorf("CountSubscribers(pajak) = %d, %v; want %d", c, err, n*3/4)
	}

	const mb = 1 << 20
	t.Logf("%d subscriptions written in %v, %d deliveries enqueued in %v", n, subscribed.Round(time.Millisecond), total, enqueued.Round(time.Millisecond))
	t.Logf("used_memory: %.1f MB before, %.1f MB with the subscriptions (+%.1f MB, %d bytes each), %.1f MB with the job (+%.1f MB, %d bytes a delivery)",
		float64(before)/mb, float64(afterSubs)/mb, float64(afterSubs-before)/mb, (afterSubs-before)/n,
		float64(afterQueue)/mb, float64(afterQueue-afterSubs)/mb, (afterQueue-afterSubs)/n)
	for _, key := range []string{s.keys.subChats(), s.keys.subAll(), s.keys.subNoTopic(), s.keys.subTopic("ktp"), s.keys.subTopic("pajak"), s.keys.bcDeliveries()} {
		bytes, err := s.client.MemoryUsage(ctx, key, 0).Result()
		if err != nil {
			t.Fatalf("MEMORY USAGE %s: %v", key, err)
		}
		t.Logf("MEMORY USAGE %-32s %6.1f MB", strings.TrimPrefix(key, s.keys.prefix), float64(bytes)/mb)
	}
}

// usedMemory reads used_memory from INFO memory.
func usedMemory(t *testing.T, client redis.UniversalClient) int64 {
	t.Helper()
	info, err := client.Info(context.Background(), "memory").Result()
	if err != nil {
		t.Fatalf("INFO memory: %v", err)
	}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO memory: used_memory %q: %v", v, err)
			}
			return n
		}
	}
	t.Fatalf("INFO memory has no used_memory: %q", info)
	return 0
}
