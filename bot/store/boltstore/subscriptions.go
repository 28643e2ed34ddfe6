package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot"
)

var _ bot.SubscriptionStore = (*Store)(nil)

// subscriberBatch is the most chat ids Subscribers passes to fn at once;
// it is also the page read in one transaction.
const subscriberBatch = 1000

// Keys of the subscription_index and subscription_counts buckets. A chat
// in the index is listed once under noTopicMark or once per topic it
// follows, as mark + topic + 0 + chat id. The counts bucket counts each
// index prefix, and allMark counts every subscription.
const (
	noTopicMark = 'n'
	topicMark   = 't'
	allMark     = 'a'
)

// Subscribe inserts or replaces the chat's subscription.
func (s *Store) Subscribe(ctx context.Context, sub bot.Subscription) error {
	const op = "subscribe"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	data, err := json.Marshal(sub)
	if err != nil {
		return fail(op, err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		if _, err := removeSubscription(tx, sub.ChatID); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubscriptions).Put(itob(sub.ChatID), data); err != nil {
			return err
		}
		return indexSubscription(tx, sub.ChatID, bot.TopicSet(sub.Topics), 1)
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// Unsubscribe removes the chat's subscription; existed is false when there
// was none.
func (s *Store) Unsubscribe(ctx context.Context, chatID int64) (bool, error) {
	const op = "unsubscribe"
	if s.closed.Load() {
		return false, fail(op, bot.ErrStoreClosed)
	}
	var existed bool
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		existed, err = removeSubscription(tx, chatID)
		return err
	})
	if err != nil {
		return false, fail(op, err)
	}
	return existed, nil
}

// removeSubscription removes the chat's subscription and its index
// entries, if any.
func removeSubscription(tx *bbolt.Tx, chatID int64) (bool, error) {
	subs := tx.Bucket(bucketSubscriptions)
	v := subs.Get(itob(chatID))
	if v == nil {
		return false, nil
	}
	var old bot.Subscription
	if err := json.Unmarshal(v, &old); err != nil {
		return false, fmt.Errorf("decode chat %d: %w", chatID, err)
	}
	if err := indexSubscription(tx, chatID, bot.TopicSet(old.Topics), -1); err != nil {
		return false, err
	}
	return true, subs.Delete(itob(chatID))
}

// indexSubscription adds (delta 1) or removes (delta -1) the chat's index
// entries and counts.
func indexSubscription(tx *bbolt.Tx, chatID int64, topics []string, delta int64) error {
	index, counts := tx.Bucket(bucketSubscriptionIndex), tx.Bucket(bucketSubscriptionCounts)
	prefixes := [][]byte{{noTopicMark}}
	if len(topics) > 0 {
		prefixes = prefixes[:0]
		for _, t := range topics {
			prefixes = append(prefixes, topicPrefix(t))
		}
	}
	for _, p := range append(prefixes, []byte{allMark}) {
		if err := addCount(counts, p, delta); err != nil {
			return err
		}
		if p[0] == allMark {
			continue
		}
		key := append(bytes.Clone(p), itob(chatID)...)
		var err error
		if delta > 0 {
			err = index.Put(key, []byte{})
		} else {
			err = index.Delete(key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Subscription returns the chat's subscription.
func (s *Store) Subscription(ctx context.Context, chatID int64) (bot.Subscription, bool, error) {
	const op = "subscription"
	if s.closed.Load() {
		return bot.Subscription{}, false, fail(op, bot.ErrStoreClosed)
	}
	var (
		sub   bot.Subscription
		found bool
	)
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketSubscriptions).Get(itob(chatID))
		if v == nil {
			return nil
		}
		found = true
		if err := json.Unmarshal(v, &sub); err != nil {
			return fmt.Errorf("decode chat %d: %w", chatID, err)
		}
		return nil
	})
	if err != nil {
		return bot.Subscription{}, false, fail(op, err)
	}
	return sub, found, nil
}

// Subscribers calls fn with batches of at most 1,000 chat ids that receive
// an announcement on topic, each chat once, and returns fn's first error
// as it is. Each batch is read in a transaction of its own, closed before
// fn runs (fn may write to this store), so subscriptions written while it
// runs may or may not be seen; a chat subscribed throughout is seen.
func (s *Store) Subscribers(ctx context.Context, topic string, fn func(chatIDs []int64) error) error {
	const op = "subscribers"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	type section struct {
		bucket []byte
		prefix []byte
	}
	sections := []section{{bucketSubscriptions, nil}}
	if topic != "" {
		sections = []section{
			{bucketSubscriptionIndex, []byte{noTopicMark}},
			{bucketSubscriptionIndex, topicPrefix(topic)},
		}
	}
	// A chat can move from one section to the other between two pages.
	var seen map[int64]struct{}
	if len(sections) > 1 {
		seen = make(map[int64]struct{})
	}
	for _, sec := range sections {
		after := sec.prefix // the last key read; the section starts after its prefix
		for {
			if err := ctx.Err(); err != nil {
				return fail(op, err)
			}
			var batch []int64
			err := s.db.View(func(tx *bbolt.Tx) error {
				c := tx.Bucket(sec.bucket).Cursor()
				k, _ := c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, _ = c.Next()
				}
				for ; k != nil && len(batch) < subscriberBatch && bytes.HasPrefix(k, sec.prefix); k, _ = c.Next() {
					after = bytes.Clone(k)
					if len(k) != len(sec.prefix)+8 {
						continue // a longer topic that starts with this one's bytes
					}
					id := btoi(k[len(sec.prefix):])
					if seen != nil {
						if _, dup := seen[id]; dup {
							continue
						}
						seen[id] = struct{}{}
					}
					batch = append(batch, id)
				}
				return nil
			})
			if err != nil {
				return fail(op, err)
			}
			if len(batch) == 0 {
				break
			}
			if err := fn(batch); err != nil {
				return err
			}
		}
	}
	return nil
}

// CountSubscribers counts the chats that receive an announcement on topic.
func (s *Store) CountSubscribers(ctx context.Context, topic string) (int, error) {
	const op = "count subscribers"
	if s.closed.Load() {
		return 0, fail(op, bot.ErrStoreClosed)
	}
	var n int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		counts := tx.Bucket(bucketSubscriptionCounts)
		if topic == "" {
			n = count(counts, []byte{allMark})
			return nil
		}
		n = count(counts, []byte{noTopicMark}) + count(counts, topicPrefix(topic))
		return nil
	})
	if err != nil {
		return 0, fail(op, err)
	}
	return int(n), nil
}

// topicPrefix is the index prefix of a topic's followers. The 0 byte ends
// the topic; a topic containing one is told apart by the key's length.
func topicPrefix(topic string) []byte {
	p := append([]byte{topicMark}, topic...)
	return append(p, 0)
}

// count reads an 8-byte counter; a missing one is 0.
func count(b *bbolt.Bucket, key []byte) int64 {
	if v := b.Get(key); len(v) == 8 {
		return btoi(v)
	}
	return 0
}

// addCount adds delta to a counter, deleting it at 0.
func addCount(b *bbolt.Bucket, key []byte, delta int64) error {
	n := count(b, key) + delta
	if n == 0 {
		return b.Delete(key)
	}
	return b.Put(key, itob(n))
}
