package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store"
	"github.com/layanan-id/layanan/bot/telegram"
	"github.com/layanan-id/layanan/internal/app"
	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/internal/metrics"
	"github.com/layanan-id/layanan/internal/ops"
	"github.com/layanan-id/layanan/internal/outbox"
	"github.com/layanan-id/layanan/knowledge"
)

const serveHelp = `layanan serve

Menjalankan bot Telegram. Semua pengaturan dari variabel lingkungan (lihat
README): TELEGRAM_TOKEN (wajib), TELEGRAM_API_URL, REDIS_URL, DATA_DIR,
FAQ_DIR, ADMIN_IDS, LOG_LEVEL, LOG_FORMAT, WEBHOOK_URL, WEBHOOK_SECRET,
LISTEN_ADDR, HTTP_ADDR, SESSION_TTL, FLOOD_LIMIT, BROADCAST_RATE,
CONTACT_TEXT.

English: runs the Telegram bot; every setting comes from environment variables (see README).`

// openStore opens Redis when REDIS_URL is set, else the embedded store
// file under DATA_DIR, with messages that name the variable to change.
func openStore(ctx context.Context, cfg config.Config, file string, log *slog.Logger) (*store.Opened, error) {
	path := filepath.Join(cfg.DataDir, file)
	st, err := store.Open(ctx, store.Config{RedisURL: cfg.RedisURL, RedisPrefix: cfg.RedisPrefix, Path: path, BroadcastRate: cfg.BroadcastRate}, log)
	switch {
	case errors.Is(err, store.ErrBadURL):
		return nil, fmt.Errorf("%w: REDIS_URL: %v", errUsage, err)
	case errors.Is(err, store.ErrLocked) && file == config.ChatStoreFile:
		// The terminal chat never uses Redis: do not suggest it.
		return nil, fmt.Errorf("DATA_DIR: %s sedang dipakai proses lain (\"layanan chat\" lain yang masih terbuka?); tutup dulu, atau pakai DATA_DIR lain: %w", path, err)
	case errors.Is(err, store.ErrLocked):
		return nil, fmt.Errorf("DATA_DIR: %s sedang dipakai proses lain (server yang berjalan?); hentikan dulu, atau pakai REDIS_URL: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("DATA_DIR: %w", err)
	}
	return st, nil
}

// contentFS is FAQ_DIR, or the bundled content.
func contentFS(dir string) (app.Content, error) {
	return resolveContent(dir, func(string) string { return "" })
}

// buildIndex loads FAQ_DIR (or the bundled content) and indexes it.
// Content problems are logged; they do not stop the bot.
func buildIndex(ctx context.Context, dir string, log *slog.Logger) (*knowledge.Index, error) {
	src, err := contentFS(dir)
	if err != nil {
		return nil, err
	}
	c, err := knowledge.Load(src.FS)
	if err != nil {
		return nil, fmt.Errorf("muat konten %s: %w", src.Name, err)
	}
	for _, p := range c.Problems {
		log.Warn("content problem", "problem", src.ProblemLine(p))
	}
	ix, err := knowledge.Build(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("bangun indeks: %w", err)
	}
	log.Info("content loaded", append([]any{"entries", len(c.Entries), "problems", len(c.Problems), "source", src.Name}, calibrationAttrs(ix.Calibration())...)...)
	if n := len(c.Placeholders); n > 0 {
		log.Info("local data not filled in: citizens read \"tanyakan di kantor layanan setempat\" instead; layanan lint lists them", "placeholders", n, "source", src.Name)
	}
	if years := missingHolidayYears(c.Local, time.Now()); len(years) > 0 {
		log.Warn("no holiday list for these years: opening hours are answered from the weekly hours with a note; add the joint decree's dates (with 1 January) to lokal.yaml holidays", "years", years, "offices", len(c.Local.Offices))
	}
	return ix, nil
}

// calibrationAttrs describe what the index learned from its content, for
// the operator's log.
func calibrationAttrs(cal knowledge.Calibration) []any {
	attrs := []any{"calibrated", cal.Calibrated, "held_out", cal.HeldOut, "self_top1", round3(cal.TopOne),
		"self_precision", round3(cal.Precision), "threshold", round3(cal.Threshold)}
	if cal.Note != "" {
		attrs = append(attrs, "calibration_note", cal.Note)
	}
	return attrs
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// runServe is `layanan serve`; it returns when ctx ends (SIGINT/SIGTERM).
func runServe(ctx context.Context, args []string, getenv env, stderr io.Writer) error {
	fs := newFlags("serve", stderr, serveHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	}
	cfg, err := config.Load(getenv, true)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	log := config.NewLogger(cfg, stderr)

	src, err := contentFS(cfg.FAQDir)
	if err != nil {
		return err
	}
	ix, err := buildIndex(ctx, cfg.FAQDir, log)
	if err != nil {
		return err
	}
	live := knowledge.NewLive(ix)
	st, err := openStore(ctx, cfg, config.StoreFile, log)
	if err != nil {
		return err
	}
	defer st.Close()

	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetEntries(len(ix.Content().Entries))

	// Answers go out in parallel: keep enough connections to the Bot API
	// open (the default keeps 2, so each burst opened new TLS connections).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns, transport.MaxIdleConnsPerHost = 100, 100
	client, err := telegram.NewClient(cfg.TelegramToken, cfg.TelegramAPIURL, &http.Client{Timeout: 75 * time.Second, Transport: transport}, log)
	if err != nil {
		return err
	}
	client.Observe(m)
	me, err := client.GetMe(ctx)
	if err != nil {
		var apiErr *telegram.APIError
		if errors.As(err, &apiErr) && apiErr.Code == http.StatusUnauthorized {
			return fmt.Errorf("%w: TELEGRAM_TOKEN: ditolak Telegram (token salah atau dicabut)", errUsage)
		}
		return fmt.Errorf("hubungi Telegram di %s: %w", cfg.TelegramAPIURL, err)
	}
	cfg.Bot.BotUsername = me.UserName

	hostname, _ := os.Hostname()
	bcast := broadcast.NewService(broadcast.Config{Rate: float64(cfg.BroadcastRate), Consumer: fmt.Sprintf("%s-%d", hostname, os.Getpid())},
		st, st, client, st.Limiter, log, m)
	rl := &reloader{live: live, src: src, log: log, metrics: m, store: st}
	conv, err := bot.New(cfg.Bot, live, st, client, log, bot.Options{
		Admins:        cfg.AdminIDs,
		Subscriptions: st,
		Stats:         st,
		Broadcasts:    bcast,
		Reload:        rl.reloadEverywhere,
		Observer:      m,
	})
	if err != nil {
		return err
	}
	rl.conv = conv
	bcast.OnInterrupted = func(ctx context.Context, j broadcast.Job) {
		if j.CreatedBy == 0 {
			return
		}
		text := conv.BroadcastInterruptedHTML(j.ID)
		if _, err := client.Send(ctx, bot.Reply{ChatID: j.CreatedBy, Text: text}); err != nil {
			log.Warn("broadcast interruption notice failed", "job_id", j.ID, "err", err)
		}
	}
	bcast.OnFinished = func(ctx context.Context, j broadcast.Job, c broadcast.Counts) {
		if j.CreatedBy == 0 {
			return
		}
		s, err := bcast.StatusOf(ctx, j.ID)
		if err != nil {
			log.Warn("broadcast report failed", "job_id", j.ID, "err", err)
			return
		}
		if _, err := client.Send(ctx, bot.Reply{ChatID: j.CreatedBy, Text: conv.BroadcastReportHTML(s)}); err != nil {
			log.Warn("broadcast report failed", "job_id", j.ID, "err", err)
		}
	}
	handler := bot.Logged(bot.Observed(bot.Recovered(conv, log), m), log)
	registerCommands(ctx, client, conv, log)

	var wg sync.WaitGroup
	background := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	runCtx, stopBackground := context.WithCancel(ctx)
	background(func() { _ = bcast.Run(runCtx) })
	if cfg.FAQDir != "" {
		background(func() {
			if err := knowledge.Watch(runCtx, cfg.FAQDir, time.Second, log, rl.reloadFromWatch); err != nil {
				log.Error("content watch stopped", "err", err)
			}
		})
	}
	if st.Reloads != nil {
		background(func() { st.Reloads.SubscribeReload(runCtx, func() { _, _, _ = rl.reloadHere(runCtx) }) })
	} else {
		background(func() { outbox.Serve(runCtx, cfg.DataDir, bcast, log) })
	}
	if cfg.HTTPAddr != "" {
		srv, err := startOps(cfg.HTTPAddr, reg, live, st, log)
		if err != nil {
			stopBackground()
			wg.Wait()
			return err
		}
		defer srv.Close()
	}

	if cfg.WebhookURL != "" {
		err = serveWebhook(ctx, cfg, client, handler, log)
	} else {
		log.Info("long polling started", "bot", me.UserName)
		if err := client.DeleteWebhook(ctx); err != nil {
			log.Warn("could not remove an old webhook; polling may fail", "err", err)
		}
		p := telegram.NewPoller(client, handler, log)
		// An update claimed by the process before a crash is retried until
		// its claim has surely lapsed.
		p.HeldAttempts = int(cfg.Bot.ClaimTTL/p.HeldRetry) + 5
		err = p.Run(ctx)
	}
	stopBackground()
	wg.Wait()
	log.Info("stopped")
	return err
}

// startOps serves /healthz, /readyz and /metrics on addr.
func startOps(addr string, reg *prometheus.Registry, live *knowledge.Live, st store.Store, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: HTTP_ADDR: %v", errUsage, err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: ops.Handler(reg, map[string]ops.Check{
		"index": func(context.Context) error {
			if live.Current() == nil || len(live.Content().Entries) == 0 {
				return errors.New("no content loaded")
			}
			return nil
		},
		"store": st.Ping,
	})}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ops server stopped", "err", err)
		}
	}()
	log.Info("ops endpoints listening", "addr", ln.Addr().String())
	return srv, nil
}

// reloader reloads content: here (watcher, pub/sub) or everywhere (/reload).
type reloader struct {
	live    *knowledge.Live
	src     app.Content
	log     *slog.Logger
	metrics *metrics.Metrics
	store   *store.Opened
	conv    *bot.Conversation
}

func (r *reloader) reloadHere(ctx context.Context) (int, []knowledge.Problem, error) {
	c, err := r.live.Reload(ctx, r.src.FS)
	r.metrics.Reloaded(err == nil)
	if err != nil {
		var rerr *knowledge.ReloadError
		var problems []knowledge.Problem
		if errors.As(err, &rerr) {
			problems = rerr.Problems
		}
		r.log.Error("content reload refused; previous content stays live", "problems", len(problems), "err", err)
		return 0, problems, err
	}
	r.metrics.SetEntries(len(c.Entries))
	r.log.Info("content reloaded", append([]any{"entries", len(c.Entries), "problems", len(c.Problems)}, calibrationAttrs(r.live.Current().Calibration())...)...)
	return len(c.Entries), c.Problems, nil
}

// reloadEverywhere is /reload: this replica reloads and answers the admin;
// with Redis every other replica is told to reload too.
func (r *reloader) reloadEverywhere(ctx context.Context) (int, []knowledge.Problem, error) {
	n, problems, err := r.reloadHere(ctx)
	if r.store.Reloads != nil {
		if perr := r.store.Reloads.PublishReload(ctx); perr != nil {
			r.log.Warn("could not tell other replicas to reload", "err", perr)
		}
	}
	return n, problems, err
}

// reloadFromWatch runs after files changed. A refused reload is reported
// to the admins, once across replicas for the same problems.
func (r *reloader) reloadFromWatch() {
	ctx := context.Background()
	_, problems, err := r.reloadHere(ctx)
	if err == nil || r.conv == nil {
		return
	}
	h := fnv.New32a()
	for _, p := range problems {
		fmt.Fprintln(h, p.String())
	}
	// Update ids are positive; a negative id is a free dedupe token, so
	// replicas sharing a store notify the admins once per set of problems.
	// The claim is never finished: it lapses after ten minutes.
	if adm, merr := r.store.Admit(ctx, bot.Arrival{UpdateID: -int(h.Sum32()>>1) - 1, ClaimTTL: 10 * time.Minute}); merr == nil && adm.Claim != bot.Claimed {
		return
	}
	for i := range problems {
		problems[i].File = r.src.Name + "/" + problems[i].File
	}
	r.conv.NotifyContentRejected(ctx, problems, err)
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

func serveWebhook(ctx context.Context, cfg config.Config, client *telegram.Client, handler bot.Handler, log *slog.Logger) error {
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
	return nil
}
