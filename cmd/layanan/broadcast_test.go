package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/internal/fakebotapi"
)

func TestBroadcastCommand(t *testing.T) {
	data := t.TempDir()
	s, err := boltstore.Open(filepath.Join(data, config.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(1); i <= 3; i++ {
		if err := s.Subscribe(context.Background(), bot.Subscription{ChatID: i, UserID: i}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	file := filepath.Join(t.TempDir(), "pengumuman.md")
	if err := os.WriteFile(file, []byte("**Libur** pelayanan tanggal 1 Mei."), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATA_DIR": data}
	code, out, errOut := runCmd(t, env, "", "broadcast", "--file", file)
	if code != 0 || strings.TrimSpace(out) == "" || !strings.Contains(errOut, "untuk 3 penerima") || !strings.Contains(errOut, "dikirim saat layanan serve dijalankan") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	s, err = boltstore.Open(filepath.Join(data, config.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	j, c, err := s.Job(context.Background(), strings.TrimSpace(out))
	s.Close()
	if err != nil || j.Total != 3 || c.Completed() != 0 || j.Text != "<b>Libur</b> pelayanan tanggal 1 Mei." {
		t.Errorf("queued job %+v %+v %v", j, c, err)
	}

	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no file", env, []string{"broadcast"}, "--file wajib"},
		{"missing file", env, []string{"broadcast", "--file", "/does/not/exist.md"}, "baca --file"},
		{"follow with no server running", env, []string{"broadcast", "--file", file, "--follow"}, "tidak ada yang diantrekan"},
		{"wrong data dir", map[string]string{"DATA_DIR": t.TempDir()}, []string{"broadcast", "--file", file}, "DATA_DIR"},
		{"unknown topic", env, []string{"broadcast", "--file", file, "--topic", "xyz"}, `--topic "xyz"`},
		{"extra argument", env, []string{"broadcast", "--file", file, "lagi"}, "argumen tak terduga"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, tt.env, "", tt.args...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
		})
	}
	// None of the refused commands queued anything.
	s, err = boltstore.Open(filepath.Join(data, config.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.Jobs(context.Background(), 10)
	s.Close()
	if err != nil || len(jobs) != 1 {
		t.Errorf("jobs after the refused commands: %d (%v), want only the first", len(jobs), err)
	}
}

// The whole announcement path through a running server: citizens opt in,
// an admin previews and sends, every subscriber gets it once, the admin
// gets the report.
func TestServeBroadcastEndToEnd(t *testing.T) {
	api := fakebotapi.New(t)
	stop, logs := startServe(t, map[string]string{
		"TELEGRAM_TOKEN":   fakebotapi.Token,
		"TELEGRAM_API_URL": api.APIURL(),
		"DATA_DIR":         t.TempDir(),
		"ADMIN_IDS":        "777",
	})
	api.WaitFor(t, "getUpdates", 1, 10*time.Second)
	id := 0
	command := func(user int64, text string) tgbotapi.Update {
		id++
		end := strings.IndexByte(text, ' ')
		if end < 0 {
			end = len(text)
		}
		return tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{
			MessageID: id, From: &tgbotapi.User{ID: user}, Chat: &tgbotapi.Chat{ID: user, Type: "private"}, Text: text,
			Entities: []tgbotapi.MessageEntity{{Type: "bot_command", Length: end}},
		}}
	}
	for u := int64(1); u <= 5; u++ {
		api.AddUpdates(command(u, "/langganan"))
	}
	api.WaitFor(t, "sendMessage", 5, 10*time.Second)
	api.AddUpdates(command(777, "/broadcast **Pemadaman** air hari Minggu"))
	api.WaitFor(t, "sendMessage", 7, 10*time.Second)
	id++
	api.AddUpdates(tgbotapi.Update{UpdateID: id, CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "k", From: &tgbotapi.User{ID: 777}, Data: "b:send",
		Message: &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: 777, Type: "private"}},
	}})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		got := map[int64]int{}
		report := false
		for _, m := range api.SentMessages() {
			if strings.Contains(m.Text, "<b>Pemadaman</b> air") {
				got[m.ChatID]++
			}
			if m.ChatID == 777 && strings.Contains(m.Text, "Laporan siaran") && strings.Contains(m.Text, "Terkirim: 5") {
				report = true
			}
		}
		if report {
			for u := int64(1); u <= 5; u++ {
				if got[u] != 1 {
					t.Errorf("subscriber %d got %d announcements", u, got[u])
				}
			}
			if got[777] != 1 { // the admin's own preview, not a delivery
				t.Errorf("admin saw the text %d times, want the preview once", got[777])
			}
			if code := stop(); code != 0 {
				t.Errorf("exit %d:\n%s", code, logs.String())
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no broadcast report for the admin:\n%s", logs.String())
}

// With the embedded store held by a running server, the command hands the
// job over through the outbox and follows its progress.
func TestBroadcastCommandToRunningServer(t *testing.T) {
	api := fakebotapi.New(t)
	data := t.TempDir()
	stop, logs := startServe(t, map[string]string{
		"TELEGRAM_TOKEN":   fakebotapi.Token,
		"TELEGRAM_API_URL": api.APIURL(),
		"DATA_DIR":         data,
	})
	api.WaitFor(t, "getUpdates", 1, 10*time.Second)
	for u := 1; u <= 3; u++ {
		api.AddUpdates(tgbotapi.Update{UpdateID: u, Message: &tgbotapi.Message{
			MessageID: u, From: &tgbotapi.User{ID: int64(u)}, Chat: &tgbotapi.Chat{ID: int64(u), Type: "private"}, Text: "/langganan",
			Entities: []tgbotapi.MessageEntity{{Type: "bot_command", Length: 10}},
		}})
	}
	api.WaitFor(t, "sendMessage", 3, 10*time.Second)
	file := filepath.Join(t.TempDir(), "a.md")
	if err := os.WriteFile(file, []byte("Kantor tutup hari Senin."), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, map[string]string{"DATA_DIR": data}, "", "broadcast", "--file", file, "--follow")
	if code != 0 || strings.TrimSpace(out) == "" || !strings.Contains(errOut, "3/3") || !strings.Contains(errOut, "selesai: terkirim 3") {
		t.Fatalf("exit %d, out %q, err %q\nserver:\n%s", code, out, errOut, logs.String())
	}
	got := 0
	for _, m := range api.SentMessages() {
		if m.Text == "Kantor tutup hari Senin." {
			got++
		}
	}
	if got != 3 {
		t.Errorf("%d deliveries, want 3", got)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exit %d", code)
	}
}

// --follow piped: a line per change, no time left while nothing moves, a
// notice when nothing moves for the stall time, and a final line.
func TestFollowProgress(t *testing.T) {
	status := func(sent int, state string) bot.BroadcastStatus {
		return bot.BroadcastStatus{ID: "j1", State: state, Total: 4, Sent: sent, Remaining: time.Duration(4-sent) * time.Second}
	}
	tests := []struct {
		name  string
		stall time.Duration
		steps []bot.BroadcastStatus
		want  []string // lines, in order, each containing this
		never string
	}{
		{"delivered", time.Hour, []bot.BroadcastStatus{status(0, "running"), status(0, "running"), status(2, "running"), status(4, broadcast.StateDone)},
			[]string{"0/4", "menunggu pengirim", "2/4", "sisa ±2s", "4/4", "siaran j1 selesai: terkirim 4"}, "tampaknya"},
		{"no server", 2 * time.Millisecond, []bot.BroadcastStatus{status(0, "running"), status(0, "running"), status(0, "running"), status(0, "running"), status(0, broadcast.StateCancelled)},
			[]string{"0/4", "menunggu pengirim", "tampaknya tidak ada server yang mengirim", "siaran j1 dibatalkan"}, "sisa ±"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			i := 0
			err := followProgress(t.Context(), &out, time.Millisecond, tt.stall, func(context.Context) (bot.BroadcastStatus, error) {
				s := tt.steps[min(i, len(tt.steps)-1)]
				i++
				time.Sleep(time.Millisecond)
				return s, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			text := out.String()
			if strings.Contains(text, "\r") {
				t.Errorf("piped output redraws a line:\n%q", text)
			}
			rest := text
			for _, want := range tt.want {
				k := strings.Index(rest, want)
				if k < 0 {
					t.Fatalf("output lacks %q after the earlier lines:\n%s", want, text)
				}
				rest = rest[k:]
			}
			if tt.never != "" && strings.Contains(text, tt.never) {
				t.Errorf("output has %q:\n%s", tt.never, text)
			}
			if n := strings.Count(text, "0/4"); tt.name == "no server" && n != 1 {
				t.Errorf("an unchanged line printed %d times, want once:\n%s", n, text)
			}
			if !strings.HasSuffix(text, "\n") {
				t.Errorf("output does not end with a line:\n%q", text)
			}
		})
	}
}
