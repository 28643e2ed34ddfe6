package telegram_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/knowledge"
)

const adminID = 777

// fakeBroadcaster records what the conversation asks of the broadcast
// service.
type fakeBroadcaster struct {
	mu      sync.Mutex
	started []string
	topics  []string
	cancels []string
}

func (f *fakeBroadcaster) Recipients(context.Context, string) (int, error) { return 1234, nil }
func (f *fakeBroadcaster) StartBroadcast(_ context.Context, html, topic string, _ int64) (bot.BroadcastStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, html)
	f.topics = append(f.topics, topic)
	return bot.BroadcastStatus{ID: "job-1", State: "running", Total: 1234}, nil
}
func (f *fakeBroadcaster) LatestBroadcast(context.Context) (bot.BroadcastStatus, bool, error) {
	return bot.BroadcastStatus{ID: "job-1", State: "running", Total: 1234, Sent: 34, Remaining: 48 * time.Second}, true, nil
}
func (f *fakeBroadcaster) CancelBroadcast(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancels = append(f.cancels, id)
	return nil
}

func (f *fakeBroadcaster) startedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.started)
}

func adminHarness(t *testing.T) (*harness, *fakeBroadcaster) {
	t.Helper()
	fb := &fakeBroadcaster{}
	h := newHarnessWith(t, bot.DefaultConfig(), func(s *boltstore.Store) bot.Options {
		return bot.Options{
			Admins: []int64{adminID}, Subscriptions: s, Stats: s, Broadcasts: fb,
			Reload: func(context.Context) (int, []knowledge.Problem, error) {
				return 0, []knowledge.Problem{{File: "rusak.md", Line: 3, Message: "YAML rusak", Fatal: true}}, errors.New("rejected")
			},
		}
	})
	return h, fb
}

func TestNonAdminGetsNothingFromAdminCommands(t *testing.T) {
	h, fb := adminHarness(t)
	unknown := h.send(t, 1, h.message("/perintahasal"))[0].Params.Get("text")
	for _, cmd := range []string{"/broadcast Halo semua", "/broadcast status", "/broadcast cancel", "/stats", "/reload"} {
		got := h.send(t, 1, h.message(cmd))
		if text := got[0].Params.Get("text"); text != unknown {
			t.Errorf("%s from a citizen: %q, want the unknown-command reply", cmd, text)
		}
	}
	// A forged Kirim button from a citizen does nothing.
	before := len(h.api.Requests("sendMessage"))
	h.add(h.press("b:send", 1))
	calls := h.api.WaitFor(t, "answerCallbackQuery", 1, 5*time.Second)
	if !strings.Contains(calls[len(calls)-1].Params.Get("text"), "tidak berlaku") {
		t.Errorf("forged broadcast button notice = %q", calls[len(calls)-1].Params.Get("text"))
	}
	time.Sleep(200 * time.Millisecond)
	if fb.startedCount() != 0 || len(h.api.Requests("sendMessage")) != before {
		t.Error("a citizen's forged button started a broadcast or got a message")
	}
}

func TestAdminBroadcastPreviewAndSend(t *testing.T) {
	h, fb := adminHarness(t)
	asAdmin := func(text string) []string {
		u := h.message(text)
		u.Message.From.ID, u.Message.Chat.ID = adminID, adminID
		var out []string
		for _, r := range h.send(t, 2, u) {
			out = append(out, r.Params.Get("text"))
		}
		return out
	}
	got := asAdmin("/broadcast #kependudukan **Perekaman KTP-el** keliling hari Sabtu")
	if got[0] != "<b>Perekaman KTP-el</b> keliling hari Sabtu" || !strings.Contains(got[1], "Penerima: <b>1234</b>") || !strings.Contains(got[1], "kependudukan") {
		t.Fatalf("preview = %q", got)
	}
	if fb.startedCount() != 0 {
		t.Fatal("a broadcast started before Kirim")
	}
	press := h.press("b:send", 1)
	press.CallbackQuery.From.ID = adminID
	press.CallbackQuery.Message.Chat.ID = adminID
	sent := h.send(t, 1, press)
	if !strings.Contains(sent[0].Params.Get("text"), "dimulai untuk 1234") {
		t.Errorf("after Kirim: %q", sent[0].Params.Get("text"))
	}
	if fb.startedCount() != 1 || fb.topics[0] != "kependudukan" {
		t.Errorf("started %v on %v", fb.started, fb.topics)
	}
	// The same button again: the draft is gone, nothing is sent twice.
	press2 := h.press("b:send", 1)
	press2.CallbackQuery.From.ID = adminID
	press2.CallbackQuery.Message.Chat.ID = adminID
	h.add(press2)
	time.Sleep(300 * time.Millisecond)
	if fb.startedCount() != 1 {
		t.Error("Kirim twice started two broadcasts")
	}
	// Status and cancel.
	u := h.message("/broadcast status")
	u.Message.From.ID, u.Message.Chat.ID = adminID, adminID
	if text := h.send(t, 1, u)[0].Params.Get("text"); !strings.Contains(text, "Terkirim: 34") || !strings.Contains(text, "Perkiraan selesai") {
		t.Errorf("status = %q", text)
	}
	u = h.message("/broadcast cancel")
	u.Message.From.ID, u.Message.Chat.ID = adminID, adminID
	h.send(t, 1, u)
	if len(fb.cancels) != 1 {
		t.Errorf("cancels = %v", fb.cancels)
	}
	// /reload refused: the admin sees the problems with file and line.
	u = h.message("/reload")
	u.Message.From.ID, u.Message.Chat.ID = adminID, adminID
	if text := h.send(t, 1, u)[0].Params.Get("text"); !strings.Contains(text, "rusak.md:3: YAML rusak") {
		t.Errorf("reload = %q", text)
	}
	// /stats answers.
	u = h.message("/stats")
	u.Message.From.ID, u.Message.Chat.ID = adminID, adminID
	if text := h.send(t, 1, u)[0].Params.Get("text"); !strings.Contains(text, "Statistik") {
		t.Errorf("stats = %q", text)
	}
}

func TestSubscriptionFlow(t *testing.T) {
	h, _ := adminHarness(t)
	got := h.send(t, 1, h.message("/start"))
	sub := findButton(t, got[0], "s:on")
	got = h.send(t, 1, h.press(sub, 1))
	if !strings.Contains(got[0].Params.Get("text"), "berlangganan") {
		t.Errorf("subscribe = %q", got[0].Params.Get("text"))
	}
	topic := findButton(t, got[0], "t:kependudukan")
	got = h.send(t, 1, h.press(topic, 2))
	if !strings.Contains(got[0].Params.Get("text"), "Kependudukan") {
		t.Errorf("topic = %q", got[0].Params.Get("text"))
	}
	s, found, err := h.store.Subscription(context.Background(), userID)
	if err != nil || !found || len(s.Topics) != 1 || s.Topics[0] != "kependudukan" {
		t.Fatalf("subscription = %+v %v %v", s, found, err)
	}
	got = h.send(t, 1, h.message("/berhenti"))
	if !strings.Contains(got[0].Params.Get("text"), "dihentikan") {
		t.Errorf("unsubscribe = %q", got[0].Params.Get("text"))
	}
	if _, found, _ := h.store.Subscription(context.Background(), userID); found {
		t.Error("still subscribed after /berhenti")
	}
	// /start never subscribes anyone by itself.
	h.send(t, 1, h.message("/start"))
	if _, found, _ := h.store.Subscription(context.Background(), userID); found {
		t.Error("/start subscribed the user")
	}
}

func TestDeleteMyData(t *testing.T) {
	h, _ := adminHarness(t)
	ctx := context.Background()
	h.send(t, 1, h.message("/langganan"))
	got := h.send(t, 1, h.message("syarat skck"))
	vote := findButton(t, got[0], "f:1:skck")
	h.add(h.press(vote, 5000))
	h.api.WaitFor(t, "answerCallbackQuery", 1, 5*time.Second)
	h.send(t, 1, h.message("resep rendang padang"))

	got = h.send(t, 1, h.message("/hapusdata"))
	if !strings.Contains(got[0].Params.Get("text"), "tidak bisa dibatalkan") {
		t.Fatalf("confirmation = %q", got[0].Params.Get("text"))
	}
	// Nothing is deleted before the confirmation.
	if _, found, _ := h.store.Subscription(ctx, userID); !found {
		t.Fatal("deleted before confirmation")
	}
	yes := findButton(t, got[0], "h:yes")
	got = h.send(t, 1, h.press(yes, 9999))
	if !strings.Contains(got[0].Params.Get("text"), "sudah dihapus") {
		t.Errorf("after yes = %q", got[0].Params.Get("text"))
	}
	if _, found, _ := h.store.LoadSession(ctx, userID); found {
		t.Error("session remains")
	}
	if _, found, _ := h.store.Subscription(ctx, userID); found {
		t.Error("subscription remains")
	}
	if votes, _ := h.store.FeedbackCounts(ctx); votes["skck"].Helpful != 0 {
		t.Errorf("vote remains: %+v", votes)
	}
	qs, _ := h.store.ListUnanswered(ctx, time.Time{})
	for _, q := range qs {
		if q.UserID == userID {
			t.Errorf("question remains: %+v", q)
		}
	}
}
