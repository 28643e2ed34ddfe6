package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
)

var _ bot.TempStore = (*Store)(nil)

// Temporary values are plain keys temp:<name> that expire with PX.
func (k keys) temp(name string) string { return k.prefix + "temp:" + name }

func (s *Store) checkTemp(op, name string, ttl time.Duration) error {
	switch {
	case s.closed.Load():
		return fail(op, bot.ErrStoreClosed)
	case ttl <= 0:
		return fail(op, fmt.Errorf("ttl %v is not positive", ttl))
	case name == "":
		return fail(op, errors.New("empty name"))
	}
	return nil
}

// PutTemp implements bot.TempStore.
func (s *Store) PutTemp(ctx context.Context, name string, value []byte, ttl time.Duration) error {
	const op = "put temp"
	if err := s.checkTemp(op, name, ttl); err != nil {
		return err
	}
	if err := s.client.Set(ctx, s.keys.temp(name), value, ttl).Err(); err != nil {
		return fail(op, err)
	}
	return nil
}

// AddTemp implements bot.TempStore.
func (s *Store) AddTemp(ctx context.Context, name string, value []byte, ttl time.Duration) (bool, error) {
	const op = "add temp"
	if err := s.checkTemp(op, name, ttl); err != nil {
		return false, err
	}
	err := s.client.SetArgs(ctx, s.keys.temp(name), value, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fail(op, err)
	}
	return true, nil
}

// Temp implements bot.TempStore.
func (s *Store) Temp(ctx context.Context, name string) ([]byte, bool, error) {
	const op = "temp"
	if s.closed.Load() {
		return nil, false, fail(op, bot.ErrStoreClosed)
	}
	if name == "" {
		return nil, false, nil
	}
	v, err := s.client.Get(ctx, s.keys.temp(name)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fail(op, err)
	}
	return v, true, nil
}

// DeleteTemp implements bot.TempStore.
func (s *Store) DeleteTemp(ctx context.Context, name string) error {
	const op = "delete temp"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if name == "" {
		return nil
	}
	if err := s.client.Del(ctx, s.keys.temp(name)).Err(); err != nil {
		return fail(op, err)
	}
	return nil
}
