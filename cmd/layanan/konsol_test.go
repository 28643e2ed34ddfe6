package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/internal/fakebotapi"
)

// The console end to end: serve with CONSOLE_ADDR, a link from
// `layanan konsol-link` (made while the server holds the embedded store)
// logs in once, and the bot's /konsol gives one too.
func TestServeConsole(t *testing.T) {
	api := fakebotapi.New(t)
	addr := freeAddr(t)
	env := map[string]string{
		"TELEGRAM_TOKEN":   fakebotapi.Token,
		"TELEGRAM_API_URL": api.APIURL(),
		"DATA_DIR":         t.TempDir(),
		"CONSOLE_ADDR":     addr,
		"ADMIN_IDS":        "99",
		"EDITOR_IDS":       "98",
	}
	stop, logs := startServe(t, env)
	api.WaitFor(t, "getUpdates", 1, 10*time.Second)

	code, out, errOut := runCmd(t, env, "", "konsol-link", "--user", "98")
	if code != exitOK || !strings.HasPrefix(out, "http://"+addr+"/masuk?t=") {
		t.Fatalf("konsol-link: exit %d, %q, %s", code, out, errOut)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := browser.Get(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The login page moves on to the summary by itself (a meta refresh).
	resp, err = browser.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<svg") || !strings.Contains(string(body), "editor") {
		t.Errorf("after the link: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the link worked twice: %d", resp.StatusCode)
	}

	api.AddUpdates(privateMessage(1, "/konsol"))
	got := api.WaitFor(t, "sendMessage", 1, 10*time.Second)
	if text := got[0].Params.Get("text"); !strings.Contains(text, "http://"+addr+"/masuk?t=") {
		t.Errorf("/konsol = %q", text)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d:\n%s", code, logs.String())
	}
}

func TestKonsolLinkErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no user", map[string]string{"CONSOLE_ADDR": "127.0.0.1:8090", "ADMIN_IDS": "1", "DATA_DIR": dir}, nil, "--user"},
		{"console off", map[string]string{"ADMIN_IDS": "1", "DATA_DIR": dir}, []string{"--user", "1"}, "CONSOLE_ADDR"},
		{"not staff", map[string]string{"CONSOLE_ADDR": "127.0.0.1:8090", "ADMIN_IDS": "1", "DATA_DIR": dir}, []string{"--user", "2"}, "ADMIN_IDS atau EDITOR_IDS"},
		{"public without url", map[string]string{"CONSOLE_ADDR": ":8090", "ADMIN_IDS": "1", "DATA_DIR": dir}, []string{"--user", "1"}, "CONSOLE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.env, "", append([]string{"konsol-link"}, tt.args...)...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, out %q, stderr %s", code, out, errOut)
			}
		})
	}
}
