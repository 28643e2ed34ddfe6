package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
)

var _ broadcast.Queue = (*Store)(nil)

const (
	// deliveryGroup is the consumer group of the deliveries stream; every
	// worker of every replica reads through it.
	deliveryGroup = "workers"
	// enqueueChunk is how many deliveries one script call adds, so that a
	// large job does not block Redis for long.
	enqueueChunk = 1000
)

// The scripts answer {code, detail}: code 1 is success (detail: a count),
// 0 a refusal (detail: why), -1 an unknown job.

// createJob stores a job unless its id is taken.
//
// KEYS[1]: the job's hash; KEYS[2]: the jobs by creation time.
// ARGV: id, text, topic, created by, created at, score.
var createJob = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
	return {0, 'exists'}
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'text', ARGV[2], 'topic', ARGV[3], 'by', ARGV[4], 'at', ARGV[5],
	'state', 'filling', 'enqueued', 0, 'sent', 0, 'failed', 0, 'blocked', 0, 'skipped', 0)
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
return {1, ''}
`)

// enqueue adds deliveries of a filling job to the stream and counts them.
//
// KEYS[1]: the job's hash; KEYS[2]: the deliveries stream.
// ARGV[1]: the job id; ARGV[2...]: chat ids.
var enqueue = redis.NewScript(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
	return {-1, ''}
end
if state ~= 'filling' then
	return {0, state}
end
for i = 2, #ARGV do
	redis.call('XADD', KEYS[2], '*', 'job', ARGV[1], 'chat', ARGV[i])
end
redis.call('HINCRBY', KEYS[1], 'enqueued', #ARGV - 1)
return {1, #ARGV - 1}
`)

// startJob records a job's total, which must be the number of deliveries
// enqueued, and moves a filling job to running, or to done when every
// delivery is already completed. A job cancelled while filling stays
// cancelled.
//
// KEYS[1]: the job's hash. ARGV[1]: the total.
var startJob = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'enqueued', 'total', 'sent', 'failed', 'blocked', 'skipped')
if not v[1] then
	return {-1, ''}
end
if v[3] then
	return {0, 'already started (state ' .. v[1] .. ')'}
end
if v[1] ~= 'filling' and v[1] ~= 'cancelled' then
	return {0, 'state ' .. v[1]}
end
local total = tonumber(ARGV[1])
if tonumber(v[2]) ~= total then
	return {0, v[2] .. ' deliveries enqueued, not ' .. ARGV[1]}
end
redis.call('HSET', KEYS[1], 'total', total)
if v[1] == 'filling' then
	local completed = tonumber(v[4]) + tonumber(v[5]) + tonumber(v[6]) + tonumber(v[7])
	if completed >= total then
		redis.call('HSET', KEYS[1], 'state', 'done')
	else
		redis.call('HSET', KEYS[1], 'state', 'running')
	end
end
return {1, ''}
`)

// completeDelivery acknowledges and deletes a delivery's entry and, when it
// was still pending, counts its result. It returns 1 when that result
// completed the job: then a running job is done.
//
// KEYS[1]: the deliveries stream; KEYS[2]: the job's hash.
// ARGV[1]: the group; ARGV[2]: the entry id; ARGV[3]: the job id; ARGV[4]:
// the counter of the result.
var completeDelivery = redis.NewScript(`
local e = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #e == 1 then
	local fields, job = e[1][2], nil
	for i = 1, #fields, 2 do
		if fields[i] == 'job' then
			job = fields[i + 1]
		end
	end
	if job ~= ARGV[3] then
		return redis.error_reply('delivery ' .. ARGV[2] .. ' belongs to job ' .. tostring(job) .. ', not ' .. ARGV[3])
	end
end
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
	return 0
end
redis.call('XDEL', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 0 then
	return 0
end
redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
local v = redis.call('HMGET', KEYS[2], 'total', 'state', 'sent', 'failed', 'blocked', 'skipped')
if not v[1] then
	return 0
end
local completed = tonumber(v[3]) + tonumber(v[4]) + tonumber(v[5]) + tonumber(v[6])
if completed ~= tonumber(v[1]) then
	return 0
end
if v[2] == 'running' then
	redis.call('HSET', KEYS[2], 'state', 'done')
end
return 1
`)

// cancelJob moves a filling or running job to cancelled.
//
// KEYS[1]: the job's hash.
var cancelJob = redis.NewScript(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
	return {-1, ''}
end
if state == 'filling' or state == 'running' then
	redis.call('HSET', KEYS[1], 'state', 'cancelled')
end
return {1, ''}
`)

// runJobScript runs a script that answers {code, detail} and turns the
// answer into detail or an error: ErrNoJob for -1, why for 0.
func (s *Store) runJobScript(ctx context.Context, script *redis.Script, jobID string, keys []string, args ...any) (any, error) {
	reply, err := script.Run(ctx, s.client, keys, args...).Slice()
	if err != nil {
		return nil, err
	}
	if len(reply) != 2 {
		return nil, fmt.Errorf("job %s: script answered %v", jobID, reply)
	}
	switch code, _ := reply[0].(int64); code {
	case 1:
		return reply[1], nil
	case -1:
		return nil, fmt.Errorf("job %s: %w", jobID, broadcast.ErrNoJob)
	default:
		return nil, fmt.Errorf("job %s: %v", jobID, reply[1])
	}
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
		j.CreatedAt = time.Now()
	}
	_, err := s.runJobScript(ctx, createJob, j.ID, []string{s.keys.bcJob(j.ID), s.keys.bcJobs()},
		j.ID, j.Text, j.Topic, j.CreatedBy, j.CreatedAt.Format(time.RFC3339Nano), j.CreatedAt.UnixMicro())
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// Enqueue adds one delivery per chat id to a job in StateFilling, a
// thousand at a time: when it fails, some may have been added, and the
// job's Total counts them. It returns ErrNoJob, wrapped, for an unknown
// job and an error for a job in another state.
func (s *Store) Enqueue(ctx context.Context, jobID string, chatIDs []int64) error {
	const op = "enqueue"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	keys := []string{s.keys.bcJob(jobID), s.keys.bcDeliveries()}
	for chunk := range slices.Chunk(chatIDs, enqueueChunk) {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, jobID)
		for _, id := range chunk {
			args = append(args, id)
		}
		if _, err := s.runJobScript(ctx, enqueue, jobID, keys, args...); err != nil {
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
	if _, err := s.runJobScript(ctx, startJob, jobID, []string{s.keys.bcJob(jobID)}, total); err != nil {
		return fail(op, err)
	}
	return nil
}

// Claim returns a new delivery for consumer or, when there is none, one
// that was claimed at least minIdle ago and not completed. minIdle must be
// positive and consumer not empty. Deliveries left by a crashed worker are
// thus retried once the new ones are all claimed.
func (s *Store) Claim(ctx context.Context, consumer string, minIdle time.Duration) (broadcast.Delivery, bool, error) {
	const op = "claim"
	if s.closed.Load() {
		return broadcast.Delivery{}, false, fail(op, bot.ErrStoreClosed)
	}
	if consumer == "" || minIdle <= 0 {
		return broadcast.Delivery{}, false, fail(op, fmt.Errorf("consumer %q and minIdle %v must not be empty or zero", consumer, minIdle))
	}
	d, found, err := s.claim(ctx, consumer, minIdle)
	if err != nil && strings.HasPrefix(err.Error(), "NOGROUP") {
		// The stream was deleted since the group was made: make it again.
		s.groupReady.Store(false)
		d, found, err = s.claim(ctx, consumer, minIdle)
	}
	if err != nil {
		return broadcast.Delivery{}, false, fail(op, err)
	}
	return d, found, nil
}

func (s *Store) claim(ctx context.Context, consumer string, minIdle time.Duration) (broadcast.Delivery, bool, error) {
	stream := s.keys.bcDeliveries()
	if !s.groupReady.Load() {
		// From the stream's start, so that deliveries enqueued before the
		// first Claim are read too.
		err := s.client.XGroupCreateMkStream(ctx, stream, deliveryGroup, "0").Err()
		if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
			return broadcast.Delivery{}, false, fmt.Errorf("create group: %w", err)
		}
		s.groupReady.Store(true)
	}

	streams, err := s.client.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group:    deliveryGroup,
		Consumer: consumer,
		Streams:  []string{stream, ">"},
		Count:    1,
		Block:    -1, // no BLOCK: answer at once
	}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return broadcast.Delivery{}, false, err
	}
	if len(streams) == 1 && len(streams[0].Messages) == 1 {
		return decodeDelivery(streams[0].Messages[0])
	}

	// Nothing new: take over one left idle. The pending list holds the
	// deliveries in flight, few; XAUTOCLAIM walks it from start.
	start := "0-0"
	for {
		msgs, next, err := s.client.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream:   stream,
			Group:    deliveryGroup,
			Consumer: consumer,
			MinIdle:  minIdle,
			Start:    start,
			Count:    1,
		}).Result()
		if err != nil {
			return broadcast.Delivery{}, false, err
		}
		for _, m := range msgs {
			if m.Values != nil { // Redis 6.2 lists deleted entries without values
				return decodeDelivery(m)
			}
		}
		if next == "0-0" || next == "" {
			return broadcast.Delivery{}, false, nil
		}
		start = next
	}
}

func decodeDelivery(m redis.XMessage) (broadcast.Delivery, bool, error) {
	job, _ := m.Values["job"].(string)
	chat, _ := m.Values["chat"].(string)
	chatID, err := strconv.ParseInt(chat, 10, 64)
	if err != nil || job == "" {
		return broadcast.Delivery{}, false, fmt.Errorf("delivery %s: bad entry %v", m.ID, m.Values)
	}
	return broadcast.Delivery{JobID: job, ChatID: chatID, Ref: m.ID}, true, nil
}

// Complete records a delivery's result and removes it from the queue; a
// delivery no longer pending (completed before) is not counted again.
// finished is true for the call that completes a started job's last
// delivery.
func (s *Store) Complete(ctx context.Context, d broadcast.Delivery, r broadcast.Result) (bool, error) {
	const op = "complete"
	if s.closed.Load() {
		return false, fail(op, bot.ErrStoreClosed)
	}
	if err := checkResult(r); err != nil {
		return false, fail(op, err)
	}
	n, err := completeDelivery.Run(ctx, s.client, []string{s.keys.bcDeliveries(), s.keys.bcJob(d.JobID)},
		deliveryGroup, d.Ref, d.JobID, string(r)).Int()
	if err != nil {
		return false, fail(op, fmt.Errorf("delivery %s of job %s: %w", d.Ref, d.JobID, err))
	}
	return n == 1, nil
}

// checkResult accepts the four results of broadcast.
func checkResult(r broadcast.Result) error {
	switch r {
	case broadcast.Sent, broadcast.Failed, broadcast.Blocked, broadcast.Skipped:
		return nil
	}
	return fmt.Errorf("unknown result %q", r)
}

// Job returns a job and its counts; ErrNoJob, wrapped, if unknown. Before
// StartJob, Total is the number of deliveries enqueued so far.
func (s *Store) Job(ctx context.Context, id string) (broadcast.Job, broadcast.Counts, error) {
	const op = "job"
	if s.closed.Load() {
		return broadcast.Job{}, broadcast.Counts{}, fail(op, bot.ErrStoreClosed)
	}
	h, err := s.client.HGetAll(ctx, s.keys.bcJob(id)).Result()
	if err != nil {
		return broadcast.Job{}, broadcast.Counts{}, fail(op, err)
	}
	if len(h) == 0 {
		return broadcast.Job{}, broadcast.Counts{}, fail(op, fmt.Errorf("job %s: %w", id, broadcast.ErrNoJob))
	}
	j, c, err := decodeJob(h)
	if err != nil {
		return broadcast.Job{}, broadcast.Counts{}, fail(op, fmt.Errorf("job %s: %w", id, err))
	}
	return j, c, nil
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
	ids, err := s.client.ZRevRange(ctx, s.keys.bcJobs(), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.client.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, s.keys.bcJob(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fail(op, err)
	}
	jobs := make([]broadcast.Job, 0, len(ids))
	for i, cmd := range cmds {
		if len(cmd.Val()) == 0 {
			continue // deleted by hand
		}
		j, _, err := decodeJob(cmd.Val())
		if err != nil {
			return nil, fail(op, fmt.Errorf("job %s: %w", ids[i], err))
		}
		jobs = append(jobs, j)
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
	if _, err := s.runJobScript(ctx, cancelJob, id, []string{s.keys.bcJob(id)}); err != nil {
		return fail(op, err)
	}
	return nil
}

// decodeJob reads a job's hash.
func decodeJob(h map[string]string) (broadcast.Job, broadcast.Counts, error) {
	var errs []error
	num := func(field string) int {
		n, err := strconv.Atoi(h[field])
		if err != nil {
			errs = append(errs, fmt.Errorf("field %s: %w", field, err))
		}
		return n
	}
	j := broadcast.Job{ID: h["id"], Text: h["text"], Topic: h["topic"], State: h["state"]}
	by, err := strconv.ParseInt(h["by"], 10, 64)
	if err != nil {
		errs = append(errs, fmt.Errorf("field by: %w", err))
	}
	j.CreatedBy = by
	if j.CreatedAt, err = time.Parse(time.RFC3339Nano, h["at"]); err != nil {
		errs = append(errs, fmt.Errorf("field at: %w", err))
	}
	if _, started := h["total"]; started {
		j.Total = num("total")
	} else {
		j.Total = num("enqueued")
	}
	c := broadcast.Counts{Sent: num("sent"), Failed: num("failed"), Blocked: num("blocked"), Skipped: num("skipped")}
	return j, c, errors.Join(errs...)
}
