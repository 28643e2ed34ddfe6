package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseDays(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 30 * 24 * time.Hour, true}, {"7d", 7 * 24 * time.Hour, true}, {"720h", 720 * time.Hour, true},
		{"0d", 0, false}, {"x", 0, false}, {"-5m", 0, false}, {"3651d", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDays(tt.in, 30*24*time.Hour)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseDays(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// Every problem names its variable; the defaults are the named constants.
func TestLoad(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	cfg, err := Load(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RedisPrefix != DefaultRedisPrefix || cfg.DataDir != DefaultDataDir || cfg.HTTPAddr != DefaultHTTPAddr || cfg.ListenAddr != DefaultListenAddr || cfg.BroadcastRate != DefaultBroadcastRate || cfg.LogFormat != DefaultLogFormat {
		t.Errorf("defaults %+v", cfg)
	}
	for _, u := range []string{"redis://h:6379/0", "rediss://h:6380", "redis+sentinel://h:26379/mymaster", "rediss+sentinel://h:26379/mymaster", "REDIS://h"} {
		if _, err := Load(env(map[string]string{"REDIS_URL": u}), false); err != nil {
			t.Errorf("REDIS_URL=%s: %v", u, err)
		}
	}
	cfg, err = Load(env(map[string]string{"STAFF_CHAT_ID": "-1001234567890", "HANDOFF_TTL": "3d", "HANDOFF_STAFF_NAMES": "ya", "HANDOFF_OFFICE": "dukcapil"}), false)
	if want := (Handoff{StaffChat: -1001234567890, TTL: 72 * time.Hour, StaffNames: true, Office: "dukcapil"}); err != nil || cfg.Handoff != want {
		t.Errorf("handoff = %+v, err %v; want %+v", cfg.Handoff, err, want)
	}
	if cfg, _ := Load(env(nil), false); cfg.Handoff.StaffChat != 0 || cfg.Handoff.TTL != DefaultHandoffTTL {
		t.Errorf("handoff by default = %+v, want off with the default TTL", cfg.Handoff)
	}
	cfg, err = Load(env(map[string]string{"CONSOLE_ADDR": "127.0.0.1:8090", "EDITOR_IDS": "7, 8"}), false)
	if err != nil || cfg.Console.URL.String() != "http://127.0.0.1:8090" || !slices.Equal(cfg.Console.EditorIDs, []int64{7, 8}) {
		t.Errorf("console = %+v, err %v", cfg.Console, err)
	}
	cfg, err = Load(env(map[string]string{"CONSOLE_ADDR": ":8090", "CONSOLE_URL": "https://konsol.contoh.go.id/"}), false)
	if err != nil || cfg.Console.URL.Host != "konsol.contoh.go.id" {
		t.Errorf("console = %+v, err %v", cfg.Console, err)
	}
	for _, bad := range []string{"ftp://x", "http://konsol.contoh.go.id"} {
		if _, err := Load(env(map[string]string{"CONSOLE_ADDR": ":8090", "CONSOLE_URL": bad}), false); err == nil || !strings.Contains(err.Error(), "CONSOLE_URL") {
			t.Errorf("console URL %s: %v", bad, err)
		}
	}
	tests := map[string]map[string]string{
		"TELEGRAM_TOKEN":      {"TELEGRAM_TOKEN": "nope"},
		"REDIS_URL":           {"REDIS_URL": "http://x"},
		"FAQ_DIR":             {"FAQ_DIR": "/no/such/folder"},
		"ADMIN_IDS":           {"ADMIN_IDS": "1,x"},
		"LOG_LEVEL":           {"LOG_LEVEL": "loud"},
		"LOG_FORMAT":          {"LOG_FORMAT": "xml"},
		"WEBHOOK_SECRET":      {"WEBHOOK_URL": "https://x.example/hook", "WEBHOOK_SECRET": "a b"},
		"SESSION_TTL":         {"SESSION_TTL": "0d"},
		"CLAIM_TTL":           {"CLAIM_TTL": "1h"},
		"FLOOD_LIMIT":         {"FLOOD_LIMIT": "-1"},
		"HTTP_ADDR":           {"HTTP_ADDR": "8080"},
		"BROADCAST_RATE":      {"BROADCAST_RATE": "31"},
		"CONTACT_TEXT":        {"CONTACT_TEXT": "<b>x"},
		"TELEGRAM_API_URL":    {"TELEGRAM_API_URL": "ftp://x"},
		"STAFF_CHAT_ID":       {"STAFF_CHAT_ID": "1234"},
		"HANDOFF_TTL":         {"STAFF_CHAT_ID": "-1001", "HANDOFF_TTL": "1m"},
		"HANDOFF_STAFF_NAMES": {"STAFF_CHAT_ID": "-1001", "HANDOFF_STAFF_NAMES": "maybe"},
	}
	for name, kv := range tests {
		t.Run(name, func(t *testing.T) {
			kv["TELEGRAM_TOKEN"] = map[bool]string{true: kv["TELEGRAM_TOKEN"], false: "123:abc"}[name == "TELEGRAM_TOKEN"]
			_, err := Load(env(kv), true)
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != name || !strings.HasPrefix(err.Error(), name+": ") {
				t.Errorf("error %v, want one naming %s", err, name)
			}
		})
	}
}
