package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/bot/store/redisstore"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/fakebotapi"
	"github.com/layanan-id/layanan/internal/redistest"
)

// The handoff end to end: updates are decoded from Bot API JSON by the
// transport and handled by the conversation (one replica or two), which
// talks to the fake Bot API; the fake knows forum topics and copyMessage
// and rejects what Telegram would.

const (
	staffChat = -1001234567890
	citizen   = 4242
	officer   = 777 // a staff member in the group
)

// handoffStore is what a replica keeps: either backend.
type handoffStore interface {
	bot.Store
	bot.HandoffStore
}

// ticketEvents records the handoff's metrics.
type ticketEvents struct {
	mu                            sync.Mutex
	opened, firstReplies, ratings int
	closed                        []string
}

func (e *ticketEvents) UpdateHandled(string, bot.OutcomeKind, time.Duration) {}
func (e *ticketEvents) StoreError(string)                                    {}
func (e *ticketEvents) TicketOpened()                                        { e.mu.Lock(); e.opened++; e.mu.Unlock() }
func (e *ticketEvents) TicketClosed(by string) {
	e.mu.Lock()
	e.closed = append(e.closed, by)
	e.mu.Unlock()
}
func (e *ticketEvents) FirstStaffReply(time.Duration) { e.mu.Lock(); e.firstReplies++; e.mu.Unlock() }
func (e *ticketEvents) TicketRated(int)               { e.mu.Lock(); e.ratings++; e.mu.Unlock() }

// handoffBot is one or more replicas of the bot on one store backend and
// one fake Bot API.
type handoffBot struct {
	api      *fakebotapi.Server
	replicas []*bot.Conversation
	stores   []handoffStore
	events   *ticketEvents
	nextID   int
}

type handoffSetup struct {
	forum      bool
	ttl        time.Duration
	staffNames bool
	replicas   int
	redis      bool
	log        io.Writer // the replicas' log at info level; nil: discarded
}

func newHandoffBot(t *testing.T, setup handoffSetup) *handoffBot {
	t.Helper()
	ix, err := bundledIndex()
	if err != nil {
		t.Fatal(err)
	}
	api := fakebotapi.New(t)
	if setup.forum {
		api.SetForum(staffChat)
	}
	if setup.ttl == 0 {
		setup.ttl = 24 * time.Hour
	}
	if setup.log == nil {
		setup.log = io.Discard
	}
	log := slog.New(slog.NewTextHandler(setup.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	hb := &handoffBot{api: api, events: &ticketEvents{}, nextID: 100}
	var redisURL, prefix string
	if setup.redis {
		r := redistest.Start(t)
		redisURL, prefix = r.URL, r.Prefix
	}
	for i := range max(setup.replicas, 1) {
		var st handoffStore
		if setup.redis {
			rs, err := redisstore.Open(context.Background(), redisURL, redisstore.Options{Prefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			st = rs
		} else {
			bs, err := boltstore.Open(filepath.Join(t.TempDir(), fmt.Sprintf("state%d.db", i)))
			if err != nil {
				t.Fatal(err)
			}
			st = bs
		}
		t.Cleanup(func() { st.Close() })
		client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 10 * time.Second}, log)
		if err != nil {
			t.Fatal(err)
		}
		cfg := bot.DefaultConfig()
		cfg.BotUsername = fakebotapi.BotUsername
		conv, err := bot.New(cfg, ix, st, client, log, bot.Options{
			Admins:   []int64{officer},
			Stats:    st.(bot.StatsStore),
			Observer: hb.events,
			Handoff:  &bot.Handoff{Store: st, Relay: client, StaffChat: staffChat, TTL: setup.ttl, StaffNames: setup.staffNames},
		})
		if err != nil {
			t.Fatal(err)
		}
		hb.replicas = append(hb.replicas, conv)
		hb.stores = append(hb.stores, st)
	}
	return hb
}

// deliver has replica r handle one update given as Bot API JSON.
func (hb *handoffBot) deliver(t *testing.T, r int, raw string) bot.Outcome {
	t.Helper()
	hb.api.SawUpdates(json.RawMessage(raw))
	u, err := telegram.DecodeUpdate([]byte(raw))
	if err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	out, err := hb.replicas[r].Handle(context.Background(), u)
	if err != nil {
		t.Fatalf("handle %s: %v", raw, err)
	}
	return out
}

func (hb *handoffBot) id() int { hb.nextID++; return hb.nextID }

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// citizenSays is a text (or, with caption, a photo) from the citizen.
func (hb *handoffBot) citizenSays(text string) (string, int) {
	id := hb.id()
	entities := ""
	if strings.HasPrefix(text, "/") {
		entities = fmt.Sprintf(`,"entities":[{"type":"bot_command","offset":0,"length":%d}]`, len(strings.Fields(text)[0]))
	}
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"first_name":"Siti","language_code":"id"},"chat":{"id":%d,"type":"private"},"date":1,"text":%s%s}}`,
		id, id, citizen, citizen, jsonString(text), entities), id
}

func (hb *handoffBot) citizenPhoto(caption string) (string, int) {
	id := hb.id()
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"first_name":"Siti"},"chat":{"id":%d,"type":"private"},"date":1,"photo":[{"file_id":"f","file_unique_id":"u","width":90,"height":90}],"caption":%s}}`,
		id, id, citizen, citizen, jsonString(caption)), id
}

func (hb *handoffBot) press(from int64, data string) string {
	id := hb.id()
	return fmt.Sprintf(`{"update_id":%d,"callback_query":{"id":"q%d","from":{"id":%d,"first_name":"Siti"},"message":{"message_id":1,"chat":{"id":%d,"type":"private"},"date":1},"data":%s}}`,
		id, id, from, from, jsonString(data))
}

// staffSays is a staff member's message in the group: in a topic
// (thread), as a reply (replyTo), or both.
func (hb *handoffBot) staffSays(text string, thread, replyTo int, forum bool) (string, int) {
	id := hb.id()
	var place string
	if thread != 0 {
		place += fmt.Sprintf(`,"message_thread_id":%d,"is_topic_message":true`, thread)
		if replyTo == 0 {
			replyTo = thread // in a topic, Telegram sets the topic's first message
		}
	}
	if replyTo != 0 {
		from := fmt.Sprintf(`{"id":%d,"first_name":"Budi"}`, officer)
		if hb.sentByBot(replyTo) {
			from = `{"id":123456,"is_bot":true,"first_name":"Layanan"}`
		}
		place += fmt.Sprintf(`,"reply_to_message":{"message_id":%d,"from":%s,"chat":{"id":%d,"type":"supergroup"},"date":1,"text":%s}`, replyTo, from, staffChat, jsonString(hb.textOf(replyTo)))
	}
	entities := ""
	if strings.HasPrefix(text, "/") {
		entities = fmt.Sprintf(`,"entities":[{"type":"bot_command","offset":0,"length":%d}]`, len(strings.Fields(text)[0]))
	}
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"first_name":"Budi"},"chat":{"id":%d,"type":"supergroup","is_forum":%v},"date":1,"text":%s%s%s}}`,
		id, id, officer, staffChat, forum, jsonString(text), entities, place), id
}

// textOf is the plain text of a message the bot sent.
func (hb *handoffBot) textOf(id int) string {
	for _, s := range hb.api.SentMessages() {
		if s.ID == id {
			return s.Text
		}
	}
	return ""
}

// sentByBot reports whether the bot sent message id (or made the topic).
func (hb *handoffBot) sentByBot(id int) bool {
	for _, s := range hb.api.SentMessages() {
		if s.ID == id {
			return true
		}
	}
	_, topic := hb.api.Topics(staffChat)[id]
	return topic
}

// sentSince returns the messages accepted after the first n.
func (hb *handoffBot) sentSince(n int) []fakebotapi.Sent {
	return hb.api.SentMessages()[n:]
}

func (hb *handoffBot) mark() int { return len(hb.api.SentMessages()) }

// only returns the one message sent to chat among sent.
func only(t *testing.T, sent []fakebotapi.Sent, chat int64) fakebotapi.Sent {
	t.Helper()
	var got []fakebotapi.Sent
	for _, s := range sent {
		if s.ChatID == chat {
			got = append(got, s)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d messages to chat %d, want 1: %+v", len(got), chat, sent)
	}
	return got[0]
}

func wantText(t *testing.T, s fakebotapi.Sent, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s.Text, p) {
			t.Errorf("message to %d = %q, want it to contain %q", s.ChatID, s.Text, p)
		}
	}
}

// lastButtons returns the callback data of the last message's buttons.
func (hb *handoffBot) lastButtons(t *testing.T) []string {
	t.Helper()
	reqs := hb.api.Requests("sendMessage")
	var kb struct {
		Rows [][]struct {
			Data string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	_ = json.Unmarshal([]byte(reqs[len(reqs)-1].Params.Get("reply_markup")), &kb)
	var out []string
	for _, row := range kb.Rows {
		for _, b := range row {
			out = append(out, b.Data)
		}
	}
	return out
}

// open opens a ticket the way a citizen does after a question the bot
// could not answer: the contact button, then "send" or "full".
func (hb *handoffBot) open(t *testing.T, choice string) bot.Ticket {
	t.Helper()
	raw, _ := hb.citizenSays("xyzzy qwerty plugh nomor 3201234567890001")
	hb.deliver(t, 0, raw)
	hb.deliver(t, 0, hb.press(citizen, "k"))
	if got := hb.lastButtons(t); !slices.Contains(got, "p:"+choice) {
		t.Fatalf("confirmation buttons = %v, want p:%s", got, choice)
	}
	before := hb.mark()
	hb.deliver(t, 0, hb.press(citizen, "p:"+choice))
	wantText(t, only(t, hb.sentSince(before), citizen), "Tiket <b>#", "Antrean Anda: <b>1</b>")
	tk, found, err := hb.stores[0].OpenTicketOf(context.Background(), citizen)
	if err != nil || !found {
		t.Fatalf("no open ticket after confirming: %v", err)
	}
	return tk
}

func TestHandoffInForumTopics(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{forum: true})
	ctx := context.Background()
	before := hb.mark()
	tk := hb.open(t, "send")
	if tk.ThreadID == 0 || tk.Consent {
		t.Fatalf("ticket = %+v, want a topic and no consent", tk)
	}
	topics := hb.api.Topics(staffChat)
	if name := topics[tk.ThreadID].Name; !strings.HasPrefix(name, "#1 · Umum · xyzzy") || strings.Contains(name, "3201234567890001") {
		t.Errorf("topic name = %q, want number, service and masked first words", name)
	}
	header := only(t, hb.sentSince(before), staffChat)
	wantText(t, header, "Tiket #1", "Bahasa warga: Indonesia", "tidak menemukan jawaban", "disamarkan")
	if header.ThreadID != tk.ThreadID || strings.Contains(header.Text, "3201234567890001") {
		t.Errorf("header in thread %d with %q; want thread %d and the NIK masked", header.ThreadID, header.Text, tk.ThreadID)
	}

	// The citizen's messages go to the topic, masked, and are not
	// answered from the FAQ.
	before = hb.mark()
	raw, _ := hb.citizenSays("syarat ktp apa? hp saya 081234567890")
	if out := hb.deliver(t, 0, raw); out.Kind != bot.OutcomeHandoff {
		t.Errorf("outcome = %s, want handoff", out.Kind)
	}
	relayed := only(t, hb.sentSince(before), staffChat)
	if relayed.ThreadID != tk.ThreadID || strings.Contains(relayed.Text, "081234567890") || !strings.Contains(relayed.Text, "syarat ktp") {
		t.Errorf("relayed = %+v, want in the topic with the phone masked", relayed)
	}
	if got := hb.sentSince(before); len(got) != 1 {
		t.Errorf("the citizen's question was answered too: %+v", got)
	}
	before = hb.mark()
	raw, photoID := hb.citizenPhoto("foto KK 3201234567890002")
	hb.deliver(t, 0, raw)
	photo := only(t, hb.sentSince(before), staffChat)
	if photo.CopyOf != photoID || photo.ThreadID != tk.ThreadID || strings.Contains(photo.Text, "3201234567890002") {
		t.Errorf("photo = %+v, want a copy in the topic with the caption masked", photo)
	}

	// Two staff messages reach the citizen in order, as copies.
	before = hb.mark()
	raw1, first := hb.staffSays("Selamat pagi, Bu Siti.", tk.ThreadID, 0, true)
	raw2, second := hb.staffSays("Silakan bawa KK asli ke kantor.", tk.ThreadID, 0, true)
	hb.deliver(t, 0, raw1)
	hb.deliver(t, 0, raw2)
	got := hb.sentSince(before)
	if len(got) != 2 || got[0].CopyOf != first || got[1].CopyOf != second || got[0].ChatID != citizen {
		t.Errorf("staff messages to the citizen = %+v, want copies of %d then %d", got, first, second)
	}

	// /tiket lists it; /jawab sends an answer card; /contoh keeps an example.
	before = hb.mark()
	raw, _ = hb.staffSays("/tiket", 0, 0, true)
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), staffChat), "Tiket terbuka (1)", "#1 · Umum", "sudah dibalas")
	before = hb.mark()
	raw, _ = hb.staffSays("/jawab ktp-el-baru", tk.ThreadID, 0, true)
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), citizen), "KTP")
	before = hb.mark()
	raw, _ = hb.staffSays("/jawab tidak-ada", tk.ThreadID, 0, true)
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), staffChat), "tidak ada di konten")
	raw, _ = hb.staffSays("/contoh ktp-el-baru", tk.ThreadID, first, true) // a staff message: refused
	before = hb.mark()
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), staffChat), "Balas (reply) pesan warga")
	raw, _ = hb.staffSays("/contoh ktp-el-baru", tk.ThreadID, relayed.ID, true)
	hb.deliver(t, 0, raw)
	kept, err := hb.stores[0].ListUnanswered(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(kept, func(q bot.Unanswered) bool { return q.Example })
	if i < 0 || kept[i].EntryID != "ktp-el-baru" || !strings.HasPrefix(kept[i].Text, "syarat ktp apa?") || strings.Contains(kept[i].Text, "👤") {
		t.Errorf("kept = %+v, want the citizen's question as an example of ktp-el-baru", kept)
	}

	// Staff close it: the topic closes and the citizen is asked to rate.
	before = hb.mark()
	raw, _ = hb.staffSays("/selesai", tk.ThreadID, 0, true)
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), citizen), "Petugas menutup percakapan")
	wantText(t, only(t, hb.sentSince(before), staffChat), "ditutup oleh Budi")
	if !hb.api.Topics(staffChat)[tk.ThreadID].Closed {
		t.Error("the topic is still open")
	}
	rating := hb.lastButtons(t)
	if len(rating) != 5 || rating[4] != "n:1:5" {
		t.Fatalf("rating buttons = %v", rating)
	}
	hb.deliver(t, 0, hb.press(citizen+1, "n:1:2")) // someone else's ticket
	hb.deliver(t, 0, hb.press(citizen, "n:1:5"))
	hb.deliver(t, 0, hb.press(citizen, "n:1:1")) // the first rating stands
	stats, err := hb.stores[0].HandoffStats(ctx)
	if err != nil || stats.Opened != 1 || stats.Closed != 1 || stats.Rated != 1 || stats.RatingTotal != 5 || stats.FirstReplies != 1 {
		t.Errorf("stats = %+v, err %v", stats, err)
	}
	answers := hb.api.Requests("answerCallbackQuery")
	if n := len(answers); n < 3 || !strings.Contains(answers[n-3].Params.Get("text"), "tidak berlaku") || !strings.Contains(answers[n-2].Params.Get("text"), "Terima kasih") {
		t.Errorf("rating notices: %v", answers)
	}

	// An admin's /stats counts the ticket.
	before = hb.mark()
	id := hb.id()
	hb.deliver(t, 0, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"first_name":"Budi"},"chat":{"id":%d,"type":"private"},"date":1,"text":"/stats","entities":[{"type":"bot_command","offset":0,"length":6}]}}`, id, id, officer, officer))
	wantText(t, only(t, hb.sentSince(before), officer), "Tiket petugas: 0 terbuka · 1 dibuka · 1 ditutup", "Penilaian warga: rata-rata 5,0 dari 5 (1 penilaian)", "Usulan contoh pertanyaan dari petugas (7 hari): 1", "Balasan pertama petugas")

	// A staff message in the closed topic gets a note; the citizen's next
	// question is answered by the bot again.
	before = hb.mark()
	raw, _ = hb.staffSays("Masih ada yang bisa dibantu?", tk.ThreadID, 0, true)
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), staffChat), "sudah ditutup")
	before = hb.mark()
	raw, _ = hb.citizenSays("syarat bikin skck")
	if out := hb.deliver(t, 0, raw); out.Kind != bot.OutcomeAnswered {
		t.Errorf("after the handoff: outcome %s, want answered", out.Kind)
	}
	if e := hb.events; e.opened != 1 || e.firstReplies != 1 || e.ratings != 1 || !slices.Equal(e.closed, []string{"staff"}) {
		t.Errorf("metrics = opened %d, first replies %d, ratings %d, closed %v", e.opened, e.firstReplies, e.ratings, e.closed)
	}
}

func TestHandoffWithoutTopics(t *testing.T) {
	var logged syncBuffer
	hb := newHandoffBot(t, handoffSetup{staffNames: true, log: &logged})
	t.Cleanup(func() {
		// Nothing a citizen or staff member wrote is logged at info level.
		for _, secret := range []string{"3201234567890001", "mudik", "polsek", "Siapa yang pegang"} {
			if strings.Contains(logged.String(), secret) {
				t.Errorf("the log holds %q:\n%s", secret, logged.String())
			}
		}
		if !strings.Contains(logged.String(), "handoff opened") {
			t.Errorf("the log lacks the ticket's opening:\n%s", logged.String())
		}
	})
	// /petugas without a description asks for one.
	raw, _ := hb.citizenSays("/petugas")
	hb.deliver(t, 0, raw)
	raw, _ = hb.citizenSays("KTP saya hilang waktu mudik, NIK 3201234567890001, harus ke mana dulu?")
	hb.deliver(t, 0, raw)
	before := hb.mark()
	hb.deliver(t, 0, hb.press(citizen, "p:full"))
	header := only(t, hb.sentSince(before), staffChat)
	wantText(t, header, "Tiket #1", "3201234567890001", "ditampilkan atas izin warga", "membalas")
	if header.ThreadID != 0 {
		t.Errorf("header in thread %d, want none", header.ThreadID)
	}

	// With consent the citizen's messages are copied, as replies to the
	// ticket's first post.
	before = hb.mark()
	raw, msgID := hb.citizenSays("NIK saya 3201234567890001")
	hb.deliver(t, 0, raw)
	copied := only(t, hb.sentSince(before), staffChat)
	if copied.CopyOf != msgID || copied.ReplyTo != header.ID {
		t.Errorf("copied = %+v, want a copy replying to the header %d", copied, header.ID)
	}

	// Staff talk among themselves is not relayed; a reply is, with the
	// staff member's name.
	before = hb.mark()
	raw, _ = hb.staffSays("Siapa yang pegang tiket ini?", 0, 0, false)
	hb.deliver(t, 0, raw)
	if got := hb.sentSince(before); len(got) != 0 {
		t.Errorf("staff chatter was relayed: %+v", got)
	}
	raw, _ = hb.staffSays("Lapor kehilangan ke polsek dulu, Bu.", 0, copied.ID, false)
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), citizen), "<b>Budi</b> (petugas):", "polsek")

	// The citizen closes it with /selesai.
	before = hb.mark()
	raw, _ = hb.citizenSays("/selesai")
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), citizen), "Percakapan dengan petugas selesai")
	wantText(t, only(t, hb.sentSince(before), staffChat), "ditutup oleh warga")
	raw, _ = hb.citizenSays("/selesai")
	before = hb.mark()
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), citizen), "tidak sedang terhubung")
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestHandoffOpenedByPhrase(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{forum: true})
	before := hb.mark()
	raw, _ := hb.citizenSays("mau bicara dengan petugas soal akta anak saya yang salah tulis nama")
	if out := hb.deliver(t, 0, raw); out.Kind != bot.OutcomeHandoff {
		t.Errorf("outcome = %s, want handoff", out.Kind)
	}
	wantText(t, only(t, hb.sentSince(before), citizen), "akta anak saya yang salah tulis nama")
	if got := hb.lastButtons(t); !slices.Equal(got, []string{"p:send", "p:full", "p:no"}) {
		t.Errorf("buttons = %v", got)
	}
	hb.deliver(t, 0, hb.press(citizen, "p:no"))
	if _, found, _ := hb.stores[0].OpenTicketOf(context.Background(), citizen); found {
		t.Error("a cancelled handoff opened a ticket")
	}
	// A forged confirmation without a draft starts over instead.
	before = hb.mark()
	hb.deliver(t, 0, hb.press(citizen, "p:send"))
	wantText(t, only(t, hb.sentSince(before), citizen), "satu pesan")
	// Talking to a human in English works too.
	before = hb.mark()
	raw, _ = hb.citizenSays("can I talk to a human please")
	hb.deliver(t, 0, raw)
	if got := hb.sentSince(before); len(got) != 1 {
		t.Fatalf("replies = %+v", got)
	}
}

func TestHandoffClosesAfterSilence(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{forum: true, ttl: time.Nanosecond})
	tk := hb.open(t, "send")
	before := hb.mark()
	if err := hb.replicas[0].CloseIdleTickets(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantText(t, only(t, hb.sentSince(before), citizen), "tidak ada pesan selama", "Seberapa puas")
	wantText(t, only(t, hb.sentSince(before), staffChat), "karena tidak ada pesan")
	if !hb.api.Topics(staffChat)[tk.ThreadID].Closed {
		t.Error("the topic is still open")
	}
	// A second sweep (another replica) closes nothing twice.
	before = hb.mark()
	if err := hb.replicas[0].CloseIdleTickets(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := hb.sentSince(before); len(got) != 0 {
		t.Errorf("second sweep sent %+v", got)
	}
}

func TestHandoffCitizenBlockedTheBot(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{forum: true})
	tk := hb.open(t, "send")
	hb.api.BlockChats(citizen)
	before := hb.mark()
	raw, _ := hb.staffSays("Halo?", tk.ThreadID, 0, true)
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), staffChat), "memblokir bot")
	if got, _, _ := hb.stores[0].Ticket(context.Background(), tk.Number); got.Open() {
		t.Error("the ticket is still open")
	}
}

func TestHandoffForgetDeletesTheTicket(t *testing.T) {
	for _, forum := range []bool{true, false} {
		t.Run(fmt.Sprintf("forum=%v", forum), func(t *testing.T) {
			hb := newHandoffBot(t, handoffSetup{forum: forum})
			tk := hb.open(t, "send")
			raw, _ := hb.citizenSays("/hapusdata")
			hb.deliver(t, 0, raw)
			before := hb.mark()
			hb.deliver(t, 0, hb.press(citizen, "h:yes"))
			if forum {
				if _, ok := hb.api.Topics(staffChat)[tk.ThreadID]; ok {
					t.Error("the ticket's topic was not deleted")
				}
			} else {
				wantText(t, only(t, hb.sentSince(before), staffChat), "menghapus datanya")
			}
			st := hb.stores[0]
			if got, err := st.TicketsOf(context.Background(), citizen); err != nil || len(got) != 0 {
				t.Errorf("tickets after /hapusdata = %+v, err %v", got, err)
			}
			// A staff message in the old topic or thread reaches no one.
			before = hb.mark()
			raw, _ = hb.staffSays("Halo?", tk.ThreadID, tk.HeaderID, forum)
			hb.deliver(t, 0, raw)
			for _, s := range hb.sentSince(before) {
				if s.ChatID == citizen {
					t.Errorf("a staff message reached the forgotten citizen: %+v", s)
				}
			}
		})
	}
}

func TestHandoffAcrossReplicas(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{forum: true, replicas: 2, redis: true})
	tk := hb.open(t, "send") // on replica 0
	// Staff answer through replica 1; the citizen writes through replica 1.
	before := hb.mark()
	raw, staffMsg := hb.staffSays("Baik, kami cek dulu.", tk.ThreadID, 0, true)
	hb.deliver(t, 1, raw)
	if got := only(t, hb.sentSince(before), citizen); got.CopyOf != staffMsg {
		t.Errorf("to the citizen: %+v", got)
	}
	before = hb.mark()
	raw, _ = hb.citizenSays("terima kasih, saya tunggu")
	hb.deliver(t, 1, raw)
	if got := only(t, hb.sentSince(before), staffChat); got.ThreadID != tk.ThreadID {
		t.Errorf("to staff: %+v", got)
	}
	// Both replicas sweep; the ticket closes once.
	raw, _ = hb.citizenSays("/selesai")
	before = hb.mark()
	hb.deliver(t, 0, raw)
	wantText(t, only(t, hb.sentSince(before), staffChat), "ditutup oleh warga")
	if n := len(hb.events.closed); n != 1 {
		t.Errorf("closed %d times", n)
	}
}

func TestHandoffClosedByClosingTheTopic(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{forum: true})
	tk := hb.open(t, "send")
	before := hb.mark()
	id := hb.id()
	hb.deliver(t, 0, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"message_thread_id":%d,"is_topic_message":true,"from":{"id":%d,"first_name":"Budi"},"chat":{"id":%d,"type":"supergroup","is_forum":true},"date":1,"forum_topic_closed":{}}}`,
		id, id, tk.ThreadID, officer, staffChat))
	wantText(t, only(t, hb.sentSince(before), citizen), "Petugas menutup percakapan")
	if got, _, _ := hb.stores[0].Ticket(context.Background(), tk.Number); got.Open() {
		t.Error("the ticket is still open")
	}
	// Staff joining the group is not relayed anywhere.
	before = hb.mark()
	id = hb.id()
	hb.deliver(t, 0, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"first_name":"Budi"},"chat":{"id":%d,"type":"supergroup","is_forum":true},"date":1,"new_chat_members":[{"id":9,"is_bot":false,"first_name":"Ani"}]}}`,
		id, id, officer, staffChat))
	if got := hb.sentSince(before); len(got) != 0 {
		t.Errorf("a service message led to %+v", got)
	}
}

func TestHandoffOnlyInPrivateChats(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{forum: true})
	id := hb.id()
	before := hb.mark()
	hb.deliver(t, 0, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"first_name":"Siti"},"chat":{"id":-5,"type":"group"},"date":1,"text":"/petugas","entities":[{"type":"bot_command","offset":0,"length":8}]}}`, id, id, citizen))
	wantText(t, only(t, hb.sentSince(before), -5), "chat pribadi")
	if len(hb.api.Topics(staffChat)) != 0 {
		t.Error("a ticket was opened from a group")
	}
}

func TestHandoffContactMaskedAndRepliesOutsideTopics(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{})
	tk := hb.open(t, "send")
	// A contact card without consent: announced, its number not shown.
	id := hb.id()
	before := hb.mark()
	hb.deliver(t, 0, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"first_name":"Siti"},"chat":{"id":%d,"type":"private"},"date":1,"contact":{"phone_number":"+6281234567890","first_name":"Siti"}}}`, id, id, citizen, citizen))
	note := only(t, hb.sentSince(before), staffChat)
	wantText(t, note, "membagikan kontak")
	if strings.Contains(note.Text, "81234567890") || note.CopyOf != 0 {
		t.Errorf("the contact reached staff: %+v", note)
	}
	// In a group without topics Telegram still sets message_thread_id on
	// replies; the bot's notes must not send it back.
	raw, _ := hb.citizenSays("/selesai")
	hb.deliver(t, 0, raw)
	id = hb.id()
	before = hb.mark()
	hb.deliver(t, 0, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"message_thread_id":%d,"from":{"id":%d,"first_name":"Budi"},"chat":{"id":%d,"type":"supergroup"},"date":1,"text":"masih di sana?","reply_to_message":{"message_id":%d,"chat":{"id":%d,"type":"supergroup"},"date":1,"text":"x"}}}`,
		id, id, tk.HeaderID, officer, staffChat, note.ID, staffChat))
	if got := only(t, hb.sentSince(before), staffChat); got.ThreadID != 0 || !strings.Contains(got.Text, "sudah ditutup") {
		t.Errorf("note = %+v", got)
	}
}

func TestHandoffStaffGroupUnreachable(t *testing.T) {
	hb := newHandoffBot(t, handoffSetup{forum: true})
	raw, _ := hb.citizenSays("/petugas KTP saya hilang waktu mudik kemarin")
	hb.deliver(t, 0, raw)
	hb.api.FailNext("sendMessage", fakebotapi.Failure{Code: 400, Description: "Bad Request: not enough rights to send text messages to the chat"})
	before := hb.mark()
	hb.deliver(t, 0, hb.press(citizen, "p:send"))
	wantText(t, only(t, hb.sentSince(before), citizen), "belum bisa diteruskan")
	if topics := hb.api.Topics(staffChat); len(topics) != 0 {
		t.Errorf("the failed ticket's topic was left: %v", topics)
	}
	if _, found, _ := hb.stores[0].OpenTicketOf(context.Background(), citizen); found {
		t.Error("the failed ticket is still open")
	}
	if e := hb.events; e.opened != 0 || !slices.Equal(e.closed, []string{"failed"}) {
		t.Errorf("metrics: opened %d, closed %v", e.opened, e.closed)
	}
	// The citizen can try again at once.
	raw, _ = hb.citizenSays("/petugas KTP saya hilang waktu mudik kemarin")
	hb.deliver(t, 0, raw)
	before = hb.mark()
	hb.deliver(t, 0, hb.press(citizen, "p:send"))
	wantText(t, only(t, hb.sentSince(before), citizen), "Tiket <b>#2</b>")
}
