package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/storetest"
	"github.com/layanan-id/layanan/internal/redistest"
)

// openCluster opens a store on the package's Redis Cluster under a prefix
// of its own. With closeAtEnd the store is closed when the test ends;
// storetest.Run closes its stores itself.
func openCluster(t *testing.T, closeAtEnd bool) *Store {
	t.Helper()
	srv := redistest.StartCluster(t)
	return openClusterAt(t, srv, closeAtEnd)
}

// openClusterAt opens another store on srv, as another replica would.
func openClusterAt(t *testing.T, srv redistest.Server, closeAtEnd bool) *Store {
	t.Helper()
	s, err := Open(t.Context(), srv.URL, Options{Prefix: srv.Prefix})
	if err != nil {
		t.Fatalf("Open(%s): %v", srv.URL, err)
	}
	if _, ok := s.client.(*redis.ClusterClient); !ok {
		s.Close()
		t.Fatalf("Open(%s) made a %T, want a *redis.ClusterClient", srv.URL, s.client)
	}
	if closeAtEnd {
		t.Cleanup(func() {
			if err := s.Close(); err != nil && !errors.Is(err, bot.ErrStoreClosed) {
				t.Errorf("Close: %v", err)
			}
		})
	}
	return s
}

// TestClusterContract runs every contract of the store against a Redis
// Cluster of three masters: a script or MULTI whose keys span slots would
// fail here with CROSSSLOT.
func TestClusterContract(t *testing.T) {
	t.Run("Store", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Store { return openCluster(t, false) })
	})
	t.Run("Subscriptions", func(t *testing.T) {
		storetest.RunSubscriptions(t, func(t *testing.T) bot.SubscriptionStore { return openCluster(t, true) })
	})
	t.Run("Temp", func(t *testing.T) {
		storetest.RunTemp(t, func(t *testing.T) bot.TempStore { return openCluster(t, true) })
	})
	t.Run("Handoff", func(t *testing.T) {
		storetest.RunHandoff(t, func(t *testing.T) bot.HandoffStore { return openCluster(t, true) })
	})
	t.Run("Stats", func(t *testing.T) {
		storetest.RunStats(t, func(t *testing.T) storetest.StatsStore { return openCluster(t, true) })
	})
	t.Run("Queue", func(t *testing.T) {
		storetest.RunQueue(t, func(t *testing.T) broadcast.Queue { return openCluster(t, true) })
	})
	t.Run("Forget", func(t *testing.T) {
		storetest.RunForget(t, func(t *testing.T) storetest.Forgettable { return openCluster(t, true) }, dumpClusterKeys)
	})
}

// dumpClusterKeys is dumpKeys over every master: a SCAN through the
// cluster client reaches one node only.
func dumpClusterKeys(t *testing.T, f storetest.Forgettable) []string {
	t.Helper()
	s := f.(*Store)
	var (
		mu  sync.Mutex
		out []string
	)
	err := s.client.(*redis.ClusterClient).ForEachMaster(t.Context(), func(ctx context.Context, node *redis.Client) error {
		part := dumpKeys(t, New(node, Options{Prefix: s.keys.prefix}))
		mu.Lock()
		out = append(out, part...)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatalf("dump keys on every master: %v", err)
	}
	sort.Strings(out)
	return out
}

// TestClusterSpreadsKeys checks that the tests above really used several
// nodes: sessions, unanswered questions and the hash-tagged groups land on
// more than one master, and each group on one.
func TestClusterSpreadsKeys(t *testing.T) {
	s := openCluster(t, true)
	ctx := t.Context()
	for user := range int64(100) {
		if err := s.SaveSession(ctx, user, bot.Session{Lang: "id"}, time.Minute); err != nil {
			t.Fatalf("SaveSession: %v", err)
		}
	}
	if err := s.Subscribe(ctx, bot.Subscription{ChatID: 1, UserID: 1, Topics: []string{"ktp", "pajak"}, Since: time.Now()}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if _, err := s.RecordFeedback(ctx, bot.Feedback{ChatID: 1, MessageID: 2, UserID: 1, EntryID: "ktp", Helpful: true, At: time.Now()}); err != nil {
		t.Fatalf("RecordFeedback: %v", err)
	}
	if err := s.CreateJob(ctx, broadcast.Job{ID: "j"}); err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	if err := s.Enqueue(ctx, "j", []int64{1}); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}

	client := s.client.(*redis.ClusterClient)
	var (
		mu     sync.Mutex
		counts = map[string]int64{}
	)
	err := client.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		var n int64
		iter := node.Scan(ctx, 0, s.keys.prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			n++
		}
		mu.Lock()
		counts[node.Options().Addr] = n
		mu.Unlock()
		return iter.Err()
	})
	if err != nil {
		t.Fatalf("count keys per master: %v", err)
	}
	used := 0
	for _, n := range counts {
		if n > 0 {
			used++
		}
	}
	if used < 2 {
		t.Errorf("keys per master %v: want keys on at least two masters", counts)
	}
	t.Logf("keys per master: %v", counts)

	for _, group := range [][]string{
		{s.keys.vote(1, 2), s.keys.helpful(), s.keys.userVotes(1)},
		{s.keys.subChats(), s.keys.subAll(), s.keys.subTopic("ktp"), s.keys.subTopic("pajak")},
		{s.keys.bcJob("j"), s.keys.bcJobs(), s.keys.bcDeliveries()},
	} {
		slots := map[int64]bool{}
		for _, key := range group {
			slot, err := client.ClusterKeySlot(ctx, key).Result()
			if err != nil {
				t.Fatalf("CLUSTER KEYSLOT %s: %v", key, err)
			}
			slots[slot] = true
		}
		if len(slots) != 1 {
			t.Errorf("keys %q are in slots %v, want one", group, slots)
		}
	}
}

// TestClusterLimiter paces two replicas' waits together on the cluster:
// 30 events at 20 a second (a second and a half) however they are split.
func TestClusterLimiter(t *testing.T) {
	srv := redistest.StartCluster(t)
	replicas := []*Store{openClusterAt(t, srv, true), openClusterAt(t, srv, true)}
	const (
		perSecond = 20
		events    = 30
	)
	start := time.Now()
	var (
		wg     sync.WaitGroup
		errs   = make(chan error, events)
		stamps = make(chan time.Time, events)
	)
	for i := range events {
		lim := replicas[i%2].Limiter("cluster-test", perSecond)
		wg.Go(func() {
			if err := lim.Wait(t.Context()); err != nil {
				errs <- err
				return
			}
			stamps <- time.Now()
		})
	}
	wg.Wait()
	close(errs)
	close(stamps)
	for err := range errs {
		t.Fatalf("Wait: %v", err)
	}
	// GCRA with a burst of 1 spaces events 1.05 s / 20 apart.
	elapsed := time.Since(start)
	want := time.Duration(events-1) * 1050 * time.Millisecond / perSecond
	if elapsed < want*9/10 {
		t.Errorf("%d events at %d/s took %v, want at least %v", events, perSecond, elapsed, want*9/10)
	}
	var times []time.Time
	for ts := range stamps {
		times = append(times, ts)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	for i := range times {
		j := i
		for j < len(times) && times[j].Sub(times[i]) < time.Second {
			j++
		}
		if j-i > perSecond {
			t.Fatalf("%d events within one second, limit %d", j-i, perSecond)
		}
	}
	t.Logf("%d events at %d/s from two replicas took %v", events, perSecond, elapsed.Round(time.Millisecond))
}

// TestClusterReload publishes reloads from one replica, and from each
// master directly, and sees them all arrive at another replica: classic
// PUBLISH reaches subscribers on every node of a cluster.
func TestClusterReload(t *testing.T) {
	srv := redistest.StartCluster(t)
	publisher, subscriber := openClusterAt(t, srv, true), openClusterAt(t, srv, true)
	ctx, cancel := context.WithCancel(t.Context())
	var (
		received atomic.Int64
		done     = make(chan struct{})
	)
	go func() {
		defer close(done)
		subscriber.SubscribeReload(ctx, func() { received.Add(1) })
	}()
	t.Cleanup(func() { cancel(); <-done })

	// The subscription starts in the background: publish until it is heard.
	waitFor := func(what string, n int64, publish func() error) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for received.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d reloads received, want %d", what, received.Load(), n)
			}
			if err := publish(); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("PublishReload", 1, func() error { return publisher.PublishReload(t.Context()) })
	time.Sleep(200 * time.Millisecond) // let a last publish of the loop arrive before counting

	client := publisher.client.(*redis.ClusterClient)
	var nodes []*redis.Client
	var mu sync.Mutex
	if err := client.ForEachMaster(t.Context(), func(_ context.Context, node *redis.Client) error {
		mu.Lock()
		nodes = append(nodes, node)
		mu.Unlock()
		return nil
	}); err != nil {
		t.Fatalf("list masters: %v", err)
	}
	if len(nodes) != 3 {
		t.Fatalf("%d masters, want 3", len(nodes))
	}
	for _, node := range nodes {
		before := received.Load()
		what := fmt.Sprintf("PUBLISH on %s", node.Options().Addr)
		// Exactly one publish: a reload is delivered once, not once per node.
		if err := node.Publish(t.Context(), srv.Prefix+"reload", "reload").Err(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for received.Load() == before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		if got := received.Load() - before; got != 1 {
			t.Errorf("%s: %d reloads received, want 1", what, got)
		}
	}
}
