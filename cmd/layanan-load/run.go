package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/knowledge"
)

const (
	secretHeader = "X-Telegram-Bot-Api-Secret-Token"
	loadSecret   = "load-secret"
	loadToken    = "123456:LOAD-TOKEN"
)

// options are the command's flags.
type options struct {
	updates, concurrency, warmup int
	layanan, redisURL, questions string
	env                          envList // extra variables for layanan serve
}

// envList collects repeated -env KEY=VALUE flags.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("%q: write KEY=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("layanan-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.IntVar(&o.updates, "updates", 5000, "updates measured per bot, each from a chat of its own")
	fs.IntVar(&o.concurrency, "concurrency", 32, "updates posted at once")
	fs.IntVar(&o.warmup, "warmup", 500, "updates posted before measuring, not counted")
	fs.StringVar(&o.layanan, "layanan", "", "the layanan binary (default: built from this module)")
	fs.StringVar(&o.redisURL, "redis-url", "", "a Redis to use and FLUSH (default: a redis-server of its own on a free port)")
	fs.Var(&o.env, "env", "KEY=VALUE for layanan serve's environment (repeatable), for example -env LOG_LEVEL=warn")
	fs.StringVar(&o.questions, "questions", filepath.Join("knowledge", "testdata", "questions.tsv"), "questions the citizens ask (id<TAB>question)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.updates < 1 || o.concurrency < 1 || o.warmup < 0 {
		return errors.New("-updates and -concurrency must be at least 1, -warmup at least 0")
	}
	questions, err := readQuestions(o.questions)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "layanan-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	if o.redisURL == "" {
		url, stop, err := startRedis(ctx, tmp)
		if err != nil {
			return err
		}
		defer stop()
		o.redisURL = url
	}
	rdb, err := redisClient(o.redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	if o.layanan == "" {
		fmt.Fprintln(stderr, "building layanan …")
		o.layanan = filepath.Join(tmp, "layanan")
		build := exec.CommandContext(ctx, "go", "build", "-o", o.layanan, "github.com/layanan-id/layanan/cmd/layanan")
		build.Stderr = stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build layanan: %w", err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	api, err := startStandIn()
	if err != nil {
		return err
	}
	defer api.Close()

	bots := []struct {
		name string
		bin  string
		args []string
		env  []string
	}{
		{"echo bot (telegram-bot-api/v5)", self, []string{echoCommand}, nil},
		{"layanan serve (Redis)", o.layanan, []string{"serve"}, o.env},
	}
	var results []result
	for i, b := range bots {
		if err := rdb.FlushDB(ctx).Err(); err != nil {
			return fmt.Errorf("flush redis: %w", err)
		}
		fmt.Fprintf(stderr, "measuring %s …\n", b.name)
		r, err := measure(ctx, o, api, rdb, questions, b.bin, b.args, b.env, tmp, int64(i+1)*10_000_000)
		if err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
		r.name = b.name
		results = append(results, r)
	}
	report(stdout, o, results)
	for _, r := range results {
		if r.missing > 0 {
			return fmt.Errorf("%s: %d of %d updates not answered exactly once", r.name, r.missing, o.updates)
		}
	}
	return nil
}

// result is one bot's measurement.
type result struct {
	name             string
	perSecond        float64
	p50, p99         time.Duration
	replies, missing int
	commands, reads  float64 // Redis's, per update, less what the idle bot does
}

func report(w io.Writer, o options, rs []result) {
	fmt.Fprintf(w, "%d updates from distinct chats, %d at a time, after %d to warm up\n\n", o.updates, o.concurrency, o.warmup)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "bot\tupdates/s\tof echo\tp50 ms\tp99 ms\treplies\tRedis commands/update\tRedis reads/update\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.1f\t%.1f\t%d/%d\t%.1f\t%.1f\t\n", r.name, r.perSecond, r.perSecond/rs[0].perSecond,
			ms(r.p50), ms(r.p99), r.replies, r.replies+r.missing, r.commands, r.reads)
	}
	tw.Flush()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measure starts one bot, warms it up, posts o.updates updates and stops
// it. Chat and update ids start at first, so runs never share them.
func measure(ctx context.Context, o options, api *standIn, rdb *redis.Client, questions []string, bin string, args, env []string, tmp string, first int64) (result, error) {
	hook, err := freeAddr()
	if err != nil {
		return result{}, err
	}
	dataDir, err := os.MkdirTemp(tmp, "data-")
	if err != nil {
		return result{}, err
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"TELEGRAM_TOKEN=" + loadToken,
		"TELEGRAM_API_URL=" + api.url,
		"REDIS_URL=" + o.redisURL,
		"WEBHOOK_URL=http://" + hook + "/hook",
		"WEBHOOK_SECRET=" + loadSecret,
		"LISTEN_ADDR=" + hook,
		"HTTP_ADDR=off",
		"DATA_DIR=" + dataDir,
		"LOG_FORMAT=json",
	}
	cmd.Env = append(cmd.Env, env...)
	logFile, err := os.Create(filepath.Join(tmp, filepath.Base(bin)+".log"))
	if err != nil {
		return result{}, err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()

	poster := &poster{url: "http://" + hook + "/hook", client: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: o.concurrency, MaxIdleConnsPerHost: o.concurrency},
	}}
	defer poster.client.CloseIdleConnections()
	if err := poster.waitReady(ctx, 30*time.Second); err != nil {
		return result{}, fmt.Errorf("%w (log: %s)", err, logFile.Name())
	}
	if _, err := poster.drive(ctx, o.concurrency, updates(first, o.warmup, questions)); err != nil {
		return result{}, fmt.Errorf("warm-up: %w", err)
	}
	// What the bot asks of Redis when idle (broadcast workers, reload
	// notices) is taken out of the per-update figures.
	idleFrom, err := redisCounters(ctx, rdb)
	if err != nil {
		return result{}, err
	}
	idleStart := time.Now()
	time.Sleep(time.Second)
	idleTo, err := redisCounters(ctx, rdb)
	if err != nil {
		return result{}, err
	}
	idle := idleTo.minus(idleFrom).per(time.Since(idleStart))

	measured := updates(first+int64(o.warmup), o.updates, questions)
	api.expect(measured)
	before, err := redisCounters(ctx, rdb)
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	latencies, err := poster.drive(ctx, o.concurrency, measured)
	elapsed := time.Since(start)
	if err != nil {
		return result{}, err
	}
	after, err := redisCounters(ctx, rdb)
	if err != nil {
		return result{}, err
	}
	used := after.minus(before)
	n := float64(o.updates)
	replies, missing := api.answered()
	return result{
		perSecond: n / elapsed.Seconds(),
		p50:       percentile(latencies, 0.50),
		p99:       percentile(latencies, 0.99),
		replies:   replies, missing: missing,
		commands: max(0, used.commands-idle.commands*elapsed.Seconds()) / n,
		reads:    max(0, used.reads-idle.reads*elapsed.Seconds()) / n,
	}, nil
}

// update is one webhook post: its body and its chat.
type update struct {
	body []byte
	chat int64
}

// updates makes n updates, each from a chat of its own, asking the
// question set's questions in turn.
func updates(first int64, n int, questions []string) []update {
	out := make([]update, n)
	for i := range out {
		id := first + int64(i)
		body, _ := json.Marshal(tgbotapi.Update{UpdateID: int(id), Message: &tgbotapi.Message{
			MessageID: 1,
			From:      &tgbotapi.User{ID: id, FirstName: "Warga", LanguageCode: "id"},
			Chat:      &tgbotapi.Chat{ID: id, Type: "private"},
			Date:      int(time.Now().Unix()),
			Text:      questions[i%len(questions)],
		}})
		out[i] = update{body: body, chat: id}
	}
	return out
}

// poster posts updates as Telegram's connections to a webhook do.
type poster struct {
	url    string
	client *http.Client
}

func (p *poster) post(ctx context.Context, body []byte, secret string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(secretHeader, secret)
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// waitReady waits until the webhook answers (401 to a post without the
// secret).
func (p *poster) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if status, err := p.post(ctx, []byte("{}"), "wrong"); err == nil && status == http.StatusUnauthorized {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the webhook did not answer within %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// drive posts us from n goroutines and returns each post's round trip.
func (p *poster) drive(ctx context.Context, n int, us []update) ([]time.Duration, error) {
	jobs := make(chan update)
	latencies := make([][]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for u := range jobs {
				start := time.Now()
				status, err := p.post(ctx, u.body, loadSecret)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("chat %d: status %d", u.chat, status)
				}
				if err != nil {
					if errs[w] == nil {
						errs[w] = err
					}
					continue
				}
				latencies[w] = append(latencies[w], time.Since(start))
			}
		})
	}
	for _, u := range us {
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	return slices.Concat(latencies...), errors.Join(errs...)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// counters are Redis's own counts, from INFO stats.
type counters struct{ commands, reads float64 }

func (c counters) minus(o counters) counters {
	return counters{c.commands - o.commands, c.reads - o.reads}
}

func (c counters) per(d time.Duration) counters {
	return counters{c.commands / d.Seconds(), c.reads / d.Seconds()}
}

// redisCounters reads the commands processed and the socket reads (each
// read is, in practice, one round trip of one client) so far. The INFO
// call itself counts one of each.
func redisCounters(ctx context.Context, rdb *redis.Client) (counters, error) {
	info, err := rdb.Info(ctx, "stats").Result()
	if err != nil {
		return counters{}, fmt.Errorf("redis INFO: %w", err)
	}
	var c counters
	for _, line := range strings.Split(info, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		n, _ := strconv.ParseFloat(v, 64)
		switch k {
		case "total_commands_processed":
			c.commands = n
		case "total_reads_processed":
			c.reads = n
		}
	}
	return c, nil
}

func redisClient(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("-redis-url: %w", err)
	}
	return redis.NewClient(opts), nil
}

// startRedis starts a redis-server that keeps nothing on disk on a free
// loopback port.
func startRedis(ctx context.Context, dir string) (string, func(), error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, errors.New("redis-server is not installed (Debian: apt-get install redis-server), or pass -redis-url")
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start redis-server: %w", err)
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	url := "redis://" + addr
	rdb, _ := redisClient(url)
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			stop()
			return "", nil, errors.New("redis-server did not answer within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return url, stop, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func readQuestions(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("questions: %w (run from the repository's root, or pass -questions)", err)
	}
	defer f.Close()
	qs, err := knowledge.ParseQuestions(f)
	if err != nil {
		return nil, fmt.Errorf("questions %s: %w", path, err)
	}
	var out []string
	for _, q := range qs {
		out = append(out, q.Text)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("questions %s: none", path)
	}
	return out, nil
}
