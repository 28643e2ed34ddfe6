package redisstore

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Dial is Open without the PING: it fails only on a URL it cannot use, so
// a bot can start while Redis is down and use it once it is back (go-redis
// connects on demand).
func Dial(rawURL string, opts Options) (*Store, error) {
	uopts, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %w", err)
	}
	s := New(redis.NewUniversalClient(uopts), opts)
	s.ownsClient = true
	return s, nil
}
