package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/knowledge"
)

// BroadcastStatus is a broadcast's progress as admins see it.
type BroadcastStatus struct {
	ID, State, Topic                      string
	Total, Sent, Failed, Blocked, Skipped int
	Remaining                             time.Duration // estimated time left
	CreatedAt                             time.Time
}

// Broadcaster starts and follows announcements; broadcast.Service is one.
type Broadcaster interface {
	Recipients(ctx context.Context, topic string) (int, error)
	StartBroadcast(ctx context.Context, html, topic string, adminID int64) (BroadcastStatus, error)
	LatestBroadcast(ctx context.Context) (s BroadcastStatus, found bool, err error)
	CancelBroadcast(ctx context.Context, id string) error
}

// ReloadFunc reloads the content on demand (and on every replica); it
// returns the number of entries now live, or the problems that kept the
// previous content live.
type ReloadFunc func(ctx context.Context) (entries int, problems []knowledge.Problem, err error)

// isAdmin is checked on every admin step: the command, and each button.
func (c *Conversation) isAdmin(userID int64) bool {
	return slices.Contains(c.opts.Admins, userID)
}

// registerAdmin registers /reload, /stats, /broadcast and the broadcast
// preview's buttons; only when there are admins. A citizen who types an
// admin command gets the same reply as for any unknown command.
func (c *Conversation) registerAdmin(r *router) {
	admin := func(h func(ctx context.Context, v *conv, m *Message, args string) error) commandHandler {
		return func(ctx context.Context, v *conv, m *Message, cmd command, _ *Outcome) error {
			if !c.isAdmin(v.userID) {
				_, err := c.reply(ctx, v, c.t(v, "unknown_command"), nil)
				return err
			}
			return h(ctx, v, m, cmd.args)
		}
	}
	r.command(admin(func(ctx context.Context, v *conv, _ *Message, _ string) error { return c.adminReload(ctx, v) }), "reload")
	r.command(admin(func(ctx context.Context, v *conv, _ *Message, _ string) error { return c.adminStats(ctx, v) }), "stats")
	r.command(admin(c.adminBroadcast), "broadcast")
	r.button(cbBroadcast, func(ctx context.Context, v *conv, p *press) error {
		p.out.Kind = OutcomeAdmin
		notice, err := c.handleBroadcastButton(ctx, v, p.cb.id)
		p.notice = notice
		return err
	})
}

func (c *Conversation) adminReload(ctx context.Context, v *conv) error {
	if c.opts.Reload == nil {
		_, err := c.reply(ctx, v, c.t(v, "admin_reload_unavailable"), nil)
		return err
	}
	n, problems, err := c.opts.Reload(ctx)
	if err != nil {
		_, serr := c.reply(ctx, v, c.cards.problemsHTML(v.lang, c.t(v, "admin_reload_rejected"), problems, err), nil)
		return serr
	}
	text := c.t(v, "admin_reloaded", "n", strconv.Itoa(n))
	if len(problems) > 0 {
		text = c.cards.problemsHTML(v.lang, text+c.t(v, "admin_reload_notes"), problems, nil)
	}
	_, err = c.reply(ctx, v, text, nil)
	return err
}

// problemsHTML lists content problems for admins, within one message.
func (k *Cards) problemsHTML(lang, title string, problems []knowledge.Problem, err error) string {
	var b strings.Builder
	b.WriteString(escape(title))
	if err != nil && len(problems) == 0 {
		b.WriteString("\n" + escape(err.Error()))
	}
	for i, p := range problems {
		line := "\n• " + escape(p.String())
		if b.Len()+len(line) > 3500 {
			b.WriteString("\n" + k.t(lang, "admin_problems_more", "n", strconv.Itoa(len(problems)-i)))
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

// NotifyAdmins sends an HTML message to every admin's private chat.
func (c *Conversation) NotifyAdmins(ctx context.Context, html string) {
	for _, id := range c.opts.Admins {
		if _, err := c.send.Send(ctx, Reply{ChatID: id, Text: html}); err != nil {
			c.log.Warn("notify admin failed", "chat_id", id, "err", err)
		}
	}
}

func (c *Conversation) adminStats(ctx context.Context, v *conv) error {
	if c.opts.Stats == nil {
		_, err := c.reply(ctx, v, c.t(v, "admin_stats_unavailable"), nil)
		return err
	}
	now := c.now().UTC()
	days, err := c.opts.Stats.Stats(ctx, now.AddDate(0, 0, -6), now)
	if err != nil {
		c.storeFailed("stats", err)
		_, err := c.reply(ctx, v, c.t(v, "error"), nil)
		return err
	}
	users, err := c.opts.Stats.CountUsers(ctx)
	if err != nil {
		c.storeFailed("count_users", err)
	}
	var today, week, answered int
	entries := map[string]int{}
	for i, d := range days {
		for outcome, n := range d.Outcomes {
			week += n
			if i == len(days)-1 {
				today += n
			}
			if outcome == "answered" || outcome == "followup" {
				answered += n
			}
		}
		for id, n := range d.Entries {
			entries[id] += n
		}
	}
	var b strings.Builder
	line := func(key string, kv ...string) { b.WriteString(c.t(v, key, kv...) + "\n") }
	line("admin_stats_title")
	line("admin_stats_users", "n", strconv.Itoa(users))
	line("admin_stats_questions", "today", strconv.Itoa(today), "week", strconv.Itoa(week))
	if week > 0 {
		line("admin_stats_answered", "pct", strconv.Itoa(answered*100/week))
	}
	if logged, err := c.store.ListUnanswered(ctx, now.AddDate(0, 0, -7)); err == nil {
		comments, examples := 0, 0
		for _, q := range logged {
			switch {
			case q.Example:
				examples++
			case q.EntryID != "":
				comments++
			}
		}
		line("admin_stats_unanswered", "n", strconv.Itoa(len(logged)-comments-examples))
		if comments > 0 {
			line("admin_stats_comments", "n", strconv.Itoa(comments))
		}
		if examples > 0 {
			line("admin_stats_examples", "n", strconv.Itoa(examples))
		}
	}
	if c.opts.Handoff != nil {
		c.handoffStatsLines(ctx, v, line)
	}
	if c.opts.Subscriptions != nil {
		if n, err := c.opts.Subscriptions.CountSubscribers(ctx, ""); err == nil {
			line("admin_stats_subscribers", "n", strconv.Itoa(n))
		}
	}
	type kv struct {
		id string
		n  int
	}
	var top []kv
	for id, n := range entries {
		top = append(top, kv{id, n})
	}
	slices.SortFunc(top, func(a, b kv) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.id, b.id)
	})
	if len(top) > 0 {
		b.WriteString("\n")
		line("admin_stats_top")
		for _, e := range top[:min(5, len(top))] {
			fmt.Fprintf(&b, "• %s: %d\n", escape(e.id), e.n)
		}
	}
	if votes, err := c.store.FeedbackCounts(ctx); err == nil && len(votes) > 0 {
		ids := make([]string, 0, len(votes))
		for id := range votes {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b string) int {
			if d := votes[b].NotHelpful - votes[a].NotHelpful; d != 0 {
				return d
			}
			return strings.Compare(a, b)
		})
		b.WriteString("\n")
		line("admin_stats_votes")
		for _, id := range ids[:min(10, len(ids))] {
			fmt.Fprintf(&b, "• %s: %d/%d\n", escape(id), votes[id].Helpful, votes[id].NotHelpful)
		}
	}
	if stale := c.know.Content().Stale(c.now()); len(stale) > 0 {
		b.WriteString("\n")
		line("admin_stats_stale", "n", strconv.Itoa(len(stale)))
		for _, e := range stale[:min(10, len(stale))] {
			fmt.Fprintf(&b, "• %s (%s)\n", escape(e.ID), e.Updated.Format(time.DateOnly))
		}
		if len(stale) > 10 {
			line("admin_stats_stale_more", "n", strconv.Itoa(len(stale)-10))
		}
	}
	_, err = c.reply(ctx, v, strings.TrimSpace(b.String()), nil)
	return err
}

func (c *Conversation) adminBroadcast(ctx context.Context, v *conv, m *Message, args string) error {
	if c.opts.Broadcasts == nil {
		_, err := c.reply(ctx, v, c.t(v, "admin_broadcast_unavailable"), nil)
		return err
	}
	switch strings.ToLower(args) {
	case "status":
		s, found, err := c.opts.Broadcasts.LatestBroadcast(ctx)
		if err != nil {
			return c.adminFailed(ctx, v, "broadcast_status", err)
		}
		if !found {
			_, err = c.reply(ctx, v, c.t(v, "admin_broadcast_none"), nil)
			return err
		}
		_, err = c.reply(ctx, v, c.cards.broadcastStatusHTML(v.lang, s), nil)
		return err
	case "cancel", "batal":
		s, found, err := c.opts.Broadcasts.LatestBroadcast(ctx)
		if err != nil {
			return c.adminFailed(ctx, v, "broadcast_cancel", err)
		}
		if !found || (s.State != "running" && s.State != "filling") {
			_, err = c.reply(ctx, v, c.t(v, "admin_broadcast_not_running"), nil)
			return err
		}
		if err := c.opts.Broadcasts.CancelBroadcast(ctx, s.ID); err != nil {
			return c.adminFailed(ctx, v, "broadcast_cancel", err)
		}
		_, err = c.reply(ctx, v, c.t(v, "admin_broadcast_cancelled", "id", escape(s.ID)), nil)
		return err
	}
	text := args
	if text == "" && m.ReplyTo != nil && m.ReplyTo.From != nil && m.ReplyTo.From.ID == v.userID {
		text = strings.TrimSpace(m.ReplyTo.Text)
	}
	topic := ""
	if rest, ok := strings.CutPrefix(text, "#"); ok {
		tag, body, _ := strings.Cut(rest, " ")
		if _, found := c.know.Content().Category(tag); !found {
			_, err := c.reply(ctx, v, c.t(v, "admin_broadcast_unknown_topic", "tag", escape(tag), "example", escape(c.firstCategory())), nil)
			return err
		}
		topic, text = tag, strings.TrimSpace(body)
	}
	if text == "" {
		_, err := c.reply(ctx, v, c.t(v, "admin_broadcast_help"), nil)
		return err
	}
	html, fits := render.OneMessage(text)
	if !fits {
		_, err := c.reply(ctx, v, c.t(v, "admin_broadcast_too_long"), nil)
		return err
	}
	n, err := c.opts.Broadcasts.Recipients(ctx, topic)
	if err != nil {
		return c.adminFailed(ctx, v, "broadcast_recipients", err)
	}
	v.session.Draft = &Draft{HTML: html, Topic: topic}
	c.save(v)
	if _, err := c.reply(ctx, v, html, nil); err != nil {
		return err
	}
	target := c.t(v, "admin_broadcast_target_all")
	if topic != "" {
		target = c.t(v, "admin_broadcast_target_topic", "topic", escape(topic))
	}
	_, err = c.reply(ctx, v, c.t(v, "admin_broadcast_preview", "n", strconv.Itoa(n), "target", target), [][]Button{{
		{Text: c.t(v, "admin_button_send"), Data: callbackData(cbBroadcast, "send")},
		{Text: c.t(v, "admin_button_drop"), Data: callbackData(cbBroadcast, "drop")},
	}})
	return err
}

func (c *Conversation) firstCategory() string {
	if cats := c.know.Content().Categories; len(cats) > 0 {
		return cats[0].ID
	}
	return "umum"
}

// adminFailed logs an error for operators and tells the admin briefly.
func (c *Conversation) adminFailed(ctx context.Context, v *conv, op string, err error) error {
	c.log.Error("admin command failed", "op", op, "err", err)
	_, serr := c.reply(ctx, v, c.t(v, "error"), nil)
	return serr
}

// broadcastStatusHTML describes a broadcast's progress.
func (k *Cards) broadcastStatusHTML(lang string, s BroadcastStatus) string {
	state := s.State
	switch s.State {
	case "filling", "running", "done", "cancelled":
		state = k.t(lang, "admin_bstate_"+s.State)
	}
	remaining := max(0, s.Total-s.Sent-s.Failed-s.Blocked-s.Skipped)
	n := strconv.Itoa
	text := k.t(lang, "admin_bstatus", "id", escape(s.ID), "state", escape(state), "sent", n(s.Sent), "failed", n(s.Failed),
		"blocked", n(s.Blocked), "remaining", n(remaining), "total", n(s.Total))
	if s.Skipped > 0 {
		text += "\n" + k.t(lang, "admin_bstatus_skipped", "n", n(s.Skipped))
	}
	if s.State == "running" && remaining > 0 {
		text += "\n" + k.t(lang, "admin_bstatus_eta", "eta", s.Remaining.Round(time.Second).String())
	}
	return text
}

// BroadcastReportHTML is the report sent to the admin who started a
// broadcast when it ends.
func (c *Conversation) BroadcastReportHTML(s BroadcastStatus) string {
	return c.texts.get(LangID, "admin_broadcast_report") + "\n" + c.cards.broadcastStatusHTML(LangID, s)
}

// BroadcastInterruptedHTML tells the admin that a broadcast was cancelled
// because the server stopped while preparing it.
func (c *Conversation) BroadcastInterruptedHTML(id string) string {
	return c.texts.get(LangID, "admin_broadcast_interrupted", "id", escape(id))
}

// NotifyContentRejected tells every admin that a content change was
// refused, with its problems.
func (c *Conversation) NotifyContentRejected(ctx context.Context, problems []knowledge.Problem, err error) {
	c.NotifyAdmins(ctx, c.cards.problemsHTML(LangID, c.texts.get(LangID, "admin_content_rejected"), problems, err))
}

// handleBroadcastButton is Kirim / Batal under a preview. The admin check
// runs again here: a forged button from anyone else does nothing.
func (c *Conversation) handleBroadcastButton(ctx context.Context, v *conv, action string) (notice string, err error) {
	if !c.isAdmin(v.userID) || c.opts.Broadcasts == nil {
		return c.t(v, "stale_button"), nil
	}
	draft := v.session.Draft
	if draft == nil {
		return c.t(v, "admin_broadcast_no_draft"), nil
	}
	v.session.Draft = nil
	c.save(v)
	if action == "drop" {
		_, err := c.reply(ctx, v, c.t(v, "admin_broadcast_dropped"), nil)
		return "", err
	}
	s, err := c.opts.Broadcasts.StartBroadcast(ctx, draft.HTML, draft.Topic, v.userID)
	if err != nil {
		return "", c.adminFailed(ctx, v, "broadcast_start", err)
	}
	_, err = c.reply(ctx, v, c.t(v, "admin_broadcast_started", "id", escape(s.ID), "n", strconv.Itoa(s.Total)), nil)
	return "", err
}
