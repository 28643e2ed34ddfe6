package telegram_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/faq"
	"github.com/layanan-id/layanan/internal/fakebotapi"
	"github.com/layanan-id/layanan/knowledge"
)

var bundledIndex = sync.OnceValues(func() (*knowledge.Index, error) {
	c, err := knowledge.Load(faq.Files)
	if err != nil {
		return nil, err
	}
	return knowledge.Build(context.Background(), c)
})

// harness runs the whole bot against the fake Bot API: a real index, the
// embedded store, the client, the conversation and the polling loop.
type harness struct {
	api    *fakebotapi.Server
	client *telegram.Client
	store  *boltstore.Store
	conv   *bot.Conversation
	stop   func()
	nextID int

	added   atomic.Int64 // updates given to the fake Bot API
	handled atomic.Int64 // updates the handler returned from (stored and all)
}

func newHarness(t *testing.T, cfg bot.Config) *harness {
	t.Helper()
	return newHarnessWith(t, cfg, func(*boltstore.Store) bot.Options { return bot.Options{} })
}

// newHarnessWith lets a test choose the conversation's options, given the
// store.
func newHarnessWith(t *testing.T, cfg bot.Config, options func(*boltstore.Store) bot.Options) *harness {
	t.Helper()
	ix, err := bundledIndex()
	if err != nil {
		t.Fatal(err)
	}
	api := fakebotapi.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 10 * time.Second}, log)
	if err != nil {
		t.Fatal(err)
	}
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg.BotUsername = fakebotapi.BotUsername
	conv, err := bot.New(cfg, ix, store, client, log, options(store))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{api: api, client: client, store: store, conv: conv, nextID: 1}
	ctx, cancel := context.WithCancel(context.Background())
	counted := bot.HandlerFunc(func(ctx context.Context, u bot.Update) (bot.Outcome, error) {
		defer h.handled.Add(1)
		return conv.Handle(ctx, u)
	})
	p := telegram.NewPoller(client, bot.Recovered(counted, log), log)
	p.PollTimeout = time.Second
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	h.stop = func() { cancel(); <-done }
	t.Cleanup(h.stop)
	return h
}

const userID = 4242

func (h *harness) message(text string) tgbotapi.Update {
	h.nextID++
	m := &tgbotapi.Message{
		MessageID: h.nextID,
		From:      &tgbotapi.User{ID: userID, FirstName: "Siti", LanguageCode: "id"},
		Chat:      &tgbotapi.Chat{ID: userID, Type: "private"},
		Text:      text,
		Date:      int(time.Now().Unix()),
	}
	if strings.HasPrefix(text, "/") {
		end := strings.IndexByte(text, ' ')
		if end < 0 {
			end = len(text)
		}
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: end}}
	}
	return tgbotapi.Update{UpdateID: h.nextID, Message: m}
}

func (h *harness) press(data string, messageID int) tgbotapi.Update {
	h.nextID++
	return tgbotapi.Update{UpdateID: h.nextID, CallbackQuery: &tgbotapi.CallbackQuery{
		ID:      "cb" + data,
		From:    &tgbotapi.User{ID: userID, FirstName: "Siti", LanguageCode: "id"},
		Message: &tgbotapi.Message{MessageID: messageID, Chat: &tgbotapi.Chat{ID: userID, Type: "private"}},
		Data:    data,
	}}
}

// send delivers updates and waits until n more messages were sent and
// every update was handled to its end (the store written).
func (h *harness) send(t *testing.T, n int, us ...tgbotapi.Update) []fakebotapi.Request {
	t.Helper()
	before := len(h.api.Requests("sendMessage"))
	h.add(us...)
	all := h.api.WaitFor(t, "sendMessage", before+n, 10*time.Second)
	h.waitHandled(t)
	return all[before:]
}

// add gives updates to the fake Bot API for the poller.
func (h *harness) add(us ...tgbotapi.Update) {
	h.added.Add(int64(len(us)))
	h.api.AddUpdates(us...)
}

// waitHandled waits until the handler has returned from every update
// added so far: the reply is out before the store is written.
func (h *harness) waitHandled(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.handled.Load() < h.added.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d updates handled after 10 s", h.handled.Load(), h.added.Load())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func buttonsOf(t *testing.T, r fakebotapi.Request) [][]tgbotapi.InlineKeyboardButton {
	t.Helper()
	raw := r.Params.Get("reply_markup")
	if raw == "" {
		return nil
	}
	var kb tgbotapi.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		t.Fatalf("reply_markup: %v", err)
	}
	return kb.InlineKeyboard
}

func findButton(t *testing.T, r fakebotapi.Request, prefix string) string {
	t.Helper()
	for _, row := range buttonsOf(t, r) {
		for _, b := range row {
			if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, prefix) {
				return *b.CallbackData
			}
		}
	}
	t.Fatalf("no button with data %q in %s", prefix, r.Params.Get("reply_markup"))
	return ""
}

func TestConversationEndToEnd(t *testing.T) {
	h := newHarness(t, bot.DefaultConfig())

	// /start: welcome with category buttons.
	got := h.send(t, 1, h.message("/start"))
	if !strings.Contains(got[0].Params.Get("text"), "asisten layanan publik") {
		t.Errorf("welcome = %q", got[0].Params.Get("text"))
	}
	cat := findButton(t, got[0], "c:kependudukan:")

	// A category button: its entries, every callback answered.
	got = h.send(t, 1, h.press(cat, 1))
	entry := findButton(t, got[0], "e:")
	h.api.WaitFor(t, "answerCallbackQuery", 1, 5*time.Second)

	// An entry button opens the answer card.
	got = h.send(t, 1, h.press(entry, 2))
	if !strings.Contains(got[0].Params.Get("text"), "Diperbarui") {
		t.Errorf("answer card = %q", got[0].Params.Get("text"))
	}

	// A free question: typing, then the answer card with feedback buttons.
	got = h.send(t, 1, h.message("gmn cara bikin ktp pertama kali?"))
	text := got[0].Params.Get("text")
	for _, want := range []string{"<b>Membuat KTP-el", "<b>Biaya:</b>", "Gratis", "Sumber:", "Diperbarui 1 November 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	if n := len(h.api.Requests("sendChatAction")); n != 0 {
		// The answer takes milliseconds: "typing…" would cost a request.
		t.Errorf("%d typing actions for a fast answer", n)
	}
	up := findButton(t, got[0], "f:1:ktp-el-baru")
	answerMsg := 1001 + len(h.api.Requests("sendMessage")) - 1

	// Follow-ups answer from the same entry.
	for _, tt := range []struct{ question, want string }{
		{"biayanya berapa?", "Biaya"},
		{"syaratnya apa aja", "Persyaratan"},
		{"di mana?", "Tempat"},
		{"berapa lama?", "Lama proses"},
	} {
		got = h.send(t, 1, h.message(tt.question))
		if text := got[0].Params.Get("text"); !strings.Contains(text, "KTP-el") || !strings.Contains(text, tt.want) {
			t.Errorf("follow-up %q = %q", tt.question, text)
		}
	}

	// A new topic replaces the old one.
	got = h.send(t, 1, h.message("syarat perpanjang sim"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "SIM") {
		t.Errorf("new topic = %q", text)
	}
	got = h.send(t, 1, h.message("biayanya berapa?"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "SIM") {
		t.Errorf("follow-up after new topic = %q", text)
	}

	// Feedback: recorded once per answer message.
	before := len(h.api.Requests("answerCallbackQuery"))
	h.add(h.press(up, answerMsg))
	calls := h.api.WaitFor(t, "answerCallbackQuery", before+1, 5*time.Second)
	if got := calls[len(calls)-1].Params.Get("text"); !strings.Contains(got, "Terima kasih") {
		t.Errorf("feedback notice = %q", got)
	}
	h.add(h.press(strings.Replace(up, "f:1", "f:0", 1), answerMsg))
	calls = h.api.WaitFor(t, "answerCallbackQuery", before+2, 5*time.Second)
	if got := calls[len(calls)-1].Params.Get("text"); !strings.Contains(got, "sudah tercatat") {
		t.Errorf("second vote notice = %q", got)
	}
	counts, err := h.store.FeedbackCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := counts["ktp-el-baru"]; v.Helpful != 1 || v.NotHelpful != 0 {
		t.Errorf("votes = %+v", v)
	}

	// Not found: the fallback, and the question is kept for staff.
	got = h.send(t, 1, h.message("resep rendang padang yang enak 08123456789"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "belum menemukan") {
		t.Errorf("not found = %q", text)
	}
	unanswered, err := h.store.ListUnanswered(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(unanswered) == 0 || !strings.Contains(unanswered[len(unanswered)-1].Text, "[telepon]") {
		t.Errorf("unanswered log = %+v (phone must be masked)", unanswered)
	}

	// Small talk.
	got = h.send(t, 1, h.message("makasih min"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "Sama-sama") {
		t.Errorf("thanks = %q", text)
	}
	got = h.send(t, 1, h.message("kamu siapa?"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "asisten") {
		t.Errorf("identity = %q", text)
	}

	// Not text: a sticker.
	h.nextID++
	sticker := tgbotapi.Update{UpdateID: h.nextID, Message: &tgbotapi.Message{
		MessageID: h.nextID, From: &tgbotapi.User{ID: userID}, Chat: &tgbotapi.Chat{ID: userID, Type: "private"},
		Sticker: &tgbotapi.Sticker{FileID: "x"},
	}}
	got = h.send(t, 1, sticker)
	if text := got[0].Params.Get("text"); !strings.Contains(text, "hanya bisa membaca pesan teks") {
		t.Errorf("sticker reply = %q", text)
	}

	// A forged button gets a neutral answer and nothing else.
	sent := len(h.api.Requests("sendMessage"))
	before = len(h.api.Requests("answerCallbackQuery"))
	h.add(h.press("e:tidak-ada", 1), h.press("x:::", 1), h.press("f:1:tidak-ada", 1))
	calls = h.api.WaitFor(t, "answerCallbackQuery", before+3, 5*time.Second)
	for _, c := range calls[before:] {
		if !strings.Contains(c.Params.Get("text"), "tidak berlaku") {
			t.Errorf("forged button notice = %q", c.Params.Get("text"))
		}
	}
	if n := len(h.api.Requests("sendMessage")); n != sent {
		t.Errorf("forged buttons sent %d messages", n-sent)
	}

	// Deep link.
	got = h.send(t, 1, h.message("/start paspor"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "Paspor") {
		t.Errorf("deep link = %q", text)
	}

	// Telegram delivering the same update twice: handled once.
	dup := h.message("skck")
	before = len(h.api.Requests("sendMessage"))
	h.add(dup)
	h.api.WaitFor(t, "sendMessage", before+1, 5*time.Second)
	h.waitHandled(t)
	// The poller never asks for it again (its offset moved on); a webhook
	// replica can get it again, which is the same as handling it again.
	raw, err := json.Marshal(dup)
	if err != nil {
		t.Fatal(err)
	}
	again, err := telegram.DecodeUpdate(raw)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.conv.Handle(context.Background(), again)
	if err != nil || out.Kind != "duplicate" {
		t.Errorf("redelivery: outcome %q, err %v; want duplicate", out.Kind, err)
	}
	if n := len(h.api.Requests("sendMessage")) - before; n != 1 {
		t.Errorf("a redelivered update was answered %d times", n)
	}
}

func TestEveryReplyIsValidHTML(t *testing.T) {
	h := newHarness(t, bot.DefaultConfig())
	ix, _ := bundledIndex()
	// Open every entry: the fake rejects HTML Telegram would reject and
	// messages over 4096 characters.
	var updates []tgbotapi.Update
	for _, e := range ix.Content().Entries {
		updates = append(updates, h.press("e:"+e.ID, 1))
	}
	got := h.send(t, len(updates), updates...)
	for _, r := range got {
		if r.Params.Get("parse_mode") != "HTML" {
			t.Errorf("a reply was sent without HTML (a fallback after a rejection?): %q", r.Params.Get("text"))
		}
	}
}

func TestFloodLimit(t *testing.T) {
	cfg := bot.DefaultConfig()
	cfg.FloodLimit = 3
	h := newHarness(t, cfg)
	var us []tgbotapi.Update
	for i := 0; i < 6; i++ {
		us = append(us, h.message("halo"))
	}
	h.add(us...)
	h.api.WaitFor(t, "sendMessage", 4, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	msgs := h.api.Requests("sendMessage")
	if len(msgs) != 4 {
		t.Fatalf("%d messages for 6 updates with a limit of 3, want 3 answers and 1 notice", len(msgs))
	}
	if !strings.Contains(msgs[3].Params.Get("text"), "terlalu banyak") {
		t.Errorf("flood notice = %q", msgs[3].Params.Get("text"))
	}
}

func TestGroupChatAnswersOnlyWhenAddressed(t *testing.T) {
	h := newHarness(t, bot.DefaultConfig())
	group := func(text string) tgbotapi.Update {
		u := h.message(text)
		u.Message.Chat = &tgbotapi.Chat{ID: -100, Type: "supergroup"}
		return u
	}
	h.add(group("ada yang tahu cara bikin ktp?"), group("/menu@other_bot"))
	time.Sleep(500 * time.Millisecond)
	if n := len(h.api.Requests("sendMessage")); n != 0 {
		t.Fatalf("bot answered %d group messages not meant for it", n)
	}
	got := h.send(t, 1, group("@"+fakebotapi.BotUsername+" cara bikin ktp pertama kali"))
	if !strings.Contains(got[0].Params.Get("text"), "KTP-el") {
		t.Errorf("mention answer = %q", got[0].Params.Get("text"))
	}
	got = h.send(t, 1, group("/menu@"+fakebotapi.BotUsername))
	if !strings.Contains(got[0].Params.Get("text"), "kategori") {
		t.Errorf("group command = %q", got[0].Params.Get("text"))
	}
}

func TestEnglishUser(t *testing.T) {
	h := newHarness(t, bot.DefaultConfig())
	u := h.message("how do i renew my driving license")
	u.Message.From.LanguageCode = "en"
	got := h.send(t, 1, u)
	text := got[0].Params.Get("text")
	if !strings.Contains(text, "<b>Fee:</b>") || !strings.Contains(text, "Updated ") {
		t.Errorf("English answer card = %q", text)
	}
}

func TestWebhook(t *testing.T) {
	var handled []bot.Update
	var mu sync.Mutex
	handler := bot.HandlerFunc(func(_ context.Context, u bot.Update) (bot.Outcome, error) {
		mu.Lock()
		handled = append(handled, u)
		mu.Unlock()
		return bot.Outcome{}, nil
	})
	srv := httptest.NewServer(telegram.NewWebhook("s3cret", handler, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	post := func(secret, body string, size int64) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		if secret != "" {
			req.Header.Set(telegram.SecretHeader, secret)
		}
		if size > 0 {
			req.ContentLength = size
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	update := `{"update_id":7,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"from":{"id":1},"text":"halo"}}`
	tests := []struct {
		name, secret, body string
		want               int
	}{
		{"wrong secret", "nope", update, 401},
		{"missing secret", "", update, 401},
		{"not json", "s3cret", "<html>", 400},
		// Read as far as its id: acknowledged and skipped, not redelivered.
		{"unreadable update", "s3cret", `{"update_id":9,"message":"not an object"}`, 200},
		{"too large", "s3cret", `{"update_id":1,"message":{"text":"` + strings.Repeat("a", telegram.MaxWebhookBody) + `"}}`, 413},
		{"good", "s3cret", update, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(tt.secret, tt.body, 0); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(handled) != 1 || handled[0].ID != 7 {
		t.Errorf("handled %d updates, want only the good one", len(handled))
	}
}

func TestSuggestionsAndMenuPages(t *testing.T) {
	h := newHarness(t, bot.DefaultConfig())
	// "ktp" alone names several entries: the bot offers them.
	got := h.send(t, 1, h.message("ktp"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "Apakah maksud Anda") {
		t.Fatalf("ambiguous question = %q", text)
	}
	offered := 0
	for _, row := range buttonsOf(t, got[0]) {
		for _, b := range row {
			if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, "e:ktp-el-") {
				offered++
			}
		}
	}
	if offered < 2 || offered > 3 {
		t.Errorf("%d KTP entries offered, want 2–3", offered)
	}
	got = h.send(t, 1, h.press(findButton(t, got[0], "e:ktp-el-"), 1))
	if !strings.Contains(got[0].Params.Get("text"), "KTP-el") {
		t.Errorf("offered entry = %q", got[0].Params.Get("text"))
	}
	// The civil-registration category has more entries than a page.
	got = h.send(t, 1, h.press("c:kependudukan:0", 1))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "(1/2)") {
		t.Errorf("first page = %q", text)
	}
	next := findButton(t, got[0], "c:kependudukan:1")
	got = h.send(t, 1, h.press(next, 2))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "(2/2)") {
		t.Errorf("second page = %q", text)
	}
	findButton(t, got[0], "c:kependudukan:0") // back to the first page
	findButton(t, got[0], "e:")
}

// 👎 asks what was wrong: a reason button or the next message, kept for
// staff (masked) with the entry it is about; a command instead moves on.
func TestThumbsDownAsksWhatWasWrong(t *testing.T) {
	h := newHarness(t, bot.DefaultConfig())
	thumbsDown := func(question string) (entry string) {
		t.Helper()
		got := h.send(t, 1, h.message(question))
		up := findButton(t, got[0], "f:1:")
		msg := 1001 + len(h.api.Requests("sendMessage")) - 1
		got = h.send(t, 1, h.press(strings.Replace(up, "f:1", "f:0", 1), msg))
		if text := got[0].Params.Get("text"); !strings.Contains(text, "Apa yang kurang tepat") {
			t.Fatalf("after 👎: %q", text)
		}
		findButton(t, got[0], "r:salah:")
		return strings.TrimPrefix(up, "f:1:")
	}
	comments := func() []bot.Unanswered {
		t.Helper()
		qs, err := h.store.ListUnanswered(context.Background(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var out []bot.Unanswered
		for _, q := range qs {
			if q.EntryID != "" {
				out = append(out, q)
			}
		}
		return out
	}

	// A note in the next message.
	entry := thumbsDown("syarat bikin skck")
	got := h.send(t, 1, h.message("biayanya sudah beda, tanya ke 08123456789"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "teruskan ke petugas") {
		t.Errorf("after the note: %q", text)
	}
	cs := comments()
	if len(cs) != 1 || cs[0].EntryID != entry || !strings.Contains(cs[0].Text, "[telepon]") || strings.Contains(cs[0].Text, "0812") {
		t.Fatalf("comments = %+v, want one masked note on %s", cs, entry)
	}

	// A reason button.
	entry = thumbsDown("cara bikin paspor")
	before := len(h.api.Requests("answerCallbackQuery"))
	h.add(h.press("r:lain:"+entry, 1))
	h.waitHandled(t)
	calls := h.api.WaitFor(t, "answerCallbackQuery", before+1, 5*time.Second)
	if notice := calls[len(calls)-1].Params.Get("text"); !strings.Contains(notice, "teruskan ke petugas") {
		t.Errorf("reason notice = %q", notice)
	}
	if cs = comments(); len(cs) != 2 || cs[1].EntryID != entry || cs[1].Text != "Bukan yang saya tanyakan" {
		t.Errorf("comments after the reason = %+v", cs)
	}

	// A command after 👎 is a command, and the next question a question.
	thumbsDown("syarat perpanjang sim")
	got = h.send(t, 1, h.message("/menu"))
	if text := got[0].Params.Get("text"); strings.Contains(text, "teruskan ke petugas") {
		t.Errorf("/menu after 👎 was taken as a note: %q", text)
	}
	got = h.send(t, 1, h.message("syarat bikin skck"))
	if text := got[0].Params.Get("text"); !strings.Contains(text, "SKCK") {
		t.Errorf("question after /menu = %q", text)
	}
	if n := len(comments()); n != 2 {
		t.Errorf("%d comments, want still 2", n)
	}
}
