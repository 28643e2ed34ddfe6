package console

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/render"
)

// The chat pane of Uji pertanyaan: a web channel to the real conversation
// (the same answers, follow-ups and buttons as in Telegram). It has a
// conversation of its own whose replies go to the page and whose state
// lives in the store under konsol:chat:, apart from citizens' sessions:
// staff testing counts in no statistics and leaves no unanswered question
// for the reports.

// chatTTL is how long a console chat's session and transcript live.
const chatTTL = 24 * time.Hour

// maxTranscript bounds the messages a chat pane keeps.
const maxTranscript = 40

// chatMessage is one line of the chat pane.
type chatMessage struct {
	Bot     bool           `json:"bot,omitempty"`
	ID      int            `json:"id,omitempty"`
	HTML    string         `json:"html,omitempty"` // a bot message: Telegram HTML
	Text    string         `json:"text,omitempty"` // the staff member's message, or a button's notice
	Notice  bool           `json:"notice,omitempty"`
	Buttons [][]bot.Button `json:"buttons,omitempty"`
}

// Page returns a bot message as page HTML.
func (m chatMessage) Page() template.HTML { return pageHTML(m.HTML) }

// pageHTML is Telegram HTML as page HTML (render.PageHTML), or its text
// when it is not valid.
func pageHTML(telegram string) template.HTML {
	page, err := render.PageHTML(telegram)
	if err != nil {
		return template.HTML(template.HTMLEscapeString(render.PlainText(telegram)))
	}
	return template.HTML(page)
}

// webSender collects the conversation's replies per chat.
type webSender struct {
	mu      sync.Mutex
	next    int
	replies map[int64][]chatMessage
	notices map[string]string // callback id → notice
}

func newWebSender() *webSender {
	return &webSender{next: 1, replies: map[int64][]chatMessage{}, notices: map[string]string{}}
}

func (w *webSender) Send(_ context.Context, r bot.Reply) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.next++
	w.replies[r.ChatID] = append(w.replies[r.ChatID], chatMessage{Bot: true, ID: w.next, HTML: r.Text, Buttons: r.Buttons})
	return w.next, nil
}

func (w *webSender) AnswerCallback(_ context.Context, callbackID, text string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.notices[callbackID] = text
	return nil
}

func (w *webSender) Typing(context.Context, int64) error { return nil }

// take returns and forgets the replies to chat and the notice of a button.
func (w *webSender) take(chat int64, callbackID string) ([]chatMessage, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out, notice := w.replies[chat], w.notices[callbackID]
	delete(w.replies, chat)
	delete(w.notices, callbackID)
	return out, notice
}

// chatStore is the bot.Store of the chat pane, on the store's temporary
// values: sessions and update claims only.
type chatStore struct{ temp bot.TempStore }

var _ bot.Store = chatStore{}

func (s chatStore) sessionName(userID int64) string {
	return "konsol:chat:sesi:" + strconv.FormatInt(userID, 10)
}

func (s chatStore) Admit(ctx context.Context, a bot.Arrival) (bot.Admission, error) {
	added, err := s.temp.AddTemp(ctx, "konsol:chat:upd:"+strconv.Itoa(a.UpdateID), []byte("1"), max(a.ClaimTTL, time.Minute))
	if err != nil {
		return bot.Admission{}, fmt.Errorf("console chat: admit: %w", err)
	}
	if !added {
		return bot.Admission{Claim: bot.ClaimDone}, nil
	}
	adm := bot.Admission{Claim: bot.Claimed}
	data, found, err := s.temp.Temp(ctx, s.sessionName(a.UserID))
	if err != nil {
		return adm, fmt.Errorf("console chat: session: %w", err)
	}
	if found && json.Unmarshal(data, &adm.Session) == nil {
		adm.Found = true
	}
	return adm, nil
}

func (s chatStore) Finish(ctx context.Context, c bot.Completion) error {
	if c.Session == nil {
		return nil
	}
	data, err := json.Marshal(c.Session)
	if err != nil {
		return fmt.Errorf("console chat: session: %w", err)
	}
	return s.temp.PutTemp(ctx, s.sessionName(c.UserID), data, chatTTL)
}

func (chatStore) RecordFeedback(context.Context, bot.Feedback) (bool, error) { return true, nil }
func (chatStore) FeedbackCounts(context.Context) (map[string]bot.Votes, error) {
	return map[string]bot.Votes{}, nil
}
func (chatStore) ListUnanswered(context.Context, time.Time) ([]bot.Unanswered, error) {
	return nil, nil
}
func (s chatStore) ForgetUser(ctx context.Context, userID int64) error {
	return s.temp.DeleteTemp(ctx, s.sessionName(userID))
}
func (chatStore) Ping(context.Context) error { return nil }
func (chatStore) Close() error               { return nil }

// chat is the pane's conversation and where its replies go.
type chat struct {
	conv   *bot.Conversation
	sender *webSender
	store  chatStore
	// mu keeps one update in the pane's conversation at a time, so that
	// two tabs of one user never take each other's replies.
	mu sync.Mutex
}

func newChat(know bot.Knowledge, temp bot.TempStore, log *slog.Logger) (*chat, error) {
	cfg := bot.DefaultConfig()
	cfg.FloodLimit = 0
	sender := newWebSender()
	store := chatStore{temp: temp}
	conv, err := bot.New(cfg, know, store, sender, log, bot.Options{})
	if err != nil {
		return nil, fmt.Errorf("console: chat: %w", err)
	}
	return &chat{conv: conv, sender: sender, store: store}, nil
}

func transcriptName(userID int64) string {
	return "konsol:chat:log:" + strconv.FormatInt(userID, 10)
}

// transcript reads a user's chat pane.
func (s *Server) transcript(ctx context.Context, userID int64) []chatMessage {
	data, found, err := s.data.Temp(ctx, transcriptName(userID))
	var out []chatMessage
	if err != nil {
		s.log.Warn("console: chat transcript", "err", err)
	}
	if found {
		_ = json.Unmarshal(data, &out)
	}
	return out
}

func (s *Server) saveTranscript(ctx context.Context, userID int64, msgs []chatMessage) error {
	if len(msgs) > maxTranscript {
		msgs = msgs[len(msgs)-maxTranscript:]
	}
	data, err := json.Marshal(msgs)
	if err != nil {
		return fmt.Errorf("console: chat transcript: %w", err)
	}
	return s.data.PutTemp(ctx, transcriptName(userID), data, chatTTL)
}

func randomUpdateID() int {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return int(binary.BigEndian.Uint32(b[:]) >> 1)
}

// chatUser is the staff member as the conversation sees them, in the
// console's language.
func chatUser(req *request) bot.User {
	return bot.User{ID: req.UserID, FirstName: "Konsol", LanguageCode: req.lang}
}

// chatSay sends the staff member's message to the conversation.
func (s *Server) chatSay(w http.ResponseWriter, r *http.Request, req *request) {
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" || len([]rune(text)) > maxTryQuestion {
		http.Redirect(w, r, s.path("/uji#chat"), http.StatusSeeOther)
		return
	}
	from := chatUser(req)
	id := randomUpdateID()
	u := bot.Update{ID: id, Message: &bot.Message{ID: id, From: &from, Chat: bot.Chat{ID: req.UserID, Type: bot.ChatPrivate}, Text: text}}
	s.chatHandle(w, r, req, u, "", chatMessage{Text: text})
}

// chatPress presses one of the bot's buttons in the pane.
func (s *Server) chatPress(w http.ResponseWriter, r *http.Request, req *request) {
	msgID, _ := strconv.Atoi(r.PostFormValue("message"))
	data := r.PostFormValue("data")
	cbID := strconv.Itoa(randomUpdateID())
	u := bot.Update{ID: randomUpdateID(), Callback: &bot.Callback{ID: cbID, From: chatUser(req), Data: data,
		Message: &bot.Message{ID: msgID, Chat: bot.Chat{ID: req.UserID, Type: bot.ChatPrivate}}}}
	s.chatHandle(w, r, req, u, cbID, chatMessage{})
}

// chatHandle runs one update through the pane's conversation and keeps
// what was said in the transcript.
func (s *Server) chatHandle(w http.ResponseWriter, r *http.Request, req *request, u bot.Update, cbID string, said chatMessage) {
	if s.chat == nil {
		s.problem(w, r, http.StatusNotFound, "not_found")
		return
	}
	ctx := r.Context()
	s.chat.mu.Lock()
	_, err := s.chat.conv.Handle(ctx, u)
	replies, notice := s.chat.sender.take(req.UserID, cbID)
	s.chat.mu.Unlock()
	if err != nil {
		s.failed(w, r, "console chat", err)
		return
	}
	msgs := s.transcript(ctx, req.UserID)
	if said.Text != "" {
		msgs = append(msgs, said)
	}
	if notice != "" {
		msgs = append(msgs, chatMessage{Text: notice, Notice: true})
	}
	msgs = append(msgs, replies...)
	if err := s.saveTranscript(ctx, req.UserID, msgs); err != nil {
		s.failed(w, r, "console chat", err)
		return
	}
	http.Redirect(w, r, s.path("/uji#chat"), http.StatusSeeOther)
}

// chatClear empties the pane and the conversation's session.
func (s *Server) chatClear(w http.ResponseWriter, r *http.Request, req *request) {
	if s.chat != nil {
		if err := s.chat.store.ForgetUser(r.Context(), req.UserID); err != nil {
			s.failed(w, r, "console chat", err)
			return
		}
	}
	if err := s.data.DeleteTemp(r.Context(), transcriptName(req.UserID)); err != nil {
		s.failed(w, r, "console chat", err)
		return
	}
	http.Redirect(w, r, s.path("/uji#chat"), http.StatusSeeOther)
}
