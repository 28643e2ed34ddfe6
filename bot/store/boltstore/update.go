package boltstore

import (
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot"
)

// claimedMark follows an update's expiry while it is claimed.
const claimedMark = 'c'

// Admit implements bot.Store in one transaction. Flood counts are kept
// in memory (see the package comment).
func (s *Store) Admit(ctx context.Context, a bot.Arrival) (bot.Admission, error) {
	const op = "admit"
	if s.closed.Load() {
		return bot.Admission{}, fail(op, bot.ErrStoreClosed)
	}
	if err := a.Check(); err != nil {
		return bot.Admission{}, fail(op, err)
	}
	var adm bot.Admission
	now := s.now()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, key := tx.Bucket(bucketUpdates), itob(int64(a.UpdateID))
		switch v := b.Get(key); {
		case len(v) < 8 || expired(v, now):
			adm.Claim = bot.Claimed
			if err := b.Put(key, append(itob(now.Add(a.ClaimTTL).UnixNano()), claimedMark)); err != nil {
				return err
			}
		case len(v) == 9 && v[8] == claimedMark:
			adm.Claim = bot.ClaimHeld
		default:
			adm.Claim = bot.ClaimDone
		}
		if a.UserID == 0 {
			return nil
		}
		v := tx.Bucket(bucketSessions).Get(itob(a.UserID))
		if len(v) < 8 || expired(v, now) {
			return nil
		}
		if err := json.Unmarshal(v[8:], &adm.Session); err != nil {
			return fmt.Errorf("decode session: %w", err)
		}
		adm.Found = true
		return nil
	})
	if err != nil {
		return bot.Admission{}, fail(op, err)
	}
	// Only a claimed update counts: a redelivery was counted before.
	if a.FloodWindow > 0 && a.UserID != 0 && adm.Claim == bot.Claimed {
		adm.Messages = s.flood.add(floodKey{a.UserID, a.FloodWindow}, now)
	}
	return adm, nil
}

// Finish implements bot.Store in one transaction.
func (s *Store) Finish(ctx context.Context, c bot.Completion) error {
	const op = "finish"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if err := c.Check(); err != nil {
		return fail(op, err)
	}
	now := s.now()
	var session, question []byte
	var err error
	if c.Session != nil {
		if session, err = json.Marshal(c.Session); err != nil {
			return fail(op, err)
		}
	}
	var q bot.Unanswered
	keep := false
	if c.Unanswered != nil {
		if q, keep = unansweredAt(*c.Unanswered, now, c.UnansweredRetention); keep {
			if question, err = json.Marshal(q); err != nil {
				return fail(op, err)
			}
		}
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bucketUpdates).Put(itob(int64(c.UpdateID)), itob(now.Add(c.DoneTTL).UnixNano())); err != nil {
			return err
		}
		if session != nil {
			if err := tx.Bucket(bucketSessions).Put(itob(c.UserID), append(itob(now.Add(c.SessionTTL).UnixNano()), session...)); err != nil {
				return err
			}
		}
		if c.Question != nil {
			if err := countQuestionTx(tx, now, bot.StatsDay(c.Question.At), c.UserID, c.Question.Outcome, c.Question.EntryID); err != nil {
				return err
			}
		}
		if keep {
			return logUnansweredTx(tx, q, question, now.Add(-c.UnansweredRetention), c.UnansweredMax)
		}
		return nil
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}
