package bot

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestConsoleCommand(t *testing.T) {
	links := map[string]func(int64) (string, error){
		"https": func(int64) (string, error) { return "https://konsol.contoh.go.id/masuk?t=abc&x=1", nil },
		"local": func(int64) (string, error) { return "http://127.0.0.1:8090/masuk?t=abc", nil },
		"fails": func(int64) (string, error) { return "", errors.New("no key") },
	}
	tests := []struct {
		name, link string
		user       int64
		chat       string
		want, not  []string
	}{
		{"admin, https link", "https", 7, ChatPrivate, []string{`<a href="https://konsol.contoh.go.id/masuk?t=abc&amp;x=1">`, "10 menit"}, nil},
		{"editor, loopback link", "local", 8, ChatPrivate, []string{"<code>http://127.0.0.1:8090/masuk?t=abc</code>"}, []string{"<a "}},
		{"citizen", "https", 9, ChatPrivate, []string{"tidak dikenal"}, []string{"masuk?t="}},
		{"in a group", "https", 7, ChatSupergroup, []string{"chat pribadi"}, []string{"masuk?t="}},
		{"link fails", "fails", 7, ChatPrivate, []string{"gangguan"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			conv, err := New(DefaultConfig(), index(t), &memStore{}, rec, slog.New(slog.DiscardHandler),
				Options{Admins: []int64{7}, Editors: []int64{8}, ConsoleLink: links[tt.link]})
			if err != nil {
				t.Fatal(err)
			}
			u := Update{ID: 1, Message: &Message{ID: 1, From: &User{ID: tt.user}, Chat: Chat{ID: -100, Type: tt.chat}, Text: "/konsol"}}
			if tt.chat == ChatPrivate {
				u.Message.Chat.ID = tt.user
			}
			if _, err := conv.Handle(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			got := rec.last().Text
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply %q lacks %q", got, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("reply %q holds %q", got, w)
				}
			}
		})
	}
}
