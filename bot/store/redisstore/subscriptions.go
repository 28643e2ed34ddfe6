package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
)

var _ bot.SubscriptionStore = (*Store)(nil)

const (
	// subscriberBatch is the most chat ids Subscribers passes to fn at once.
	subscriberBatch = 1000
	// subscribeAttempts bounds the retries of a subscription write that
	// lost a race with another write to the same chat.
	subscribeAttempts = 50
)

// replaceSubscription replaces (or removes) a chat's subscription and moves
// the chat between the topic sets, provided the subscription is still the
// one the caller read: the caller names the old topics' sets in KEYS, so
// every key the script touches is declared, as Redis Cluster wants.
//
// KEYS[1]: the hash of subscriptions; KEYS[2]: the set of all chats;
// KEYS[3]: the set of chats following no topic; KEYS[4..3+n]: the sets of
// the old topics; the rest: the sets of the new topics.
// ARGV[1]: the chat id; ARGV[2]: the subscription read ("" for none);
// ARGV[3]: the new subscription ("" to remove it); ARGV[4]: n.
//
// It returns -1 when the subscription changed since it was read, 0 when
// there was none to remove, 1 otherwise.
var replaceSubscription = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if (cur or '') ~= ARGV[2] then
	return -1
end
local nold = tonumber(ARGV[4])
if cur then
	redis.call('SREM', KEYS[3], ARGV[1])
	for i = 4, 3 + nold do
		redis.call('SREM', KEYS[i], ARGV[1])
	end
end
if ARGV[3] == '' then
	if not cur then
		return 0
	end
	redis.call('HDEL', KEYS[1], ARGV[1])
	redis.call('SREM', KEYS[2], ARGV[1])
	return 1
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
if #KEYS == 3 + nold then
	redis.call('SADD', KEYS[3], ARGV[1])
else
	for i = 4 + nold, #KEYS do
		redis.call('SADD', KEYS[i], ARGV[1])
	end
end
return 1
`)

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
	if _, err := s.writeSubscription(ctx, sub.ChatID, string(data), bot.TopicSet(sub.Topics)); err != nil {
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
	existed, err := s.writeSubscription(ctx, chatID, "", nil)
	if err != nil {
		return false, fail(op, err)
	}
	return existed, nil
}

// writeSubscription reads the chat's subscription, then replaces it with
// data ("" removes it) unless it changed in between, in which case it
// tries again. existed reports whether there was a subscription.
func (s *Store) writeSubscription(ctx context.Context, chatID int64, data string, topics []string) (existed bool, err error) {
	chat := strconv.FormatInt(chatID, 10)
	for range subscribeAttempts {
		old, found, err := s.subscription(ctx, chatID)
		if err != nil {
			return false, err
		}
		var oldData string
		var oldTopics []string
		if found {
			oldData, oldTopics = old.raw, bot.TopicSet(old.sub.Topics)
		}
		keys := []string{s.keys.subChats(), s.keys.subAll(), s.keys.subNoTopic()}
		for _, t := range oldTopics {
			keys = append(keys, s.keys.subTopic(t))
		}
		for _, t := range topics {
			keys = append(keys, s.keys.subTopic(t))
		}
		n, err := replaceSubscription.Run(ctx, s.client, keys, chat, oldData, data, len(oldTopics)).Int()
		if err != nil {
			return false, err
		}
		if n >= 0 {
			return n == 1, nil
		}
	}
	return false, fmt.Errorf("chat %d: changed by others %d times while being written", chatID, subscribeAttempts)
}

// storedSubscription is a subscription and the JSON it was read from.
type storedSubscription struct {
	sub bot.Subscription
	raw string
}

// subscription reads the chat's subscription.
func (s *Store) subscription(ctx context.Context, chatID int64) (storedSubscription, bool, error) {
	raw, err := s.client.HGet(ctx, s.keys.subChats(), strconv.FormatInt(chatID, 10)).Result()
	if errors.Is(err, redis.Nil) {
		return storedSubscription{}, false, nil
	}
	if err != nil {
		return storedSubscription{}, false, err
	}
	var sub bot.Subscription
	if err := json.Unmarshal([]byte(raw), &sub); err != nil {
		return storedSubscription{}, false, fmt.Errorf("decode chat %d: %w", chatID, err)
	}
	return storedSubscription{sub: sub, raw: raw}, true, nil
}

// Subscription returns the chat's subscription.
func (s *Store) Subscription(ctx context.Context, chatID int64) (bot.Subscription, bool, error) {
	const op = "subscription"
	if s.closed.Load() {
		return bot.Subscription{}, false, fail(op, bot.ErrStoreClosed)
	}
	stored, found, err := s.subscription(ctx, chatID)
	if err != nil {
		return bot.Subscription{}, false, fail(op, err)
	}
	return stored.sub, found, nil
}

// Subscribers calls fn with batches of at most 1,000 chat ids that receive
// an announcement on topic, each chat once, and returns fn's first error
// as it is. The sets are read with SSCAN, so subscriptions written while
// it runs may or may not be seen; a chat present throughout is seen.
func (s *Store) Subscribers(ctx context.Context, topic string, fn func(chatIDs []int64) error) error {
	const op = "subscribers"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	sets := []string{s.keys.subAll()}
	if topic != "" {
		// Disjoint, but a chat may move from one to the other during the
		// scan, and SSCAN itself may repeat a member: seen keeps each once.
		sets = []string{s.keys.subNoTopic(), s.keys.subTopic(topic)}
	}
	seen := make(map[int64]struct{})
	batch := make([]int64, 0, subscriberBatch)
	for _, set := range sets {
		var cursor uint64
		for {
			members, next, err := s.client.SScan(ctx, set, cursor, "", subscriberBatch).Result()
			if err != nil {
				return fail(op, err)
			}
			for _, m := range members {
				id, err := strconv.ParseInt(m, 10, 64)
				if err != nil {
					return fail(op, fmt.Errorf("member %q of %s: %w", m, set, err))
				}
				if _, dup := seen[id]; dup {
					continue
				}
				seen[id] = struct{}{}
				batch = append(batch, id)
				if len(batch) == subscriberBatch {
					if err := fn(batch); err != nil {
						return err
					}
					batch = make([]int64, 0, subscriberBatch)
				}
			}
			if next == 0 {
				break
			}
			cursor = next
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// CountSubscribers counts the chats that receive an announcement on topic.
func (s *Store) CountSubscribers(ctx context.Context, topic string) (int, error) {
	const op = "count subscribers"
	if s.closed.Load() {
		return 0, fail(op, bot.ErrStoreClosed)
	}
	if topic == "" {
		n, err := s.client.SCard(ctx, s.keys.subAll()).Result()
		if err != nil {
			return 0, fail(op, err)
		}
		return int(n), nil
	}
	// One MULTI, so that a chat moving between the sets is counted once.
	pipe := s.client.TxPipeline()
	noTopic := pipe.SCard(ctx, s.keys.subNoTopic())
	onTopic := pipe.SCard(ctx, s.keys.subTopic(topic))
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fail(op, err)
	}
	return int(noTopic.Val() + onTopic.Val()), nil
}
