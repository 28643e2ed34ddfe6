package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
)

var _ bot.HandoffStore = (*Store)(nil)

// Tickets are few and each changes rarely, so every write is an optimistic
// transaction (WATCH, read, MULTI/EXEC, again when another writer came
// first) over keys that share the hash tag {ho}, and the logic stays in Go:
//
//	{ho}:seq      the last ticket number
//	{ho}:tickets  a hash of number → ticket as JSON, with its linked messages
//	{ho}:open     a sorted set of the open tickets' numbers
//	{ho}:closed   a sorted set of closed tickets by closing time (ms), so
//	              that those past bot.TicketRetention are deleted
//	{ho}:links    a hash of staff-group message id → ticket number
//	{ho}:stats    a hash of counts (opened, closed, replies, reply_ms,
//	              rated, rating_total)
func (k keys) hoSeq() string     { return k.prefix + "{ho}:seq" }
func (k keys) hoTickets() string { return k.prefix + "{ho}:tickets" }
func (k keys) hoOpen() string    { return k.prefix + "{ho}:open" }
func (k keys) hoClosed() string  { return k.prefix + "{ho}:closed" }
func (k keys) hoLinks() string   { return k.prefix + "{ho}:links" }
func (k keys) hoStats() string   { return k.prefix + "{ho}:stats" }

// ticketRecord is a ticket as stored.
type ticketRecord = bot.TicketRecord

// txAttempts bounds the retries of a ticket write that lost a race.
const txAttempts = 50

var errNoTicket = errors.New("no such ticket")

// ticketTx runs fn in an optimistic transaction watching the keys fn
// reads (the tickets hash unless told otherwise); a transaction that lost
// a race waits a short random while and runs again.
func (s *Store) ticketTx(ctx context.Context, op string, fn func(tx *redis.Tx) error, watch ...string) error {
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if len(watch) == 0 {
		watch = []string{s.keys.hoTickets()}
	}
	for attempt := range txAttempts {
		err := s.client.Watch(ctx, fn, watch...)
		if errors.Is(err, redis.TxFailedErr) {
			select {
			case <-time.After(time.Duration(rand.Int64N(int64(attempt+1) * int64(time.Millisecond)))):
			case <-ctx.Done():
				return fail(op, ctx.Err())
			}
			continue
		}
		if err != nil {
			return fail(op, err)
		}
		return nil
	}
	return fail(op, fmt.Errorf("gave up after %d conflicting writes", txAttempts))
}

// readTicket reads one ticket with c (a client or a watching transaction).
func (s *Store) readTicket(ctx context.Context, c redis.Cmdable, number int64) (ticketRecord, bool, error) {
	var rec ticketRecord
	raw, err := c.HGet(ctx, s.keys.hoTickets(), strconv.FormatInt(number, 10)).Result()
	if errors.Is(err, redis.Nil) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, err
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return rec, false, fmt.Errorf("decode ticket %d: %w", number, err)
	}
	return rec, true, nil
}

// openTickets reads every open ticket, oldest first.
func (s *Store) openTickets(ctx context.Context, c redis.Cmdable) ([]ticketRecord, error) {
	numbers, err := c.ZRange(ctx, s.keys.hoOpen(), 0, -1).Result()
	if err != nil || len(numbers) == 0 {
		return nil, err
	}
	raws, err := c.HMGet(ctx, s.keys.hoTickets(), numbers...).Result()
	if err != nil {
		return nil, err
	}
	out := make([]ticketRecord, 0, len(raws))
	for i, raw := range raws {
		str, ok := raw.(string)
		if !ok {
			continue
		}
		var rec ticketRecord
		if err := json.Unmarshal([]byte(str), &rec); err != nil {
			return nil, fmt.Errorf("decode ticket %s: %w", numbers[i], err)
		}
		out = append(out, rec)
	}
	return out, nil
}

func (s *Store) openTicketOf(ctx context.Context, c redis.Cmdable, userID int64) (ticketRecord, bool, error) {
	open, err := s.openTickets(ctx, c)
	if err != nil {
		return ticketRecord{}, false, err
	}
	for _, rec := range open {
		if rec.UserID == userID {
			return rec, true, nil
		}
	}
	return ticketRecord{}, false, nil
}

func (s *Store) putTicket(ctx context.Context, p redis.Pipeliner, rec ticketRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	p.HSet(ctx, s.keys.hoTickets(), strconv.FormatInt(rec.Number, 10), data)
	return nil
}

// deleteTickets queues the deletion of tickets and their links.
func (s *Store) deleteTickets(ctx context.Context, p redis.Pipeliner, recs []ticketRecord) {
	for _, rec := range recs {
		n := strconv.FormatInt(rec.Number, 10)
		for _, msg := range rec.Links {
			p.HDel(ctx, s.keys.hoLinks(), strconv.Itoa(msg))
		}
		p.HDel(ctx, s.keys.hoTickets(), n)
		p.ZRem(ctx, s.keys.hoOpen(), n)
		p.ZRem(ctx, s.keys.hoClosed(), n)
	}
}

// expiredTickets reads the tickets closed before cutoff.
func (s *Store) expiredTickets(ctx context.Context, c redis.Cmdable, cutoff time.Time) ([]ticketRecord, error) {
	numbers, err := c.ZRangeByScore(ctx, s.keys.hoClosed(), &redis.ZRangeBy{Min: "-inf", Max: "(" + strconv.FormatInt(cutoff.UnixMilli(), 10)}).Result()
	if err != nil {
		return nil, err
	}
	var out []ticketRecord
	for _, str := range numbers {
		n, _ := strconv.ParseInt(str, 10, 64)
		rec, _, err := s.readTicket(ctx, c, n)
		if err != nil {
			return nil, err
		}
		rec.Number = n // a ticket already gone still leaves the sorted set
		out = append(out, rec)
	}
	return out, nil
}

// OpenTicket implements bot.HandoffStore. It also deletes the tickets
// closed longer than bot.TicketRetention ago.
func (s *Store) OpenTicket(ctx context.Context, t bot.Ticket) (bot.Ticket, bool, error) {
	var opened bool
	err := s.ticketTx(ctx, "open ticket", func(tx *redis.Tx) error {
		opened = false
		rec, found, err := s.openTicketOf(ctx, tx, t.UserID)
		if err != nil {
			return err
		}
		if found {
			t = rec.Ticket
			return nil
		}
		seq, err := tx.Get(ctx, s.keys.hoSeq()).Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		expired, err := s.expiredTickets(ctx, tx, t.OpenedAt.Add(-bot.TicketRetention))
		if err != nil {
			return err
		}
		t = bot.NewTicket(t, seq+1)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			s.deleteTickets(ctx, p, expired)
			p.Set(ctx, s.keys.hoSeq(), t.Number, 0)
			if err := s.putTicket(ctx, p, ticketRecord{Ticket: t}); err != nil {
				return err
			}
			p.ZAdd(ctx, s.keys.hoOpen(), redis.Z{Score: float64(t.Number), Member: t.Number})
			p.HIncrBy(ctx, s.keys.hoStats(), "opened", 1)
			return nil
		})
		opened = err == nil
		return err
	}, s.keys.hoSeq(), s.keys.hoTickets(), s.keys.hoOpen(), s.keys.hoClosed())
	return t, opened, err
}

// Ticket implements bot.HandoffStore.
func (s *Store) Ticket(ctx context.Context, number int64) (bot.Ticket, bool, error) {
	const op = "ticket"
	if s.closed.Load() {
		return bot.Ticket{}, false, fail(op, bot.ErrStoreClosed)
	}
	rec, found, err := s.readTicket(ctx, s.client, number)
	if err != nil {
		return bot.Ticket{}, false, fail(op, err)
	}
	return rec.Ticket, found, nil
}

// OpenTicketOf implements bot.HandoffStore.
func (s *Store) OpenTicketOf(ctx context.Context, userID int64) (bot.Ticket, bool, error) {
	const op = "open ticket of"
	if s.closed.Load() {
		return bot.Ticket{}, false, fail(op, bot.ErrStoreClosed)
	}
	rec, found, err := s.openTicketOf(ctx, s.client, userID)
	if err != nil {
		return bot.Ticket{}, false, fail(op, err)
	}
	return rec.Ticket, found, nil
}

// OpenTickets implements bot.HandoffStore.
func (s *Store) OpenTickets(ctx context.Context) ([]bot.Ticket, error) {
	const op = "open tickets"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	recs, err := s.openTickets(ctx, s.client)
	if err != nil {
		return nil, fail(op, err)
	}
	return bot.Tickets(recs), nil
}

// LinkMessage implements bot.HandoffStore.
func (s *Store) LinkMessage(ctx context.Context, number int64, messageID int, topic bool) error {
	return s.ticketTx(ctx, "link message", func(tx *redis.Tx) error {
		rec, found, err := s.readTicket(ctx, tx, number)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("ticket %d: %w", number, errNoTicket)
		}
		rec.Link(messageID, topic)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, s.keys.hoLinks(), strconv.Itoa(messageID), number)
			return s.putTicket(ctx, p, rec)
		})
		return err
	})
}

// TicketByMessage implements bot.HandoffStore.
func (s *Store) TicketByMessage(ctx context.Context, messageID int) (bot.Ticket, bool, error) {
	const op = "ticket by message"
	if s.closed.Load() {
		return bot.Ticket{}, false, fail(op, bot.ErrStoreClosed)
	}
	n, err := s.client.HGet(ctx, s.keys.hoLinks(), strconv.Itoa(messageID)).Int64()
	if errors.Is(err, redis.Nil) {
		return bot.Ticket{}, false, nil
	}
	if err != nil {
		return bot.Ticket{}, false, fail(op, err)
	}
	rec, found, err := s.readTicket(ctx, s.client, n)
	if err != nil {
		return bot.Ticket{}, false, fail(op, err)
	}
	return rec.Ticket, found, nil
}

// TouchTicket implements bot.HandoffStore.
func (s *Store) TouchTicket(ctx context.Context, number int64, at time.Time, byStaff bool) (bot.Ticket, bool, error) {
	var (
		rec  ticketRecord
		open bool
	)
	err := s.ticketTx(ctx, "touch ticket", func(tx *redis.Tx) error {
		var (
			found bool
			err   error
		)
		rec, found, err = s.readTicket(ctx, tx, number)
		open = found && rec.Open()
		if err != nil || !open {
			return err
		}
		first := rec.Touch(at, byStaff)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if first {
				p.HIncrBy(ctx, s.keys.hoStats(), "replies", 1)
				p.HIncrBy(ctx, s.keys.hoStats(), "reply_ms", at.Sub(rec.OpenedAt).Milliseconds())
			}
			return s.putTicket(ctx, p, rec)
		})
		return err
	})
	return rec.Ticket, open, err
}

// CloseTicket implements bot.HandoffStore.
func (s *Store) CloseTicket(ctx context.Context, number int64, at, activeBefore time.Time) (bot.Ticket, bool, error) {
	var (
		rec    ticketRecord
		closed bool
	)
	err := s.ticketTx(ctx, "close ticket", func(tx *redis.Tx) error {
		closed = false
		var (
			found bool
			err   error
		)
		rec, found, err = s.readTicket(ctx, tx, number)
		if err != nil || !found || !rec.Closable(activeBefore) {
			return err
		}
		rec.ClosedAt = at
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.ZRem(ctx, s.keys.hoOpen(), number)
			p.ZAdd(ctx, s.keys.hoClosed(), redis.Z{Score: float64(at.UnixMilli()), Member: number})
			p.HIncrBy(ctx, s.keys.hoStats(), "closed", 1)
			return s.putTicket(ctx, p, rec)
		})
		closed = err == nil
		return err
	})
	return rec.Ticket, closed, err
}

// RateTicket implements bot.HandoffStore.
func (s *Store) RateTicket(ctx context.Context, number, userID int64, rating int) (bool, error) {
	var rated bool
	err := s.ticketTx(ctx, "rate ticket", func(tx *redis.Tx) error {
		rated = false
		rec, found, err := s.readTicket(ctx, tx, number)
		if err != nil || !found || !rec.CanRate(userID, rating) {
			return err
		}
		rec.Rating = rating
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HIncrBy(ctx, s.keys.hoStats(), "rated", 1)
			p.HIncrBy(ctx, s.keys.hoStats(), "rating_total", int64(rating))
			return s.putTicket(ctx, p, rec)
		})
		rated = err == nil
		return err
	})
	return rated, err
}

// HandoffStats implements bot.HandoffStore.
func (s *Store) HandoffStats(ctx context.Context) (bot.HandoffStats, error) {
	const op = "handoff stats"
	if s.closed.Load() {
		return bot.HandoffStats{}, fail(op, bot.ErrStoreClosed)
	}
	m, err := s.client.HGetAll(ctx, s.keys.hoStats()).Result()
	if err != nil {
		return bot.HandoffStats{}, fail(op, err)
	}
	n := func(k string) int {
		v, _ := strconv.Atoi(m[k])
		return v
	}
	return bot.HandoffStats{
		Opened: n("opened"), Closed: n("closed"),
		FirstReplies: n("replies"), FirstReplyTotal: time.Duration(n("reply_ms")) * time.Millisecond,
		Rated: n("rated"), RatingTotal: n("rating_total"),
	}, nil
}

// ticketsOf reads every ticket of the user, oldest first.
func (s *Store) ticketsOf(ctx context.Context, c redis.Cmdable, userID int64) ([]ticketRecord, error) {
	all, err := c.HGetAll(ctx, s.keys.hoTickets()).Result()
	if err != nil {
		return nil, err
	}
	var out []ticketRecord
	for n, raw := range all {
		var rec ticketRecord
		if err := json.Unmarshal([]byte(raw), &rec); err != nil {
			return nil, fmt.Errorf("decode ticket %s: %w", n, err)
		}
		if rec.UserID == userID {
			out = append(out, rec)
		}
	}
	slices.SortFunc(out, func(a, b ticketRecord) int { return cmp.Compare(a.Number, b.Number) })
	return out, nil
}

// TicketsOf implements bot.HandoffStore.
func (s *Store) TicketsOf(ctx context.Context, userID int64) ([]bot.Ticket, error) {
	const op = "tickets of"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	recs, err := s.ticketsOf(ctx, s.client, userID)
	if err != nil {
		return nil, fail(op, err)
	}
	return bot.Tickets(recs), nil
}

// forgetTickets deletes the user's tickets and their links.
func (s *Store) forgetTickets(ctx context.Context, userID int64) error {
	return s.ticketTx(ctx, "forget tickets", func(tx *redis.Tx) error {
		gone, err := s.ticketsOf(ctx, tx, userID)
		if err != nil {
			return err
		}
		if len(gone) == 0 {
			return nil
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			s.deleteTickets(ctx, p, gone)
			return nil
		})
		return err
	})
}
