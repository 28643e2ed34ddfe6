// Package redistest gives tests a real Redis to talk to: the server named by
// REDIS_URL, or else a throwaway redis-server started on a free loopback port
// in a temporary folder. The machine's own Redis (127.0.0.1:6379) is never
// touched unless REDIS_URL names it.
//
// Every Start returns a key prefix of its own, so tests can share a server
// without seeing each other's keys; on a REDIS_URL server, which may be
// shared with other people, nothing is flushed: the keys under the test's
// prefix are deleted when the test ends.
//
// A package whose tests call Start many times can share one throwaway server
// among them, started on the first Start and stopped after the last test:
//
//	func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }
//
// Without that TestMain, each Start gets its own server, stopped when its
// test ends.
//
// StartCluster does the same for a Redis Cluster of three masters (in
// cluster.go): started with redis-server and redis-cli, shared under Main
// like the single server, or named by REDIS_CLUSTER_URL. On Linux every
// server started here is killed when the test binary dies, even by SIGKILL
// or a panic, so a failed run leaves no redis-server behind.
//
// Environment:
//
//	REDIS_URL=redis://host:port/db             use this server instead of starting one
//	REDIS_CLUSTER_URL=redis://h1:p1,h2:p2,...  use this cluster instead of starting one
//	LAYANAN_REQUIRE_REDIS=1                    fail, instead of skip, when redis-server
//	                                           (or, for a cluster, redis-cli) is not installed
package redistest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	envURL     = "REDIS_URL"
	envRequire = "LAYANAN_REQUIRE_REDIS"

	readyTimeout = 10 * time.Second // from starting redis-server to its first PONG
	stopTimeout  = 5 * time.Second  // from SIGTERM to exit, before SIGKILL
	portAttempts = 3                // a free port can be taken between probing and binding
)

// Server is a Redis for one test.
type Server struct {
	// URL is a redis:// URL for the server.
	URL string
	// Prefix is a key prefix no other Start returns; the test keeps all its
	// keys under it. It contains only letters, digits and ".:_-", so it is
	// safe in a SCAN pattern and contains no hash tag.
	Prefix string
}

// errNoBinary is the cause when redis-server is not installed: the test is
// skipped rather than failed, unless LAYANAN_REQUIRE_REDIS=1.
var errNoBinary = errors.New("redis-server is not installed (not found in PATH)")

// shared is the server, and the cluster, of a package whose TestMain calls
// Main. Test helpers are the one place where package state is the right
// tool: the servers must outlive every single test of the package.
var shared struct {
	enabled bool // set by Main before any test runs
	once    sync.Once
	proc    *process
	err     error

	clusterOnce sync.Once
	cluster     *cluster
	clusterErr  error
}

// Start returns the Redis the test should use. It skips the test when
// redis-server is not installed and REDIS_URL is unset (fails instead when
// LAYANAN_REQUIRE_REDIS=1), and fails it when the server does not start.
func Start(t testing.TB) Server {
	t.Helper()
	prefix := uniquePrefix(t)
	if url := os.Getenv(envURL); url != "" {
		t.Cleanup(func() { deleteKeys(t, url, prefix) })
		return Server{URL: url, Prefix: prefix}
	}

	if shared.enabled {
		shared.once.Do(func() {
			dir, err := os.MkdirTemp("", "redistest-")
			if err != nil {
				shared.err = fmt.Errorf("create a folder for redis-server: %w", err)
				return
			}
			shared.proc, shared.err = startProcess(dir, true, nil)
		})
		if shared.err != nil {
			unavailable(t, shared.err, envURL)
		}
		return Server{URL: shared.proc.url, Prefix: prefix}
	}

	p, err := startProcess(t.TempDir(), false, nil)
	if err != nil {
		unavailable(t, err, envURL)
	}
	t.Cleanup(p.stop)
	return Server{URL: p.url, Prefix: prefix}
}

// Main runs the package's tests with one throwaway redis-server shared by
// all of them (and one cluster, if a test asks for one), and stops them
// afterwards. Call it from TestMain and pass its result to os.Exit.
func Main(m *testing.M) int {
	shared.enabled = true
	code := m.Run()
	if shared.proc != nil {
		shared.proc.stop()
	}
	if shared.cluster != nil {
		shared.cluster.stop()
	}
	return code
}

// unavailable ends a test that has no Redis; env names the variable that
// would have given it one.
func unavailable(t testing.TB, err error, env string) {
	t.Helper()
	if (errors.Is(err, errNoBinary) || errors.Is(err, errNoCLI)) && os.Getenv(envRequire) != "1" {
		t.Skipf("redistest: %v; install it or set %s to run this test (%s=1 turns this skip into a failure)", err, env, envRequire)
	}
	t.Fatalf("redistest: %v", err)
}

// uniquePrefix names the test, for a reader of the server's keys, and adds
// random bytes, for uniqueness across runs and processes.
func uniquePrefix(t testing.TB) string {
	t.Helper()
	var name strings.Builder
	for _, r := range t.Name() {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			name.WriteRune(r)
		default:
			name.WriteByte('_')
		}
		if name.Len() >= 60 {
			break
		}
	}
	random := make([]byte, 6)
	if _, err := rand.Read(random); err != nil {
		t.Fatalf("redistest: random key prefix: %v", err)
	}
	return "layanantest:" + name.String() + ":" + hex.EncodeToString(random) + ":"
}

// deleteKeys removes the test's keys from a REDIS_URL server. Only a
// single-node URL is understood here; for others the keys are left and the
// test log says so.
func deleteKeys(t testing.TB, url, prefix string) {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Logf("redistest: keys under %q not deleted: %s is not a single-node URL", prefix, envURL)
		return
	}
	client := redis.NewClient(opts)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var keys []string
	iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("redistest: list keys under %q: %v", prefix, err)
		return
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := client.Del(ctx, keys[:n]...).Err(); err != nil {
			t.Errorf("redistest: delete keys under %q: %v", prefix, err)
			return
		}
		keys = keys[n:]
	}
}

// process is a running redis-server.
type process struct {
	cmd     *exec.Cmd
	url     string
	dir     string        // removed by stop when ownsDir
	exited  chan struct{} // closed when the process has exited
	output  *lockedBuffer // what redis-server printed, for error messages
	once    sync.Once
	ownsDir bool
}

// errExited is the cause when redis-server exited before answering; with a
// port taken by someone else since it was probed, a retry helps.
var errExited = errors.New("redis-server exited before answering PING")

// startProcess starts redis-server on a free loopback port with dir as its
// working folder, and waits until it answers PING. A non-nil node makes it
// a cluster node: its port leaves room for the cluster bus, and node gives
// the options for the port chosen.
func startProcess(dir string, ownsDir bool, node func(port int) []string) (*process, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if ownsDir {
			os.RemoveAll(dir)
		}
		return nil, errNoBinary
	}
	for attempt := 1; ; attempt++ {
		pick, extra := freePort, []string(nil)
		if node != nil {
			pick = freeNodePort
		}
		port, err := pick()
		if err != nil {
			if ownsDir {
				os.RemoveAll(dir)
			}
			return nil, err
		}
		if node != nil {
			extra = node(port)
		}
		p, err := launch(bin, dir, port, extra)
		if err == nil {
			p.ownsDir = ownsDir
			return p, nil
		}
		if !errors.Is(err, errExited) || attempt == portAttempts {
			if ownsDir {
				os.RemoveAll(dir)
			}
			return nil, err
		}
	}
}

func launch(bin, dir string, port int, extra []string) (*process, error) {
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", dir,
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Dir = dir
	dieWithParent(cmd)
	out := &lockedBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	p := &process{
		cmd:    cmd,
		url:    fmt.Sprintf("redis://127.0.0.1:%d/0", port),
		dir:    dir,
		exited: make(chan struct{}),
		output: out,
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%w on port %d: %s", errExited, port, out.tail())
		default:
		}
		if ping(addr) {
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("redis-server on port %d did not answer PING within %s: %s", port, readyTimeout, out.tail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping speaks just enough RESP to see whether the server is ready.
func ping(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.TrimSpace(line) == "+PONG"
}

// stop ends the server, politely first, and removes its folder when it
// made it. It is safe to call more than once.
func (p *process) stop() {
	p.once.Do(func() {
		select {
		case <-p.exited:
		default:
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				p.cmd.Process.Kill()
			}
			select {
			case <-p.exited:
			case <-time.After(stopTimeout):
				p.cmd.Process.Kill()
				<-p.exited
			}
		}
		if p.ownsDir {
			os.RemoveAll(p.dir)
		}
	})
}

// freePort asks the kernel for a loopback port nobody uses right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer collects a process's output; exec writes to it from its own
// goroutine while a failed start reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the end of the output, which holds the reason for a failure.
func (b *lockedBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSpace(b.buf.String())
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	if s == "" {
		return "(no output)"
	}
	return s
}
