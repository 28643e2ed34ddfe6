package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/bot/store/redisstore"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/knowledge"
)

const serveHelp = `layanan serve

Menjalankan bot Telegram. Semua pengaturan dari variabel lingkungan (lihat
README): TELEGRAM_TOKEN (wajib), TELEGRAM_API_URL, REDIS_URL, DATA_DIR,
FAQ_DIR, ADMIN_IDS, LOG_LEVEL, LOG_FORMAT, WEBHOOK_URL, WEBHOOK_SECRET,
LISTEN_ADDR, SESSION_TTL, FLOOD_LIMIT, CONTACT_TEXT.`

// runServe is `layanan serve`; it returns when ctx ends (SIGINT/SIGTERM).
func runServe(ctx context.Context, args []string, getenv env, stderr io.Writer) error {
	fs := newFlags("serve", stderr, serveHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadServeConfig(getenv, true)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	log := newLogger(cfg, stderr)

	ix, err := buildIndex(ctx, cfg.FAQDir, log)
	if err != nil {
		return err
	}
	defer ix.Close()
	store, err := openStore(ctx, cfg, "layanan.db", log)
	if err != nil {
		return err
	}
	defer store.Close()

	client, err := telegram.NewClient(cfg.TelegramToken, cfg.TelegramAPIURL, &http.Client{Timeout: 75 * time.Second}, log)
	if err != nil {
		return err
	}
	me, err := client.GetMe(ctx)
	if err != nil {
		var apiErr *telegram.APIError
		if errors.As(err, &apiErr) && apiErr.Code == http.StatusUnauthorized {
			return fmt.Errorf("%w: TELEGRAM_TOKEN: ditolak Telegram (token salah atau dicabut)", errUsage)
		}
		return fmt.Errorf("hubungi Telegram di %s: %w", cfg.TelegramAPIURL, err)
	}
	cfg.Bot.BotUsername = me.UserName
	conv, err := bot.New(cfg.Bot, ix, store, client, log)
	if err != nil {
		return err
	}
	handler := bot.Logged(bot.Recovered(conv, log), log)
	registerCommands(ctx, client, conv, log)

	if cfg.WebhookURL != "" {
		return serveWebhook(ctx, cfg, client, handler, log)
	}
	log.Info("long polling started", "bot", me.UserName)
	if err := client.DeleteWebhook(ctx); err != nil {
		log.Warn("could not remove an old webhook; polling may fail", "err", err)
	}
	err = telegram.NewPoller(client, handler, log).Run(ctx)
	log.Info("stopped")
	return err
}

// buildIndex loads FAQ_DIR (or the bundled content) and indexes it.
// Content problems are logged; they do not stop the bot.
func buildIndex(ctx context.Context, dir string, log *slog.Logger) (*knowledge.Index, error) {
	src, err := resolveContent(dir, func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	c, err := knowledge.Load(src.fsys)
	if err != nil {
		return nil, fmt.Errorf("muat konten %s: %w", src.name, err)
	}
	for _, p := range c.Problems {
		log.Warn("content problem", "problem", src.problemLine(p))
	}
	ix, err := knowledge.Build(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("bangun indeks: %w", err)
	}
	log.Info("content loaded", "entries", len(c.Entries), "problems", len(c.Problems), "source", src.name)
	return ix, nil
}

// openStore opens Redis when REDIS_URL is set, else the embedded store
// file under DATA_DIR.
func openStore(ctx context.Context, cfg serveConfig, file string, log *slog.Logger) (bot.Store, error) {
	if cfg.RedisURL != "" {
		s, err := redisstore.Open(ctx, cfg.RedisURL, redisstore.Options{})
		if err != nil {
			return nil, fmt.Errorf("%w: REDIS_URL: %v", errUsage, err)
		}
		if err := s.Ping(ctx); err != nil {
			// Not fatal: the bot answers without session features until
			// Redis is back.
			log.Warn("redis not reachable at start; answering without session features until it is", "err", err)
		}
		return s, nil
	}
	path := filepath.Join(cfg.DataDir, file)
	s, err := boltstore.Open(path)
	if err != nil {
		return nil, fmt.Errorf("DATA_DIR: buka %s: %w", path, err)
	}
	return s, nil
}

// registerCommands publishes the command list in Indonesian (default) and
// English; a failure is only logged.
func registerCommands(ctx context.Context, client *telegram.Client, conv *bot.Conversation, log *slog.Logger) {
	for _, lang := range []string{"", "en"} {
		if err := client.SetCommands(ctx, lang, conv.Commands(lang)); err != nil {
			log.Warn("setMyCommands failed", "language", lang, "err", err)
		}
	}
}

func serveWebhook(ctx context.Context, cfg serveConfig, client *telegram.Client, handler bot.Handler, log *slog.Logger) error {
	u, err := url.Parse(cfg.WebhookURL)
	if err != nil {
		return fmt.Errorf("%w: WEBHOOK_URL: %v", errUsage, err)
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.Handle(path, telegram.NewWebhook(cfg.WebhookSecret, handler, log))
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("%w: LISTEN_ADDR: %v", errUsage, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if err := client.SetWebhook(ctx, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
		srv.Close()
		return fmt.Errorf("daftarkan webhook: %w", err)
	}
	log.Info("webhook listening", "addr", ln.Addr().String(), "path", path)
	select {
	case err := <-errc:
		return fmt.Errorf("webhook server: %w", err)
	case <-ctx.Done():
	}
	// Stop taking requests; let the ones in flight finish, within a bound.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("webhook shutdown cut short", "err", err)
	}
	log.Info("stopped")
	return nil
}
