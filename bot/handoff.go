package bot

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

// Human handoff: a citizen reaches staff through the bot, and staff answer
// from their own Telegram supergroup. Each handoff is a Ticket in the
// store, so any replica relays any message. With topics (a forum), each
// ticket gets its own topic; without, staff answer by replying to the
// ticket's messages. While a ticket is open the citizen's messages go to
// staff instead of the search, and staff messages go to the citizen as the
// bot's own (copyMessage).

// Handoff turns the handoff on; Options.Handoff nil leaves "Hubungi
// petugas" a static text.
type Handoff struct {
	Store HandoffStore
	Relay Relay
	// StaffChat is the staff supergroup's chat id; the bot must be an
	// admin there (with the right to manage topics when it has topics).
	StaffChat int64
	// TTL closes a ticket after this much silence on both sides.
	TTL time.Duration
	// StaffNames shows the staff member's first name above each reply.
	StaffNames bool
	// Office is the lokal.yaml office whose hours staff keep; "" for the
	// first office, when there is one.
	Office string
}

// HandoffObserver is told about tickets; the metrics implement it beside
// Observer.
type HandoffObserver interface {
	TicketOpened()
	TicketClosed(by string)
	FirstStaffReply(after time.Duration)
	TicketRated(rating int)
}

// Who closed a ticket, for the notes and metrics.
const (
	closedByCitizen = "citizen"
	closedByStaff   = "staff"
	closedByTimeout = "timeout"
	closedByBlocked = "blocked" // the citizen blocked the bot
	closedByForget  = "forget"  // the citizen deleted their data
	closedByFailure = "failed"  // the ticket could not be posted to the staff group
)

// closing says how a ticket is being closed.
type closing struct {
	by  string // closedBy…
	who string // the staff member who closed it
	// activeBefore, when not zero, closes it only if still silent since
	// then (closing for silence).
	activeBefore time.Time
	// topicClosed is true when staff closed the topic in Telegram already.
	topicClosed bool
}

// TicketClosers lists who can close a ticket, as TicketClosed reports it,
// for metrics to create at zero.
func TicketClosers() []string {
	return []string{closedByCitizen, closedByStaff, closedByTimeout, closedByBlocked, closedByForget, closedByFailure}
}

// HandoffDraft is a handoff being opened: waiting for the citizen's
// description, or for the confirmation of Text.
type HandoffDraft struct {
	Text    string `json:"text,omitempty"`
	Waiting bool   `json:"waiting,omitempty"`
}

//go:embed handoff.txt
var handoffData string

// handoffWords recognises a request for a person ("mau bicara dengan
// petugas", "talk to a human") by its phrases (handoff.txt).
type handoffWords struct {
	phrases [][]string
}

func loadHandoffWords() (*handoffWords, error) {
	lines, err := readKindLines(handoffData, "handoff.txt")
	if err != nil {
		return nil, err
	}
	h := &handoffWords{}
	for _, l := range lines {
		if l.kind != "phrase" || len(l.words) == 0 {
			return nil, fmt.Errorf("bot: handoff.txt: want \"phrase: words\", got %q", l.kind)
		}
		h.phrases = append(h.phrases, l.words)
	}
	return h, nil
}

// match reports whether text asks for a person, and how many other words
// it has (enough of them describe the problem in the same message).
func (h *handoffWords) match(text string) (others int, ok bool) {
	words := analysis.Tokenize(text)
	for _, p := range h.phrases {
		for i := 0; i+len(p) <= len(words); i++ {
			if equalWords(words[i:i+len(p)], p) {
				return len(words) - len(p), true
			}
		}
	}
	return 0, false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// describedWords is how many words besides the request for a person make a
// description of the problem ("mau bicara dengan petugas soal ktp saya
// yang hilang").
const describedWords = 4

// Callback kinds of the handoff.
const (
	cbHandoff = "p" // p:<send|full|no>           confirm the handoff, showing personal data or not
	cbRate    = "n" // n:<ticket number>:<1-5>    rate a closed ticket
)

func (c *Conversation) registerHandoff(r *router) {
	r.command(func(ctx context.Context, v *conv, m *Message, cmd command, out *Outcome) error {
		out.Kind = OutcomeHandoff
		if c.opts.Handoff == nil {
			return c.sendContact(ctx, v)
		}
		return c.startHandoff(ctx, v, cmd.args)
	}, "petugas", "staff", "human")
	if c.opts.Handoff == nil {
		return
	}
	r.command(func(ctx context.Context, v *conv, _ *Message, _ command, out *Outcome) error {
		// /selesai with a ticket open is handled before the router.
		_, err := c.reply(ctx, v, c.t(v, "handoff_not_open"), c.menuRow(v))
		return err
	}, "selesai", "done")
	r.button(cbHandoff, c.confirmHandoff)
	r.button(cbRate, c.rateTicket)
}

// parseHandoffCallback reads the handoff's button data into cb.
func parseHandoffCallback(c *callback, parts []string) {
	switch {
	case c.kind == cbHandoff && len(parts) == 2 && (parts[1] == "send" || parts[1] == "full" || parts[1] == "no"):
		c.id, c.valid = parts[1], true
	case c.kind == cbRate && len(parts) == 3:
		n, err1 := strconv.ParseInt(parts[1], 10, 64)
		r, err2 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil && n > 0 && r >= 1 && r <= 5 {
			c.ticket, c.page, c.valid = n, r, true
		}
	}
}

// startHandoff begins opening a handoff: the problem is described already
// (in the request itself, or the question the bot could not answer), or
// the citizen is asked for it.
func (c *Conversation) startHandoff(ctx context.Context, v *conv, described string) error {
	if v.shared {
		// Staff replies would reach the whole group.
		_, err := c.reply(ctx, v, c.t(v, "handoff_private"), nil)
		return err
	}
	t, ok, err := c.openTicketOf(ctx, v)
	if err != nil {
		_, err := c.reply(ctx, v, c.t(v, "error"), nil)
		return err
	}
	if ok {
		_, err := c.reply(ctx, v, c.t(v, "handoff_already", "number", strconv.FormatInt(t.Number, 10)), nil)
		return err
	}
	if len(strings.Fields(described)) < describedWords {
		described = v.session.Asked
	}
	c.save(v)
	if described == "" {
		v.session.Handoff = &HandoffDraft{Waiting: true}
		_, err := c.reply(ctx, v, c.t(v, "handoff_describe"), [][]Button{{{Text: c.t(v, "button_handoff_cancel"), Data: callbackData(cbHandoff, "no")}}})
		return err
	}
	return c.askHandoffConfirm(ctx, v, described)
}

// askHandoffConfirm shows the message staff will get, with the choice to
// show personal data unmasked.
func (c *Conversation) askHandoffConfirm(ctx context.Context, v *conv, text string) error {
	text = truncateRunes(strings.TrimSpace(text), maxHandoffText)
	v.session.Handoff = &HandoffDraft{Text: text}
	c.save(v)
	_, err := c.reply(ctx, v, c.t(v, "handoff_confirm", "text", escape(text)), [][]Button{
		{{Text: c.t(v, "button_handoff_send"), Data: callbackData(cbHandoff, "send")}},
		{{Text: c.t(v, "button_handoff_full"), Data: callbackData(cbHandoff, "full")}},
		{{Text: c.t(v, "button_handoff_cancel"), Data: callbackData(cbHandoff, "no")}},
	})
	return err
}

// maxHandoffText bounds the description kept in the session and posted.
const maxHandoffText = 1000

// openTicketOf returns the citizen's open ticket, from the session's hint
// (read with the session, so a citizen without a ticket costs no store
// call); a ticket closed meanwhile (by staff, by time) clears the hint.
// An error means the store could not say: the caller must not answer
// from the FAQ as if there were no ticket.
func (c *Conversation) openTicketOf(ctx context.Context, v *conv) (Ticket, bool, error) {
	h := c.opts.Handoff
	if h == nil || v.session.Ticket == 0 {
		return Ticket{}, false, nil
	}
	t, found, err := h.Store.Ticket(ctx, v.session.Ticket)
	if err != nil {
		c.storeFailed("ticket", err)
		return Ticket{}, false, fmt.Errorf("bot: ticket: %w", err)
	}
	if !found || !t.Open() || t.UserID != v.userID {
		v.session.Ticket = 0
		c.save(v)
		return Ticket{}, false, nil
	}
	return t, true, nil
}

// confirmHandoff handles the confirmation buttons.
func (c *Conversation) confirmHandoff(ctx context.Context, v *conv, p *press) error {
	p.out.Kind = OutcomeHandoff
	draft := v.session.Handoff
	if err := p.answer(ctx); err != nil {
		return err
	}
	if _, ok, err := c.openTicketOf(ctx, v); err != nil || ok || v.shared {
		// An old confirmation pressed while a ticket is open, or in a
		// group: say why nothing opens.
		return c.startHandoff(ctx, v, "")
	}
	if p.cb.id == "no" {
		v.session.Handoff = nil
		c.save(v)
		_, err := c.reply(ctx, v, c.t(v, "handoff_cancelled"), c.menuRow(v))
		return err
	}
	if draft == nil || draft.Text == "" {
		// A button from an old confirmation, or forged: start again.
		return c.startHandoff(ctx, v, "")
	}
	v.session.Handoff = nil
	c.save(v)
	return c.openTicket(ctx, v, draft.Text, p.cb.id == "full")
}

// openTicket opens the ticket, posts it to the staff group and tells the
// citizen when staff usually answer and their place in the queue.
func (c *Conversation) openTicket(ctx context.Context, v *conv, text string, consent bool) error {
	h := c.opts.Handoff
	now := c.now()
	t := Ticket{UserID: v.userID, ChatID: v.chatID, Lang: v.lang, Consent: consent, OpenedAt: now, ActiveAt: now}
	if e, err := c.know.Entry(v.session.TopicID); err == nil {
		t.Service = e.Title
	}
	t, opened, err := h.Store.OpenTicket(ctx, t)
	if err != nil {
		c.storeFailed("open_ticket", err)
		_, err := c.reply(ctx, v, c.t(v, "handoff_failed"), nil)
		return err
	}
	v.session.Ticket = t.Number
	c.save(v)
	number := strconv.FormatInt(t.Number, 10)
	if !opened {
		_, err := c.reply(ctx, v, c.t(v, "handoff_already", "number", number), nil)
		return err
	}
	if err := c.postTicket(ctx, &t, v, text); err != nil {
		c.log.Error("handoff: posting the ticket to the staff group failed", "ticket", t.Number, "err", err)
		_ = c.closeTicket(ctx, t, closing{by: closedByFailure})
		v.session.Ticket = 0
		_, err := c.reply(ctx, v, c.t(v, "handoff_failed"), nil)
		return err
	}
	if o, ok := c.opts.Observer.(HandoffObserver); ok {
		o.TicketOpened()
	}
	c.log.Info("handoff opened", "ticket", t.Number)
	position := 1
	if open, err := h.Store.OpenTickets(ctx); err == nil {
		position = 0
		for _, o := range open {
			if o.Number <= t.Number {
				position++
			}
		}
	}
	_, err = c.reply(ctx, v, c.t(v, "handoff_opened", "number", number, "hours", c.staffHours(v), "position", strconv.Itoa(max(position, 1))), nil)
	return err
}

// postTicket creates the ticket's topic (when the group has topics) and
// posts its first message there.
func (c *Conversation) postTicket(ctx context.Context, t *Ticket, v *conv, text string) error {
	h := c.opts.Handoff
	staff := c.staffConv()
	shown := text
	if !t.Consent {
		shown = MaskPersonalData(text)
	}
	service := t.Service
	if service == "" {
		service = c.t(staff, "staff_no_service")
	}
	name := truncateRunes(fmt.Sprintf("#%d · %s · %s", t.Number, service, firstWords(shown, 6)), maxTopicName)
	thread, err := h.Relay.CreateTopic(ctx, h.StaffChat, name)
	switch {
	case errors.Is(err, ErrNoTopics):
		thread = 0
	case err != nil:
		return fmt.Errorf("create topic: %w", err)
	default:
		t.ThreadID = thread
		if err := h.Store.LinkMessage(ctx, t.Number, thread, true); err != nil {
			return fmt.Errorf("link topic: %w", err)
		}
	}
	lang, privacy, how := c.t(staff, "staff_lang_id"), c.t(staff, "staff_privacy_masked"), c.t(staff, "staff_how_reply")
	if t.Lang == LangEN {
		lang = c.t(staff, "staff_lang_en")
	}
	if t.Consent {
		privacy = c.t(staff, "staff_privacy_shown")
	}
	if thread != 0 {
		how = c.t(staff, "staff_how_topic")
	}
	answer := c.t(staff, "staff_answer_none")
	switch {
	case v.session.Asked != "":
		answer = c.t(staff, "staff_answer_not_found")
	case t.Service != "":
		answer = c.t(staff, "staff_answer_card", "service", escape(t.Service))
	}
	header := c.t(staff, "staff_ticket", "number", strconv.FormatInt(t.Number, 10), "service", escape(service),
		"lang", lang, "answer", answer, "privacy", privacy, "text", escape(shown), "how", how)
	id, err := c.send.Send(ctx, Reply{ChatID: h.StaffChat, Text: header, ThreadID: thread})
	if err != nil {
		return fmt.Errorf("post ticket: %w", err)
	}
	t.HeaderID = id
	if err := h.Store.LinkMessage(ctx, t.Number, id, false); err != nil {
		return fmt.Errorf("link ticket: %w", err)
	}
	return nil
}

// maxTopicName is Telegram's limit on a forum topic's name.
const maxTopicName = 128

// firstWords returns the first n words of text.
func firstWords(text string, n int) string {
	words := strings.Fields(text)
	if len(words) > n {
		return strings.Join(words[:n], " ") + "…"
	}
	return strings.Join(words, " ")
}

// staffConv is how the conversation speaks in the staff group.
func (c *Conversation) staffConv() *conv {
	return &conv{chatID: c.opts.Handoff.StaffChat, lang: LangID}
}

// staffHours says when staff usually answer: the hours of the office
// staff keep (lokal.yaml) and whether it is open now.
func (c *Conversation) staffHours(v *conv) string {
	loc := c.know.Content().Local
	o, _ := loc.Office(c.opts.Handoff.Office)
	if o == nil && c.opts.Handoff.Office == "" && loc != nil && len(loc.Offices) > 0 {
		o = &loc.Offices[0]
	}
	if o == nil || !o.Hours.Open() {
		return c.t(v, "handoff_hours_default")
	}
	status := c.cards.officeStatusHTML(v.lang, loc, o, dayRef{now: true}, c.now(), map[int]bool{})
	return c.t(v, "handoff_hours", "week", o.Hours.SummaryIn(c.cards.dayNames(v.lang)), "status", status)
}

// handoffMessage handles a citizen's message while a handoff is open or
// being opened; handled is false when the message goes the usual way.
func (c *Conversation) handoffMessage(ctx context.Context, v *conv, m *Message, cmd command, isCommand bool, out Outcome) (Outcome, bool, error) {
	if v.shared {
		return out, false, nil // a handoff lives in the citizen's private chat
	}
	t, ok, err := c.openTicketOf(ctx, v)
	if err != nil {
		out.Kind = OutcomeHandoff
		_, err := c.reply(ctx, v, c.t(v, "handoff_relay_failed"), nil)
		return out, true, err
	}
	if ok {
		if isCommand && cmd.name != "selesai" && cmd.name != "done" {
			return out, false, nil // /hapusdata, /menu… work as usual
		}
		out.Kind = OutcomeHandoff
		if isCommand {
			v.session.Ticket = 0
			c.save(v)
			return out, true, c.closeTicket(ctx, t, closing{by: closedByCitizen})
		}
		return out, true, c.relayToStaff(ctx, v, t, m)
	}
	draft := v.session.Handoff
	if draft == nil || !draft.Waiting {
		return out, false, nil
	}
	if isCommand {
		v.session.Handoff = nil
		c.save(v)
		return out, false, nil
	}
	out.Kind = OutcomeHandoff
	if strings.TrimSpace(m.Text) == "" {
		_, err := c.reply(ctx, v, c.t(v, "handoff_describe_text"), nil)
		return out, true, err
	}
	return out, true, c.askHandoffConfirm(ctx, v, m.Text)
}

// relayToStaff copies the citizen's message to the ticket; without the
// citizen's consent, texts and captions are masked.
func (c *Conversation) relayToStaff(ctx context.Context, v *conv, t Ticket, m *Message) error {
	h := c.opts.Handoff
	var (
		id  int
		err error
	)
	number := strconv.FormatInt(t.Number, 10)
	switch {
	case !t.Consent && m.Text != "":
		text := c.t(c.staffConv(), "staff_citizen_says", "number", number, "text", escape(truncateRunes(MaskPersonalData(m.Text), maxRelayedText)))
		id, err = c.send.Send(ctx, Reply{ChatID: h.StaffChat, Text: text, ThreadID: t.ThreadID, ReplyTo: c.replyInGroup(t)})
	case !t.Consent && m.Contact:
		// A contact card is a phone number: say it came, masked.
		id, err = c.send.Send(ctx, Reply{ChatID: h.StaffChat, Text: c.t(c.staffConv(), "staff_citizen_contact", "number", number), ThreadID: t.ThreadID, ReplyTo: c.replyInGroup(t)})
	default:
		cp := Copy{FromChat: v.chatID, MessageID: m.ID, ToChat: h.StaffChat, ThreadID: t.ThreadID, ReplyTo: c.replyInGroup(t)}
		if !t.Consent && m.Caption != "" {
			masked := truncateUTF16(MaskPersonalData(m.Caption), maxCaption)
			cp.Caption = &masked
		}
		id, err = h.Relay.Copy(ctx, cp)
	}
	if err != nil {
		c.log.Warn("handoff: relay to staff failed", "ticket", t.Number, "err", err)
		_, err := c.reply(ctx, v, c.t(v, "handoff_relay_failed"), nil)
		return err
	}
	if t.ThreadID == 0 {
		// Without topics staff answer by replying to any of the ticket's
		// messages.
		if err := h.Store.LinkMessage(ctx, t.Number, id, false); err != nil {
			c.storeFailed("link_message", err)
		}
	}
	if _, _, err := h.Store.TouchTicket(ctx, t.Number, c.now(), false); err != nil {
		c.storeFailed("touch_ticket", err)
	}
	c.save(v) // the session, with its ticket, lives on while the ticket does
	return nil
}

// Telegram's limits on what the bot relays: a message's text (less room
// for the name or number put before it) and a caption, in UTF-16 units.
const (
	maxRelayedText = 3800
	maxCaption     = 1024
)

// replyInGroup is the message a post about t replies to: its first post
// when the group has no topics, so the ticket's messages hang together.
func (c *Conversation) replyInGroup(t Ticket) int {
	if t.ThreadID != 0 {
		return 0
	}
	return t.HeaderID
}

// closeTicket closes t, closes its topic, tells staff and (unless they
// are gone) asks the citizen for a rating.
func (c *Conversation) closeTicket(ctx context.Context, t Ticket, how closing) error {
	h := c.opts.Handoff
	t, closed, err := h.Store.CloseTicket(ctx, t.Number, c.now(), how.activeBefore)
	if err != nil {
		c.storeFailed("close_ticket", err)
		return nil
	}
	if !closed {
		return nil // another replica or the other side closed it first, or it spoke meanwhile
	}
	by := how.by
	if o, ok := c.opts.Observer.(HandoffObserver); ok {
		o.TicketClosed(by)
	}
	c.log.Info("handoff closed", "ticket", t.Number, "by", by)
	number := strconv.FormatInt(t.Number, 10)
	staff := c.staffConv()
	var reason string
	switch by {
	case closedByCitizen:
		reason = c.t(staff, "staff_closed_citizen")
	case closedByStaff:
		reason = c.t(staff, "staff_closed_staff", "name", escape(how.who))
	case closedByTimeout:
		reason = c.t(staff, "staff_closed_timeout", "ttl", c.durationText(staff, h.TTL))
	case closedByBlocked:
		reason = c.t(staff, "staff_closed_blocked")
	}
	switch {
	case by == closedByFailure:
		if t.ThreadID != 0 {
			// The topic was made but the ticket could not be posted.
			if err := h.Relay.DeleteTopic(ctx, h.StaffChat, t.ThreadID); err != nil {
				c.log.Warn("handoff: deleting the failed ticket's topic", "ticket", t.Number, "err", err)
			}
		}
		return nil
	case by != closedByForget:
		note := Reply{ChatID: h.StaffChat, Text: c.t(staff, "staff_closed", "number", number, "reason", reason), ThreadID: t.ThreadID, ReplyTo: c.replyInGroup(t)}
		if _, err := c.send.Send(ctx, note); err != nil {
			c.log.Warn("handoff: note to staff failed", "ticket", t.Number, "err", err)
		}
		if t.ThreadID != 0 && !how.topicClosed {
			if err := h.Relay.CloseTopic(ctx, h.StaffChat, t.ThreadID); err != nil {
				c.log.Warn("handoff: closing the topic failed", "ticket", t.Number, "err", err)
			}
		}
	}
	if by == closedByBlocked || by == closedByForget {
		return nil
	}
	citizen := &conv{chatID: t.ChatID, userID: t.UserID, lang: t.Lang}
	key := map[string]string{closedByCitizen: "handoff_closed_citizen", closedByStaff: "handoff_closed_staff", closedByTimeout: "handoff_closed_timeout"}[by]
	var row []Button
	for r := 1; r <= 5; r++ {
		row = append(row, Button{Text: strconv.Itoa(r) + "⭐", Data: callbackData(cbRate, number, strconv.Itoa(r))})
	}
	_, err = c.reply(ctx, citizen, c.t(citizen, key, "number", number, "ttl", c.durationText(citizen, h.TTL)), [][]Button{row})
	if blockedByUser(err) {
		return nil
	}
	return err
}

// durationText says a duration in days, hours or minutes.
func (c *Conversation) durationText(v *conv, d time.Duration) string {
	unit, n := "minute", int(d/time.Minute)
	switch {
	case d >= 48*time.Hour:
		unit, n = "day", int(d/(24*time.Hour))
	case d >= time.Hour:
		unit, n = "hour", int(d/time.Hour)
	case n < 1:
		return c.t(v, "duration_under_minute")
	}
	if n == 1 {
		return c.t(v, "duration_one_"+unit)
	}
	return c.t(v, "duration_"+unit+"s", "n", strconv.Itoa(n))
}

// rateTicket records a rating button; a forged one, another user's
// ticket or a second rating gets the stale notice.
func (c *Conversation) rateTicket(ctx context.Context, v *conv, p *press) error {
	p.out.Kind = OutcomeHandoff
	rated, err := c.opts.Handoff.Store.RateTicket(ctx, p.cb.ticket, v.userID, p.cb.page)
	if err != nil {
		c.storeFailed("rate_ticket", err)
		p.notice = c.t(v, "error")
		return nil
	}
	if !rated {
		p.notice = c.t(v, "stale_button")
		return nil
	}
	if o, ok := c.opts.Observer.(HandoffObserver); ok {
		o.TicketRated(p.cb.page)
	}
	p.notice = c.t(v, "handoff_rated")
	return nil
}

// CloseIdleTickets closes the tickets silent for longer than the handoff's
// TTL; serve calls it every minute on every replica (a ticket closes once).
func (c *Conversation) CloseIdleTickets(ctx context.Context) error {
	h := c.opts.Handoff
	if h == nil {
		return nil
	}
	open, err := h.Store.OpenTickets(ctx)
	if err != nil {
		return fmt.Errorf("bot: idle tickets: %w", err)
	}
	now := c.now()
	cutoff := now.Add(-h.TTL)
	for _, t := range open {
		if !t.ActiveAt.After(cutoff) {
			if err := c.closeTicket(ctx, t, closing{by: closedByTimeout, activeBefore: cutoff.Add(time.Nanosecond)}); err != nil {
				c.log.Warn("handoff: closing an idle ticket", "ticket", t.Number, "err", err)
			}
		}
	}
	return nil
}

// forgetTickets closes the citizen's open ticket and deletes the topics
// of all their tickets, before the store forgets them (/hapusdata).
func (c *Conversation) forgetTickets(ctx context.Context, v *conv) error {
	h := c.opts.Handoff
	if h == nil {
		return nil
	}
	tickets, err := h.Store.TicketsOf(ctx, v.userID)
	if err != nil {
		return fmt.Errorf("bot: forget tickets: %w", err)
	}
	for _, t := range tickets {
		if t.Open() {
			_ = c.closeTicket(ctx, t, closing{by: closedByForget})
		}
		if t.ThreadID != 0 {
			err := h.Relay.DeleteTopic(ctx, h.StaffChat, t.ThreadID)
			if err == nil {
				continue
			}
			// Without the right to delete, ask staff to do it.
			c.log.Warn("handoff: deleting a forgotten ticket's topic failed", "ticket", t.Number, "err", err)
		}
		note := Reply{ChatID: h.StaffChat, Text: c.t(c.staffConv(), "staff_forgotten", "number", strconv.FormatInt(t.Number, 10)), ThreadID: t.ThreadID, ReplyTo: t.HeaderID}
		if _, err := c.send.Send(ctx, note); err != nil {
			c.log.Warn("handoff: note to staff failed", "ticket", t.Number, "err", err)
		}
	}
	v.session.Ticket, v.session.Handoff, v.session.Asked = 0, nil, ""
	return nil
}

// isStaffChat reports whether a chat is the staff group.
func (c *Conversation) isStaffChat(chatID int64) bool {
	return c.opts.Handoff != nil && chatID == c.opts.Handoff.StaffChat
}

// handleStaff handles a message in the staff group: the staff commands,
// and replies in a ticket's topic (or to a ticket's message), which go to
// the citizen. Everything else there is staff talking among themselves.
func (c *Conversation) handleStaff(ctx context.Context, v *conv, m *Message) (Outcome, error) {
	out := Outcome{Kind: OutcomeIgnored, ChatID: v.chatID}
	v.lang = LangID
	cmd, isCommand := parseCommand(m)
	if isCommand && cmd.bot != "" && !strings.EqualFold(cmd.bot, c.cfg.BotUsername) {
		return out, nil // for another bot
	}
	if isCommand && (cmd.name == "tiket" || cmd.name == "tickets") {
		out.Kind = OutcomeHandoff
		return out, c.listTickets(ctx, v, m)
	}
	t, found := c.ticketOfStaffMessage(ctx, m)
	if !found {
		if isCommand && isStaffTicketCommand(cmd.name) {
			out.Kind = OutcomeHandoff
			_, err := c.send.Send(ctx, Reply{ChatID: v.chatID, Text: c.t(v, "staff_no_ticket"), ThreadID: topicOf(m), ReplyTo: m.ID})
			return out, err
		}
		return out, nil
	}
	out.Kind = OutcomeHandoff
	number := strconv.FormatInt(t.Number, 10)
	if m.TopicClosed {
		return out, c.closeTicket(ctx, t, closing{by: closedByStaff, who: m.From.FirstName, topicClosed: true})
	}
	if m.Service {
		return out, nil
	}
	if !t.Open() {
		_, err := c.send.Send(ctx, Reply{ChatID: v.chatID, Text: c.t(v, "staff_ticket_closed", "number", number), ThreadID: topicOf(m), ReplyTo: m.ID})
		return out, err
	}
	if isCommand {
		switch cmd.name {
		case "selesai", "close":
			return out, c.closeTicket(ctx, t, closing{by: closedByStaff, who: m.From.FirstName})
		case "jawab", "answer":
			return out, c.staffAnswer(ctx, v, m, t, cmd.args)
		case "contoh", "example":
			return out, c.staffExample(ctx, v, m, t, cmd.args)
		}
		return out, nil
	}
	return out, c.relayToCitizen(ctx, v, m, t)
}

// topicOf is the forum topic a reply to m goes to: its topic, or none
// outside topics (Telegram also sets message_thread_id on replies in a
// group without topics, and refuses it back).
func topicOf(m *Message) int {
	if m.IsTopicMessage {
		return m.ThreadID
	}
	return 0
}

func isStaffTicketCommand(name string) bool {
	switch name {
	case "selesai", "close", "jawab", "answer", "contoh", "example":
		return true
	}
	return false
}

// ticketOfStaffMessage finds the ticket a staff message belongs to: its
// topic, or the ticket message it replies to.
func (c *Conversation) ticketOfStaffMessage(ctx context.Context, m *Message) (Ticket, bool) {
	h := c.opts.Handoff
	var ids []int
	if m.IsTopicMessage && m.ThreadID != 0 {
		ids = append(ids, m.ThreadID)
	}
	if m.ReplyTo != nil {
		ids = append(ids, m.ReplyTo.ID)
	}
	for _, id := range ids {
		t, found, err := h.Store.TicketByMessage(ctx, id)
		if err != nil {
			c.storeFailed("ticket_by_message", err)
			return Ticket{}, false
		}
		if found {
			return t, true
		}
	}
	return Ticket{}, false
}

// relayToCitizen copies a staff message to the citizen, with the staff
// member's first name when configured so.
func (c *Conversation) relayToCitizen(ctx context.Context, v *conv, m *Message, t Ticket) error {
	h := c.opts.Handoff
	citizen := &conv{chatID: t.ChatID, userID: t.UserID, lang: t.Lang}
	var err error
	switch {
	case h.StaffNames && m.Text != "":
		text := c.t(citizen, "handoff_staff_says", "name", escape(m.From.FirstName), "text", escape(truncateRunes(m.Text, maxRelayedText)))
		_, err = c.send.Send(ctx, Reply{ChatID: t.ChatID, Text: text})
	case h.StaffNames:
		caption := c.texts.get(t.Lang, "handoff_staff_caption", "name", m.From.FirstName)
		if m.Caption != "" {
			caption += "\n" + m.Caption
		}
		caption = truncateUTF16(caption, maxCaption)
		_, err = h.Relay.Copy(ctx, Copy{FromChat: v.chatID, MessageID: m.ID, ToChat: t.ChatID, Caption: &caption})
	default:
		_, err = h.Relay.Copy(ctx, Copy{FromChat: v.chatID, MessageID: m.ID, ToChat: t.ChatID})
	}
	if blockedByUser(err) {
		return c.closeTicket(ctx, t, closing{by: closedByBlocked})
	}
	if err != nil {
		c.log.Warn("handoff: relay to citizen failed", "ticket", t.Number, "err", err)
		_, err := c.send.Send(ctx, Reply{ChatID: v.chatID, Text: c.t(v, "staff_relay_failed"), ThreadID: topicOf(m), ReplyTo: m.ID})
		return err
	}
	c.touchByStaff(ctx, t)
	return nil
}

// touchByStaff notes a staff message on t and reports the first one.
func (c *Conversation) touchByStaff(ctx context.Context, t Ticket) {
	now := c.now()
	got, _, err := c.opts.Handoff.Store.TouchTicket(ctx, t.Number, now, true)
	if err != nil {
		c.storeFailed("touch_ticket", err)
		return
	}
	if o, ok := c.opts.Observer.(HandoffObserver); ok && t.FirstReplyAt.IsZero() && got.FirstReplyAt.Equal(now) {
		o.FirstStaffReply(now.Sub(t.OpenedAt))
	}
}

// staffAnswer sends the citizen an entry's answer card (/jawab ID).
func (c *Conversation) staffAnswer(ctx context.Context, v *conv, m *Message, t Ticket, id string) error {
	e, err := c.know.Entry(strings.TrimSpace(id))
	if err != nil {
		_, err := c.send.Send(ctx, Reply{ChatID: v.chatID, Text: c.t(v, "staff_unknown_entry", "id", escape(id), "command", "jawab"), ThreadID: topicOf(m), ReplyTo: m.ID})
		return err
	}
	citizen := &conv{chatID: t.ChatID, userID: t.UserID, lang: t.Lang}
	if err := c.sendAnswer(ctx, citizen, e, nil, false); err != nil {
		if blockedByUser(err) {
			return c.closeTicket(ctx, t, closing{by: closedByBlocked})
		}
		c.log.Warn("handoff: answer card to citizen failed", "ticket", t.Number, "err", err)
		_, err := c.send.Send(ctx, Reply{ChatID: v.chatID, Text: c.t(v, "staff_relay_failed"), ThreadID: topicOf(m), ReplyTo: m.ID})
		return err
	}
	c.touchByStaff(ctx, t)
	_, err = c.send.Send(ctx, Reply{ChatID: v.chatID, Text: c.t(v, "staff_answer_sent", "title", escape(e.Title)), ThreadID: topicOf(m), ReplyTo: m.ID})
	return err
}

// staffExample keeps the citizen message a staff member replied to as a
// suggested example question of an entry (/contoh ID); the unanswered
// report lists it.
func (c *Conversation) staffExample(ctx context.Context, v *conv, m *Message, t Ticket, id string) error {
	reply := func(text string) error {
		_, err := c.send.Send(ctx, Reply{ChatID: v.chatID, Text: text, ThreadID: topicOf(m), ReplyTo: m.ID})
		return err
	}
	e, err := c.know.Entry(strings.TrimSpace(id))
	if err != nil {
		return reply(c.t(v, "staff_unknown_entry", "id", escape(id), "command", "contoh"))
	}
	text := ""
	// Only a citizen's message the bot relayed: the bot's own, not the
	// ticket's first post, not a staff member's.
	if r := m.ReplyTo; r != nil && r.From != nil && r.From.IsBot && r.ID != t.HeaderID && r.ID != t.ThreadID {
		text = strings.TrimSpace(strings.TrimPrefix(r.Text, c.t(v, "staff_citizen_prefix", "number", strconv.FormatInt(t.Number, 10))))
	}
	if text == "" {
		return reply(c.t(v, "staff_example_how"))
	}
	text = MaskPersonalData(truncateRunes(text, 500))
	v.unanswered = &Unanswered{Text: text, Lang: t.Lang, At: c.now(), UserID: t.UserID, EntryID: e.ID, Example: true}
	return reply(c.t(v, "staff_example_saved", "title", escape(e.Title), "text", escape(text)))
}

// listTickets answers /tiket with the open tickets and their age.
func (c *Conversation) listTickets(ctx context.Context, v *conv, m *Message) error {
	open, err := c.opts.Handoff.Store.OpenTickets(ctx)
	if err != nil {
		c.storeFailed("open_tickets", err)
		_, err := c.send.Send(ctx, Reply{ChatID: v.chatID, Text: c.t(v, "error"), ThreadID: topicOf(m)})
		return err
	}
	text := c.t(v, "staff_tickets_none")
	if len(open) > 0 {
		now := c.now()
		lines := []string{c.t(v, "staff_tickets", "n", strconv.Itoa(len(open)))}
		for _, t := range open {
			service := t.Service
			if service == "" {
				service = c.t(v, "staff_no_service")
			}
			state := c.t(v, "staff_ticket_waiting")
			if !t.FirstReplyAt.IsZero() {
				state = c.t(v, "staff_ticket_replied")
			}
			lines = append(lines, c.t(v, "staff_ticket_line", "number", strconv.FormatInt(t.Number, 10), "service", escape(service),
				"age", c.durationText(v, now.Sub(t.OpenedAt)), "state", state))
		}
		text = strings.Join(lines, "\n")
	}
	_, err = c.send.Send(ctx, Reply{ChatID: v.chatID, Text: text, ThreadID: topicOf(m)})
	return err
}

// handoffStatsLines adds the tickets' counts to /stats.
func (c *Conversation) handoffStatsLines(ctx context.Context, v *conv, line func(key string, kv ...string)) {
	h := c.opts.Handoff
	st, err := h.Store.HandoffStats(ctx)
	if err != nil {
		c.storeFailed("handoff_stats", err)
		return
	}
	open, err := h.Store.OpenTickets(ctx)
	if err != nil {
		c.storeFailed("open_tickets", err)
		return
	}
	line("admin_stats_tickets", "open", strconv.Itoa(len(open)), "opened", strconv.Itoa(st.Opened), "closed", strconv.Itoa(st.Closed))
	if st.FirstReplies > 0 {
		line("admin_stats_first_reply", "time", c.durationText(v, st.FirstReplyTotal/time.Duration(st.FirstReplies)), "n", strconv.Itoa(st.FirstReplies))
	}
	if st.Rated > 0 {
		avg := strconv.FormatFloat(float64(st.RatingTotal)/float64(st.Rated), 'f', 1, 64)
		if v.lang == LangID {
			avg = strings.Replace(avg, ".", ",", 1)
		}
		line("admin_stats_rating", "avg", avg, "n", strconv.Itoa(st.Rated))
	}
}
