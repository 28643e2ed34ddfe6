package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot/telegram"
)

// replicaSecret is WEBHOOK_SECRET of every replica, as in a deployment:
// Telegram sends one secret whichever replica the load balancer picks.
const replicaSecret = "replika_rahasia-123"

// replica is one `layanan serve` process in webhook mode, started from the
// real binary so that it can be killed like a crashed pod.
type replica struct {
	name string
	cmd  *exec.Cmd
	hook string // WEBHOOK_URL, served on this replica's LISTEN_ADDR
	ops  string // HTTP_ADDR
	// logPath holds the process's stderr. A file, not a pipe: a line is
	// in it as soon as the process wrote it, so once the webhook answered,
	// the update's log line can be read.
	logPath string
	client  *http.Client
	exited  chan struct{} // closed once the process has exited; wait is set then
	wait    error
}

// buildLayanan builds this folder's binary into a temporary folder.
func buildLayanan(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build layanan: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "layanan")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startReplica starts `bin serve` with a clean environment (nothing of
// the test's own, such as REDIS_URL, leaks in) plus env. The process is
// stopped when the test ends: SIGTERM, and SIGKILL if it has not exited
// within 15 s; a replica that does not exit with status 0 after SIGTERM
// fails the test, since the README promises a clean shutdown.
func startReplica(t *testing.T, bin, name string, env map[string]string) *replica {
	t.Helper()
	r := &replica{
		name:    name,
		hook:    env["WEBHOOK_URL"],
		ops:     env["HTTP_ADDR"],
		logPath: filepath.Join(t.TempDir(), "stderr.log"),
		exited:  make(chan struct{}),
		// Many updates go to a replica at once: keep more idle
		// connections than the default two per host.
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	}
	t.Cleanup(r.client.CloseIdleConnections)
	logFile, err := os.Create(r.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child has its own copy
	r.cmd = exec.Command(bin, "serve")
	r.cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		r.cmd.Env = append(r.cmd.Env, k+"="+v)
	}
	r.cmd.Stdout = logFile
	r.cmd.Stderr = logFile
	replicaDiesWithTest(r.cmd)
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("%s: start: %v", name, err)
	}
	go func() {
		r.wait = r.cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-r.exited:
			return // killed by the test, or it died: the test says so
		default:
		}
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-r.exited:
			if r.wait != nil {
				t.Errorf("%s: exit after SIGTERM: %v\n%s", name, r.wait, tail(r.logs(), 3000))
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%s: did not stop within 15 s of SIGTERM; killed", name)
			_ = r.cmd.Process.Kill()
			<-r.exited
		}
	})
	return r
}

// logs returns what the process wrote so far.
func (r *replica) logs() string {
	data, _ := os.ReadFile(r.logPath)
	return string(data)
}

// waitReady waits until /readyz answers 200 and the webhook listens.
func (r *replica) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-r.exited:
			t.Fatalf("%s exited before it was ready (%v):\n%s", r.name, r.wait, tail(r.logs(), 3000))
		default:
		}
		if r.ready() && strings.Contains(r.logs(), `"msg":"webhook listening"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within %s:\n%s", r.name, timeout, tail(r.logs(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *replica) ready() bool {
	resp, err := r.client.Get("http://" + r.ops + "/readyz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

// post delivers an update as Telegram does: a POST with the secret
// header, posted again while the answer is 503 (another replica is still
// handling the update). The webhook handles the update within the
// request, so when post returns the reply has gone out (or the update was
// a duplicate).
func (r *replica) post(u tgbotapi.Update) error {
	for attempt := 1; ; attempt++ {
		status, err := r.postOnce(u)
		switch {
		case err != nil:
			return err
		case status == http.StatusServiceUnavailable && attempt < 100:
			time.Sleep(100 * time.Millisecond)
		case status != http.StatusOK:
			return fmt.Errorf("%s: update %d: status %d", r.name, u.UpdateID, status)
		default:
			return nil
		}
	}
}

// postOnce posts the update once and returns the status.
func (r *replica) postOnce(u tgbotapi.Update) (int, error) {
	body, err := json.Marshal(u)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(http.MethodPost, r.hook, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telegram.SecretHeader, replicaSecret)
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s: update %d: %w", r.name, u.UpdateID, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// kill ends the process with SIGKILL, as a crash or an evicted pod would,
// and waits until it is gone.
func (r *replica) kill(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatalf("%s: kill: %v", r.name, err)
	}
	<-r.exited
}

// consumer is the replica's name in the deliveries' consumer group, as
// serve builds it: host name and process id.
func (r *replica) consumer(t *testing.T) string {
	t.Helper()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s-%d", host, r.cmd.Process.Pid)
}

// metric reads one sample from the replica's /metrics, for example
// `layanan_broadcast_deliveries_total{result="sent"}`; a sample not
// exported yet is 0.
func (r *replica) metric(t *testing.T, sample string) float64 {
	t.Helper()
	resp, err := r.client.Get("http://" + r.ops + "/metrics")
	if err != nil {
		t.Fatalf("%s: /metrics: %v", r.name, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: /metrics: %s: %v", r.name, sc.Text(), err)
			}
			return f
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: /metrics: %v", r.name, err)
	}
	return 0
}

// handledLine is the log line serve writes per update (LOG_FORMAT=json).
type handledLine struct {
	Msg      string `json:"msg"`
	UpdateID int    `json:"update_id"`
	ChatID   int64  `json:"chat_id"`
	Outcome  string `json:"outcome"`
	EntryID  string `json:"entry_id"`
	replica  int    // index of the replica that wrote it
}

// handledLines returns the per-update lines of every replica's log,
// "update handled" and "update failed" alike.
func handledLines(t *testing.T, replicas []*replica) []handledLine {
	t.Helper()
	var out []handledLine
	for i, r := range replicas {
		lines := strings.Split(r.logs(), "\n")
		// The last element is "" or a line still being written.
		for _, line := range lines[:len(lines)-1] {
			if !strings.Contains(line, `"update_id"`) {
				continue
			}
			var h handledLine
			if err := json.Unmarshal([]byte(line), &h); err != nil {
				t.Fatalf("%s: log line is not JSON: %v\n%s", r.name, err, line)
			}
			if h.Msg != "update handled" && h.Msg != "update failed" {
				continue
			}
			h.replica = i
			out = append(out, h)
		}
	}
	return out
}

// userMessage is a private message from user; text starting with "/" is
// marked as a command, as Telegram does.
func userMessage(updateID int, user int64, text string) tgbotapi.Update {
	m := &tgbotapi.Message{
		MessageID: updateID,
		From:      &tgbotapi.User{ID: user, FirstName: "Warga"},
		Chat:      &tgbotapi.Chat{ID: user, Type: "private"},
		Date:      int(time.Now().Unix()),
		Text:      text,
	}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: len(cmd)}}
	}
	return tgbotapi.Update{UpdateID: updateID, Message: m}
}

// buttonPress is a callback query from user pressing a button with data
// under a message in their private chat.
func buttonPress(updateID int, user int64, data string) tgbotapi.Update {
	return tgbotapi.Update{UpdateID: updateID, CallbackQuery: &tgbotapi.CallbackQuery{
		ID:      "cb-" + strconv.Itoa(updateID),
		From:    &tgbotapi.User{ID: user, FirstName: "Admin"},
		Message: &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: user, Type: "private"}, Date: int(time.Now().Unix())},
		Data:    data,
	}}
}

// tail is the end of a long log, for failure messages.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// permitWatch records when the shared broadcast limiter let a delivery go,
// by the Redis server's clock. The limiter's GCRA script (redis_rate)
// writes its key only when it allows an event, and MONITOR shows that
// write, made inside the script, with the time Redis executed it. Unlike
// arrival times at the fake, these are not moved by a process the
// scheduler holds up.
type permitWatch struct {
	conn net.Conn
	done chan struct{}
	mu   sync.Mutex
	at   []time.Time
}

// permitLine matches a write made by a script, as MONITOR prints it.
var permitLine = regexp.MustCompile(`(?i)^\+(\d+)\.(\d{6}) \[\d+ lua\] "set" "([^"]*)"`)

// watchPermits starts MONITOR on the Redis at redisURL and records the
// writes of keys ending in keySuffix.
func watchPermits(t *testing.T, redisURL, keySuffix string) *permitWatch {
	t.Helper()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Password != "" {
		t.Fatal("watchPermits: a Redis with a password is not supported")
	}
	conn, err := net.DialTimeout("tcp", opts.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	if _, err := io.WriteString(conn, "MONITOR\r\n"); err != nil {
		t.Fatal(err)
	}
	if line, err := rd.ReadString('\n'); err != nil || strings.TrimSpace(line) != "+OK" {
		t.Fatalf("MONITOR: %q, %v", line, err)
	}
	p := &permitWatch{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			m := permitLine.FindStringSubmatch(line)
			if m == nil || !strings.HasSuffix(m[3], keySuffix) {
				continue
			}
			sec, _ := strconv.ParseInt(m[1], 10, 64)
			usec, _ := strconv.ParseInt(m[2], 10, 64)
			p.mu.Lock()
			p.at = append(p.at, time.Unix(sec, usec*1000))
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() { p.stop() })
	return p
}

// stop ends MONITOR and returns the permits' times.
func (p *permitWatch) stop() []time.Time {
	p.conn.Close()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.at)
}

// stallWatch notes when this process, which hosts the fake Bot API and
// stamps the arrivals, did not run for a while: requests that arrived
// meanwhile are stamped together when it runs again, as a bunch that was
// never sent as one.
type stallWatch struct {
	stopc  chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	stalls [][2]time.Time
}

func watchStalls(t *testing.T, threshold time.Duration) *stallWatch {
	w := &stallWatch{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		prev := time.Now()
		for {
			select {
			case <-w.stopc:
				return
			case <-tick.C:
			}
			now := time.Now()
			if now.Sub(prev) > threshold {
				w.mu.Lock()
				w.stalls = append(w.stalls, [2]time.Time{prev, now})
				w.mu.Unlock()
			}
			prev = now
		}
	}()
	t.Cleanup(func() { w.stop() })
	return w
}

// stop ends the watch and returns the stalls seen, each as [from, to].
func (w *stallWatch) stop() [][2]time.Time {
	select {
	case <-w.stopc:
	default:
		close(w.stopc)
	}
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.stalls)
}

// busiestSecond returns the most times within one second [from, from+1s)
// and that window's start; times must be sorted.
func busiestSecond(times []time.Time) (most int, from time.Time) {
	for i, lo := 0, 0; i < len(times); i++ {
		for times[i].Sub(times[lo]) >= time.Second {
			lo++
		}
		if n := i - lo + 1; n > most {
			most, from = n, times[lo]
		}
	}
	return most, from
}

// windowsOver returns the starts of the one-second windows [t, t+1s),
// t being one of times, that hold more than limit of times (sorted).
func windowsOver(times []time.Time, limit int) []time.Time {
	var out []time.Time
	for lo, hi := 0, 0; lo < len(times); lo++ {
		for hi < len(times) && times[hi].Sub(times[lo]) < time.Second {
			hi++
		}
		if hi-lo > limit {
			out = append(out, times[lo])
		}
	}
	return out
}
