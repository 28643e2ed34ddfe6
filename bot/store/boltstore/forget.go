package boltstore

import (
	"context"
	"encoding/json"
	"time"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot"
)

// ForgetUser implements bot.Store.
func (s *Store) ForgetUser(ctx context.Context, userID int64) error {
	const op = "forget user"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if _, err := s.Unsubscribe(ctx, userID); err != nil {
		return fail(op, err)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bucketSessions).Delete(itob(userID)); err != nil {
			return err
		}
		if err := deleteTickets(tx, userID, time.Time{}); err != nil {
			return err
		}
		// Votes: take each out of its entry's count.
		votes, counts := tx.Bucket(bucketVotes), tx.Bucket(bucketCounts)
		var goneVotes, goneQuestions [][]byte
		err := votes.ForEach(func(k, v []byte) error {
			var rec bot.VoteRecord
			if json.Unmarshal(v, &rec) != nil || rec.UserID != userID {
				return nil
			}
			goneVotes = append(goneVotes, append([]byte(nil), k...))
			c := decodeVotes(counts.Get(countKey(rec.EntryID)))
			if rec.Helpful {
				c.Helpful = max(0, c.Helpful-1)
			} else {
				c.NotHelpful = max(0, c.NotHelpful-1)
			}
			return counts.Put(countKey(rec.EntryID), encodeVotes(c))
		})
		if err != nil {
			return err
		}
		// Questions kept for staff.
		questions := tx.Bucket(bucketUnanswered)
		err = questions.ForEach(func(k, v []byte) error {
			var q bot.Unanswered
			if json.Unmarshal(v, &q) == nil && q.UserID == userID {
				goneQuestions = append(goneQuestions, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		// bbolt forbids deleting while iterating; delete afterwards.
		for _, k := range goneVotes {
			if err := votes.Delete(k); err != nil {
				return err
			}
		}
		for _, k := range goneQuestions {
			if err := questions.Delete(k); err != nil {
				return err
			}
		}
		// Statistics keep anonymous counts; the id goes.
		if err := tx.Bucket(bucketStatsUsers).Delete(itob(userID)); err != nil {
			return err
		}
		return tx.Bucket(bucketStats).ForEachBucket(func(day []byte) error {
			return tx.Bucket(bucketStats).Bucket(day).Delete(append([]byte{userMark}, itob(userID)...))
		})
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}
