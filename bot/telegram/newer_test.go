package telegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/fakebotapi"
)

func newFakeClient(t *testing.T) (*fakebotapi.Server, *telegram.Client) {
	t.Helper()
	api := fakebotapi.New(t)
	client, err := telegram.NewClient(fakebotapi.Token, api.APIURL(), &http.Client{Timeout: 5 * time.Second}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return api, client
}

// The poller asks for message_reaction updates (Telegram sends none
// otherwise) and hands them over in the conversation's model.
func TestPollerGetsReactions(t *testing.T) {
	api, client := newFakeClient(t)
	got := make(chan bot.Update, 1)
	h := bot.HandlerFunc(func(_ context.Context, u bot.Update) (bot.Outcome, error) {
		got <- u
		return bot.Outcome{}, nil
	})
	p := telegram.NewPoller(client, h, slog.New(slog.DiscardHandler))
	p.PollTimeout = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	api.AddRawUpdates(json.RawMessage(`{"update_id":1,"message_reaction":{"chat":{"id":5,"type":"private"},"message_id":30,"user":{"id":5},"date":1,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}`))
	select {
	case u := <-got:
		if u.Reaction == nil || u.Reaction.MessageID != 30 || len(u.Reaction.New) != 1 {
			t.Errorf("update %+v", u)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reaction never arrived")
	}
	reqs := api.Requests("getUpdates")
	if len(reqs) == 0 || !strings.Contains(reqs[0].Params.Get("allowed_updates"), `"message_reaction"`) {
		t.Errorf("getUpdates did not ask for reactions: %v", reqs)
	}
}

// Without allowed_updates naming it, the fake (like Telegram) holds
// reactions back.
func TestFakeHoldsReactionsBackByDefault(t *testing.T) {
	api := fakebotapi.New(t)
	api.AddRawUpdates(json.RawMessage(`{"update_id":1,"message_reaction":{"chat":{"id":5,"type":"private"},"message_id":30,"date":1,"old_reaction":[],"new_reaction":[]}}`))
	resp, err := http.PostForm(api.APIURL()+"/bot"+fakebotapi.Token+"/getUpdates", map[string][]string{"timeout": {"0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Result []json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Result) != 0 {
		t.Errorf("default getUpdates returned %d updates, err %v", len(body.Result), err)
	}
}

// Messages go out without link previews, and copy buttons are sent as
// Telegram's copy_text; the fake refuses what Telegram would.
func TestSendPreviewsAndCopyButtons(t *testing.T) {
	api, client := newFakeClient(t)
	ctx := context.Background()
	_, err := client.Send(ctx, bot.Reply{ChatID: 5, Text: "Sumber: https://x.go.id/", Buttons: [][]bot.Button{
		{{Text: "📋 Salin alamat", CopyText: "Jl. Contoh 1"}, {Text: "Menu", Data: "m"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := api.Requests("sendMessage")[0]
	if r.Params.Get("link_preview_options") != `{"is_disabled":true}` || r.Params.Has("disable_web_page_preview") {
		t.Errorf("preview params: %v", r.Params)
	}
	if markup := r.Params.Get("reply_markup"); !strings.Contains(markup, `"copy_text":{"text":"Jl. Contoh 1"}`) || strings.Contains(markup, `"callback_data":""`) {
		t.Errorf("reply_markup %s", markup)
	}
	for name, b := range map[string]bot.Button{
		"copy text too long": {Text: "x", CopyText: strings.Repeat("a", 257)},
		"data too long":      {Text: "x", Data: strings.Repeat("a", 65)},
	} {
		_, err := client.Send(ctx, bot.Reply{ChatID: 5, Text: "x", Buttons: [][]bot.Button{{b}}})
		var apiErr *telegram.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != 400 {
			t.Errorf("%s: err %v, want a 400", name, err)
		}
	}
}

// End to end: a 👍 reaction on an answer, delivered by getUpdates, is kept
// as that answer's vote in the store, and the 👎 button under the same
// answer then finds it already voted.
func TestReactionVoteEndToEnd(t *testing.T) {
	h := newHarness(t, bot.DefaultConfig())
	got := h.send(t, 1, h.message("syarat bikin skck"))
	// The fake numbers messages from 1001 across chats; this is the first.
	answerID := 1000 + len(h.api.Requests("sendMessage"))
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	h.added.Add(1)
	h.nextID++
	h.api.AddRawUpdates(json.RawMessage(`{"update_id":` + itoa(h.nextID) + `,"message_reaction":{"chat":{"id":4242,"type":"private"},"message_id":` + itoa(answerID) + `,"user":{"id":4242},"date":1,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}`))
	h.waitHandled(t)
	counts, err := h.store.FeedbackCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := counts["skck"]; v.Helpful != 1 || v.NotHelpful != 0 {
		t.Fatalf("votes %+v", counts)
	}
	h.add(h.press("f:0:skck", answerID))
	calls := h.api.WaitFor(t, "answerCallbackQuery", 1, 5*time.Second)
	h.waitHandled(t)
	if text := calls[len(calls)-1].Params.Get("text"); !strings.Contains(text, "sudah tercatat") {
		t.Errorf("button after a reaction: notice %q", text)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
