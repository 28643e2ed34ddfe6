package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/layanan-id/layanan/knowledge"
	"github.com/layanan-id/layanan/knowledge/local"
)

// Config holds the conversation's settings.
type Config struct {
	SessionTTL          time.Duration // sessions expire after this much silence
	FloodLimit          int           // messages a user may send per FloodWindow
	FloodWindow         time.Duration
	UpdateTTL           time.Duration // how long update ids are remembered against redelivery
	ClaimTTL            time.Duration // how long an update's claim holds before a redelivery may take it over
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
		ClaimTTL:            15 * time.Second,
		UnansweredRetention: 90 * 24 * time.Hour,
		UnansweredMax:       10000,
		MenuPageSize:        8,
	}
}

// Outcome describes how one update was handled, for the log line and
// metrics of the transport.
type Outcome struct {
	Kind    OutcomeKind
	ChatID  int64
	EntryID string
}

// OutcomeKind says what an update led to. The metrics and the log line
// use these values; Outcomes lists them all.
type OutcomeKind string

const (
	OutcomeAnswered   OutcomeKind = "answered"    // an answer card
	OutcomeFollowUp   OutcomeKind = "followup"    // a follow-up from the last topic
	OutcomeSuggested  OutcomeKind = "suggested"   // "Maksud Anda:" with entries to choose
	OutcomeNotFound   OutcomeKind = "not_found"   // no entry; the question is kept for staff
	OutcomeSmallTalk  OutcomeKind = "smalltalk"   // thanks, greetings and the like
	OutcomeCommand    OutcomeKind = "command"     // a command
	OutcomeCallback   OutcomeKind = "callback"    // a button other than the ones below
	OutcomeFeedback   OutcomeKind = "feedback"    // a vote, or a comment after 👎
	OutcomeFlood      OutcomeKind = "flood"       // over the flood limit
	OutcomeNonText    OutcomeKind = "non_text"    // a sticker, photo, voice note
	OutcomeDuplicate  OutcomeKind = "duplicate"   // a redelivery of a handled update
	OutcomeInProgress OutcomeKind = "in_progress" // a redelivery while another handler holds the claim
	OutcomeIgnored    OutcomeKind = "ignored"     // not for the bot (a group message, a bot)
	OutcomeAdmin      OutcomeKind = "admin"       // an admin's broadcast button
	OutcomeForget     OutcomeKind = "forget"      // /hapusdata confirmed or cancelled
	OutcomeOffices    OutcomeKind = "offices"     // opening hours, /kantor, the nearest offices
	OutcomeHandoff    OutcomeKind = "handoff"     // opening, relaying, closing or rating a handoff to staff
	// Set by the middleware from the error, not by the conversation:
	OutcomeBlocked OutcomeKind = "blocked" // the reply failed: the citizen blocked the bot
	OutcomeError   OutcomeKind = "error"   // the reply failed otherwise
)

// Outcomes lists every OutcomeKind, for metrics to create at zero.
func Outcomes() []OutcomeKind {
	return []OutcomeKind{
		OutcomeAnswered, OutcomeFollowUp, OutcomeSuggested, OutcomeNotFound, OutcomeSmallTalk,
		OutcomeCommand, OutcomeCallback, OutcomeFeedback, OutcomeFlood, OutcomeNonText,
		OutcomeDuplicate, OutcomeInProgress, OutcomeIgnored, OutcomeAdmin, OutcomeForget,
		OutcomeOffices, OutcomeHandoff, OutcomeBlocked, OutcomeError,
	}
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
	Handoff       *Handoff          // /petugas: citizens reach staff in their group
	// Editors may use the staff console, like Admins, but not broadcast.
	Editors []int64
	// ConsoleLink makes a single-use login link to the staff console for
	// a user (/konsol); nil when the console is off.
	ConsoleLink func(userID int64) (string, error)
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
	hours     *hoursWords
	handoff   *handoffWords
	cards     *Cards
	cardParts cardCache
	router    *router
	now       func() time.Time

	mu             sync.Mutex
	storeFailedAt  time.Time // last time a store failure was logged
	storeFailedCnt int       // failures since then
}

// New returns a conversation. It fails only when its embedded texts are
// malformed.
func New(cfg Config, know Knowledge, store Store, send Sender, log *slog.Logger, opts Options) (*Conversation, error) {
	cards, err := NewCards()
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
	hours, err := loadHoursWords()
	if err != nil {
		return nil, err
	}
	handoff, err := loadHandoffWords()
	if err != nil {
		return nil, err
	}
	def := DefaultConfig()
	if cfg.MenuPageSize <= 0 {
		cfg.MenuPageSize = def.MenuPageSize
	}
	if cfg.ClaimTTL <= 0 {
		cfg.ClaimTTL = def.ClaimTTL
	}
	if cfg.UpdateTTL <= 0 {
		cfg.UpdateTTL = def.UpdateTTL
	}
	c := &Conversation{cfg: cfg, opts: opts, know: know, store: store, send: send, log: log, texts: cards.texts, cards: cards, smalltalk: st, language: lang, hours: hours, handoff: handoff, now: time.Now}
	c.router = c.routes()
	return c, nil
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

// ErrInProgress is returned for an update that another handler claimed
// moments ago and has not completed: it may still be answering, or it
// died and its claim lapses after Config.ClaimTTL. The transport has the
// update delivered again later (a webhook answers 503, so Telegram
// retries; the poller waits and retries).
var ErrInProgress = errors.New("bot: update is being handled elsewhere")

// Handle processes one update: it claims the update and reads the
// sender's session and flood count (Store.Admit), replies, and then
// writes what changed and marks the update handled (Store.Finish). A
// handler that dies before the reply leaves its claim to lapse, and the
// redelivered update is answered then; a redelivery of a handled update is
// dropped. Handle returns an error only when a reply could not be
// delivered, or ErrInProgress; the citizen never sees internal error text.
func (c *Conversation) Handle(ctx context.Context, u Update) (Outcome, error) {
	var (
		from   *User
		chatID int64
		text   string
		flood  time.Duration
		staff  bool // a message in the staff group
	)
	switch {
	case u.Callback != nil:
		from, chatID = &u.Callback.From, u.Callback.From.ID
		if m := u.Callback.Message; m != nil {
			chatID = m.Chat.ID
		}
	case u.Reaction != nil && u.Reaction.User != nil && !u.Reaction.User.IsBot:
		from, chatID = u.Reaction.User, u.Reaction.Chat.ID
	case u.Message != nil && u.Message.From != nil && !u.Message.From.IsBot:
		m := u.Message
		from, chatID, text = m.From, m.Chat.ID, m.Text
		staff = c.isStaffChat(chatID)
		if m.Chat.Shared() && !staff {
			var addressed bool
			if text, addressed = c.addressedInGroup(m); !addressed {
				return Outcome{Kind: OutcomeIgnored, ChatID: chatID}, nil
			}
		}
		if c.cfg.FloodLimit > 0 && !staff {
			flood = c.cfg.FloodWindow
		}
	default:
		return Outcome{Kind: OutcomeIgnored}, nil
	}

	adm, err := c.store.Admit(ctx, Arrival{UpdateID: u.ID, ClaimTTL: c.cfg.ClaimTTL, UserID: from.ID, FloodWindow: flood})
	if err != nil {
		// Without the store: answer anyway, without session or flood limit.
		c.storeFailed("admit", err)
		adm = Admission{Claim: Claimed}
	}
	switch adm.Claim {
	case ClaimDone:
		return Outcome{Kind: OutcomeDuplicate, ChatID: chatID}, nil
	case ClaimHeld:
		return Outcome{Kind: OutcomeInProgress, ChatID: chatID}, ErrInProgress
	}

	v := &conv{chatID: chatID, userID: from.ID, session: adm.Session}
	switch {
	case u.Message != nil:
		v.shared = u.Message.Chat.Shared()
	case u.Callback != nil && u.Callback.Message != nil:
		v.shared = u.Callback.Message.Chat.Shared()
	}
	v.lang = v.session.Lang
	if v.lang == "" {
		v.lang = LangID
		if strings.HasPrefix(strings.ToLower(from.LanguageCode), "en") {
			v.lang = LangEN
		}
	}
	var out Outcome
	switch {
	case u.Callback != nil:
		out, err = c.handleCallback(ctx, v, u.Callback)
	case u.Reaction != nil:
		out, err = c.handleReaction(ctx, v, u.Reaction)
	case staff:
		out, err = c.handleStaff(ctx, v, u.Message)
	default:
		out, err = c.handleMessage(ctx, v, u.Message, text, adm.Messages)
	}
	c.complete(ctx, u.ID, v, out)
	return out, err
}

// conv is the state of handling one update for one user, and what is
// written when it is done.
type conv struct {
	chatID  int64
	userID  int64
	lang    string
	session Session
	shared  bool // the chat is a group: no handoff there

	saveSession bool        // the session changed
	forgotten   bool        // the user asked to be forgotten: write nothing about them
	counted     bool        // the update was a question for the statistics
	unanswered  *Unanswered // a question kept for staff
}

// complete writes what handling the update changed, in one store call.
func (c *Conversation) complete(ctx context.Context, updateID int, v *conv, out Outcome) {
	done := Completion{UpdateID: updateID, DoneTTL: c.cfg.UpdateTTL, UserID: v.userID}
	if !v.forgotten {
		if v.saveSession {
			v.session.UpdatedAt = c.now()
			done.Session, done.SessionTTL = &v.session, c.cfg.SessionTTL
		}
		if v.counted && c.opts.Stats != nil {
			done.Question = &QuestionCount{At: c.now(), Outcome: string(out.Kind), EntryID: out.EntryID}
		}
		if v.unanswered != nil {
			done.Unanswered = v.unanswered
			done.UnansweredRetention, done.UnansweredMax = c.cfg.UnansweredRetention, c.cfg.UnansweredMax
		}
	}
	// The reply has gone out: finish the writes even when the update's
	// context ended meanwhile (Telegram gave up waiting, or shutdown).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.store.Finish(ctx, done); err != nil {
		c.storeFailed("finish", err)
	}
}

// save has the session written when the update is complete.
func (c *Conversation) save(v *conv) {
	v.saveSession = true
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

func (c *Conversation) handleMessage(ctx context.Context, v *conv, m *Message, text string, messages int) (Outcome, error) {
	out := Outcome{ChatID: v.chatID}
	cmd, isCommand := parseCommand(m)
	limit := c.cfg.FloodLimit
	if v.session.Ticket != 0 {
		// Talking to staff, several photos of documents in a minute are
		// normal.
		limit *= ticketFloodFactor
	}
	if limit > 0 && messages > limit {
		out.Kind = OutcomeFlood
		if messages == limit+1 {
			_, err := c.reply(ctx, v, c.t(v, "flood"), nil)
			return out, err
		}
		return out, nil
	}
	if c.opts.Handoff != nil {
		if out, handled, err := c.handoffMessage(ctx, v, m, cmd, isCommand, out); handled {
			return out, err
		}
	}
	if strings.TrimSpace(text) == "" && strings.TrimSpace(m.Text) != "" {
		// Only the bot's name, in a group: a greeting, not a sticker.
		out.Kind = OutcomeSmallTalk
		_, err := c.reply(ctx, v, c.t(v, "greeting"), c.menuRow(v))
		return out, err
	}
	if m.Location != nil {
		// A shared location or venue: the nearest offices.
		out.Kind = OutcomeOffices
		return out, c.nearestOffices(ctx, v, local.Point{Lat: m.Location.Lat, Lon: m.Location.Lon})
	}
	if strings.TrimSpace(text) == "" {
		out.Kind = OutcomeNonText
		_, err := c.reply(ctx, v, c.t(v, "non_text"), nil)
		return out, err
	}
	if v.session.CommentOn != "" {
		entryID := v.session.CommentOn
		v.session.CommentOn = ""
		c.save(v)
		// The message after 👎 says what was wrong, unless it is a
		// command, small talk, or comes much later.
		if !isCommand && c.smalltalk.kind(text) == "" && c.now().Sub(v.session.UpdatedAt) < commentWindow {
			out.Kind, out.EntryID = OutcomeFeedback, entryID
			c.logComment(v, entryID, text)
			_, err := c.reply(ctx, v, c.t(v, "feedback_comment_thanks"), c.menuRow(v))
			return out, err
		}
	}
	if isCommand {
		return c.handleCommand(ctx, v, m, cmd, out)
	}
	if kind := c.smalltalk.kind(text); kind != "" {
		out.Kind = OutcomeSmallTalk
		_, err := c.reply(ctx, v, c.t(v, kind), c.menuRow(v))
		return out, err
	}
	return c.answerQuestion(ctx, v, text, out)
}

// addressedInGroup returns the message text without the bot's mention and
// whether the message is meant for the bot: a command (for this bot or for
// any bot) or a message that mentions it.
func (c *Conversation) addressedInGroup(m *Message) (string, bool) {
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

// answerQuestion searches and replies with an answer, a follow-up from the
// previous topic, suggestions, or the not-found help.
func (c *Conversation) answerQuestion(ctx context.Context, v *conv, text string, out Outcome) (Outcome, error) {
	if v.session.Lang == "" && c.language.english(text) {
		// No language chosen yet and the citizen writes English: reply in
		// English (the content itself stays Indonesian).
		v.lang = LangEN
	}
	if n, ok := ordinalChoice(text); ok && n <= len(v.session.Offered) {
		// "yg pertama" after "Maksud Anda:": the citizen picks a suggestion.
		if e, err := c.know.Entry(v.session.Offered[n-1]); err == nil {
			out.Kind, out.EntryID = OutcomeAnswered, e.ID
			v.session.Offered = nil
			err := c.sendAnswer(ctx, v, e, nil, false)
			c.save(v)
			c.countQuestion(v)
			return out, err
		}
	}
	if out, handled, err := c.answerHours(ctx, v, text, out); handled {
		return out, err
	}
	if others, ok := c.handoff.match(text); ok {
		// "mau bicara dengan petugas": a person, not a search.
		out.Kind = OutcomeHandoff
		if c.opts.Handoff == nil {
			return out, c.sendContact(ctx, v)
		}
		described := ""
		if others >= describedWords {
			described = text // as written: masking needs the original
		}
		return out, c.startHandoff(ctx, v, described)
	}
	stopTyping := c.typingAfter(ctx, v.chatID, typingDelay)
	res, err := c.know.Search(ctx, text, 3)
	stopTyping()
	if err != nil {
		return out, fmt.Errorf("bot: search: %w", err)
	}
	if res.SmallTalk != "" {
		// Not a question ("ok makasih infonya", "wkwk", "mau tanya"): a
		// short reply, never a card.
		out.Kind = OutcomeSmallTalk
		_, err := c.reply(ctx, v, c.t(v, smallTalkText(res.SmallTalk)), c.menuRow(v))
		return out, err
	}
	if !res.HasTopic && len(res.Aspects) > 0 && v.session.TopicID != "" {
		if e, err := c.know.Entry(v.session.TopicID); err == nil {
			out.Kind, out.EntryID = OutcomeFollowUp, e.ID
			err := c.sendFollowUp(ctx, v, e, res.Aspects)
			c.save(v)
			c.countQuestion(v)
			return out, err
		}
	}
	if !res.HasTopic && len(res.Aspects) > 0 {
		// "biayanya berapa?" with no topic yet: ask which service, rather
		// than say nothing was found.
		out.Kind = OutcomeNotFound
		c.logUnanswered(v, text)
		_, err := c.reply(ctx, v, c.t(v, "which_service"), c.menuRow(v))
		c.countQuestion(v)
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
		out.Kind, out.EntryID = OutcomeAnswered, e.ID
		others, offerFirst := res.Hits[1:], res.Close
		if res.Also != nil {
			// A second topic in the same question: its button comes first.
			others = append([]knowledge.Hit{*res.Also}, others...)
			offerFirst = true
		}
		v.session.Asked = ""
		err = c.sendAnswer(ctx, v, e, others, offerFirst)
		if offerFirst && len(others) > 0 {
			v.session.Offered = []string{others[0].Entry.ID}
		} else {
			v.session.Offered = nil
		}
	case len(suggestions) > 0:
		out.Kind = OutcomeSuggested
		c.logUnanswered(v, text)
		c.keepAsked(v, text)
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
		out.Kind = OutcomeNotFound
		c.logUnanswered(v, text)
		c.keepAsked(v, text)
		v.session.Offered = nil
		_, err = c.reply(ctx, v, c.t(v, "not_found"), [][]Button{{
			{Text: c.t(v, "button_menu"), Data: cbMenu},
			{Text: c.t(v, "button_contact"), Data: cbContact},
		}})
	}
	c.save(v)
	c.countQuestion(v)
	return out, err
}

// ticketFloodFactor multiplies the flood limit while a handoff is open.
const ticketFloodFactor = 3

// keepAsked keeps the question the bot could not answer as the
// description of a handoff the citizen may open next.
func (c *Conversation) keepAsked(v *conv, text string) {
	if c.opts.Handoff != nil {
		v.session.Asked = truncateRunes(text, maxHandoffText)
	}
}

// typingDelay is how long an answer may take before the chat shows
// "typing…": most take milliseconds, and the action would cost a request.
const typingDelay = time.Second

// typingAfter sends the typing action if stop is not called within delay.
func (c *Conversation) typingAfter(ctx context.Context, chatID int64, delay time.Duration) (stop func()) {
	t := time.AfterFunc(delay, func() {
		if err := c.send.Typing(ctx, chatID); err != nil {
			c.log.Debug("typing action failed", "chat_id", chatID, "err", err)
		}
	})
	return func() { t.Stop() }
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

// countQuestion has the question counted in the day's statistics.
func (c *Conversation) countQuestion(v *conv) {
	v.counted = true
}

// commentWindow is how long after 👎 the next message is taken as the
// comment on the answer.
const commentWindow = 10 * time.Minute

// logComment keeps a citizen's comment on an answer for staff, masked and
// shortened like an unanswered question.
func (c *Conversation) logComment(v *conv, entryID, text string) {
	c.logUnanswered(v, text)
	v.unanswered.EntryID = entryID
}

// askComment asks, after 👎, what was wrong: a reason button or a note in
// the next message.
func (c *Conversation) askComment(ctx context.Context, v *conv, entryID string) error {
	var rows [][]Button
	for _, r := range commentReasons {
		if data := callbackData(cbReason, r.code, entryID); data != "" {
			rows = append(rows, []Button{{Text: c.t(v, r.text), Data: data}})
		}
	}
	rows = append(rows, []Button{{Text: c.t(v, "button_contact"), Data: cbContact}})
	v.session.CommentOn = entryID
	c.save(v)
	_, err := c.reply(ctx, v, c.t(v, "feedback_ask"), rows)
	return err
}

// logUnanswered has the question kept for staff, masked and shortened.
func (c *Conversation) logUnanswered(v *conv, text string) {
	v.unanswered = &Unanswered{Text: MaskPersonalData(truncateRunes(text, 500)), Lang: v.lang, At: c.now(), UserID: v.userID}
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
