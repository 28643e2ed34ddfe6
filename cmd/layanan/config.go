package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/bot/telegram"
)

// serveConfig is everything `layanan serve` and `layanan chat` read from
// the environment, read once and validated.
type serveConfig struct {
	TelegramToken  string
	TelegramAPIURL string
	RedisURL       string
	RedisPrefix    string // key prefix, so several bots can share one Redis
	DataDir        string
	FAQDir         string
	AdminIDs       []int64
	LogLevel       slog.Level
	LogFormat      string
	WebhookURL     string
	WebhookSecret  string
	ListenAddr     string
	HTTPAddr       string // ops endpoints; empty: off
	BroadcastRate  int    // announcements per second, shared by every replica
	Bot            bot.Config
}

var (
	tokenRE  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// secretProblem says what is wrong with a webhook secret, or "".
func secretProblem(secret string) string {
	switch {
	case secret == "":
		return "wajib diisi bila WEBHOOK_URL diisi: 1–256 huruf, angka, _ atau -"
	case len(secret) > 256:
		return fmt.Sprintf("terlalu panjang (%d karakter); paling banyak 256", len(secret))
	case !secretRE.MatchString(secret):
		var bad []string
		for _, r := range secret {
			if q := strconv.QuoteRune(r); !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') && !slices.Contains(bad, q) {
				bad = append(bad, q)
			}
		}
		return fmt.Sprintf("karakter tidak diizinkan: %s; pakai hanya huruf, angka, _ atau -", strings.Join(bad, ", "))
	}
	return ""
}

// configError names the variable that is wrong.
type configError struct {
	Var, Problem string
}

func (e *configError) Error() string { return e.Var + ": " + e.Problem }

// loadServeConfig reads the environment. needToken is true for serve.
// Every problem found is returned, each naming its variable.
func loadServeConfig(getenv env, needToken bool) (serveConfig, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, &configError{name, fmt.Sprintf(format, args...)})
	}
	cfg := serveConfig{
		TelegramToken:  strings.TrimSpace(getenv("TELEGRAM_TOKEN")),
		TelegramAPIURL: orDefault(getenv("TELEGRAM_API_URL"), telegram.DefaultAPIURL),
		RedisURL:       strings.TrimSpace(getenv("REDIS_URL")),
		RedisPrefix:    orDefault(getenv("REDIS_PREFIX"), "layanan:"),
		DataDir:        orDefault(getenv("DATA_DIR"), "./data"),
		FAQDir:         strings.TrimSpace(getenv("FAQ_DIR")),
		LogFormat:      orDefault(getenv("LOG_FORMAT"), "text"),
		WebhookURL:     strings.TrimSpace(getenv("WEBHOOK_URL")),
		WebhookSecret:  strings.TrimSpace(getenv("WEBHOOK_SECRET")),
		ListenAddr:     orDefault(getenv("LISTEN_ADDR"), ":8443"),
		HTTPAddr:       orDefault(getenv("HTTP_ADDR"), ":8080"),
		BroadcastRate:  25,
		Bot:            bot.DefaultConfig(),
	}
	switch {
	case !needToken:
	case cfg.TelegramToken == "":
		bad("TELEGRAM_TOKEN", "wajib diisi untuk serve (token dari @BotFather) / required")
	case !tokenRE.MatchString(cfg.TelegramToken):
		// Never echo the token itself.
		bad("TELEGRAM_TOKEN", "bentuknya harus 123456:ABC-def (angka, titik dua, lalu huruf/angka) / malformed")
	}
	if u, err := url.Parse(cfg.TelegramAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("TELEGRAM_API_URL", "%q bukan alamat http(s)://host", cfg.TelegramAPIURL)
	}
	if cfg.RedisURL != "" {
		scheme, _, _ := strings.Cut(cfg.RedisURL, "://")
		if scheme != "redis" && scheme != "rediss" && scheme != "redis+sentinel" {
			bad("REDIS_URL", "harus diawali redis://, rediss:// atau redis+sentinel://")
		}
	}
	if cfg.FAQDir != "" {
		if st, err := os.Stat(cfg.FAQDir); err != nil || !st.IsDir() {
			bad("FAQ_DIR", "%q bukan folder yang bisa dibaca", cfg.FAQDir)
		}
	}
	if raw := strings.TrimSpace(getenv("ADMIN_IDS")); raw != "" {
		for _, part := range strings.Split(raw, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || id <= 0 {
				bad("ADMIN_IDS", "%q bukan id pengguna Telegram (angka, dipisah koma)", strings.TrimSpace(part))
				continue
			}
			cfg.AdminIDs = append(cfg.AdminIDs, id)
		}
	}
	switch strings.ToLower(orDefault(getenv("LOG_LEVEL"), "info")) {
	case "debug":
		cfg.LogLevel = slog.LevelDebug
	case "info":
		cfg.LogLevel = slog.LevelInfo
	case "warn", "warning":
		cfg.LogLevel = slog.LevelWarn
	case "error":
		cfg.LogLevel = slog.LevelError
	default:
		bad("LOG_LEVEL", "%q: pilih debug, info, warn atau error", getenv("LOG_LEVEL"))
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		bad("LOG_FORMAT", "%q: pilih text atau json", cfg.LogFormat)
	}
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			bad("WEBHOOK_URL", "%q bukan alamat https://host/path", cfg.WebhookURL)
		case u.Scheme == "http" && cfg.TelegramAPIURL == telegram.DefaultAPIURL:
			// Telegram only delivers to https; http is for a test server
			// given in TELEGRAM_API_URL.
			bad("WEBHOOK_URL", "%q harus https:// (Telegram tidak mengirim ke http://)", cfg.WebhookURL)
		}
		if msg := secretProblem(cfg.WebhookSecret); msg != "" {
			bad("WEBHOOK_SECRET", "%s", msg)
		}
	}
	if d, err := parseDays(getenv("SESSION_TTL"), cfg.Bot.SessionTTL); err != nil {
		bad("SESSION_TTL", "%v", err)
	} else {
		cfg.Bot.SessionTTL = d
	}
	if raw := strings.TrimSpace(getenv("CLAIM_TTL")); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d < time.Second || d > 10*time.Minute {
			bad("CLAIM_TTL", "%q: tulis durasi 1s sampai 10m (misalnya 15s)", raw)
		} else {
			cfg.Bot.ClaimTTL = d
		}
	}
	if raw := strings.TrimSpace(getenv("FLOOD_LIMIT")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			bad("FLOOD_LIMIT", "%q: harus bilangan bulat ≥ 0 (0 mematikan batas)", raw)
		} else {
			cfg.Bot.FloodLimit = n
		}
	}
	if cfg.HTTPAddr == "off" {
		cfg.HTTPAddr = ""
	} else if _, _, err := net.SplitHostPort(cfg.HTTPAddr); err != nil {
		bad("HTTP_ADDR", "%q: tulis host:port atau :port (misalnya :8080), atau off", cfg.HTTPAddr)
	}
	if cfg.WebhookURL != "" {
		if _, _, err := net.SplitHostPort(cfg.ListenAddr); err != nil {
			bad("LISTEN_ADDR", "%q: tulis host:port atau :port (misalnya :8443)", cfg.ListenAddr)
		}
	}
	if raw := strings.TrimSpace(getenv("BROADCAST_RATE")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 30 {
			bad("BROADCAST_RATE", "%q: pesan per detik, 1 sampai 30 (batas Telegram sekitar 30)", raw)
		} else {
			cfg.BroadcastRate = n
		}
	}
	cfg.Bot.Contact = strings.TrimSpace(getenv("CONTACT_TEXT"))
	if cfg.Bot.Contact != "" {
		if err := render.Valid(cfg.Bot.Contact); err != nil {
			bad("CONTACT_TEXT", "bukan HTML Telegram yang sah (%v); pakai teks biasa atau tag b, i, a href", err)
		}
	}
	return cfg, errors.Join(errs...)
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

// parseDays reads a duration such as "720h", "90m" or "30d"; empty gives def.
func parseDays(raw string, def time.Duration) (time.Duration, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return def, nil
	}
	const most = 3650 * 24 * time.Hour
	if days, ok := strings.CutSuffix(raw, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 3650 {
			return 0, fmt.Errorf("%q: tulis misalnya 30d atau 720h (paling lama 3650d)", raw)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 || d > most {
		return 0, fmt.Errorf("%q: tulis misalnya 30d atau 720h (paling lama 3650d)", raw)
	}
	return d, nil
}

// newLogger builds the one logger, written to w.
func newLogger(cfg serveConfig, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
