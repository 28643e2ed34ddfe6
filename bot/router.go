package bot

import (
	"context"
	"fmt"
)

// The router maps commands and button kinds to the feature that owns
// them. Each feature registers its own (menus.go, answers in card.go,
// feedback.go, subscribe.go, forget.go, language.go, offices.go, admin.go);
// a feature whose dependency is absent (no subscription store, no admins)
// registers nothing, so its commands read as unknown and its buttons as
// stale, with no nil checks in the handlers.

// commandHandler answers a command; it sets out's kind or entry when they
// differ from OutcomeCommand.
type commandHandler func(ctx context.Context, v *conv, m *Message, cmd command, out *Outcome) error

// press is one button press being handled.
type press struct {
	q  *Callback
	cb callback
	// notice is the short text shown on the button press (stale button,
	// vote recorded); empty for none.
	notice   string
	answered bool
	out      *Outcome
	send     Sender
}

// answer answers the button press now, before a reply: a client shows the
// press as pending until it is answered. Later calls do nothing.
func (p *press) answer(ctx context.Context) error {
	if p.answered {
		return nil
	}
	p.answered = true
	if err := p.send.AnswerCallback(ctx, p.q.ID, p.notice); err != nil {
		return fmt.Errorf("bot: answer callback: %w", err)
	}
	return nil
}

// buttonHandler handles a button press whose data parsed as its kind.
type buttonHandler func(ctx context.Context, v *conv, p *press) error

type router struct {
	commands map[string]commandHandler
	buttons  map[string]buttonHandler
}

func newRouter() *router {
	return &router{commands: map[string]commandHandler{}, buttons: map[string]buttonHandler{}}
}

// command registers h for each name ("langganan", "subscribe").
func (r *router) command(h commandHandler, names ...string) {
	for _, n := range names {
		if _, taken := r.commands[n]; taken {
			panic("bot: command registered twice: " + n)
		}
		r.commands[n] = h
	}
}

// button registers h for a callback kind.
func (r *router) button(kind string, h buttonHandler) {
	if _, taken := r.buttons[kind]; taken {
		panic("bot: button kind registered twice: " + kind)
	}
	r.buttons[kind] = h
}

// routes registers every feature that has what it needs.
func (c *Conversation) routes() *router {
	r := newRouter()
	c.registerMenus(r)
	c.registerAnswers(r)
	c.registerFeedback(r)
	c.registerLanguage(r)
	c.registerForget(r)
	c.registerOffices(r)
	c.registerHandoff(r)
	if c.opts.Subscriptions != nil {
		c.registerSubscriptions(r)
	}
	if len(c.opts.Admins) > 0 {
		c.registerAdmin(r)
	}
	if c.opts.ConsoleLink != nil {
		c.registerConsole(r)
	}
	return r
}

// handleCommand runs a registered command, or says the command is unknown.
func (c *Conversation) handleCommand(ctx context.Context, v *conv, m *Message, cmd command, out Outcome) (Outcome, error) {
	out.Kind = OutcomeCommand
	h, ok := c.router.commands[cmd.name]
	if !ok {
		_, err := c.reply(ctx, v, c.t(v, "unknown_command"), nil)
		return out, err
	}
	err := h(ctx, v, m, cmd, &out)
	return out, err
}

// handleCallback runs a button's handler and answers the press; forged,
// malformed and stale buttons get a neutral notice.
func (c *Conversation) handleCallback(ctx context.Context, v *conv, q *Callback) (Outcome, error) {
	out := Outcome{Kind: OutcomeCallback, ChatID: v.chatID}
	p := &press{q: q, cb: parseCallback(q.Data), out: &out, send: c.send}
	var err error
	if h, ok := c.router.buttons[p.cb.kind]; ok && p.cb.valid {
		err = h(ctx, v, p)
	} else {
		p.notice = c.t(v, "stale_button")
	}
	if aerr := p.answer(ctx); aerr != nil && err == nil {
		err = aerr
	}
	return out, err
}
