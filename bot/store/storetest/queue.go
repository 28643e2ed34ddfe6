package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot/broadcast"
)

// queueTest is one subtest of RunQueue.
type queueTest = contractTest[broadcast.Queue]

// RunQueue runs the contract of broadcast.Queue against the queues open
// returns: a fresh, empty queue per parallel subtest, which open closes
// itself when the test ends (t.Cleanup). Beyond the comments of
// broadcast.Queue, it fixes these details:
//   - CreateJob ignores the job's State and Total, fails for an empty or
//     taken id, and sets a zero CreatedAt to now;
//   - before StartJob, a job's Total is the number of deliveries enqueued
//     so far; StartJob fails unless total is that number, and for a job
//     already started; Enqueue fails once the job is no longer filling;
//   - a job cancelled while filling stays cancelled when started;
//   - StartJob moves a job whose deliveries are all completed (total 0
//     among them) straight to StateDone, and then no Complete reports
//     finished;
//   - Cancel leaves a done or cancelled job as it is;
//   - Claim fails for an empty consumer or a non-positive minIdle;
//   - Complete fails for a result other than the four of broadcast;
//   - Jobs fails for a non-positive limit.
//
// Re-claiming is tested with real time and a minIdle of 200 ms, asserting
// only what the clock proves. When the queue has a Close method, a last
// subtest closes it and expects every method to fail with
// bot.ErrStoreClosed.
func RunQueue(t *testing.T, open func(t *testing.T) broadcast.Queue) {
	runAll(t, append(queueTests, queueTest{"closed", queueClosed}), open, nil)
}

const (
	minIdle   = 200 * time.Millisecond
	neverIdle = time.Hour // a minIdle the tests never reach
)

var jobAt = time.Date(2026, 11, 1, 8, 30, 0, 123456789, wib)

var queueTests = []queueTest{
	{"create and read", func(t *testing.T, q broadcast.Queue) {
		j := broadcast.Job{
			ID:        "20261101-0830-a",
			Text:      "<b>Pengumuman</b> 📢 Layanan KTP tutup 17 Agustus & \"libur\" <i>nasional</i>",
			Topic:     "ktp",
			CreatedBy: 7_000_000_001,
			CreatedAt: jobAt,
			Total:     99,                  // ignored
			State:     broadcast.StateDone, // ignored
		}
		createJob(t, q, j)
		want := j
		want.Total, want.State = 0, broadcast.StateFilling
		wantJob(t, q, want, broadcast.Counts{})

		enqueue(t, q, j.ID, 1, 2, 3)
		want.Total = 3
		wantJob(t, q, want, broadcast.Counts{})
		enqueue(t, q, j.ID, -1001234567890)
		startJob(t, q, j.ID, 4)
		want.Total, want.State = 4, broadcast.StateRunning
		wantJob(t, q, want, broadcast.Counts{})
	}},
	{"zero time is now", func(t *testing.T, q broadcast.Queue) {
		before := time.Now()
		createJob(t, q, broadcast.Job{ID: "j", Text: "x"})
		j, _ := job(t, q, "j")
		if j.CreatedAt.Before(before.Truncate(time.Millisecond)) || j.CreatedAt.After(time.Now()) {
			t.Errorf("CreatedAt = %v, want now", j.CreatedAt)
		}
	}},
	{"taken and empty ids", func(t *testing.T, q broadcast.Queue) {
		createJob(t, q, broadcast.Job{ID: "j", Text: "first", CreatedAt: jobAt})
		if err := q.CreateJob(t.Context(), broadcast.Job{ID: "j", Text: "second", CreatedAt: jobAt}); err == nil {
			t.Error("CreateJob with a taken id: no error")
		}
		if j, _ := job(t, q, "j"); j.Text != "first" {
			t.Errorf("job text = %q after a second CreateJob, want the first", j.Text)
		}
		if err := q.CreateJob(t.Context(), broadcast.Job{Text: "x"}); err == nil {
			t.Error("CreateJob with an empty id: no error")
		}
	}},
	{"unknown job", func(t *testing.T, q broadcast.Queue) {
		ctx := t.Context()
		calls := map[string]func() error{
			"Job":      func() error { _, _, err := q.Job(ctx, "nope"); return err },
			"Enqueue":  func() error { return q.Enqueue(ctx, "nope", []int64{1}) },
			"StartJob": func() error { return q.StartJob(ctx, "nope", 0) },
			"Cancel":   func() error { return q.Cancel(ctx, "nope") },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, broadcast.ErrNoJob) {
				t.Errorf("%s of an unknown job: error %v, want one wrapping broadcast.ErrNoJob", name, err)
			}
		}
	}},
	{"total zero is done at once", func(t *testing.T, q broadcast.Queue) {
		createJob(t, q, broadcast.Job{ID: "empty", CreatedAt: jobAt})
		startJob(t, q, "empty", 0)
		wantState(t, q, "empty", broadcast.StateDone, broadcast.Counts{})
		wantNoClaim(t, q, "w1", neverIdle)
	}},
	{"start checks the total", func(t *testing.T, q broadcast.Queue) {
		createJob(t, q, broadcast.Job{ID: "j", CreatedAt: jobAt})
		enqueue(t, q, "j", 1, 2)
		for _, total := range []int{0, 1, 3} {
			if err := q.StartJob(t.Context(), "j", total); err == nil {
				t.Errorf("StartJob with total %d after 2 enqueued: no error", total)
			}
		}
		startJob(t, q, "j", 2)
		if err := q.StartJob(t.Context(), "j", 2); err == nil {
			t.Error("StartJob twice: no error")
		}
		if err := q.Enqueue(t.Context(), "j", []int64{3}); err == nil {
			t.Error("Enqueue to a running job: no error")
		}
		wantState(t, q, "j", broadcast.StateRunning, broadcast.Counts{})
	}},
	{"claim and complete", func(t *testing.T, q broadcast.Queue) {
		newJob(t, q, "j", jobAt, 10, 20, 30)
		got := map[int64]broadcast.Delivery{}
		for range 3 {
			d := mustClaim(t, q, "w1", neverIdle)
			if d.JobID != "j" || d.Ref == "" {
				t.Errorf("claimed %+v, want a delivery of job j with a Ref", d)
			}
			if _, dup := got[d.ChatID]; dup {
				t.Errorf("chat %d claimed twice", d.ChatID)
			}
			got[d.ChatID] = d
		}
		if len(got) != 3 || got[10].ChatID != 10 || got[20].ChatID != 20 || got[30].ChatID != 30 {
			t.Errorf("claimed chats %v, want 10, 20, 30", got)
		}
		wantNoClaim(t, q, "w2", neverIdle)
		wantComplete(t, q, got[10], broadcast.Sent, false)
		wantComplete(t, q, got[20], broadcast.Failed, false)
		wantState(t, q, "j", broadcast.StateRunning, broadcast.Counts{Sent: 1, Failed: 1})
		wantComplete(t, q, got[30], broadcast.Blocked, true)
		wantState(t, q, "j", broadcast.StateDone, broadcast.Counts{Sent: 1, Failed: 1, Blocked: 1})
		wantNoClaim(t, q, "w1", neverIdle)
	}},
	{"two consumers claim everything once", func(t *testing.T, q broadcast.Queue) {
		const perJob = 150
		var chats []int64
		for i := range int64(perJob) {
			chats = append(chats, 5000+i)
		}
		newJob(t, q, "a", jobAt, chats...)
		newJob(t, q, "b", jobAt.Add(time.Second), chats...)

		type claimed struct {
			job  string
			chat int64
		}
		var (
			mu       sync.Mutex
			seen     = map[claimed]int{}
			finished = map[string]int{}
			byWorker = map[string]int{}
			wg       sync.WaitGroup
			errs     = make([]error, 2)
		)
		for w := range 2 {
			consumer := fmt.Sprintf("w%d", w+1)
			wg.Go(func() {
				for {
					d, found, err := q.Claim(t.Context(), consumer, neverIdle)
					if err != nil || !found {
						errs[w] = err
						return
					}
					done, err := q.Complete(t.Context(), d, broadcast.Sent)
					if err != nil {
						errs[w] = err
						return
					}
					mu.Lock()
					seen[claimed{d.JobID, d.ChatID}]++
					byWorker[consumer]++
					if done {
						finished[d.JobID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("claiming: %v", err)
		}
		t.Logf("deliveries per consumer: %v", byWorker)
		for _, job := range []string{"a", "b"} {
			for _, chat := range chats {
				if n := seen[claimed{job, chat}]; n != 1 {
					t.Errorf("job %s, chat %d: claimed %d times, want once", job, chat, n)
				}
			}
			if finished[job] != 1 {
				t.Errorf("job %s: finished reported %d times, want once", job, finished[job])
			}
			wantState(t, q, job, broadcast.StateDone, broadcast.Counts{Sent: perJob})
		}
		if len(seen) != 2*perJob {
			t.Errorf("%d distinct deliveries claimed, want %d", len(seen), 2*perJob)
		}
	}},
	{"completing twice counts once", func(t *testing.T, q broadcast.Queue) {
		newJob(t, q, "j", jobAt, 1, 2)
		d1 := mustClaim(t, q, "w1", neverIdle)
		wantComplete(t, q, d1, broadcast.Sent, false)
		wantComplete(t, q, d1, broadcast.Failed, false)
		wantState(t, q, "j", broadcast.StateRunning, broadcast.Counts{Sent: 1})
		d2 := mustClaim(t, q, "w1", neverIdle)
		wantComplete(t, q, d2, broadcast.Blocked, true)
		wantComplete(t, q, d2, broadcast.Blocked, false)
		wantComplete(t, q, d1, broadcast.Sent, false)
		wantState(t, q, "j", broadcast.StateDone, broadcast.Counts{Sent: 1, Blocked: 1})
	}},
	{"racing to complete the last deliveries", func(t *testing.T, q broadcast.Queue) {
		var chats []int64
		for i := range int64(concurrency) {
			chats = append(chats, 100+i)
		}
		newJob(t, q, "j", jobAt, chats...)
		var ds []broadcast.Delivery
		for range concurrency {
			ds = append(ds, mustClaim(t, q, "w1", neverIdle))
		}
		var mu sync.Mutex
		next := 0
		// Each goroutine completes its own delivery and, racing with its
		// owner, its neighbour's.
		finished := parallel(t, func() (int, error) {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			n := 0
			for _, d := range []broadcast.Delivery{ds[i], ds[(i+1)%len(ds)]} {
				done, err := q.Complete(t.Context(), d, broadcast.Sent)
				if err != nil {
					return 0, err
				}
				if done {
					n++
				}
			}
			return n, nil
		})
		total := 0
		for _, n := range finished {
			total += n
		}
		if total != 1 {
			t.Errorf("%d of %d racing Complete calls reported finished, want exactly 1", total, 2*concurrency)
		}
		wantState(t, q, "j", broadcast.StateDone, broadcast.Counts{Sent: concurrency})
	}},
	{"idle delivery is claimed again", func(t *testing.T, q broadcast.Queue) {
		newJob(t, q, "j", jobAt, 42)
		// What the clock proves: the delivery was claimed after start and
		// claimed again before a successful Claim returned, so that Claim
		// returning less than minIdle after start is too early.
		start := time.Now()
		first := mustClaim(t, q, "crashed", minIdle)
		if _, found := claim(t, q, "w2", minIdle); found {
			if elapsed := time.Since(start); elapsed < minIdle {
				t.Fatalf("claimed again at most %v after the first claim, before minIdle %v", elapsed.Round(time.Millisecond), minIdle)
			}
		}
		again, began := pollClaim(t, q, "w2", minIdle)
		if elapsed := time.Since(start); elapsed < minIdle {
			t.Errorf("claimed again at most %v after the first claim, before minIdle %v", elapsed.Round(time.Millisecond), minIdle)
		}
		if again.JobID != first.JobID || again.ChatID != first.ChatID {
			t.Errorf("claimed again %+v, want %+v", again, first)
		}
		// Claiming again starts a new wait.
		if _, found := claim(t, q, "crashed", minIdle); found {
			if elapsed := time.Since(began); elapsed < minIdle {
				t.Errorf("claimed a third time at most %v after the second, before minIdle %v", elapsed.Round(time.Millisecond), minIdle)
			}
		}
		// The first worker was only slow: its result counts, the second's
		// does not.
		wantComplete(t, q, first, broadcast.Sent, true)
		wantComplete(t, q, again, broadcast.Failed, false)
		wantState(t, q, "j", broadcast.StateDone, broadcast.Counts{Sent: 1})
		wantNoClaim(t, q, "w3", time.Millisecond)
	}},
	{"cancel running", func(t *testing.T, q broadcast.Queue) {
		newJob(t, q, "j", jobAt, 1, 2, 3, 4, 5)
		for range 2 {
			wantComplete(t, q, mustClaim(t, q, "w1", neverIdle), broadcast.Sent, false)
		}
		cancel(t, q, "j")
		wantState(t, q, "j", broadcast.StateCancelled, broadcast.Counts{Sent: 2})
		var finished int
		for range 3 {
			d := mustClaim(t, q, "w1", neverIdle)
			// What a worker does: look at the job before sending.
			if j, _ := job(t, q, d.JobID); j.State != broadcast.StateCancelled {
				t.Fatalf("job state %s after Cancel", j.State)
			}
			if done := complete(t, q, d, broadcast.Skipped); done {
				finished++
			}
		}
		if finished != 1 {
			t.Errorf("finished reported %d times, want once", finished)
		}
		wantNoClaim(t, q, "w1", neverIdle)
		cancel(t, q, "j")
		wantState(t, q, "j", broadcast.StateCancelled, broadcast.Counts{Sent: 2, Skipped: 3})
	}},
	{"cancel while filling", func(t *testing.T, q broadcast.Queue) {
		createJob(t, q, broadcast.Job{ID: "j", CreatedAt: jobAt})
		enqueue(t, q, "j", 1, 2)
		cancel(t, q, "j")
		if err := q.Enqueue(t.Context(), "j", []int64{3}); err == nil {
			t.Error("Enqueue to a cancelled job: no error")
		}
		startJob(t, q, "j", 2)
		wantState(t, q, "j", broadcast.StateCancelled, broadcast.Counts{})
		wantComplete(t, q, mustClaim(t, q, "w1", neverIdle), broadcast.Skipped, false)
		wantComplete(t, q, mustClaim(t, q, "w1", neverIdle), broadcast.Skipped, true)
		wantState(t, q, "j", broadcast.StateCancelled, broadcast.Counts{Skipped: 2})
	}},
	{"cancel done", func(t *testing.T, q broadcast.Queue) {
		newJob(t, q, "j", jobAt, 1)
		wantComplete(t, q, mustClaim(t, q, "w1", neverIdle), broadcast.Sent, true)
		cancel(t, q, "j")
		wantState(t, q, "j", broadcast.StateDone, broadcast.Counts{Sent: 1})
	}},
	{"completed before start", func(t *testing.T, q broadcast.Queue) {
		createJob(t, q, broadcast.Job{ID: "j", CreatedAt: jobAt})
		enqueue(t, q, "j", 1)
		// Workers may send while the job is still filling; the total is
		// not known yet, so nothing is finished.
		wantComplete(t, q, mustClaim(t, q, "w1", neverIdle), broadcast.Sent, false)
		wantState(t, q, "j", broadcast.StateFilling, broadcast.Counts{Sent: 1})
		startJob(t, q, "j", 1)
		wantState(t, q, "j", broadcast.StateDone, broadcast.Counts{Sent: 1})
	}},
	{"jobs newest first", func(t *testing.T, q broadcast.Queue) {
		if jobs := jobs(t, q, 10); len(jobs) != 0 {
			t.Errorf("Jobs of an empty queue = %v", jobs)
		}
		for _, j := range []struct {
			id string
			at time.Time
		}{{"b", jobAt.Add(time.Second)}, {"a", jobAt}, {"c", jobAt.Add(2 * time.Second)}, {"d", jobAt.Add(time.Millisecond)}} {
			createJob(t, q, broadcast.Job{ID: j.id, Text: "pengumuman " + j.id, CreatedAt: j.at})
		}
		startJob(t, q, "a", 0)
		for _, c := range []struct {
			limit int
			want  string
		}{{10, "c b d a"}, {4, "c b d a"}, {2, "c b"}, {1, "c"}} {
			got := jobs(t, q, c.limit)
			var ids []string
			for _, j := range got {
				ids = append(ids, j.ID)
				if j.Text != "pengumuman "+j.ID || j.CreatedAt.IsZero() {
					t.Errorf("Jobs gave %+v", j)
				}
				if want := map[bool]string{true: broadcast.StateDone, false: broadcast.StateFilling}[j.ID == "a"]; j.State != want {
					t.Errorf("Jobs gave job %s in state %s, want %s", j.ID, j.State, want)
				}
			}
			if strings.Join(ids, " ") != c.want {
				t.Errorf("Jobs(%d) = %v, want %s", c.limit, ids, c.want)
			}
		}
	}},
	{"invalid arguments", func(t *testing.T, q broadcast.Queue) {
		ctx := t.Context()
		newJob(t, q, "j", jobAt, 1)
		d := mustClaim(t, q, "w1", neverIdle)
		if _, _, err := q.Claim(ctx, "", neverIdle); err == nil {
			t.Error("Claim by an empty consumer: no error")
		}
		for _, idle := range []time.Duration{0, -time.Second} {
			if _, _, err := q.Claim(ctx, "w1", idle); err == nil {
				t.Errorf("Claim with minIdle %v: no error", idle)
			}
		}
		if _, err := q.Complete(ctx, d, broadcast.Result("delivered")); err == nil {
			t.Error("Complete with an unknown result: no error")
		}
		for _, limit := range []int{0, -1} {
			if _, err := q.Jobs(ctx, limit); err == nil {
				t.Errorf("Jobs(%d): no error", limit)
			}
		}
		wantComplete(t, q, d, broadcast.Sent, true)
	}},
}

func queueClosed(t *testing.T, q broadcast.Queue) {
	closer, ok := q.(interface{ Close() error })
	if !ok {
		t.Skip("the queue has no Close method")
	}
	if err := closer.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := t.Context()
	wantClosed(t, map[string]func() error{
		"CreateJob": func() error { return q.CreateJob(ctx, broadcast.Job{ID: "j"}) },
		"Enqueue":   func() error { return q.Enqueue(ctx, "j", []int64{1}) },
		"StartJob":  func() error { return q.StartJob(ctx, "j", 1) },
		"Claim":     func() error { _, _, err := q.Claim(ctx, "w1", neverIdle); return err },
		"Complete": func() error {
			_, err := q.Complete(ctx, broadcast.Delivery{JobID: "j", ChatID: 1, Ref: "1"}, broadcast.Sent)
			return err
		},
		"Job":    func() error { _, _, err := q.Job(ctx, "j"); return err },
		"Jobs":   func() error { _, err := q.Jobs(ctx, 10); return err },
		"Cancel": func() error { return q.Cancel(ctx, "j") },
	})
}

func createJob(t *testing.T, q broadcast.Queue, j broadcast.Job) {
	t.Helper()
	if err := q.CreateJob(t.Context(), j); err != nil {
		t.Fatalf("CreateJob(%s): %v", j.ID, err)
	}
}

func enqueue(t *testing.T, q broadcast.Queue, jobID string, chats ...int64) {
	t.Helper()
	if err := q.Enqueue(t.Context(), jobID, chats); err != nil {
		t.Fatalf("Enqueue(%s, %d chats): %v", jobID, len(chats), err)
	}
}

func startJob(t *testing.T, q broadcast.Queue, jobID string, total int) {
	t.Helper()
	if err := q.StartJob(t.Context(), jobID, total); err != nil {
		t.Fatalf("StartJob(%s, %d): %v", jobID, total, err)
	}
}

func cancel(t *testing.T, q broadcast.Queue, jobID string) {
	t.Helper()
	if err := q.Cancel(t.Context(), jobID); err != nil {
		t.Fatalf("Cancel(%s): %v", jobID, err)
	}
}

// newJob creates a running job with one delivery per chat.
func newJob(t *testing.T, q broadcast.Queue, id string, at time.Time, chats ...int64) {
	t.Helper()
	createJob(t, q, broadcast.Job{ID: id, Text: "pengumuman " + id, CreatedAt: at})
	enqueue(t, q, id, chats...)
	startJob(t, q, id, len(chats))
}

func job(t *testing.T, q broadcast.Queue, id string) (broadcast.Job, broadcast.Counts) {
	t.Helper()
	j, c, err := q.Job(t.Context(), id)
	if err != nil {
		t.Fatalf("Job(%s): %v", id, err)
	}
	return j, c
}

func jobs(t *testing.T, q broadcast.Queue, limit int) []broadcast.Job {
	t.Helper()
	js, err := q.Jobs(t.Context(), limit)
	if err != nil {
		t.Fatalf("Jobs(%d): %v", limit, err)
	}
	return js
}

func wantJob(t *testing.T, q broadcast.Queue, want broadcast.Job, counts broadcast.Counts) {
	t.Helper()
	got, c := job(t, q, want.ID)
	if got.ID != want.ID || got.Text != want.Text || got.Topic != want.Topic || got.CreatedBy != want.CreatedBy ||
		!got.CreatedAt.Equal(want.CreatedAt) || got.Total != want.Total || got.State != want.State {
		t.Errorf("Job(%s) = %+v, want %+v", want.ID, got, want)
	}
	if c != counts {
		t.Errorf("Job(%s) counts = %+v, want %+v", want.ID, c, counts)
	}
}

func wantState(t *testing.T, q broadcast.Queue, id, state string, counts broadcast.Counts) {
	t.Helper()
	j, c := job(t, q, id)
	if j.State != state || c != counts {
		t.Errorf("Job(%s): state %s, counts %+v; want %s, %+v", id, j.State, c, state, counts)
	}
}

func claim(t *testing.T, q broadcast.Queue, consumer string, idle time.Duration) (broadcast.Delivery, bool) {
	t.Helper()
	d, found, err := q.Claim(t.Context(), consumer, idle)
	if err != nil {
		t.Fatalf("Claim(%s, %v): %v", consumer, idle, err)
	}
	return d, found
}

func mustClaim(t *testing.T, q broadcast.Queue, consumer string, idle time.Duration) broadcast.Delivery {
	t.Helper()
	d, found := claim(t, q, consumer, idle)
	if !found {
		t.Fatalf("Claim(%s, %v): nothing to claim", consumer, idle)
	}
	return d
}

func wantNoClaim(t *testing.T, q broadcast.Queue, consumer string, idle time.Duration) {
	t.Helper()
	if d, found := claim(t, q, consumer, idle); found {
		t.Errorf("Claim(%s, %v) = %+v, want nothing", consumer, idle, d)
	}
}

// pollClaim claims until something is found, failing after a generous
// deadline. It returns when the successful call began.
func pollClaim(t *testing.T, q broadcast.Queue, consumer string, idle time.Duration) (broadcast.Delivery, time.Time) {
	t.Helper()
	deadline := time.Now().Add(idle + expiryGrace)
	for {
		began := time.Now()
		d, found := claim(t, q, consumer, idle)
		if found {
			return d, began
		}
		if began.After(deadline) {
			t.Fatalf("Claim(%s, %v): nothing to claim after %v", consumer, idle, idle+expiryGrace)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func complete(t *testing.T, q broadcast.Queue, d broadcast.Delivery, r broadcast.Result) bool {
	t.Helper()
	finished, err := q.Complete(t.Context(), d, r)
	if err != nil {
		t.Fatalf("Complete(%+v, %s): %v", d, r, err)
	}
	return finished
}

func wantComplete(t *testing.T, q broadcast.Queue, d broadcast.Delivery, r broadcast.Result, want bool) {
	t.Helper()
	if got := complete(t, q, d, r); got != want {
		t.Errorf("Complete(%+v, %s) finished = %v, want %v", d, r, got, want)
	}
}
