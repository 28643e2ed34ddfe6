// Package config reads Layanan's settings from the environment, once, into
// one Config that every subcommand is given. Each variable is validated
// here, with a message that names it; each default is a named constant.
package config

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

// Defaults of the variables that have one.
const (
	DefaultRedisPrefix   = "layanan:"
	DefaultDataDir       = "./data"
	DefaultLogFormat     = "text"
	DefaultLogLevel      = "info"
	DefaultListenAddr    = ":8443"
	DefaultHTTPAddr      = ":8080"
	DefaultBroadcastRate = 25
	DefaultHandoffTTL    = 24 * time.Hour
	// StoreFile is the embedded store's file in DATA_DIR; ChatStoreFile is
	// `layanan chat`'s, apart so that trying the bot never touches real
	// conversations.
	StoreFile     = "layanan.db"
	ChatStoreFile = "chat.db"
)

// Config is everything the subcommands read from the environment, read
// once and validated.
type Config struct {
	TelegramToken  string
	TelegramAPIURL string
	RedisURL       string
	RedisPrefix    string // key prefix, so several bots can share one Redis
	DataDir        string
	FAQDir         string
	AdminIDs       []int64
	LogLevel       slog.Level
	LogLevelSet    bool // LOG_LEVEL was given (commands that talk in the terminal log less by default)
	LogFormat      string
	WebhookURL     string
	WebhookSecret  string
	ListenAddr     string
	HTTPAddr       string // ops endpoints; empty: off
	BroadcastRate  int    // announcements per second, shared by every replica
	Handoff        Handoff
	Console        Console
	Bot            bot.Config
}

// Console is the staff console; Addr "" leaves it off.
type Console struct {
	Addr      string   // CONSOLE_ADDR: where it listens
	URL       *url.URL // CONSOLE_URL: its public base URL (login links point there)
	EditorIDs []int64  // EDITOR_IDS: may edit content and read reports, not broadcast
}

// Handoff is the handoff to staff; StaffChat 0 leaves it off.
type Handoff struct {
	StaffChat  int64         // STAFF_CHAT_ID: the staff supergroup
	TTL        time.Duration // HANDOFF_TTL: silence that closes a ticket
	StaffNames bool          // HANDOFF_STAFF_NAMES: citizens see the staff member's first name
	Office     string        // HANDOFF_OFFICE: the lokal.yaml office whose hours staff keep
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

// Error names the variable that is wrong and what is wrong with it.
type Error struct {
	Var, Problem string
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// Load reads the environment through getenv. needToken is true for serve.
// Every problem found is returned (joined), each an *Error naming its
// variable.
func Load(getenv func(string) string, needToken bool) (Config, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, &Error{name, fmt.Sprintf(format, args...)})
	}
	cfg := Config{
		TelegramToken:  strings.TrimSpace(getenv("TELEGRAM_TOKEN")),
		TelegramAPIURL: orDefault(getenv("TELEGRAM_API_URL"), telegram.DefaultAPIURL),
		RedisURL:       strings.TrimSpace(getenv("REDIS_URL")),
		RedisPrefix:    orDefault(getenv("REDIS_PREFIX"), DefaultRedisPrefix),
		DataDir:        orDefault(getenv("DATA_DIR"), DefaultDataDir),
		FAQDir:         strings.TrimSpace(getenv("FAQ_DIR")),
		LogFormat:      orDefault(getenv("LOG_FORMAT"), DefaultLogFormat),
		WebhookURL:     strings.TrimSpace(getenv("WEBHOOK_URL")),
		WebhookSecret:  strings.TrimSpace(getenv("WEBHOOK_SECRET")),
		ListenAddr:     orDefault(getenv("LISTEN_ADDR"), DefaultListenAddr),
		HTTPAddr:       orDefault(getenv("HTTP_ADDR"), DefaultHTTPAddr),
		BroadcastRate:  DefaultBroadcastRate,
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
		// The store reads the rest of the URL and names REDIS_URL when it
		// cannot use it; the schemes are the same as the store's.
		scheme, _, _ := strings.Cut(cfg.RedisURL, "://")
		switch strings.ToLower(scheme) {
		case "redis", "rediss", "redis+sentinel", "rediss+sentinel":
		default:
			bad("REDIS_URL", "harus diawali redis://, rediss://, redis+sentinel:// atau rediss+sentinel://")
		}
	}
	if msg := FolderProblem(cfg.FAQDir); msg != "" {
		bad("FAQ_DIR", "%s", msg)
	}
	cfg.AdminIDs = userIDs(getenv, "ADMIN_IDS", bad)
	cfg.LogLevelSet = strings.TrimSpace(getenv("LOG_LEVEL")) != ""
	switch strings.ToLower(orDefault(getenv("LOG_LEVEL"), DefaultLogLevel)) {
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
	if d, err := ParseDays(getenv("SESSION_TTL"), cfg.Bot.SessionTTL); err != nil {
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
	cfg.Handoff = loadHandoff(getenv, bad)
	if cfg.Handoff.StaffChat != 0 && cfg.Bot.SessionTTL < cfg.Handoff.TTL {
		// The session holds the open ticket's number.
		bad("SESSION_TTL", "%v lebih pendek dari HANDOFF_TTL %v; sesi harus bertahan selama tiket petugas terbuka", cfg.Bot.SessionTTL, cfg.Handoff.TTL)
	}
	cfg.Console = loadConsole(getenv, bad, cfg)
	cfg.Bot.Contact = strings.TrimSpace(getenv("CONTACT_TEXT"))
	if cfg.Bot.Contact != "" {
		if err := render.Valid(cfg.Bot.Contact); err != nil {
			bad("CONTACT_TEXT", "bukan HTML Telegram yang sah (%v); pakai teks biasa atau tag b, i, a href", err)
		}
	}
	return cfg, errors.Join(errs...)
}

// userIDs reads a comma-separated list of Telegram user ids.
func userIDs(getenv func(string) string, name string, bad func(name, format string, args ...any)) []int64 {
	var ids []int64
	raw := strings.TrimSpace(getenv(name))
	if raw == "" {
		return nil
	}
	for _, part := range strings.Split(raw, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil || id <= 0 {
			bad(name, "%q bukan id pengguna Telegram (angka, dipisah koma)", strings.TrimSpace(part))
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// loadConsole reads the console's variables. Its address must differ
// from the operators' endpoints and the webhook's.
func loadConsole(getenv func(string) string, bad func(name, format string, args ...any), cfg Config) Console {
	c := Console{Addr: strings.TrimSpace(getenv("CONSOLE_ADDR")), EditorIDs: userIDs(getenv, "EDITOR_IDS", bad)}
	rawURL := strings.TrimSpace(getenv("CONSOLE_URL"))
	if c.Addr == "" || c.Addr == "off" {
		c.Addr = ""
		if rawURL != "" {
			c.URL = consoleURL(rawURL, bad)
		}
		return c
	}
	host, _, err := net.SplitHostPort(c.Addr)
	switch {
	case err != nil:
		bad("CONSOLE_ADDR", "%q: tulis host:port atau :port (misalnya 127.0.0.1:8090)", c.Addr)
		return c
	case c.Addr == cfg.HTTPAddr:
		bad("CONSOLE_ADDR", "%q sama dengan HTTP_ADDR; konsol tidak dilayani di alamat operator", c.Addr)
	case cfg.WebhookURL != "" && c.Addr == cfg.ListenAddr:
		bad("CONSOLE_ADDR", "%q sama dengan LISTEN_ADDR; konsol tidak dilayani di alamat webhook", c.Addr)
	}
	if rawURL == "" {
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			bad("CONSOLE_URL", "wajib diisi bila CONSOLE_ADDR tidak di loopback: alamat publik konsol, misalnya https://konsol.contoh.go.id")
			return c
		}
		rawURL = "http://" + c.Addr
	}
	c.URL = consoleURL(rawURL, bad)
	return c
}

func consoleURL(raw string, bad func(name, format string, args ...any)) *url.URL {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		bad("CONSOLE_URL", "%q bukan alamat http(s)://host[/path]", raw)
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme == "http" && u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		// The session cookie is Secure there, and browsers drop it on http.
		bad("CONSOLE_URL", "%q: di luar loopback konsol harus https://", raw)
		return nil
	}
	return u
}

// loadHandoff reads the handoff's variables; they are checked only when
// STAFF_CHAT_ID turns the handoff on.
func loadHandoff(getenv func(string) string, bad func(name, format string, args ...any)) Handoff {
	h := Handoff{TTL: DefaultHandoffTTL, Office: strings.TrimSpace(getenv("HANDOFF_OFFICE"))}
	raw := strings.TrimSpace(getenv("STAFF_CHAT_ID"))
	if raw == "" {
		return h
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id >= 0 {
		// Groups and supergroups have negative ids (-100… for supergroups).
		bad("STAFF_CHAT_ID", "%q bukan id grup Telegram (angka negatif, misalnya -1001234567890)", raw)
	}
	h.StaffChat = id
	if raw := strings.TrimSpace(getenv("HANDOFF_TTL")); raw != "" {
		d, err := ParseDays(raw, DefaultHandoffTTL)
		if err != nil || d < 5*time.Minute || d > 30*24*time.Hour {
			bad("HANDOFF_TTL", "%q: tulis durasi 5m sampai 30d (misalnya 24h atau 3d)", raw)
		} else {
			h.TTL = d
		}
	}
	switch raw := strings.ToLower(strings.TrimSpace(getenv("HANDOFF_STAFF_NAMES"))); raw {
	case "", "0", "false", "no", "tidak":
	case "1", "true", "yes", "ya":
		h.StaffNames = true
	default:
		bad("HANDOFF_STAFF_NAMES", "%q: tulis true atau false", raw)
	}
	return h
}

// orDefault is v trimmed, or def when that is empty.
func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

// ParseDays reads a duration such as "720h", "90m" or "30d"; empty gives def.
func ParseDays(raw string, def time.Duration) (time.Duration, error) {
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

// FolderProblem says what is wrong with a content folder (FAQ_DIR or
// --faq), or "" when it is usable or not given.
func FolderProblem(dir string) string {
	if dir == "" {
		return ""
	}
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Sprintf("folder konten %q tidak bisa dibaca: %v", dir, err)
	case !st.IsDir():
		return fmt.Sprintf("%q bukan folder (not a folder)", dir)
	}
	return ""
}

// NewLogger builds the one logger, written to w.
func NewLogger(cfg Config, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
