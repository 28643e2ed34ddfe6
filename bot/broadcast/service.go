package broadcast

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/layanan-id/layanan/bot"
)

// Sender delivers one message; the Telegram client is one. An error that
// has a Blocked() bool method returning true means the subscriber blocked
// the bot or the chat is gone.
type Sender interface {
	Send(ctx context.Context, r bot.Reply) (int, error)
}

// Limiter paces deliveries; one limiter is shared by every worker of every
// replica (Redis), or by the workers of the one process (LocalLimiter).
type Limiter interface {
	Wait(ctx context.Context) error
}

// Observer is told every delivery's result, for metrics.
type Observer interface {
	Delivered(r Result)
}

// RateMargin keeps the pace a little under the configured rate, so that no
// one-second window ever holds more than the configured number of messages
// even when network jitter bunches them up on arrival.
const RateMargin = 0.95

// LocalLimiter paces one process at perSecond messages a second (less the
// margin).
func LocalLimiter(perSecond float64) Limiter {
	return rate.NewLimiter(rate.Limit(perSecond*RateMargin), 1)
}

// Config holds the service's settings.
type Config struct {
	Workers int     // deliveries in flight per process (default 8)
	Rate    float64 // messages per second, for estimates (the Limiter enforces it)
	// MinIdle is how long a claimed delivery may stay uncompleted before
	// another worker takes it over, as after a crash (default 20 min). It
	// must exceed the longest a send can take (up to 10 min of 429 waits
	// plus four attempts of at most 75 s), or a slow delivery would be sent
	// twice.
	MinIdle      time.Duration
	PollInterval time.Duration // how often an idle worker looks for work (default 1 s)
	Consumer     string        // this process's name in the queue (default: random)
}

// Service starts broadcasts and delivers them.
type Service struct {
	cfg   Config
	queue Queue
	subs  bot.SubscriptionStore
	send  Sender
	limit Limiter
	log   *slog.Logger
	obs   Observer

	// OnFinished, when set, is called once per job when its last delivery
	// completes (in whichever replica completes it).
	OnFinished func(ctx context.Context, j Job, c Counts)
	// OnInterrupted, when set, is called for a job found cancelled at start
	// because its preparation was interrupted.
	OnInterrupted func(ctx context.Context, j Job)

	mu   sync.Mutex
	jobs map[string]Job // state cache, refreshed every few seconds
	seen map[string]time.Time

	claimFailedAt time.Time // last logged Claim failure: once a minute, not per poll
}

// NewService returns a service; obs may be nil.
func NewService(cfg Config, q Queue, subs bot.SubscriptionStore, send Sender, limit Limiter, log *slog.Logger, obs Observer) *Service {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MinIdle <= 0 {
		cfg.MinIdle = 20 * time.Minute
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Consumer == "" {
		cfg.Consumer = "worker-" + newID()
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 25
	}
	return &Service{cfg: cfg, queue: q, subs: subs, send: send, limit: limit, log: log, obs: obs, jobs: map[string]Job{}, seen: map[string]time.Time{}}
}

func newID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Recipients counts who would receive an announcement on topic.
func (s *Service) Recipients(ctx context.Context, topic string) (int, error) {
	n, err := s.subs.CountSubscribers(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("broadcast: count recipients: %w", err)
	}
	return n, nil
}

// start creates a job for text (Telegram HTML) on topic and enqueues one
// delivery per current subscriber. Workers pick it up at once.
func (s *Service) start(ctx context.Context, text, topic string, adminID int64) (Job, error) {
	j := Job{ID: time.Now().UTC().Format("20060102-150405") + "-" + newID()[:6], Text: text, Topic: topic, CreatedBy: adminID, CreatedAt: time.Now().UTC(), State: StateFilling}
	if err := s.queue.CreateJob(ctx, j); err != nil {
		return j, fmt.Errorf("broadcast: create job: %w", err)
	}
	total := 0
	err := s.subs.Subscribers(ctx, topic, func(ids []int64) error {
		total += len(ids)
		return s.queue.Enqueue(ctx, j.ID, ids)
	})
	if err != nil {
		return j, fmt.Errorf("broadcast: enqueue job %s: %w", j.ID, err)
	}
	if err := s.queue.StartJob(ctx, j.ID, total); err != nil {
		return j, fmt.Errorf("broadcast: start job %s: %w", j.ID, err)
	}
	s.log.Info("broadcast started", "job_id", j.ID, "recipients", total, "topic", topic)
	// Workers may have completed every delivery while the job was still
	// filling (a small job); then no Complete reports it finished.
	started, counts, err := s.queue.Job(ctx, j.ID)
	if err != nil {
		return j, fmt.Errorf("broadcast: read job %s: %w", j.ID, err)
	}
	if started.State == StateDone && s.OnFinished != nil {
		s.OnFinished(ctx, started, counts)
	}
	return started, nil
}

// progress returns a job and its counts.
func (s *Service) progress(ctx context.Context, id string) (Job, Counts, error) {
	j, c, err := s.queue.Job(ctx, id)
	if err != nil {
		return j, c, fmt.Errorf("broadcast: job %s: %w", id, err)
	}
	return j, c, nil
}

// latest returns the newest job; found is false when there is none.
func (s *Service) latest(ctx context.Context) (Job, Counts, bool, error) {
	jobs, err := s.queue.Jobs(ctx, 1)
	if err != nil {
		return Job{}, Counts{}, false, fmt.Errorf("broadcast: list jobs: %w", err)
	}
	if len(jobs) == 0 {
		return Job{}, Counts{}, false, nil
	}
	j, c, err := s.progress(ctx, jobs[0].ID)
	return j, c, err == nil, err
}

// cancel stops a job; its remaining deliveries are skipped.
func (s *Service) cancel(ctx context.Context, id string) error {
	if err := s.queue.Cancel(ctx, id); err != nil {
		return fmt.Errorf("broadcast: cancel %s: %w", id, err)
	}
	s.mu.Lock()
	delete(s.jobs, id)
	s.mu.Unlock()
	return nil
}

// remaining estimates the time left for a job at the configured rate.
func (s *Service) remaining(j Job, c Counts) time.Duration {
	left := max(0, j.Total-c.Completed())
	return time.Duration(float64(left) / s.cfg.Rate * float64(time.Second)).Round(time.Second)
}

// claimFailed logs a failing queue at most once a minute for all workers.
func (s *Service) claimFailed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.claimFailedAt) < time.Minute {
		return
	}
	s.claimFailedAt = time.Now()
	s.log.Warn("broadcast: queue unavailable; workers retry with backoff", "err", err)
}

// staleFilling is how old a job still being filled must be to count as
// interrupted: filling 100,000 recipients takes well under a second.
const staleFilling = 5 * time.Minute

// cancelInterrupted cancels jobs whose filling was interrupted (a crash
// between CreateJob and StartJob): the recipients enqueued so far are a
// partial list, so rather than reach some subscribers and never the rest,
// the job is stopped and its admin told to send it again.
func (s *Service) cancelInterrupted(ctx context.Context) {
	jobs, err := s.queue.Jobs(ctx, 20)
	if err != nil {
		s.log.Warn("broadcast: list jobs at start failed", "err", err)
		return
	}
	for _, j := range jobs {
		if j.State != StateFilling || time.Since(j.CreatedAt) < staleFilling {
			continue
		}
		if err := s.queue.Cancel(ctx, j.ID); err != nil {
			s.log.Warn("broadcast: cancel interrupted job failed", "job_id", j.ID, "err", err)
			continue
		}
		s.log.Error("broadcast: job interrupted while being prepared; cancelled, send it again", "job_id", j.ID)
		if s.OnInterrupted != nil {
			s.OnInterrupted(ctx, j)
		}
	}
}

// Run delivers until ctx ends; deliveries in flight then finish (within
// drainTimeout) and Run returns.
func (s *Service) Run(ctx context.Context) error {
	s.cancelInterrupted(ctx)
	var wg sync.WaitGroup
	for i := 0; i < s.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// drainTimeout bounds how long deliveries in flight may take once the
// service is stopping.
const drainTimeout = 10 * time.Second

func (s *Service) work(ctx context.Context) {
	// A delivery in flight finishes when ctx ends, so it is not sent again
	// by another replica later; but no more than drainTimeout after.
	deliverCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(drainTimeout, cancel) })
	defer stop()
	backoff := s.cfg.PollInterval
	for ctx.Err() == nil {
		// The pace is taken before the claim, so a delivery is held only
		// while it is being sent: a crash strands at most the sends in
		// progress, not deliveries waiting for their turn.
		if err := s.limit.Wait(ctx); err != nil {
			if ctx.Err() == nil {
				// The shared limiter lives in Redis: down with it.
				s.claimFailed(err)
				sleep(ctx, backoff)
				backoff = min(backoff*2, 30*time.Second)
			}
			continue
		}
		d, found, err := s.queue.Claim(ctx, s.cfg.Consumer, s.cfg.MinIdle)
		if err != nil {
			if ctx.Err() == nil {
				s.claimFailed(err)
			}
			// The store is down: back off up to 30 s, not a busy loop.
			sleep(ctx, backoff)
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = s.cfg.PollInterval
		if !found {
			sleep(ctx, s.cfg.PollInterval)
			continue
		}
		s.deliver(ctx, deliverCtx, d)
	}
}

func (s *Service) deliver(ctx, deliverCtx context.Context, d Delivery) {
	j, err := s.job(deliverCtx, d.JobID)
	result := Sent
	switch {
	case errors.Is(err, ErrNoJob):
		result = Skipped
	case err != nil:
		s.log.Warn("broadcast: job lookup failed", "job_id", d.JobID, "err", err)
		return // the delivery stays claimed and is taken over after MinIdle
	case j.State == StateCancelled:
		result = Skipped
	default:
		// A claimed delivery is sent even when shutdown has begun (within
		// drainTimeout): leaving it claimed would hold it back until
		// MinIdle passes.
		_, err := s.send.Send(deliverCtx, bot.Reply{ChatID: d.ChatID, Text: j.Text})
		var blocked interface{ Blocked() bool }
		switch {
		case err == nil:
		case errors.As(err, &blocked) && blocked.Blocked():
			result = Blocked
			if _, uerr := s.subs.Unsubscribe(deliverCtx, d.ChatID); uerr != nil {
				s.log.Warn("broadcast: unsubscribe blocked chat failed", "chat_id", d.ChatID, "err", uerr)
			}
		default:
			result = Failed
			s.log.Warn("broadcast: delivery failed", "job_id", d.JobID, "chat_id", d.ChatID, "err", err)
		}
	}
	// Record the result even if the store blinks now: a delivery left
	// claimed would be sent again after MinIdle.
	var finished bool
	for wait := time.Second; ; wait = min(wait*2, 30*time.Second) {
		finished, err = s.queue.Complete(deliverCtx, d, result)
		if err == nil {
			break
		}
		s.claimFailed(err)
		if deliverCtx.Err() != nil {
			s.log.Error("broadcast: delivery result not recorded; it may be sent again", "job_id", d.JobID, "chat_id", d.ChatID, "err", err)
			return
		}
		sleep(deliverCtx, wait)
	}
	if s.obs != nil {
		s.obs.Delivered(result)
	}
	if finished {
		j, c, err := s.queue.Job(deliverCtx, d.JobID)
		if err != nil {
			s.log.Error("broadcast: read finished job", "job_id", d.JobID, "err", err)
			return
		}
		s.log.Info("broadcast finished", "job_id", j.ID, "state", j.State, "sent", c.Sent, "failed", c.Failed, "blocked", c.Blocked, "skipped", c.Skipped)
		if s.OnFinished != nil {
			s.OnFinished(deliverCtx, j, c)
		}
	}
}

// job returns a job's state, cached for a few seconds so every delivery
// does not read it; a cancellation is seen within that time.
func (s *Service) job(ctx context.Context, id string) (Job, error) {
	s.mu.Lock()
	j, ok := s.jobs[id]
	fresh := time.Since(s.seen[id]) < 3*time.Second
	s.mu.Unlock()
	if ok && fresh {
		return j, nil
	}
	j, _, err := s.queue.Job(ctx, id)
	if err != nil {
		return j, err
	}
	s.mu.Lock()
	s.jobs[id], s.seen[id] = j, time.Now()
	s.mu.Unlock()
	return j, nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

var _ bot.Broadcaster = (*Service)(nil)

// status converts a job to what the conversation shows admins.
func (s *Service) status(j Job, c Counts) bot.BroadcastStatus {
	return bot.BroadcastStatus{
		ID: j.ID, State: j.State, Topic: j.Topic, Total: j.Total,
		Sent: c.Sent, Failed: c.Failed, Blocked: c.Blocked, Skipped: c.Skipped,
		Remaining: s.remaining(j, c), CreatedAt: j.CreatedAt,
	}
}

// StartBroadcast implements bot.Broadcaster: it creates a job for html
// on topic and enqueues one delivery per current subscriber; workers pick
// it up at once.
func (s *Service) StartBroadcast(ctx context.Context, html, topic string, adminID int64) (bot.BroadcastStatus, error) {
	j, err := s.start(ctx, html, topic, adminID)
	if err != nil {
		return bot.BroadcastStatus{}, err
	}
	return s.status(j, Counts{}), nil
}

// LatestBroadcast implements bot.Broadcaster.
func (s *Service) LatestBroadcast(ctx context.Context) (bot.BroadcastStatus, bool, error) {
	j, c, found, err := s.latest(ctx)
	if err != nil || !found {
		return bot.BroadcastStatus{}, found, err
	}
	return s.status(j, c), true, nil
}

// CancelBroadcast implements bot.Broadcaster: the job's remaining
// deliveries are skipped.
func (s *Service) CancelBroadcast(ctx context.Context, id string) error { return s.cancel(ctx, id) }

// StatusOf returns a job's progress as admins see it.
func (s *Service) StatusOf(ctx context.Context, id string) (bot.BroadcastStatus, error) {
	j, c, err := s.progress(ctx, id)
	if err != nil {
		return bot.BroadcastStatus{}, err
	}
	return s.status(j, c), nil
}
