// Package store opens what the conversation keeps: Redis when REDIS_URL is
// set (one or several replicas share it), else the embedded bbolt file
// under DATA_DIR (one small server). The backends live in redisstore and
// boltstore and pass one contract test (storetest); the commands open them
// only through Open, so no command imports a database client.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/redis/go-redis/v9"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/bot/store/redisstore"
)

// Store is everything the bot keeps; both backends implement all of it.
type Store interface {
	bot.Store
	bot.SubscriptionStore
	bot.StatsStore
	bot.HandoffStore
	bot.TempStore
	broadcast.Queue
}

var (
	_ Store = (*redisstore.Store)(nil)
	_ Store = (*boltstore.Store)(nil)
)

// Config says which backend to open.
type Config struct {
	RedisURL    string // set: Redis; empty: the embedded file
	RedisPrefix string // Redis key prefix, so several bots can share one Redis
	Path        string // the embedded store's file
	// BroadcastRate is the announcements per second shared by every
	// process that sends them.
	BroadcastRate int
}

// ReloadBus tells every replica to reload the content; only Redis has one.
type ReloadBus interface {
	PublishReload(ctx context.Context) error
	SubscribeReload(ctx context.Context, reload func())
}

// Opened is an open store with what depends on its backend.
type Opened struct {
	Store
	// Limiter paces announcements: shared through Redis, or in-process.
	Limiter broadcast.Limiter
	// Reloads is nil for the embedded store (one process, nothing to tell).
	Reloads ReloadBus
}

// Errors of Open, for the caller's message.
var (
	// ErrBadURL: REDIS_URL cannot be used.
	ErrBadURL = errors.New("store: bad Redis URL")
	// ErrLocked: another process holds the embedded store file (bbolt
	// lets one process open it).
	ErrLocked = errors.New("store: the embedded store file is in use by another process")
)

// Open opens Redis when cfg.RedisURL is set, else the embedded store at
// cfg.Path. An unreachable Redis is not an error: the bot answers without
// session features until it is back (a warning is logged). It returns
// errors wrapping ErrBadURL or ErrLocked, or the file's own error.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Opened, error) {
	if cfg.RedisURL != "" {
		// go-redis prints connection-pool trouble on its own; send it to
		// our logger at debug level (the store errors are logged, throttled,
		// where they matter).
		redis.SetLogger(redisLogger{log})
		s, err := redisstore.Dial(cfg.RedisURL, redisstore.Options{Prefix: cfg.RedisPrefix})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
		}
		if err := s.Ping(ctx); err != nil {
			log.Warn("redis not reachable at start; answering without session features until it is", "err", err)
		}
		return &Opened{Store: s, Limiter: s.Limiter("broadcast", cfg.BroadcastRate), Reloads: s}, nil
	}
	s, err := boltstore.Open(cfg.Path)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", filepath.Clean(cfg.Path), ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.Path, err)
	}
	return &Opened{Store: s, Limiter: broadcast.LocalLimiter(float64(cfg.BroadcastRate))}, nil
}

// redisLogger adapts go-redis's logging to slog at debug level.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis client", "msg", fmt.Sprintf(format, v...))
}
