// Package fakebotapi is a fake Telegram Bot API server for tests: it
// answers getMe, serves queued updates to getUpdates (long polling with
// offsets, only the kinds allowed_updates asks for, and by default not
// message_reaction, as Telegram does), accepts the methods the bot uses,
// checks what Telegram would reject (HTML it cannot parse, messages over
// 4096 characters, callback data over 64 bytes, a button with no or two
// actions, copy_text over 256 characters, malformed link_preview_options),
// can be told to fail, and records every request. It also knows forum
// topics (createForumTopic, closeForumTopic, deleteForumTopic, and
// message_thread_id, which must name an existing topic of a forum),
// replies (reply_parameters, to a message the chat has) and copyMessage
// (of a message it has seen in an update or sent, and not of a service
// message).
package fakebotapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/bot/render"
)

// Token is the bot token the fake accepts.
const Token = "123456:TEST-TOKEN"

// BotUsername is the fake bot's username.
const BotUsername = "layanan_test_bot"

// Request is one recorded call.
type Request struct {
	Method string
	Params url.Values
	At     time.Time
	Status int // the HTTP status answered; 0 while in progress
}

// Failure is an error answer to inject.
type Failure struct {
	Code        int
	Description string
	RetryAfter  int // seconds, for 429
}

// Server is the fake. Create it with New.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	requests  []Request
	updates   []queued
	wake      chan struct{}
	failures  map[string][]Failure
	nextMsgID int
	slow      time.Duration
	changed   chan struct{}
	blocked   map[int64]string // chat → description of the 403/400 it answers
	held      map[int64]bool   // chat → its next sendMessage hangs
	sent      []Sent
	forums    map[int64]bool                 // chats with topics
	topics    map[int64]map[int]*topic       // chat → thread id → topic
	messages  map[int64]map[int]knownMessage // chat → message id → what it holds
}

// topic is a forum topic the fake created.
type topic struct {
	Name   string
	Closed bool
}

// knownMessage is a message the fake has seen, for copyMessage and replies.
type knownMessage struct {
	text, caption string
	service       bool
}

// Sent is a message the fake accepted: sent, or copied (CopyOf is then
// the original's id and Text its text or caption).
type Sent struct {
	ChatID            int64
	ID                int
	Text              string
	ThreadID, ReplyTo int
	CopyOf            int
	At                time.Time
}

// SentMessages returns the messages accepted so far (refused ones are in
// Requests only).
func (s *Server) SentMessages() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// New starts a fake server that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{wake: make(chan struct{}), failures: map[string][]Failure{}, nextMsgID: 1000, changed: make(chan struct{}), blocked: map[int64]string{}, held: map[int64]bool{},
		forums: map[int64]bool{}, topics: map[int64]map[int]*topic{}, messages: map[int64]map[int]knownMessage{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// APIURL is the base URL to give the client (TELEGRAM_API_URL).
func (s *Server) APIURL() string { return s.Server.URL }

// queued is an update waiting for getUpdates.
type queued struct {
	id   int
	kind string // its field: "message", "callback_query", "message_reaction"...
	raw  json.RawMessage
}

// AddUpdates queues updates for getUpdates.
func (s *Server) AddUpdates(us ...tgbotapi.Update) {
	raws := make([]json.RawMessage, len(us))
	for i, u := range us {
		raw, err := json.Marshal(u)
		if err != nil {
			panic(fmt.Sprintf("fakebotapi: an update does not marshal: %v", err))
		}
		raws[i] = raw
	}
	s.AddRawUpdates(raws...)
}

// AddRawUpdates queues updates given as JSON, for the kinds the library
// has no type for (message_reaction). Each must have an update_id.
func (s *Server) AddRawUpdates(raws ...json.RawMessage) {
	var qs []queued
	for _, raw := range raws {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			panic(fmt.Sprintf("fakebotapi: not an update: %s", raw))
		}
		q := queued{raw: raw}
		if err := json.Unmarshal(fields["update_id"], &q.id); err != nil {
			panic(fmt.Sprintf("fakebotapi: update without update_id: %s", raw))
		}
		for k, v := range fields {
			// A marshalled library update has every other kind as null.
			if k != "update_id" && string(v) != "null" {
				q.kind = k
			}
		}
		qs = append(qs, q)
	}
	s.mu.Lock()
	for _, q := range qs {
		s.rememberUpdate(q.raw)
	}
	s.updates = append(s.updates, qs...)
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

// rememberUpdate notes the messages of an update (and the ones they
// reply to), so that they can be copied and replied to. The caller holds
// s.mu.
func (s *Server) rememberUpdate(raw json.RawMessage) {
	var u struct {
		Message *wireMessage `json:"message"`
	}
	if json.Unmarshal(raw, &u) != nil {
		return
	}
	for m := u.Message; m != nil; m = m.ReplyTo {
		s.remember(m.Chat.ID, m.ID, knownMessage{text: m.Text, caption: m.Caption, service: m.service()})
	}
}

// wireMessage is what the fake reads of a message in an update.
type wireMessage struct {
	ID   int `json:"message_id"`
	Chat struct {
		ID int64 `json:"id"`
	} `json:"chat"`
	Text         string          `json:"text"`
	Caption      string          `json:"caption"`
	ReplyTo      *wireMessage    `json:"reply_to_message"`
	TopicCreated json.RawMessage `json:"forum_topic_created"`
	TopicClosed  json.RawMessage `json:"forum_topic_closed"`
	NewMembers   json.RawMessage `json:"new_chat_members"`
}

func (m *wireMessage) service() bool {
	return m.TopicCreated != nil || m.TopicClosed != nil || m.NewMembers != nil
}

// remember notes a message; the caller holds s.mu.
func (s *Server) remember(chatID int64, id int, m knownMessage) {
	if s.messages[chatID] == nil {
		s.messages[chatID] = map[int]knownMessage{}
	}
	s.messages[chatID][id] = m
}

// SetForum makes a chat a supergroup with topics.
func (s *Server) SetForum(chatID int64) {
	s.mu.Lock()
	s.forums[chatID] = true
	s.mu.Unlock()
}

// Topics returns the chat's topics by thread id, as they are now (deleted
// ones are gone).
func (s *Server) Topics(chatID int64) map[int]topic {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]topic{}
	for id, t := range s.topics[chatID] {
		out[id] = *t
	}
	return out
}

// SawUpdates notes the messages of updates delivered another way (to a
// webhook, or to the handler directly), so that they can be copied and
// replied to, without queueing them for getUpdates.
func (s *Server) SawUpdates(raws ...json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, raw := range raws {
		s.rememberUpdate(raw)
	}
}

// defaultUpdates are the kinds Telegram sends without allowed_updates:
// all but chat_member, message_reaction and message_reaction_count.
func allowedByDefault(kind string) bool {
	return kind != "chat_member" && kind != "message_reaction" && kind != "message_reaction_count"
}

// FailNext makes the next calls of method fail, one failure per call.
func (s *Server) FailNext(method string, f ...Failure) {
	s.mu.Lock()
	s.failures[method] = append(s.failures[method], f...)
	s.mu.Unlock()
}

// BlockChats makes sendMessage to these chats fail as Telegram does when
// the user blocked the bot (403).
func (s *Server) BlockChats(ids ...int64) {
	s.mu.Lock()
	for _, id := range ids {
		s.blocked[id] = "Forbidden: bot was blocked by the user"
	}
	s.mu.Unlock()
}

// HoldNextMessage makes the next sendMessage to the chat hang, recorded
// as a request but never sent, until the caller gives up (a process killed
// while it waits): a handler stopped between its claim and its reply.
// Later messages to the chat go through.
func (s *Server) HoldNextMessage(chatID int64) {
	s.mu.Lock()
	s.held[chatID] = true
	s.mu.Unlock()
}

// SetDelay makes every answer wait d.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.slow = d
	s.mu.Unlock()
}

// Requests returns the recorded calls of method ("" for all).
func (s *Server) Requests(method string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if method == "" || r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// Reset forgets the recorded calls.
func (s *Server) Reset() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

// WaitFor waits until at least n calls of method were recorded and returns
// them; it fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, method string, n int, timeout time.Duration) []Request {
	t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if got := s.Requests(method); len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("fakebotapi: want %d %s calls, got %d", n, method, len(s.Requests(method)))
			return nil
		}
	}
}

func (s *Server) record(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	close(s.changed)
	s.changed = make(chan struct{})
	return len(s.requests) - 1
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func ok(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func fail(w http.ResponseWriter, f Failure) {
	body := map[string]any{"ok": false, "error_code": f.Code, "description": f.Description}
	if f.RetryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": f.RetryAfter}
	}
	writeJSON(w, f.Code, body)
}

func (s *Server) serve(rw http.ResponseWriter, r *http.Request) {
	w := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
	// Paths look like /bot<token>/<method>.
	path := strings.TrimPrefix(r.URL.Path, "/")
	tokenPart, method, found := strings.Cut(path, "/")
	if !found || !strings.HasPrefix(tokenPart, "bot") {
		fail(w, Failure{Code: 404, Description: "Not Found"})
		return
	}
	if err := parseBody(r); err != nil {
		fail(w, Failure{Code: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	idx := s.record(Request{Method: method, Params: r.PostForm, At: time.Now()})
	defer func() {
		s.mu.Lock()
		if idx < len(s.requests) {
			s.requests[idx].Status = w.status
		}
		s.mu.Unlock()
	}()
	if strings.TrimPrefix(tokenPart, "bot") != Token {
		fail(w, Failure{Code: 401, Description: "Unauthorized"})
		return
	}
	s.mu.Lock()
	delay := s.slow
	var injected *Failure
	if fs := s.failures[method]; len(fs) > 0 {
		injected = &fs[0]
		s.failures[method] = fs[1:]
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if injected != nil {
		fail(w, *injected)
		return
	}
	switch method {
	case "getMe":
		ok(w, tgbotapi.User{ID: 123456, IsBot: true, FirstName: "Layanan", UserName: BotUsername})
	case "getUpdates":
		s.getUpdates(w, r)
	case "sendMessage":
		s.sendMessage(w, r)
	case "copyMessage":
		s.copyMessage(w, r)
	case "createForumTopic":
		s.createForumTopic(w, r)
	case "closeForumTopic", "deleteForumTopic":
		s.changeForumTopic(w, r, method)
	case "answerCallbackQuery", "sendChatAction", "setMyCommands", "setWebhook", "deleteWebhook":
		ok(w, true)
	default:
		fail(w, Failure{Code: 404, Description: "Not Found: method " + method})
	}
}

// parseBody reads the parameters into r.PostForm, from a form or, as the
// Bot API also accepts, a JSON object (whose values that are not strings
// are kept as their JSON text, as a form would carry them).
func parseBody(r *http.Request) error {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return r.ParseForm()
	}
	var fields map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
		return fmt.Errorf("can't parse JSON object: %w", err)
	}
	r.PostForm = url.Values{}
	for k, raw := range fields {
		var str string
		if json.Unmarshal(raw, &str) == nil {
			r.PostForm.Set(k, str)
		} else {
			r.PostForm.Set(k, string(raw))
		}
	}
	r.Form = r.PostForm
	return nil
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.PostForm.Get("offset"))
	timeout, _ := strconv.Atoi(r.PostForm.Get("timeout"))
	allowed := allowedByDefault
	if list := r.PostForm.Get("allowed_updates"); list != "" {
		var kinds []string
		if err := json.Unmarshal([]byte(list), &kinds); err != nil {
			fail(w, Failure{Code: 400, Description: "Bad Request: can't parse allowed_updates JSON array"})
			return
		}
		if len(kinds) > 0 {
			allowed = func(kind string) bool { return slices.Contains(kinds, kind) }
		}
	}
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		out := []json.RawMessage{}
		kept := s.updates[:0]
		for _, u := range s.updates {
			// Telegram drops the updates a bot did not ask for.
			if u.id >= offset && allowed(u.kind) {
				kept = append(kept, u)
				out = append(out, u.raw)
			}
		}
		s.updates = kept
		wake := s.wake
		s.mu.Unlock()
		if len(out) > 0 || timeout == 0 {
			ok(w, out)
			return
		}
		select {
		case <-wake:
		case <-deadline:
			ok(w, []json.RawMessage{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	text := r.PostForm.Get("text")
	chatID, err := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
	s.mu.Lock()
	blocked, isBlocked := s.blocked[chatID]
	hold := s.held[chatID]
	delete(s.held, chatID)
	s.mu.Unlock()
	if hold {
		<-r.Context().Done()
		return
	}
	if isBlocked {
		fail(w, Failure{Code: 403, Description: blocked})
		return
	}
	switch {
	case err != nil:
		fail(w, Failure{Code: 400, Description: "Bad Request: chat_id is empty"})
		return
	case strings.TrimSpace(text) == "":
		fail(w, Failure{Code: 400, Description: "Bad Request: message text is empty"})
		return
	case r.PostForm.Get("parse_mode") == "HTML":
		if err := render.Valid(text); err != nil {
			fail(w, Failure{Code: 400, Description: "Bad Request: can't parse entities: " + err.Error()})
			return
		}
		if n := len(utf16.Encode([]rune(render.PlainText(text)))); n > render.MaxMessage {
			fail(w, Failure{Code: 400, Description: fmt.Sprintf("Bad Request: message is too long (%d)", n)})
			return
		}
	default:
		if n := len(utf16.Encode([]rune(text))); n > render.MaxMessage {
			fail(w, Failure{Code: 400, Description: "Bad Request: message is too long"})
			return
		}
	}
	if opts := r.PostForm.Get("link_preview_options"); opts != "" {
		var lp struct {
			IsDisabled *bool   `json:"is_disabled"`
			URL        *string `json:"url"`
		}
		if err := json.Unmarshal([]byte(opts), &lp); err != nil {
			fail(w, Failure{Code: 400, Description: "Bad Request: can't parse link preview options"})
			return
		}
	}
	if markup := r.PostForm.Get("reply_markup"); markup != "" {
		if f, bad := checkKeyboard(markup); bad {
			fail(w, f)
			return
		}
	}
	s.mu.Lock()
	thread, replyTo, f, bad := s.checkPlace(chatID, r.PostForm)
	if bad {
		s.mu.Unlock()
		fail(w, f)
		return
	}
	s.nextMsgID++
	id := s.nextMsgID
	s.sent = append(s.sent, Sent{ChatID: chatID, ID: id, Text: text, ThreadID: thread, ReplyTo: replyTo, At: time.Now()})
	s.remember(chatID, id, knownMessage{text: render.PlainText(text)})
	s.mu.Unlock()
	ok(w, tgbotapi.Message{MessageID: id, Chat: &tgbotapi.Chat{ID: chatID, Type: "private"}, Date: int(time.Now().Unix()), Text: text})
}

// checkPlace checks message_thread_id and reply_parameters as Telegram
// would; the caller holds s.mu.
func (s *Server) checkPlace(chatID int64, form url.Values) (thread, replyTo int, f Failure, bad bool) {
	if raw := form.Get("message_thread_id"); raw != "" {
		thread, _ = strconv.Atoi(raw)
		if _, ok := s.topics[chatID][thread]; !ok || !s.forums[chatID] {
			return 0, 0, Failure{Code: 400, Description: "Bad Request: message thread not found"}, true
		}
	}
	if raw := form.Get("reply_parameters"); raw != "" {
		var rp struct {
			MessageID   int  `json:"message_id"`
			WithoutPeer bool `json:"allow_sending_without_reply"`
		}
		if err := json.Unmarshal([]byte(raw), &rp); err != nil || rp.MessageID <= 0 {
			return 0, 0, Failure{Code: 400, Description: "Bad Request: can't parse reply parameters JSON object"}, true
		}
		if _, ok := s.messages[chatID][rp.MessageID]; !ok && !rp.WithoutPeer {
			return 0, 0, Failure{Code: 400, Description: "Bad Request: message to be replied not found"}, true
		}
		replyTo = rp.MessageID
	}
	return thread, replyTo, Failure{}, false
}

func (s *Server) copyMessage(w http.ResponseWriter, r *http.Request) {
	to, err1 := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
	from, err2 := strconv.ParseInt(r.PostForm.Get("from_chat_id"), 10, 64)
	msgID, err3 := strconv.Atoi(r.PostForm.Get("message_id"))
	if err1 != nil || err2 != nil || err3 != nil {
		fail(w, Failure{Code: 400, Description: "Bad Request: chat_id, from_chat_id and message_id are required"})
		return
	}
	caption, hasCaption := r.PostForm["caption"]
	if hasCaption && len(utf16.Encode([]rune(caption[0]))) > 1024 {
		fail(w, Failure{Code: 400, Description: "Bad Request: message caption is too long"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if blocked, ok := s.blocked[to]; ok {
		fail(w, Failure{Code: 403, Description: blocked})
		return
	}
	orig, known := s.messages[from][msgID]
	switch {
	case !known:
		fail(w, Failure{Code: 400, Description: "Bad Request: message to copy not found"})
		return
	case orig.service:
		fail(w, Failure{Code: 400, Description: "Bad Request: message can't be copied"})
		return
	case hasCaption && orig.text != "":
		// A text message has no caption to replace.
		fail(w, Failure{Code: 400, Description: "Bad Request: message text can't be edited to a caption"})
		return
	}
	thread, replyTo, f, bad := s.checkPlace(to, r.PostForm)
	if bad {
		fail(w, f)
		return
	}
	copied := orig
	if hasCaption {
		copied.caption = caption[0]
	}
	s.nextMsgID++
	id := s.nextMsgID
	text := copied.text
	if text == "" {
		text = copied.caption
	}
	s.sent = append(s.sent, Sent{ChatID: to, ID: id, Text: text, ThreadID: thread, ReplyTo: replyTo, CopyOf: msgID, At: time.Now()})
	s.remember(to, id, copied)
	ok(w, map[string]int{"message_id": id})
}

func (s *Server) createForumTopic(w http.ResponseWriter, r *http.Request) {
	chatID, err := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
	name := r.PostForm.Get("name")
	s.mu.Lock()
	defer s.mu.Unlock()
	switch n := len([]rune(name)); {
	case err != nil:
		fail(w, Failure{Code: 400, Description: "Bad Request: chat_id is empty"})
		return
	case !s.forums[chatID]:
		fail(w, Failure{Code: 400, Description: "Bad Request: the chat is not a forum"})
		return
	case strings.TrimSpace(name) == "":
		fail(w, Failure{Code: 400, Description: "Bad Request: TOPIC_TITLE_EMPTY"})
		return
	case n > 128:
		fail(w, Failure{Code: 400, Description: "Bad Request: TOPIC_TITLE_INVALID"})
		return
	}
	s.nextMsgID++
	id := s.nextMsgID
	if s.topics[chatID] == nil {
		s.topics[chatID] = map[int]*topic{}
	}
	s.topics[chatID][id] = &topic{Name: name}
	// The topic's first message is the service message that created it.
	s.remember(chatID, id, knownMessage{service: true})
	ok(w, map[string]any{"message_thread_id": id, "name": name, "icon_color": 7322096})
}

func (s *Server) changeForumTopic(w http.ResponseWriter, r *http.Request, method string) {
	chatID, _ := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
	thread, _ := strconv.Atoi(r.PostForm.Get("message_thread_id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	t, found := s.topics[chatID][thread]
	switch {
	case !found:
		fail(w, Failure{Code: 400, Description: "Bad Request: TOPIC_ID_INVALID"})
		return
	case method == "deleteForumTopic":
		delete(s.topics[chatID], thread)
	case t.Closed:
		fail(w, Failure{Code: 400, Description: "Bad Request: TOPIC_NOT_MODIFIED"})
		return
	default:
		t.Closed = true
	}
	ok(w, true)
}

// button is an inline keyboard button as the Bot API reads it.
type button struct {
	Text         string  `json:"text"`
	CallbackData *string `json:"callback_data"`
	URL          *string `json:"url"`
	CopyText     *struct {
		Text string `json:"text"`
	} `json:"copy_text"`
}

// checkKeyboard rejects an inline keyboard as Telegram would.
func checkKeyboard(markup string) (Failure, bool) {
	var kb struct {
		Rows [][]button `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(markup), &kb); err != nil {
		return Failure{Code: 400, Description: "Bad Request: can't parse reply keyboard markup JSON object"}, true
	}
	for _, row := range kb.Rows {
		for _, b := range row {
			actions := 0
			for _, set := range []bool{b.CallbackData != nil, b.URL != nil, b.CopyText != nil} {
				if set {
					actions++
				}
			}
			switch {
			case strings.TrimSpace(b.Text) == "":
				return Failure{Code: 400, Description: "Bad Request: text buttons are unallowed in the inline keyboard"}, true
			case actions != 1:
				return Failure{Code: 400, Description: "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used"}, true
			case b.CallbackData != nil && (len(*b.CallbackData) == 0 || len(*b.CallbackData) > 64):
				return Failure{Code: 400, Description: "Bad Request: BUTTON_DATA_INVALID"}, true
			case b.CopyText != nil && (b.CopyText.Text == "" || len(utf16.Encode([]rune(b.CopyText.Text))) > 256):
				return Failure{Code: 400, Description: "Bad Request: COPY_TEXT_INVALID"}, true
			}
		}
	}
	return Failure{}, false
}
