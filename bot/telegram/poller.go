package telegram

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// Poller fetches updates with long polling and hands them to a handler.
// Updates of one chat are handled in order by one worker; different chats
// run in parallel.
type Poller struct {
	client  *Client
	handler bot.Handler
	log     *slog.Logger
	// Workers is how many updates are handled at once (default 8).
	Workers int
	// PollTimeout is the long-poll wait (default 30 s).
	PollTimeout time.Duration
	// DrainTimeout bounds how long in-flight updates may run after the
	// context ends (default 10 s).
	DrainTimeout time.Duration
	// HeldRetry is how often an update claimed by a handler that has not
	// completed it (bot.ErrInProgress: the process before a restart died
	// while answering it) is tried again, until its claim lapses and it
	// is answered (default 1 s; at most HeldAttempts tries, default 60;
	// serve sets it from CLAIM_TTL).
	HeldRetry    time.Duration
	HeldAttempts int
}

// handle hands u to the handler and, while another handler's claim holds
// it, tries again. The handler middleware logs failures.
func (p *Poller) handle(ctx context.Context, u bot.Update) {
	for attempt := 1; ; attempt++ {
		_, err := p.handler.Handle(ctx, u)
		if !errors.Is(err, bot.ErrInProgress) {
			return
		}
		if attempt >= p.HeldAttempts {
			p.log.Warn("update still claimed by another handler; giving up", "update_id", u.ID, "attempts", attempt)
			return
		}
		if sleep(ctx, p.HeldRetry) != nil {
			return
		}
	}
}

// NewPoller returns a poller with the defaults above.
func NewPoller(client *Client, handler bot.Handler, log *slog.Logger) *Poller {
	return &Poller{client: client, handler: handler, log: log, Workers: 8, PollTimeout: 30 * time.Second, DrainTimeout: 10 * time.Second, HeldRetry: time.Second, HeldAttempts: 60}
}

// chatKey is what orders updates: the chat, else the user.
func chatKey(u bot.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.Callback != nil:
		return u.Callback.From.ID
	case u.Reaction != nil:
		return u.Reaction.Chat.ID
	}
	return int64(u.ID)
}

// Run polls until ctx ends, then stops taking updates, lets the updates in
// flight finish within DrainTimeout, and returns nil.
func (p *Poller) Run(ctx context.Context) error {
	// Handlers get their own context: ending ctx stops the intake, not the
	// answers already being written.
	handleCtx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()
	workers := max(1, p.Workers)
	queues := make([]chan bot.Update, workers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan bot.Update, 16)
		wg.Add(1)
		go func(q <-chan bot.Update) {
			defer wg.Done()
			for u := range q {
				p.handle(handleCtx, u)
			}
		}(queues[i])
	}

	offset := 0
	backoff := time.Second
	for ctx.Err() == nil {
		updates, err := p.client.GetUpdates(ctx, offset, p.PollTimeout)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			wait := backoff
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
				wait = apiErr.RetryAfter
			}
			p.log.Warn("getUpdates failed", "err", err, "wait_ms", wait.Milliseconds())
			if sleep(ctx, wait) != nil {
				break
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		for _, u := range updates {
			offset = max(offset, u.ID+1)
			k := chatKey(u) % int64(workers)
			if k < 0 {
				k = -k
			}
			select {
			case queues[k] <- u:
			case <-ctx.Done():
				// Not handled: Telegram delivers it again after a restart,
				// since the offset was not confirmed by a later poll.
			}
		}
	}

	for _, q := range queues {
		close(q)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(p.DrainTimeout):
		p.log.Warn("in-flight updates did not finish in time; cancelling them", "drain_timeout_ms", p.DrainTimeout.Milliseconds())
		cancelHandlers()
		<-done
	}
	return nil
}
