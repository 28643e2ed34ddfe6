package boltstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
)

var _ broadcast.Queue = (*Store)(nil)

// enqueueChunk is how many deliveries one transaction adds, so that a
// large job does not hold the file's single writer for long.
const enqueueChunk = 1000

// jobRecord is a job as kept in broadcast_jobs.
type jobRecord struct {
	Job      broadcast.Job    `json:"job"`      // Total and State are the fields below
	State    string           `json:"state"`    // a broadcast.State* constant
	Enqueued int              `json:"enqueued"` // deliveries added so far
	Total    int              `json:"total"`    // recorded by StartJob
	Started  bool             `json:"started"`  // StartJob was called
	Counts   broadcast.Counts `json:"counts"`
}

// job returns the job as the interface shows it: before StartJob, Total
// is the number of deliveries enqueued so far.
func (r jobRecord) job() broadcast.Job {
	j := r.Job
	j.State, j.Total = r.State, r.Enqueued
	if r.Started {
		j.Total = r.Total
	}
	return j
}

// deliveryRecord is a delivery as kept in broadcast_deliveries.
type deliveryRecord struct {
	JobID     string `json:"job"`
	ChatID    int64  `json:"chat"`
	ClaimedBy string `json:"by,omitempty"`
	ClaimedAt int64  `json:"at,omitempty"` // Unix nanoseconds; 0: not claimed
}

// CreateJob stores a new job in StateFilling, whatever j's State and Total;
// a zero CreatedAt means now. The id must be new and not empty.
func (s *Store) CreateJob(ctx context.Context, j broadcast.Job) error {
	const op = "create job"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if j.ID == "" {
		return fail(op, errors.New("empty job id"))
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = s.now()
	}
	j.State, j.Total = "", 0
	data, err := json.Marshal(jobRecord{Job: j, State: broadcast.StateFilling})
	if err != nil {
		return fail(op, err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		jobs := tx.Bucket(bucketJobs)
		if jobs.Get([]byte(j.ID)) != nil {
			return fmt.Errorf("job %s: exists", j.ID)
		}
		if err := jobs.Put([]byte(j.ID), data); err != nil {
			return err
		}
		return tx.Bucket(bucketJobTimes).Put(jobTimeKey(j), []byte{})
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// Enqueue adds one delivery per chat id to a job in StateFilling, a
// thousand per transaction: when it fails, some may have been added, and
// the job's Total counts them. It returns ErrNoJob, wrapped, for an
// unknown job and an error for a job in another state.
func (s *Store) Enqueue(ctx context.Context, jobID string, chatIDs []int64) error {
	const op = "enqueue"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	for chunk := range slices.Chunk(chatIDs, enqueueChunk) {
		err := s.db.Update(func(tx *bbolt.Tx) error {
			return updateJob(tx, jobID, func(r *jobRecord) error {
				if r.State != broadcast.StateFilling {
					return fmt.Errorf("job %s: %s", jobID, r.State)
				}
				deliveries, unclaimed := tx.Bucket(bucketDeliveries), tx.Bucket(bucketUnclaimed)
				for _, chatID := range chunk {
					seq, err := deliveries.NextSequence()
					if err != nil {
						return err
					}
					data, err := json.Marshal(deliveryRecord{JobID: jobID, ChatID: chatID})
					if err != nil {
						return err
					}
					key := itob(int64(seq))
					if err := deliveries.Put(key, data); err != nil {
						return err
					}
					if err := unclaimed.Put(key, []byte{}); err != nil {
						return err
					}
				}
				r.Enqueued += len(chunk)
				return nil
			})
		})
		if err != nil {
			return fail(op, err)
		}
	}
	return nil
}

// StartJob records the total, which must equal the number of deliveries
// enqueued, and moves a filling job to StateRunning, or StateDone when
// every delivery is already completed (a total of 0 included): no
// Complete then reports finished. A job cancelled while filling stays
// cancelled. It returns ErrNoJob, wrapped, for an unknown job, and an
// error for a job already started.
func (s *Store) StartJob(ctx context.Context, jobID string, total int) error {
	const op = "start job"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return updateJob(tx, jobID, func(r *jobRecord) error {
			switch {
			case r.Started:
				return fmt.Errorf("job %s: already started (state %s)", jobID, r.State)
			case r.State != broadcast.StateFilling && r.State != broadcast.StateCancelled:
				return fmt.Errorf("job %s: state %s", jobID, r.State)
			case r.Enqueued != total:
				return fmt.Errorf("job %s: %d deliveries enqueued, not %d", jobID, r.Enqueued, total)
			}
			r.Started, r.Total = true, total
			if r.State == broadcast.StateFilling {
				r.State = broadcast.StateRunning
				if r.Counts.Completed() >= total {
					r.State = broadcast.StateDone
				}
			}
			return nil
		})
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// Claim returns an unclaimed delivery for consumer or, when there is none,
// the one claimed longest ago if that was at least minIdle ago and it was
// not completed. minIdle must be positive and consumer not empty.
// Deliveries left by a crashed worker are thus retried once the new ones
// are all claimed. Claims survive a restart: a delivery claimed before is
// claimed again once idle.
func (s *Store) Claim(ctx context.Context, consumer string, minIdle time.Duration) (broadcast.Delivery, bool, error) {
	const op = "claim"
	if s.closed.Load() {
		return broadcast.Delivery{}, false, fail(op, bot.ErrStoreClosed)
	}
	if consumer == "" || minIdle <= 0 {
		return broadcast.Delivery{}, false, fail(op, fmt.Errorf("consumer %q and minIdle %v must not be empty or zero", consumer, minIdle))
	}
	var (
		d     broadcast.Delivery
		found bool
	)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		now := s.now().UnixNano()
		unclaimed, claimed := tx.Bucket(bucketUnclaimed), tx.Bucket(bucketClaimed)
		// Cursors' bytes are the transaction's: cloned before a Delete.
		var key []byte
		if k, _ := unclaimed.Cursor().First(); k != nil {
			key = slices.Clone(k)
			if err := unclaimed.Delete(key); err != nil {
				return err
			}
		} else if k, _ := claimed.Cursor().First(); k != nil && btoi(k[:8]) <= now-int64(minIdle) {
			k = slices.Clone(k)
			key = k[8:]
			if err := claimed.Delete(k); err != nil {
				return err
			}
		} else {
			return nil
		}
		deliveries := tx.Bucket(bucketDeliveries)
		var rec deliveryRecord
		if err := json.Unmarshal(deliveries.Get(key), &rec); err != nil {
			return fmt.Errorf("delivery %d: %w", btoi(key), err)
		}
		rec.ClaimedBy, rec.ClaimedAt = consumer, now
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := deliveries.Put(key, data); err != nil {
			return err
		}
		if err := claimed.Put(append(itob(now), key...), []byte{}); err != nil {
			return err
		}
		d, found = broadcast.Delivery{JobID: rec.JobID, ChatID: rec.ChatID, Ref: strconv.FormatInt(btoi(key), 10)}, true
		return nil
	})
	if err != nil {
		return broadcast.Delivery{}, false, fail(op, err)
	}
	return d, found, nil
}

// Complete records a claimed delivery's result and removes it from the
// queue; a delivery no longer in the queue (completed before) is not
// counted again. finished is true for the call that completes a started
// job's last delivery.
func (s *Store) Complete(ctx context.Context, d broadcast.Delivery, r broadcast.Result) (bool, error) {
	const op = "complete"
	if s.closed.Load() {
		return false, fail(op, bot.ErrStoreClosed)
	}
	if err := checkResult(r); err != nil {
		return false, fail(op, err)
	}
	seq, err := strconv.ParseInt(d.Ref, 10, 64)
	if err != nil {
		return false, fail(op, fmt.Errorf("delivery %q of job %s: bad reference: %w", d.Ref, d.JobID, err))
	}
	var finished bool
	err = s.db.Update(func(tx *bbolt.Tx) error {
		deliveries, key := tx.Bucket(bucketDeliveries), itob(seq)
		v := deliveries.Get(key)
		if v == nil {
			return nil
		}
		var rec deliveryRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("delivery %d: %w", seq, err)
		}
		if rec.JobID != d.JobID {
			return fmt.Errorf("delivery %d belongs to job %s, not %s", seq, rec.JobID, d.JobID)
		}
		if rec.ClaimedAt == 0 {
			return nil // not claimed: as if unknown
		}
		if err := tx.Bucket(bucketClaimed).Delete(append(itob(rec.ClaimedAt), key...)); err != nil {
			return err
		}
		if err := deliveries.Delete(key); err != nil {
			return err
		}
		err := updateJob(tx, d.JobID, func(j *jobRecord) error {
			switch r {
			case broadcast.Sent:
				j.Counts.Sent++
			case broadcast.Failed:
				j.Counts.Failed++
			case broadcast.Blocked:
				j.Counts.Blocked++
			case broadcast.Skipped:
				j.Counts.Skipped++
			}
			if j.Started && j.Counts.Completed() == j.Total {
				finished = true
				if j.State == broadcast.StateRunning {
					j.State = broadcast.StateDone
				}
			}
			return nil
		})
		if errors.Is(err, broadcast.ErrNoJob) {
			return nil
		}
		return err
	})
	if err != nil {
		return false, fail(op, fmt.Errorf("delivery %s of job %s: %w", d.Ref, d.JobID, err))
	}
	return finished, nil
}

// Job returns a job and its counts; ErrNoJob, wrapped, if unknown. Before
// StartJob, Total is the number of deliveries enqueued so far.
func (s *Store) Job(ctx context.Context, id string) (broadcast.Job, broadcast.Counts, error) {
	const op = "job"
	if s.closed.Load() {
		return broadcast.Job{}, broadcast.Counts{}, fail(op, bot.ErrStoreClosed)
	}
	var r jobRecord
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		r, err = getJob(tx, id)
		return err
	})
	if err != nil {
		return broadcast.Job{}, broadcast.Counts{}, fail(op, err)
	}
	return r.job(), r.Counts, nil
}

// Jobs returns the newest jobs first, at most limit, which must be
// positive.
func (s *Store) Jobs(ctx context.Context, limit int) ([]broadcast.Job, error) {
	const op = "jobs"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	if limit <= 0 {
		return nil, fail(op, fmt.Errorf("limit %d is not positive", limit))
	}
	var jobs []broadcast.Job
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketJobTimes).Cursor()
		for k, _ := c.Last(); k != nil && len(jobs) < limit; k, _ = c.Prev() {
			r, err := getJob(tx, string(k[8:]))
			if err != nil {
				return err
			}
			jobs = append(jobs, r.job())
		}
		return nil
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return jobs, nil
}

// Cancel moves a filling or running job to StateCancelled; a job already
// done or cancelled is left as it is. It returns ErrNoJob, wrapped, for an
// unknown job.
func (s *Store) Cancel(ctx context.Context, id string) error {
	const op = "cancel"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return updateJob(tx, id, func(r *jobRecord) error {
			if r.State == broadcast.StateFilling || r.State == broadcast.StateRunning {
				r.State = broadcast.StateCancelled
			}
			return nil
		})
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// getJob reads a job; ErrNoJob, wrapped, if unknown.
func getJob(tx *bbolt.Tx, id string) (jobRecord, error) {
	v := tx.Bucket(bucketJobs).Get([]byte(id))
	if v == nil {
		return jobRecord{}, fmt.Errorf("job %s: %w", id, broadcast.ErrNoJob)
	}
	var r jobRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return jobRecord{}, fmt.Errorf("decode job %s: %w", id, err)
	}
	return r, nil
}

// updateJob reads a job, lets change modify it, and writes it back unless
// change fails.
func updateJob(tx *bbolt.Tx, id string, change func(r *jobRecord) error) error {
	r, err := getJob(tx, id)
	if err != nil {
		return err
	}
	if err := change(&r); err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketJobs).Put([]byte(id), data)
}

// jobTimeKey orders jobs by creation time, then id.
func jobTimeKey(j broadcast.Job) []byte {
	return append(itob(j.CreatedAt.UnixNano()), j.ID...)
}

// checkResult accepts the four results of broadcast.
func checkResult(r broadcast.Result) error {
	switch r {
	case broadcast.Sent, broadcast.Failed, broadcast.Blocked, broadcast.Skipped:
		return nil
	}
	return fmt.Errorf("unknown result %q", r)
}
