// Package broadcast delivers admins' announcements to subscribers in the
// background: jobs and their deliveries live in a Queue kept in the store,
// so a restart or a crash resumes where it stopped; workers in every
// replica share one rate limit.
package broadcast

import (
	"context"
	"errors"
	"time"
)

// Job states.
const (
	StateFilling   = "filling"   // recipients are being enqueued
	StateRunning   = "running"   // deliveries go out
	StateDone      = "done"      // every delivery completed
	StateCancelled = "cancelled" // stopped by an admin; the rest are skipped
)

// Job is one announcement to many subscribers.
type Job struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"` // Telegram HTML, at most one message
	Topic     string    `json:"topic,omitempty"`
	CreatedBy int64     `json:"by"` // admin user id; 0 from the command line
	CreatedAt time.Time `json:"at"`
	Total     int       `json:"total"` // deliveries enqueued
	State     string    `json:"state"`
}

// Counts is a job's progress.
type Counts struct {
	Sent, Failed, Blocked, Skipped int
}

// Completed is how many deliveries have a result.
func (c Counts) Completed() int { return c.Sent + c.Failed + c.Blocked + c.Skipped }

// Result of one delivery.
type Result string

// Delivery results.
const (
	Sent    Result = "sent"
	Failed  Result = "failed"  // retried a bounded number of times, then given up
	Blocked Result = "blocked" // 403 or chat not found: the subscriber was removed
	Skipped Result = "skipped" // the job was cancelled
)

// Delivery is one message of a job to one chat, claimed by a worker.
type Delivery struct {
	JobID  string
	ChatID int64
	Ref    string // the queue's own reference, for Complete
}

// ErrNoJob is returned for an unknown job id.
var ErrNoJob = errors.New("no such broadcast job")

// Queue keeps jobs and their deliveries. Both stores implement it; one
// contract test checks both.
//
// A delivery is claimed by one worker at a time. A delivery claimed but
// not completed within minIdle (its worker crashed) is claimed again by
// another, so after a crash at most the deliveries that were in flight are
// sent twice; every other subscriber gets the announcement exactly once.
type Queue interface {
	// CreateJob stores a new job in StateFilling.
	CreateJob(ctx context.Context, j Job) error
	// Enqueue adds deliveries of a job, one per chat id.
	Enqueue(ctx context.Context, jobID string, chatIDs []int64) error
	// StartJob records the total and moves the job to StateRunning (a job
	// with total 0 goes straight to StateDone).
	StartJob(ctx context.Context, jobID string, total int) error
	// Claim returns the next delivery for consumer: an unclaimed one, or one
	// claimed longer than minIdle ago and never completed. found is false
	// when there is none.
	Claim(ctx context.Context, consumer string, minIdle time.Duration) (d Delivery, found bool, err error)
	// Complete records a delivery's result and removes it from the queue.
	// finished is true for exactly one call: the one that completed the
	// job's last delivery (the job then moves to StateDone unless
	// cancelled). Completing a delivery twice counts it once.
	Complete(ctx context.Context, d Delivery, r Result) (finished bool, err error)
	// Job returns a job and its counts (ErrNoJob, wrapped, if unknown).
	Job(ctx context.Context, id string) (Job, Counts, error)
	// Jobs returns the newest jobs first, at most limit.
	Jobs(ctx context.Context, limit int) ([]Job, error)
	// Cancel moves a filling or running job to StateCancelled; its
	// remaining deliveries are then completed as Skipped by the workers.
	Cancel(ctx context.Context, id string) error
}
