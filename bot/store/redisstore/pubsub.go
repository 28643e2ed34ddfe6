package redisstore

import (
	"context"
	"fmt"
)

// PublishReload tells every other replica sharing this Redis to reload
// content (the message carries this store's instance id, which its own
// SubscribeReload skips: the replica that publishes has reloaded already).
func (s *Store) PublishReload(ctx context.Context) error {
	if err := s.client.Publish(ctx, s.keys.prefix+"reload", s.instance).Err(); err != nil {
		return fmt.Errorf("redisstore: publish reload: %w", err)
	}
	return nil
}

// SubscribeReload calls fn for every reload published by any replica until
// ctx ends. go-redis resubscribes by itself after a lost connection.
func (s *Store) SubscribeReload(ctx context.Context, fn func()) {
	sub := s.client.Subscribe(ctx, s.keys.prefix+"reload")
	defer sub.Close()
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			if msg.Payload != s.instance {
				fn()
			}
		}
	}
}
