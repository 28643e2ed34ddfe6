package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// Limiter paces broadcasts across every replica sharing this Redis: one
// GCRA limit (github.com/go-redis/redis_rate) on one key.
type Limiter struct {
	limiter *redis_rate.Limiter
	key     string
	limit   redis_rate.Limit
}

// Limiter returns a limiter allowing perSecond events a second in total,
// whichever replica asks. It satisfies broadcast.Limiter.
func (s *Store) Limiter(name string, perSecond int) *Limiter {
	return &Limiter{
		limiter: redis_rate.NewLimiter(s.client),
		key:     s.keys.prefix + "rate:" + name,
		// perSecond per 1.05 s: a margin so that network jitter never puts
		// more than perSecond messages in any one-second window.
		limit: redis_rate.Limit{Rate: perSecond, Burst: 1, Period: 1050 * time.Millisecond},
	}
}

// Wait blocks until one event is allowed or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		res, err := l.limiter.Allow(ctx, l.key, l.limit)
		if err != nil {
			return fmt.Errorf("redisstore: rate limit: %w", err)
		}
		if res.Allowed > 0 {
			return nil
		}
		t := time.NewTimer(res.RetryAfter)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
