// Package app is `layanan serve` wired once: App.New opens the store,
// builds the index, connects to the Bot API and sets up the conversation,
// broadcasts and content reloads; App.Run serves until its context ends
// (SIGINT/SIGTERM) and stops cleanly; App.Close releases what New opened.
// The command and the tests use it alike.
package app

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
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
	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/internal/console"
	"github.com/layanan-id/layanan/internal/metrics"
	"github.com/layanan-id/layanan/internal/ops"
	"github.com/layanan-id/layanan/internal/outbox"
	"github.com/layanan-id/layanan/knowledge"
)

// The metrics observe the Bot API client too.
var _ telegram.ErrorObserver = (*metrics.Metrics)(nil)

// App is the running bot's parts.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	src      Content
	live     *knowledge.Live
	store    *store.Opened
	registry *prometheus.Registry
	metrics  *metrics.Metrics
	client   *telegram.Client
	username string
	bcast    *broadcast.Service
	reloads  *reloader
	conv     *bot.Conversation
	handler  bot.Handler
	// consoleKey signs the console's login links; nil when it is off.
	consoleKey []byte
}

// ConsoleLinks makes the staff console's login links with the
// deployment's console key: kept in Redis when there is one (every
// replica and the command line share it), else in DATA_DIR/console.key.
func ConsoleLinks(ctx context.Context, cfg config.Config, st bot.TempStore) (console.Links, error) {
	var shared bot.TempStore
	if cfg.RedisURL != "" {
		shared = st
	}
	key, err := console.LoadKey(ctx, shared, filepath.Join(cfg.DataDir, console.KeyFile))
	if err != nil {
		return console.Links{}, err
	}
	return console.Links{Base: cfg.Console.URL, Key: key}, nil
}

// New wires the bot from cfg: content, store, Bot API client (it checks
// the token with getMe), broadcasts and the conversation. Configuration
// that does not work (a token Telegram rejects, a bad REDIS_URL) is a
// *config.Error naming the variable.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	a := &App{cfg: cfg, log: log, registry: prometheus.NewRegistry()}
	var err error
	if a.src, err = ResolveContent(cfg.FAQDir); err != nil {
		return nil, &config.Error{Var: "FAQ_DIR", Problem: err.Error()}
	}
	ix, err := BuildIndex(ctx, a.src, log)
	if err != nil {
		return nil, err
	}
	a.live = knowledge.NewLive(ix)
	if a.store, err = OpenStore(ctx, cfg, config.StoreFile, log); err != nil {
		return nil, err
	}
	a.metrics = metrics.New(a.registry)
	a.metrics.SetEntries(len(ix.Content().Entries))
	if err := a.connect(ctx); err != nil {
		a.store.Close()
		return nil, err
	}
	hostname, _ := os.Hostname()
	a.bcast = broadcast.NewService(broadcast.Config{Rate: float64(cfg.BroadcastRate), Consumer: fmt.Sprintf("%s-%d", hostname, os.Getpid())},
		a.store, a.store, a.client, a.store.Limiter, log, a.metrics)
	a.reloads = &reloader{live: a.live, src: a.src, log: log, metrics: a.metrics, store: a.store}
	opts := bot.Options{
		Admins:        cfg.AdminIDs,
		Subscriptions: a.store,
		Stats:         a.store,
		Broadcasts:    a.bcast,
		Reload:        a.reloads.reloadEverywhere,
		Observer:      a.metrics,
	}
	if cfg.Console.Addr != "" {
		links, err := ConsoleLinks(ctx, cfg, a.store)
		if err != nil {
			a.store.Close()
			return nil, err
		}
		a.consoleKey = links.Key
		opts.Editors, opts.ConsoleLink = cfg.Console.EditorIDs, links.Link
	}
	if h := cfg.Handoff; h.StaffChat != 0 {
		opts.Handoff = &bot.Handoff{Store: a.store, Relay: a.client, StaffChat: h.StaffChat, TTL: h.TTL, StaffNames: h.StaffNames, Office: h.Office}
		if loc := ix.Content().Local; h.Office != "" {
			if _, ok := loc.Office(h.Office); !ok {
				log.Warn("HANDOFF_OFFICE names no office of lokal.yaml; citizens are told staff answer in office hours", "office", h.Office)
			}
		}
	}
	a.conv, err = bot.New(a.cfg.Bot, a.live, a.store, a.client, log, opts)
	if err != nil {
		a.store.Close()
		return nil, err
	}
	a.reloads.conv = a.conv
	a.bcast.OnInterrupted = a.broadcastInterrupted
	a.bcast.OnFinished = a.broadcastFinished
	a.handler = bot.Logged(bot.Observed(bot.Recovered(a.conv, log), a.metrics), log)
	return a, nil
}

// connect makes the Bot API client and learns the bot's username.
func (a *App) connect(ctx context.Context) error {
	// Answers go out in parallel: keep enough connections to the Bot API
	// open (the default keeps 2, so each burst opened new TLS connections).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns, transport.MaxIdleConnsPerHost = 100, 100
	client, err := telegram.NewClient(a.cfg.TelegramToken, a.cfg.TelegramAPIURL, &http.Client{Timeout: 75 * time.Second, Transport: transport}, a.log)
	if err != nil {
		return err
	}
	client.Observe(a.metrics)
	me, err := client.GetMe(ctx)
	if err != nil {
		var apiErr *telegram.APIError
		if errors.As(err, &apiErr) && apiErr.Code == http.StatusUnauthorized {
			return &config.Error{Var: "TELEGRAM_TOKEN", Problem: "ditolak Telegram (token salah atau dicabut)"}
		}
		return fmt.Errorf("hubungi Telegram di %s: %w", a.cfg.TelegramAPIURL, err)
	}
	a.client, a.username = client, me.UserName
	a.cfg.Bot.BotUsername = me.UserName
	return nil
}

// broadcastInterrupted tells the admin that a broadcast was cancelled
// while it was being prepared.
func (a *App) broadcastInterrupted(ctx context.Context, j broadcast.Job) {
	if j.CreatedBy == 0 {
		return
	}
	if _, err := a.client.Send(ctx, bot.Reply{ChatID: j.CreatedBy, Text: a.conv.BroadcastInterruptedHTML(j.ID)}); err != nil {
		a.log.Warn("broadcast interruption notice failed", "job_id", j.ID, "err", err)
	}
}

// broadcastFinished sends the report to the admin who started it.
func (a *App) broadcastFinished(ctx context.Context, j broadcast.Job, _ broadcast.Counts) {
	if j.CreatedBy == 0 {
		return
	}
	s, err := a.bcast.StatusOf(ctx, j.ID)
	if err != nil {
		a.log.Warn("broadcast report failed", "job_id", j.ID, "err", err)
		return
	}
	if _, err := a.client.Send(ctx, bot.Reply{ChatID: j.CreatedBy, Text: a.conv.BroadcastReportHTML(s)}); err != nil {
		a.log.Warn("broadcast report failed", "job_id", j.ID, "err", err)
	}
}

// idleTicketSweep is how often silent handoff tickets are looked for.
const idleTicketSweep = time.Minute

// closeIdleTickets closes silent handoff tickets every idleTicketSweep
// until ctx ends (every replica does; a ticket closes once).
func (a *App) closeIdleTickets(ctx context.Context) {
	t := time.NewTicker(idleTicketSweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.conv.CloseIdleTickets(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("closing idle handoff tickets failed", "err", err)
			}
		}
	}
}

// Run serves until ctx ends: the webhook or long polling, the broadcast
// workers, the content watcher or the replicas' reload messages, the
// outbox and the ops endpoints. It stops taking updates, lets the ones in
// flight finish, stops the background work and returns.
func (a *App) Run(ctx context.Context) error {
	registerCommands(ctx, a.client, a.conv, a.log)
	var wg sync.WaitGroup
	background := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	runCtx, stopBackground := context.WithCancel(ctx)
	defer func() {
		stopBackground()
		wg.Wait()
		a.log.Info("stopped")
	}()
	background(func() { _ = a.bcast.Run(runCtx) })
	if a.cfg.Handoff.StaffChat != 0 {
		background(func() { a.closeIdleTickets(runCtx) })
	}
	if a.cfg.FAQDir != "" {
		background(func() {
			if err := knowledge.Watch(runCtx, a.cfg.FAQDir, time.Second, a.log, a.reloads.reloadFromWatch); err != nil {
				a.log.Error("content watch stopped", "err", err)
			}
		})
	}
	if a.store.Reloads != nil {
		background(func() { a.store.Reloads.SubscribeReload(runCtx, func() { _, _, _ = a.reloads.reloadHere(runCtx) }) })
	} else {
		background(func() { outbox.Serve(runCtx, a.cfg.DataDir, a.bcast, a.log) })
	}
	if a.cfg.Console.Addr != "" {
		srv, err := a.startConsole()
		if err != nil {
			return err
		}
		defer srv.Close()
	}
	if a.cfg.HTTPAddr != "" {
		srv, err := startOps(a.cfg.HTTPAddr, a.registry, a.live, a.store, a.log)
		if err != nil {
			return err
		}
		defer srv.Close()
	}
	if a.cfg.WebhookURL != "" {
		return serveWebhook(ctx, a.cfg, a.client, a.handler, a.log)
	}
	a.log.Info("long polling started", "bot", a.username)
	if err := a.client.DeleteWebhook(ctx); err != nil {
		a.log.Warn("could not remove an old webhook; polling may fail", "err", err)
	}
	p := telegram.NewPoller(a.client, a.handler, a.log)
	// An update claimed by the process before a crash is retried until its
	// claim has surely lapsed.
	p.HeldAttempts = int(a.cfg.Bot.ClaimTTL/p.HeldRetry) + 5
	return p.Run(ctx)
}

// Close releases the store.
func (a *App) Close() error {
	if err := a.store.Close(); err != nil {
		return fmt.Errorf("app: close store: %w", err)
	}
	return nil
}

// OpenStore opens Redis when REDIS_URL is set, else the embedded store
// file under DATA_DIR, with messages that name the variable to change
// (a *config.Error).
func OpenStore(ctx context.Context, cfg config.Config, file string, log *slog.Logger) (*store.Opened, error) {
	path := filepath.Join(cfg.DataDir, file)
	st, err := store.Open(ctx, store.Config{RedisURL: cfg.RedisURL, RedisPrefix: cfg.RedisPrefix, Path: path, BroadcastRate: cfg.BroadcastRate}, log)
	switch {
	case errors.Is(err, store.ErrBadURL):
		return nil, &config.Error{Var: "REDIS_URL", Problem: err.Error()}
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

// BuildIndex loads the content and indexes it. Content problems are
// logged; they do not stop the bot.
func BuildIndex(ctx context.Context, src Content, log *slog.Logger) (*knowledge.Index, error) {
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
	if years := c.Local.MissingHolidayYears(time.Now()); len(years) > 0 {
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

// startOps serves /healthz, /readyz and /metrics on addr.
func startOps(addr string, reg *prometheus.Registry, live *knowledge.Live, st store.Store, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &config.Error{Var: "HTTP_ADDR", Problem: err.Error()}
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

// startConsole serves the staff console on CONSOLE_ADDR.
func (a *App) startConsole() (*http.Server, error) {
	c := a.cfg.Console
	folder := &console.Folder{Dir: a.cfg.FAQDir, Files: a.src.FS, Reload: a.reloads.reloadEverywhere}
	con, err := console.New(console.Config{Base: c.URL, Admins: a.cfg.AdminIDs, Editors: c.EditorIDs, Key: a.consoleKey, Folder: folder, Broadcasts: a.bcast}, a.store, a.live, a.log)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, &config.Error{Var: "CONSOLE_ADDR", Problem: err.Error()}
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: con.Handler()}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("console stopped", "err", err)
		}
	}()
	a.log.Info("staff console listening", "addr", ln.Addr().String(), "url", c.URL.String())
	return srv, nil
}

// reloader reloads content: here (watcher, pub/sub) or everywhere (/reload).
type reloader struct {
	live    *knowledge.Live
	src     Content
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
		return &config.Error{Var: "WEBHOOK_URL", Problem: err.Error()}
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.Handle(path, telegram.NewWebhook(cfg.WebhookSecret, handler, log))
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return &config.Error{Var: "LISTEN_ADDR", Problem: err.Error()}
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
