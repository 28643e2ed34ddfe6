package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/knowledge"
)

// Config holds the conversation's settings.
type Config struct {
	SessionTTL          time.Duration // sessions expire after this much silence
	FloodLimit          int           // messages a user may send per FloodWindow
	FloodWindow         time.Duration
	UpdateTTL           time.Duration // how long update ids are remembered against redelivery
	UnansweredRetention time.Duration // how long unanswered questions are kept for staff
	UnansweredMax       int           // how many unanswered questions are kept at most
	BotUsername         string        // without "@"; in groups the bot answers only when mentioned
	Contact             string        // Telegram HTML for "Hubungi petugas"; empty: a default text
	MenuPageSize        int           // entries per page in a category menu
}

// DefaultConfig returns the settings the README documents as defaults.
func DefaultConfig() Config {
	return Config{
		SessionTTL:          30 * 24 * time.Hour,
		FloodLimit:          20,
		FloodWindow:         time.Minute,
		UpdateTTL:           24 * time.Hour,
		UnansweredRetention: 90 * 24 * time.Hour,
		UnansweredMax:       10000,
		MenuPageSize:        8,
	}
}

// Outcome describes how one update was handled, for the log line and
// metrics of the transport.
type Outcome struct {
	Kind    string // answered, followup, suggested, not_found, smalltalk, command, callback, feedback, flood, non_text, duplicate, ignored
	ChatID  int64
	EntryID string
}

// Options are the conversation's optional collaborators; a nil one turns
// its feature off.
type Options struct {
	Admins        []int64           // Telegram user ids allowed the admin commands
	Subscriptions SubscriptionStore // /langganan, /berhenti, announcements
	Stats         StatsStore        // question counts for /stats
	Broadcasts    Broadcaster       // /broadcast
	Reload        ReloadFunc        // /reload
	Observer      Observer          // metrics
}

// Conversation answers citizens. It is safe for concurrent use; updates of
// one chat should be handled in order (the transports do).
type Conversation struct {
	cfg       Config
	opts      Options
	know      Knowledge
	store     Store
	send      Sender
	log       *slog.Logger
	texts     catalog
	smalltalk *smalltalk
	language  *languageGuesser
	now       func() time.Time

	mu             sync.Mutex
	storeFailedAt  time.Time // last time a store failure was logged
	storeFailedCnt int       // failures since then
}

// New returns a conversation. It fails only when its embedded texts are
// malformed.
func New(cfg Config, know Knowledge, store Store, send Sender, log *slog.Logger, opts Options) (*Conversation, error) {
	texts, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	st, err := loadSmalltalk()
	if err != nil {
		return nil, err
	}
	lang, err := loadLanguageGuesser()
	if err != nil {
		return nil, err
	}
	if cfg.MenuPageSize <= 0 {
		cfg.MenuPageSize = DefaultConfig().MenuPageSize
	}
	return &Conversation{cfg: cfg, opts: opts, know: know, store: store, send: send, log: log, texts: texts, smalltalk: st, language: lang, now: time.Now}, nil
}

// storeFailed notes a store error. The conversation goes on without the
// feature; the error is logged at most once a minute, not once a message.
func (c *Conversation) storeFailed(op string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if c.opts.Observer != nil {
		c.opts.Observer.StoreError(op)
	}
	c.mu.Lock()
	now := c.now()
	c.storeFailedCnt++
	if now.Sub(c.storeFailedAt) < time.Minute {
		c.mu.Unlock()
		return
	}
	count := c.storeFailedCnt
	c.storeFailedAt, c.storeFailedCnt = now, 0
	c.mu.Unlock()
	c.log.Error("store unavailable; answering without session features", "op", op, "failures", count, "err", err)
}

// Handle processes one update. It returns an error only when a reply could
// not be delivered; the citizen never sees internal error text.
func (c *Conversation) Handle(ctx context.Context, u tgbotapi.Update) (Outcome, error) {
	if first, err := c.store.MarkUpdate(ctx, u.UpdateID, c.cfg.UpdateTTL); err != nil {
		c.storeFailed("mark_update", err)
	} else if !first {
		return Outcome{Kind: "duplicate"}, nil
	}
	switch {
	case u.CallbackQuery != nil:
		return c.handleCallback(ctx, u.CallbackQuery)
	case u.Message != nil:
		return c.handleMessage(ctx, u.Message)
	default:
		return Outcome{Kind: "ignored"}, nil
	}
}

// conv is the state of handling one update for one user.
type conv struct {
	chatID  int64
	userID  int64
	lang    string
	session Session
	loaded  bool // the session came from the store
}

func (c *Conversation) begin(ctx context.Context, chatID int64, from *tgbotapi.User) *conv {
	v := &conv{chatID: chatID, userID: from.ID}
	s, found, err := c.store.LoadSession(ctx, from.ID)
	switch {
	case err != nil:
		c.storeFailed("load_session", err)
	case found:
		v.session, v.loaded = s, true
	}
	v.lang = v.session.Lang
	if v.lang == "" {
		v.lang = LangID
		if strings.HasPrefix(strings.ToLower(from.LanguageCode), "en") {
			v.lang = LangEN
		}
	}
	return v
}

func (c *Conversation) save(ctx context.Context, v *conv) {
	v.session.UpdatedAt = c.now()
	if err := c.store.SaveSession(ctx, v.userID, v.session, c.cfg.SessionTTL); err != nil {
		c.storeFailed("save_session", err)
	}
}

func (c *Conversation) t(v *conv, key string, kv ...string) string {
	return c.texts.get(v.lang, key, kv...)
}

func (c *Conversation) reply(ctx context.Context, v *conv, text string, buttons [][]Button) (int, error) {
	id, err := c.send.Send(ctx, Reply{ChatID: v.chatID, Text: text, Buttons: buttons})
	if err != nil {
		return 0, fmt.Errorf("bot: send to chat %d: %w", v.chatID, err)
	}
	return id, nil
}

func (c *Conversation) handleMessage(ctx context.Context, m *tgbotapi.Message) (Outcome, error) {
	if m.From == nil || m.Chat == nil || m.From.IsBot {
		return Outcome{Kind: "ignored"}, nil
	}
	out := Outcome{ChatID: m.Chat.ID}
	text := m.Text
	cmd, isCommand := parseCommand(m)
	if m.Chat.IsGroup() || m.Chat.IsSuperGroup() || m.Chat.IsChannel() {
		var addressed bool
		text, addressed = c.addressedInGroup(m)
		if !addressed {
			out.Kind = "ignored"
			return out, nil
		}
	}
	if n, err := c.store.CountMessage(ctx, m.From.ID, c.cfg.FloodWindow); err != nil {
		c.storeFailed("count_message", err)
	} else if c.cfg.FloodLimit > 0 && n > c.cfg.FloodLimit {
		out.Kind = "flood"
		if n == c.cfg.FloodLimit+1 {
			v := c.begin(ctx, m.Chat.ID, m.From)
			_, err := c.reply(ctx, v, c.t(v, "flood"), nil)
			return out, err
		}
		return out, nil
	}
	v := c.begin(ctx, m.Chat.ID, m.From)
	if strings.TrimSpace(text) == "" && strings.TrimSpace(m.Text) != "" {
		// Only the bot's name, in a group: a greeting, not a sticker.
		out.Kind = "smalltalk"
		_, err := c.reply(ctx, v, c.t(v, "greeting"), c.menuRow(v))
		return out, err
	}
	if strings.TrimSpace(text) == "" {
		out.Kind = "non_text"
		_, err := c.reply(ctx, v, c.t(v, "non_text"), nil)
		return out, err
	}
	if isCommand {
		return c.handleCommand(ctx, v, m, cmd, out)
	}
	if kind := c.smalltalk.kind(text); kind != "" {
		out.Kind = "smalltalk"
		_, err := c.reply(ctx, v, c.t(v, kind), c.menuRow(v))
		return out, err
	}
	return c.answerQuestion(ctx, v, text, out)
}

// addressedInGroup returns the message text without the bot's mention and
// whether the message is meant for the bot: a command (for this bot or for
// any bot) or a message that mentions it.
func (c *Conversation) addressedInGroup(m *tgbotapi.Message) (string, bool) {
	name := strings.ToLower(c.cfg.BotUsername)
	if cmd, ok := parseCommand(m); ok {
		if cmd.bot != "" {
			return m.Text, name != "" && strings.EqualFold(cmd.bot, name)
		}
		return m.Text, true
	}
	if name == "" || m.Text == "" {
		return "", false
	}
	mention := "@" + name
	lower := strings.ToLower(m.Text)
	i := strings.Index(lower, mention)
	if i < 0 {
		return "", false
	}
	return strings.TrimSpace(m.Text[:i] + m.Text[i+len(mention):]), true
}

func (c *Conversation) handleCommand(ctx context.Context, v *conv, m *tgbotapi.Message, cmd command, out Outcome) (Outcome, error) {
	out.Kind = "command"
	var err error
	if handled, err := c.handleAdminCommand(ctx, v, m, cmd); handled {
		return out, err
	}
	switch cmd.name {
	case "start":
		if id := cmd.args; id != "" {
			if e, lookupErr := c.know.Entry(id); lookupErr == nil {
				out.Kind, out.EntryID = "answered", e.ID
				err = c.sendAnswer(ctx, v, e, nil, false)
				c.save(ctx, v)
				return out, err
			}
		}
		buttons := c.categoryButtons(v)
		if c.opts.Subscriptions != nil {
			buttons = append(buttons, []Button{{Text: c.t(v, "button_subscribe"), Data: callbackData(cbSubscribe, "on")}})
		}
		_, err = c.reply(ctx, v, c.t(v, "welcome"), buttons)
	case "langganan", "subscribe":
		if c.opts.Subscriptions == nil {
			_, err = c.reply(ctx, v, c.t(v, "unknown_command"), nil)
			break
		}
		err = c.subscribe(ctx, v)
	case "berhenti", "unsubscribe", "stop":
		if c.opts.Subscriptions == nil {
			_, err = c.reply(ctx, v, c.t(v, "unknown_command"), nil)
			break
		}
		err = c.unsubscribe(ctx, v)
	case "hapusdata", "deletedata":
		_, err = c.reply(ctx, v, c.t(v, "forget_confirm"), [][]Button{{
			{Text: c.t(v, "button_forget_yes"), Data: callbackData(cbForget, "yes")},
			{Text: c.t(v, "button_forget_no"), Data: callbackData(cbForget, "no")},
		}})
	case "menu":
		_, err = c.reply(ctx, v, c.t(v, "menu"), c.categoryButtons(v))
	case "bahasa", "language":
		if lang, ok := languageArg(cmd.args); ok {
			v.lang, v.session.Lang = lang, lang
			c.save(ctx, v)
			_, err = c.reply(ctx, v, c.t(v, "language_set"), c.menuRow(v))
			break
		}
		_, err = c.reply(ctx, v, c.t(v, "language_prompt"), [][]Button{{
			{Text: "🇮🇩 Bahasa Indonesia", Data: callbackData(cbLanguage, LangID)},
			{Text: "🇬🇧 English", Data: callbackData(cbLanguage, LangEN)},
		}})
	case "bantuan", "help":
		_, err = c.reply(ctx, v, c.t(v, "help"), c.menuRow(v))
	default:
		_, err = c.reply(ctx, v, c.t(v, "unknown_command"), nil)
	}
	return out, err
}

// answerQuestion searches and replies with an answer, a follow-up from the
// previous topic, suggestions, or the not-found help.
func (c *Conversation) answerQuestion(ctx context.Context, v *conv, text string, out Outcome) (Outcome, error) {
	if v.session.Lang == "" && c.language.english(text) {
		// No language chosen yet and the citizen writes English: reply in
		// English (the content itself stays Indonesian).
		v.lang = LangEN
	}
	if err := c.send.Typing(ctx, v.chatID); err != nil {
		c.log.Debug("typing action failed", "chat_id", v.chatID, "err", err)
	}
	if n, ok := ordinalChoice(text); ok && n <= len(v.session.Offered) {
		// "yg pertama" after "Maksud Anda:": the citizen picks a suggestion.
		if e, err := c.know.Entry(v.session.Offered[n-1]); err == nil {
			out.Kind, out.EntryID = "answered", e.ID
			v.session.Offered = nil
			err := c.sendAnswer(ctx, v, e, nil, false)
			c.save(ctx, v)
			c.countQuestion(ctx, v, out)
			return out, err
		}
	}
	res, err := c.know.Search(ctx, text, 3)
	if err != nil {
		return out, fmt.Errorf("bot: search: %w", err)
	}
	if res.SmallTalk != "" {
		// Not a question ("ok makasih infonya", "wkwk", "mau tanya"): a
		// short reply, never a card.
		out.Kind = "smalltalk"
		_, err := c.reply(ctx, v, c.t(v, smallTalkText(res.SmallTalk)), c.menuRow(v))
		return out, err
	}
	if !res.HasTopic && len(res.Aspects) > 0 && v.session.TopicID != "" {
		if e, err := c.know.Entry(v.session.TopicID); err == nil {
			out.Kind, out.EntryID = "followup", e.ID
			err := c.sendFollowUp(ctx, v, e, res.Aspects)
			c.save(ctx, v)
			c.countQuestion(ctx, v, out)
			return out, err
		}
	}
	if !res.HasTopic && len(res.Aspects) > 0 {
		// "biayanya berapa?" with no topic yet: ask which service, rather
		// than say nothing was found.
		out.Kind = "not_found"
		c.logUnanswered(ctx, v, text)
		_, err := c.reply(ctx, v, c.t(v, "which_service"), c.menuRow(v))
		c.countQuestion(ctx, v, out)
		return out, err
	}
	// Suggestions are only entries that share a topic word with the
	// question; the rest would be noise.
	var suggestions []*knowledge.Entry
	for _, h := range res.Hits {
		if h.TopicMatched {
			suggestions = append(suggestions, h.Entry)
		}
	}
	switch {
	case res.Answered:
		e := res.Hits[0].Entry
		out.Kind, out.EntryID = "answered", e.ID
		others, offerFirst := res.Hits[1:], res.Close
		if res.Also != nil {
			// A second topic in the same question: its button comes first.
			others = append([]knowledge.Hit{*res.Also}, others...)
			offerFirst = true
		}
		err = c.sendAnswer(ctx, v, e, others, offerFirst)
		if offerFirst && len(others) > 0 {
			v.session.Offered = []string{others[0].Entry.ID}
		} else {
			v.session.Offered = nil
		}
	case len(suggestions) > 0:
		out.Kind = "suggested"
		c.logUnanswered(ctx, v, text)
		var buttons [][]Button
		v.session.Offered = nil
		for _, e := range suggestions {
			if data := callbackData(cbEntry, e.ID); data != "" {
				buttons = append(buttons, []Button{{Text: buttonLabel(e.Title), Data: data}})
				v.session.Offered = append(v.session.Offered, e.ID)
			}
		}
		buttons = append(buttons, c.menuRow(v)...)
		_, err = c.reply(ctx, v, c.t(v, "not_sure"), buttons)
	default:
		out.Kind = "not_found"
		c.logUnanswered(ctx, v, text)
		v.session.Offered = nil
		_, err = c.reply(ctx, v, c.t(v, "not_found"), [][]Button{{
			{Text: c.t(v, "button_menu"), Data: cbMenu},
			{Text: c.t(v, "button_contact"), Data: cbContact},
		}})
	}
	c.save(ctx, v)
	c.countQuestion(ctx, v, out)
	return out, err
}

// smallTalkText is the reply text for a kind of small talk the search
// recognised.
func smallTalkText(kind string) string {
	switch kind {
	case "thanks", "farewell":
		return "thanks"
	case "greeting":
		return "greeting"
	case "ask":
		return "smalltalk_ask"
	default: // ack, laughter, insult, emoji
		return "smalltalk_other"
	}
}

// countQuestion adds the question to the day's statistics.
func (c *Conversation) countQuestion(ctx context.Context, v *conv, out Outcome) {
	if c.opts.Stats == nil {
		return
	}
	if err := c.opts.Stats.CountQuestion(ctx, c.now(), v.userID, out.Kind, out.EntryID); err != nil {
		c.storeFailed("count_question", err)
	}
}

func (c *Conversation) logUnanswered(ctx context.Context, v *conv, text string) {
	q := Unanswered{Text: MaskPersonalData(truncateRunes(text, 500)), Lang: v.lang, At: c.now(), UserID: v.userID}
	if err := c.store.LogUnanswered(ctx, q, c.cfg.UnansweredRetention, c.cfg.UnansweredMax); err != nil {
		c.storeFailed("log_unanswered", err)
	}
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// buttonLabel shortens a title to fit a button.
func buttonLabel(s string) string {
	const max = 60
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

func (c *Conversation) menuRow(v *conv) [][]Button {
	return [][]Button{{{Text: c.t(v, "button_menu"), Data: cbMenu}}}
}

// categoryButtons lists the categories, two per row.
func (c *Conversation) categoryButtons(v *conv) [][]Button {
	var rows [][]Button
	var row []Button
	for _, cat := range c.know.Content().Categories {
		data := callbackData(cbCategory, cat.ID, "0")
		if data == "" {
			continue
		}
		name := cat.Name
		if v.lang == LangEN && cat.NameEn != "" {
			name = cat.NameEn
		}
		row = append(row, Button{Text: buttonLabel(name), Data: data})
		if len(row) == 2 {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// categoryPage lists one page of a category's entries with navigation.
func (c *Conversation) categoryPage(v *conv, cat knowledge.Category, page int) (string, [][]Button, bool) {
	var entries []*knowledge.Entry
	content := c.know.Content()
	for i := range content.Entries {
		if content.Entries[i].Category == cat.ID {
			entries = append(entries, &content.Entries[i])
		}
	}
	slices.SortFunc(entries, func(a, b *knowledge.Entry) int { return strings.Compare(a.Title, b.Title) })
	size := c.cfg.MenuPageSize
	pages := max(1, (len(entries)+size-1)/size)
	if page >= pages {
		return "", nil, false
	}
	var rows [][]Button
	for _, e := range entries[page*size : min(len(entries), (page+1)*size)] {
		if data := callbackData(cbEntry, e.ID); data != "" {
			rows = append(rows, []Button{{Text: buttonLabel(e.Title), Data: data}})
		}
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Text: c.t(v, "button_prev"), Data: callbackData(cbCategory, cat.ID, fmt.Sprint(page-1))})
	}
	if page+1 < pages {
		nav = append(nav, Button{Text: c.t(v, "button_next"), Data: callbackData(cbCategory, cat.ID, fmt.Sprint(page+1))})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, []Button{{Text: c.t(v, "button_categories"), Data: cbMenu}})
	name := cat.Name
	if v.lang == LangEN && cat.NameEn != "" {
		name = cat.NameEn
	}
	text := c.t(v, "category", "category", escape(name))
	if pages > 1 {
		text += fmt.Sprintf(" (%d/%d)", page+1, pages)
	}
	return text, rows, true
}

func (c *Conversation) handleCallback(ctx context.Context, q *tgbotapi.CallbackQuery) (Outcome, error) {
	out := Outcome{Kind: "callback"}
	if q.From == nil {
		return Outcome{Kind: "ignored"}, nil
	}
	chatID := q.From.ID
	if q.Message != nil && q.Message.Chat != nil {
		chatID = q.Message.Chat.ID
	}
	out.ChatID = chatID
	v := c.begin(ctx, chatID, q.From)
	notice := ""
	answered := false
	answer := func() error {
		if answered {
			return nil
		}
		answered = true
		if err := c.send.AnswerCallback(ctx, q.ID, notice); err != nil {
			return fmt.Errorf("bot: answer callback: %w", err)
		}
		return nil
	}
	cb := parseCallback(q.Data)
	var err error
	switch {
	case !cb.valid, (cb.kind == cbSubscribe || cb.kind == cbTopic) && c.opts.Subscriptions == nil:
		notice = c.t(v, "stale_button")
	case cb.kind == cbMenu:
		if err = answer(); err == nil {
			_, err = c.reply(ctx, v, c.t(v, "menu"), c.categoryButtons(v))
		}
	case cb.kind == cbContact:
		if err = answer(); err == nil {
			contact := c.cfg.Contact
			if contact == "" {
				contact = c.t(v, "contact_default")
			}
			_, err = c.reply(ctx, v, c.t(v, "contact", "contact", contact), c.menuRow(v))
		}
	case cb.kind == cbLanguage:
		v.lang, v.session.Lang = cb.id, cb.id
		c.save(ctx, v)
		if err = answer(); err == nil {
			_, err = c.reply(ctx, v, c.t(v, "language_set"), c.menuRow(v))
		}
	case cb.kind == cbCategory:
		cat, ok := c.know.Content().Category(cb.id)
		text, rows, pageOK := "", [][]Button(nil), false
		if ok {
			text, rows, pageOK = c.categoryPage(v, cat, cb.page)
		}
		if !pageOK {
			notice = c.t(v, "stale_button")
			break
		}
		if err = answer(); err == nil {
			_, err = c.reply(ctx, v, text, rows)
		}
	case cb.kind == cbEntry:
		e, lookupErr := c.know.Entry(cb.id)
		if lookupErr != nil {
			notice = c.t(v, "stale_button")
			break
		}
		out.EntryID = e.ID
		if err = answer(); err == nil {
			err = c.sendAnswer(ctx, v, e, nil, false)
			v.session.Offered = nil
			c.save(ctx, v)
		}
	case cb.kind == cbSubscribe && c.opts.Subscriptions != nil:
		if err = answer(); err == nil {
			if cb.id == "on" {
				err = c.subscribe(ctx, v)
			} else {
				err = c.unsubscribe(ctx, v)
			}
		}
	case cb.kind == cbTopic && c.opts.Subscriptions != nil:
		notice, err = c.toggleTopic(ctx, v, cb.id)
	case cb.kind == cbForget:
		out.Kind = "forget"
		if err = answer(); err != nil {
			break
		}
		if cb.id == "no" {
			_, err = c.reply(ctx, v, c.t(v, "forget_cancelled"), nil)
			break
		}
		// Only the user's own data: the id comes from Telegram's sender,
		// not from the button, so a forged button cannot erase anyone else.
		if ferr := c.store.ForgetUser(ctx, v.userID); ferr != nil {
			c.storeFailed("forget_user", ferr)
			_, err = c.reply(ctx, v, c.t(v, "error"), nil)
			break
		}
		c.log.Info("user data deleted on request", "chat_id", v.chatID)
		_, err = c.reply(ctx, v, c.t(v, "forget_done"), nil)
	case cb.kind == cbBroadcast:
		out.Kind = "admin"
		notice, err = c.handleBroadcastButton(ctx, v, cb.id)
	case cb.kind == cbFeedback:
		out.Kind = "feedback"
		e, lookupErr := c.know.Entry(cb.id)
		if lookupErr != nil || q.Message == nil || q.Message.Chat == nil {
			notice = c.t(v, "stale_button")
			break
		}
		out.EntryID = e.ID
		recorded, ferr := c.store.RecordFeedback(ctx, Feedback{
			ChatID: q.Message.Chat.ID, MessageID: q.Message.MessageID, UserID: q.From.ID,
			EntryID: e.ID, Helpful: cb.vote, At: c.now(),
		})
		switch {
		case ferr != nil:
			c.storeFailed("record_feedback", ferr)
			notice = c.t(v, "feedback_thanks")
		case recorded:
			notice = c.t(v, "feedback_thanks")
		default:
			notice = c.t(v, "feedback_already")
		}
	}
	if aerr := answer(); aerr != nil && err == nil {
		err = aerr
	}
	return out, err
}
