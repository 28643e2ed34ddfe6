package boltstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot"
)

var _ bot.HandoffStore = (*Store)(nil)

// Tickets live in three buckets: tickets (number → ticketRecord as JSON),
// tickets_open (number → nothing, while open) and ticket_links (staff-group
// message id → number). The meta bucket holds the last number and the
// counts. Open tickets are few, so the user's open ticket is found by
// reading them; no key carries a user id.
var (
	keyTicketSeq   = []byte("ticket_seq")
	keyTicketStats = []byte("ticket_stats")
)

// ticketRecord is a ticket as stored.
type ticketRecord = bot.TicketRecord

// ticketStats is bot.HandoffStats as stored.
type ticketStats struct {
	Opened, Closed, FirstReplies, Rated, RatingTotal int
	FirstReplyMillis                                 int64
}

var errNoTicket = errors.New("no such ticket")

func getTicket(tx *bbolt.Tx, number int64) (ticketRecord, bool, error) {
	var rec ticketRecord
	v := tx.Bucket(bucketTickets).Get(itob(number))
	if v == nil {
		return rec, false, nil
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, false, fmt.Errorf("decode ticket %d: %w", number, err)
	}
	return rec, true, nil
}

func putTicket(tx *bbolt.Tx, rec ticketRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketTickets).Put(itob(rec.Number), data)
}

// updateStats applies change to the stored counts.
func updateStats(tx *bbolt.Tx, change func(*ticketStats)) error {
	meta := tx.Bucket(bucketMeta)
	var st ticketStats
	if v := meta.Get(keyTicketStats); v != nil {
		if err := json.Unmarshal(v, &st); err != nil {
			return fmt.Errorf("decode ticket stats: %w", err)
		}
	}
	change(&st)
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return meta.Put(keyTicketStats, data)
}

// openTicketOf returns the user's open ticket, if any.
func openTicketOf(tx *bbolt.Tx, userID int64) (ticketRecord, bool, error) {
	c := tx.Bucket(bucketTicketsOpen).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		rec, found, err := getTicket(tx, btoi(k))
		if err != nil {
			return rec, false, err
		}
		if found && rec.UserID == userID {
			return rec, true, nil
		}
	}
	return ticketRecord{}, false, nil
}

// view runs a read-only transaction after the closed check.
func (s *Store) view(op string, fn func(tx *bbolt.Tx) error) error {
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if err := s.db.View(fn); err != nil {
		return fail(op, err)
	}
	return nil
}

// update runs a read-write transaction after the closed check.
func (s *Store) update(op string, fn func(tx *bbolt.Tx) error) error {
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if err := s.db.Update(fn); err != nil {
		return fail(op, err)
	}
	return nil
}

// OpenTicket implements bot.HandoffStore.
func (s *Store) OpenTicket(ctx context.Context, t bot.Ticket) (bot.Ticket, bool, error) {
	var opened bool
	err := s.update("open ticket", func(tx *bbolt.Tx) error {
		if rec, found, err := openTicketOf(tx, t.UserID); err != nil || found {
			t = rec.Ticket
			return err
		}
		meta := tx.Bucket(bucketMeta)
		var seq int64
		if v := meta.Get(keyTicketSeq); v != nil {
			seq = btoi(v)
		}
		seq++
		t = bot.NewTicket(t, seq)
		if err := meta.Put(keyTicketSeq, itob(seq)); err != nil {
			return err
		}
		if err := putTicket(tx, ticketRecord{Ticket: t}); err != nil {
			return err
		}
		if err := tx.Bucket(bucketTicketsOpen).Put(itob(seq), nil); err != nil {
			return err
		}
		opened = true
		return updateStats(tx, func(st *ticketStats) { st.Opened++ })
	})
	return t, opened, err
}

// Ticket implements bot.HandoffStore.
func (s *Store) Ticket(ctx context.Context, number int64) (bot.Ticket, bool, error) {
	var (
		rec   ticketRecord
		found bool
	)
	err := s.view("ticket", func(tx *bbolt.Tx) (err error) {
		rec, found, err = getTicket(tx, number)
		return err
	})
	return rec.Ticket, found, err
}

// OpenTicketOf implements bot.HandoffStore.
func (s *Store) OpenTicketOf(ctx context.Context, userID int64) (bot.Ticket, bool, error) {
	var (
		rec   ticketRecord
		found bool
	)
	err := s.view("open ticket of", func(tx *bbolt.Tx) (err error) {
		rec, found, err = openTicketOf(tx, userID)
		return err
	})
	return rec.Ticket, found, err
}

// OpenTickets implements bot.HandoffStore.
func (s *Store) OpenTickets(ctx context.Context) ([]bot.Ticket, error) {
	var out []bot.Ticket
	err := s.view("open tickets", func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketTicketsOpen).ForEach(func(k, _ []byte) error {
			rec, found, err := getTicket(tx, btoi(k))
			if found {
				out = append(out, rec.Ticket)
			}
			return err
		})
	})
	return out, err
}

// TicketsOf implements bot.HandoffStore.
func (s *Store) TicketsOf(ctx context.Context, userID int64) ([]bot.Ticket, error) {
	var out []bot.Ticket
	err := s.view("tickets of", func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketTickets).ForEach(func(_, v []byte) error {
			var rec ticketRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if rec.UserID == userID {
				out = append(out, rec.Ticket)
			}
			return nil
		})
	})
	return out, err
}

// LinkMessage implements bot.HandoffStore.
func (s *Store) LinkMessage(ctx context.Context, number int64, messageID int, topic bool) error {
	return s.update("link message", func(tx *bbolt.Tx) error {
		rec, found, err := getTicket(tx, number)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("ticket %d: %w", number, errNoTicket)
		}
		rec.Link(messageID, topic)
		if err := putTicket(tx, rec); err != nil {
			return err
		}
		return tx.Bucket(bucketTicketLinks).Put(itob(int64(messageID)), itob(number))
	})
}

// TicketByMessage implements bot.HandoffStore.
func (s *Store) TicketByMessage(ctx context.Context, messageID int) (bot.Ticket, bool, error) {
	var (
		rec   ticketRecord
		found bool
	)
	err := s.view("ticket by message", func(tx *bbolt.Tx) (err error) {
		v := tx.Bucket(bucketTicketLinks).Get(itob(int64(messageID)))
		if v == nil {
			return nil
		}
		rec, found, err = getTicket(tx, btoi(v))
		return err
	})
	return rec.Ticket, found, err
}

// TouchTicket implements bot.HandoffStore.
func (s *Store) TouchTicket(ctx context.Context, number int64, at time.Time, byStaff bool) (bot.Ticket, bool, error) {
	var (
		rec   ticketRecord
		found bool
	)
	err := s.update("touch ticket", func(tx *bbolt.Tx) (err error) {
		rec, found, err = getTicket(tx, number)
		if err != nil || !found || !rec.Open() {
			found = found && rec.Open()
			return err
		}
		first := rec.Touch(at, byStaff)
		if err := putTicket(tx, rec); err != nil {
			return err
		}
		if !first {
			return nil
		}
		return updateStats(tx, func(st *ticketStats) {
			st.FirstReplies++
			st.FirstReplyMillis += at.Sub(rec.OpenedAt).Milliseconds()
		})
	})
	return rec.Ticket, found, err
}

// CloseTicket implements bot.HandoffStore.
func (s *Store) CloseTicket(ctx context.Context, number int64, at, activeBefore time.Time) (bot.Ticket, bool, error) {
	var (
		rec    ticketRecord
		closed bool
	)
	err := s.update("close ticket", func(tx *bbolt.Tx) (err error) {
		var found bool
		rec, found, err = getTicket(tx, number)
		if err != nil || !found || !rec.Closable(activeBefore) {
			return err
		}
		rec.ClosedAt = at
		if err := putTicket(tx, rec); err != nil {
			return err
		}
		if err := tx.Bucket(bucketTicketsOpen).Delete(itob(number)); err != nil {
			return err
		}
		closed = true
		return updateStats(tx, func(st *ticketStats) { st.Closed++ })
	})
	return rec.Ticket, closed, err
}

// RateTicket implements bot.HandoffStore.
func (s *Store) RateTicket(ctx context.Context, number, userID int64, rating int) (bool, error) {
	var rated bool
	err := s.update("rate ticket", func(tx *bbolt.Tx) error {
		rec, found, err := getTicket(tx, number)
		if err != nil || !found || !rec.CanRate(userID, rating) {
			return err
		}
		rec.Rating = rating
		if err := putTicket(tx, rec); err != nil {
			return err
		}
		rated = true
		return updateStats(tx, func(st *ticketStats) {
			st.Rated++
			st.RatingTotal += rating
		})
	})
	return rated, err
}

// HandoffStats implements bot.HandoffStore.
func (s *Store) HandoffStats(ctx context.Context) (bot.HandoffStats, error) {
	var st ticketStats
	err := s.view("handoff stats", func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyTicketStats); v != nil {
			return json.Unmarshal(v, &st)
		}
		return nil
	})
	return bot.HandoffStats{
		Opened: st.Opened, Closed: st.Closed,
		FirstReplies: st.FirstReplies, FirstReplyTotal: time.Duration(st.FirstReplyMillis) * time.Millisecond,
		Rated: st.Rated, RatingTotal: st.RatingTotal,
	}, err
}

// deleteTickets deletes tickets and their links: those of userID, or,
// with userID 0, those closed before cutoff.
func deleteTickets(tx *bbolt.Tx, userID int64, cutoff time.Time) error {
	tickets := tx.Bucket(bucketTickets)
	var gone []ticketRecord
	err := tickets.ForEach(func(_, v []byte) error {
		var rec ticketRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		if (userID != 0 && rec.UserID == userID) || (userID == 0 && !rec.Open() && rec.ClosedAt.Before(cutoff)) {
			gone = append(gone, rec)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, rec := range gone {
		for _, msg := range rec.Links {
			if err := tx.Bucket(bucketTicketLinks).Delete(itob(int64(msg))); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketTicketsOpen).Delete(itob(rec.Number)); err != nil {
			return err
		}
		if err := tickets.Delete(itob(rec.Number)); err != nil {
			return err
		}
	}
	return nil
}
