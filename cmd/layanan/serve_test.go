package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/internal/fakebotapi"
)

func TestServeConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no token", map[string]string{}, "TELEGRAM_TOKEN: wajib diisi"},
		{"bad token", map[string]string{"TELEGRAM_TOKEN": "secret-value"}, "TELEGRAM_TOKEN: bentuknya"},
		{"bad api url", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"},
		{"bad redis url", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "REDIS_URL": "localhost:6379"}, "REDIS_URL"},
		{"bad admin ids", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "ADMIN_IDS": "12,abc"}, `ADMIN_IDS: "abc"`},
		{"bad log level", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"bad log format", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"webhook without secret", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "WEBHOOK_URL": "https://bot.example.go.id/hook"}, "WEBHOOK_SECRET: wajib diisi"},
		{"webhook secret with bad characters", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "WEBHOOK_URL": "https://bot.example.go.id/hook", "WEBHOOK_SECRET": "rahasia kita!"}, `WEBHOOK_SECRET: karakter tidak diizinkan: ' ', '!'`},
		{"webhook over http to Telegram", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "WEBHOOK_URL": "http://bot.example.go.id/hook", "WEBHOOK_SECRET": "rahasia"}, "WEBHOOK_URL: \"http://bot.example.go.id/hook\" harus https://"},
		{"bad session ttl", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "SESSION_TTL": "lama"}, "SESSION_TTL"},
		{"bad claim ttl", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "CLAIM_TTL": "5"}, "CLAIM_TTL"},
		{"claim ttl too long", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "CLAIM_TTL": "1h"}, "CLAIM_TTL"},
		{"bad flood limit", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "FLOOD_LIMIT": "-1"}, "FLOOD_LIMIT"},
		{"missing faq dir", map[string]string{"TELEGRAM_TOKEN": fakebotapi.Token, "FAQ_DIR": "/does/not/exist"}, "FAQ_DIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, tt.env, "", "serve")
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %s", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut)
			}
			if strings.Contains(errOut, "secret-value") || strings.Contains(errOut, "goroutine ") {
				t.Errorf("stderr leaks the token or a stack trace:\n%s", errOut)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `layanan serve` until the test ends.
func startServe(t *testing.T, env map[string]string) (stop func() int, logs *syncBuffer) {
	t.Helper()
	if _, ok := env["HTTP_ADDR"]; !ok {
		env["HTTP_ADDR"] = freeAddr(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &bytes.Buffer{}, logs)
	}()
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(15 * time.Second):
				t.Error("serve did not stop within 15 s of SIGTERM")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return stop, logs
}

func privateMessage(id int, text string) tgbotapi.Update {
	return tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{
		MessageID: id, From: &tgbotapi.User{ID: 99, FirstName: "Budi"}, Chat: &tgbotapi.Chat{ID: 99, Type: "private"}, Text: text,
	}}
}

func TestServePolling(t *testing.T) {
	api := fakebotapi.New(t)
	stop, logs := startServe(t, map[string]string{
		"TELEGRAM_TOKEN":   fakebotapi.Token,
		"TELEGRAM_API_URL": api.APIURL(),
		"DATA_DIR":         t.TempDir(),
		"LOG_FORMAT":       "json",
	})
	api.WaitFor(t, "getUpdates", 1, 10*time.Second)
	if n := len(api.Requests("setMyCommands")); n != 2 {
		t.Errorf("setMyCommands called %d times, want 2 (id, en)", n)
	}
	api.AddUpdates(privateMessage(1, "syarat perpanjang sim"))
	got := api.WaitFor(t, "sendMessage", 1, 10*time.Second)
	if !strings.Contains(got[0].Params.Get("text"), "SIM") {
		t.Errorf("answer = %q", got[0].Params.Get("text"))
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0:\n%s", code, logs.String())
	}
	out := logs.String()
	if !strings.Contains(out, `"outcome":"answered"`) || !strings.Contains(out, `"chat_id":99`) {
		t.Errorf("no structured line for the update:\n%s", out)
	}
	if strings.Contains(out, fakebotapi.Token) || strings.Contains(out, "perpanjang sim") {
		t.Errorf("logs leak the token or the message text:\n%s", out)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeWebhook(t *testing.T) {
	api := fakebotapi.New(t)
	addr := freeAddr(t)
	hook := fmt.Sprintf("http://%s/telegram/hook", addr)
	stop, logs := startServe(t, map[string]string{
		"TELEGRAM_TOKEN":   fakebotapi.Token,
		"TELEGRAM_API_URL": api.APIURL(),
		"DATA_DIR":         t.TempDir(),
		"WEBHOOK_URL":      hook,
		"WEBHOOK_SECRET":   "rahasia_123",
		"LISTEN_ADDR":      addr,
	})
	calls := api.WaitFor(t, "setWebhook", 1, 10*time.Second)
	if p := calls[0].Params; p.Get("url") != hook || p.Get("secret_token") != "rahasia_123" {
		t.Errorf("setWebhook params = %v", p)
	}
	post := func(secret string) int {
		body := `{"update_id":5,"message":{"message_id":5,"chat":{"id":99,"type":"private"},"from":{"id":99},"text":"cara bikin paspor"}}`
		req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("salah"); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: status %d", code)
	}
	if n := len(api.Requests("sendMessage")); n != 0 {
		t.Fatalf("a request with a wrong secret was processed (%d replies)", n)
	}
	if code := post("rahasia_123"); code != http.StatusOK {
		t.Errorf("right secret: status %d", code)
	}
	got := api.WaitFor(t, "sendMessage", 1, 5*time.Second)
	if !strings.Contains(got[0].Params.Get("text"), "Paspor") {
		t.Errorf("answer = %q", got[0].Params.Get("text"))
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d, want 0:\n%s", code, logs.String())
	}
}

func TestServeRejectedToken(t *testing.T) {
	api := fakebotapi.New(t)
	code, _, errOut := runCmd(t, map[string]string{
		"TELEGRAM_TOKEN": "999:WRONG", "TELEGRAM_API_URL": api.APIURL(), "DATA_DIR": t.TempDir(),
	}, "", "serve")
	if code != exitUsage || !strings.Contains(errOut, "TELEGRAM_TOKEN: ditolak Telegram") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}

func TestChat(t *testing.T) {
	in := "halo\ncara bikin ktp pertama kali\nbiayanya berapa?\n1\n/bahasa\n2\n/keluar\n"
	code, out, errOut := runCmd(t, map[string]string{"DATA_DIR": t.TempDir()}, in, "chat")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"pilih kategori", "[1] ", "Membuat KTP-el", "Biaya:", "Gratis", "Jawaban lengkap", "Language set to English"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q", want)
		}
	}
	if strings.Contains(out, "<b>") {
		t.Error("chat prints HTML tags")
	}
}

func TestServeReloadsContentAndRefusesBrokenFiles(t *testing.T) {
	api := fakebotapi.New(t)
	dir := t.TempDir()
	for _, name := range []string{"categories.yaml", "skck.md", "paspor.md"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "faq", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opsAddr := freeAddr(t)
	_, logs := startServe(t, map[string]string{
		"TELEGRAM_TOKEN":   fakebotapi.Token,
		"TELEGRAM_API_URL": api.APIURL(),
		"DATA_DIR":         t.TempDir(),
		"FAQ_DIR":          dir,
		"ADMIN_IDS":        "777",
		"HTTP_ADDR":        opsAddr,
	})
	api.WaitFor(t, "getUpdates", 1, 10*time.Second)

	// The ops endpoints answer.
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "index ok", "/metrics": "layanan_content_entries 2"} {
		resp, err := http.Get("http://" + opsAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %q, want %q", path, resp.StatusCode, body, want)
		}
	}

	// A new file is picked up without a restart.
	data, _ := os.ReadFile(filepath.Join("..", "..", "faq", "npwp.md"))
	if err := os.WriteFile(filepath.Join(dir, "npwp.md"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "content reloaded") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	api.AddUpdates(privateMessage(1, "cara daftar npwp"))
	got := api.WaitFor(t, "sendMessage", 1, 10*time.Second)
	if !strings.Contains(got[0].Params.Get("text"), "NPWP") {
		t.Errorf("after adding npwp.md: %q", got[0].Params.Get("text"))
	}

	// A broken file: the admins are told, the content stays.
	if err := os.WriteFile(filepath.Join(dir, "rusak.md"), []byte("---\nid: rusak\ntitle: [\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	var notice string
	for notice == "" && time.Now().Before(deadline) {
		for _, r := range api.Requests("sendMessage") {
			if r.Params.Get("chat_id") == "777" {
				notice = r.Params.Get("text")
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(notice, "ditolak") || !strings.Contains(notice, "rusak.md:3") {
		t.Errorf("admin notice = %q", notice)
	}
	before := len(api.Requests("sendMessage"))
	api.AddUpdates(privateMessage(2, "syarat skck"))
	got = api.WaitFor(t, "sendMessage", before+1, 10*time.Second)
	if !strings.Contains(got[before].Params.Get("text"), "SKCK") {
		t.Errorf("after a broken file: %q", got[before].Params.Get("text"))
	}
}
