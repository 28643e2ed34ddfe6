package broadcast_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/redisstore"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/fakebotapi"
	"github.com/layanan-id/layanan/internal/redistest"
)

// counter counts a replica's deliveries.
type counter struct{ n atomic.Int64 }

func (c *counter) Delivered(broadcast.Result) { c.n.Add(1) }

// TestBroadcastOnCluster delivers one announcement to 500 subscribers
// through two replicas sharing a Redis Cluster of three masters: every
// chat gets it exactly once and the shared rate holds.
func TestBroadcastOnCluster(t *testing.T) {
	const n = 500
	srv := redistest.StartCluster(t)
	open := func() *redisstore.Store {
		s, err := redisstore.Open(context.Background(), srv.URL, redisstore.Options{Prefix: srv.Prefix})
		if err != nil {
			t.Fatalf("Open(%s): %v", srv.URL, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	subscribe(t, a, n)
	api := fakebotapi.New(t)
	var countA, countB counter
	replica := func(s *redisstore.Store, consumer string, c *counter) *broadcast.Service {
		client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 10 * time.Second}, quiet())
		if err != nil {
			t.Fatal(err)
		}
		return broadcast.NewService(broadcast.Config{Workers: 8, Rate: rate, MinIdle: time.Minute, PollInterval: 50 * time.Millisecond, Consumer: consumer},
			s, s, client, s.Limiter("broadcast", rate), quiet(), c)
	}
	first, second := replica(a, "a", &countA), replica(b, "b", &countB)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go first.Run(ctx)
	go second.Run(ctx)

	job, err := first.StartBroadcast(context.Background(), "<b>Pengumuman</b> uji klaster", "", 42)
	if err != nil {
		t.Fatal(err)
	}
	st := waitState(t, second, job.ID, broadcast.StateDone)
	if st.Sent != n || st.Total != n || st.Failed+st.Blocked+st.Skipped != 0 {
		t.Errorf("status %+v, want all %d sent", st, n)
	}
	got := deliveries(api)
	for id := int64(1); id <= n; id++ {
		if got[id] != 1 {
			t.Fatalf("chat %d got %d messages, want 1", id, got[id])
		}
	}
	if len(got) != n {
		t.Errorf("%d chats reached, want %d", len(got), n)
	}
	if most := maxPerSecond(api); most > rate {
		t.Errorf("%d messages in one second, limit %d", most, rate)
	}
	if countA.n.Load() == 0 || countB.n.Load() == 0 {
		t.Errorf("deliveries per replica: a %d, b %d; want both to share the work", countA.n.Load(), countB.n.Load())
	}
	t.Logf("deliveries per replica: a %d, b %d", countA.n.Load(), countB.n.Load())
}
