package redisstore

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
)

// forgetVotes deletes a user's votes and takes them out of the counts.
// Every key involved carries the {fb} hash tag, so one node runs it.
//
// KEYS[1]: the user's set of vote keys; KEYS[2], KEYS[3]: the helpful and
// not-helpful counts.
var forgetVotes = redis.NewScript(`
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
	local raw = redis.call('GET', key)
	if raw then
		local v = cjson.decode(raw)
		local counts = KEYS[3]
		if v.helpful then counts = KEYS[2] end
		if redis.call('HINCRBY', counts, v.entry, -1) <= 0 then
			redis.call('HDEL', counts, v.entry)
		end
		redis.call('DEL', key)
	end
end
redis.call('DEL', KEYS[1])
return 1
`)

// ForgetUser implements bot.Store.
func (s *Store) ForgetUser(ctx context.Context, userID int64) error {
	const op = "forget user"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if err := s.client.Del(ctx, s.keys.session(userID)).Err(); err != nil {
		return fail(op, err)
	}
	if _, err := s.Unsubscribe(ctx, userID); err != nil {
		return fail(op, err)
	}
	if err := s.forgetTickets(ctx, userID); err != nil {
		return fail(op, err)
	}
	if err := forgetVotes.Run(ctx, s.client, []string{s.keys.userVotes(userID), s.keys.helpful(), s.keys.notHelpful()}).Err(); err != nil {
		return fail(op, err)
	}
	// The questions they asked: the log holds at most its cap (10,000 by
	// default), read in pages.
	key, who, start := s.keys.unanswered(), strconv.FormatInt(userID, 10), "-"
	for {
		msgs, err := s.client.XRangeN(ctx, key, start, "+", listPage).Result()
		if err != nil {
			return fail(op, err)
		}
		var ids []string
		for _, m := range msgs {
			if u, _ := m.Values["user"].(string); u == who {
				ids = append(ids, m.ID)
			}
		}
		if len(ids) > 0 {
			if err := s.client.XDel(ctx, key, ids...).Err(); err != nil {
				return fail(op, err)
			}
		}
		if len(msgs) < listPage {
			break
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
	return nil
}
