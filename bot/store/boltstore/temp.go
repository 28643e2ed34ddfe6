package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot"
)

var _ bot.TempStore = (*Store)(nil)

// Temporary values live in the temp bucket as the expiry (itob of Unix
// nanoseconds) followed by the value; the sweep removes expired ones.

func (s *Store) putTemp(op, name string, value []byte, ttl time.Duration, onlyNew bool) (bool, error) {
	if ttl <= 0 {
		return false, fail(op, fmt.Errorf("ttl %v is not positive", ttl))
	}
	if name == "" {
		return false, fail(op, fmt.Errorf("empty name"))
	}
	var added bool
	err := s.update(op, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketTemp)
		now := s.now()
		if old := b.Get([]byte(name)); onlyNew && len(old) >= 8 && !expired(old, now) {
			return nil
		}
		added = true
		return b.Put([]byte(name), append(itob(now.Add(ttl).UnixNano()), value...))
	})
	return added, err
}

// PutTemp implements bot.TempStore.
func (s *Store) PutTemp(ctx context.Context, name string, value []byte, ttl time.Duration) error {
	_, err := s.putTemp("put temp", name, value, ttl, false)
	return err
}

// AddTemp implements bot.TempStore.
func (s *Store) AddTemp(ctx context.Context, name string, value []byte, ttl time.Duration) (bool, error) {
	return s.putTemp("add temp", name, value, ttl, true)
}

// Temp implements bot.TempStore.
func (s *Store) Temp(ctx context.Context, name string) ([]byte, bool, error) {
	var value []byte
	err := s.view("temp", func(tx *bbolt.Tx) error {
		if name == "" {
			return nil
		}
		v := tx.Bucket(bucketTemp).Get([]byte(name))
		if len(v) >= 8 && !expired(v, s.now()) {
			value = bytes.Clone(v[8:])
		}
		return nil
	})
	return value, value != nil, err
}

// DeleteTemp implements bot.TempStore.
func (s *Store) DeleteTemp(ctx context.Context, name string) error {
	return s.update("delete temp", func(tx *bbolt.Tx) error {
		if name == "" {
			return nil
		}
		return tx.Bucket(bucketTemp).Delete([]byte(name))
	})
}
