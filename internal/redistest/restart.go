package redistest

import (
	"errors"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Restartable is a throwaway redis-server that a test can kill and start
// again on the same port, to see how the code under test rides out an
// outage: clients keep their URL and reconnect on their own.
//
// Unlike Start it never uses REDIS_URL, since a server other people use
// must not be killed; it skips the test when redis-server is not installed
// (fails it when LAYANAN_REQUIRE_REDIS=1).
type Restartable struct {
	// URL is a redis:// URL for the server; it stays the same across
	// restarts.
	URL string
	// Prefix is a key prefix no other Start returns, as in Server.
	Prefix string

	t       testing.TB
	bin     string
	dir     string
	port    int
	persist bool

	mu   sync.Mutex
	proc *process // nil while the server is down
}

// RestartOptions configures a Restartable.
type RestartOptions struct {
	// Persistent keeps the data across a kill and restart: every write goes
	// to an append-only file, fsynced before Redis answers (appendonly yes,
	// appendfsync always), so even SIGKILL loses nothing acknowledged.
	// Without it a restarted server starts empty, as a cache would.
	Persistent bool
}

// StartRestartable starts a redis-server on a free loopback port in a
// folder of the test's own, and stops it when the test ends.
func StartRestartable(t testing.TB, opts RestartOptions) *Restartable {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(envRequire) != "1" {
			t.Skipf("redistest: %v; install it to run this test (%s=1 turns this skip into a failure)", errNoBinary, envRequire)
		}
		t.Fatalf("redistest: %v", errNoBinary)
	}
	r := &Restartable{Prefix: uniquePrefix(t), t: t, bin: bin, dir: t.TempDir(), persist: opts.Persistent}
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		p, err := launch(bin, r.dir, port, r.args())
		if err == nil {
			r.port, r.proc, r.URL = port, p, p.url
			break
		}
		if !errors.Is(err, errExited) || attempt == portAttempts {
			t.Fatalf("redistest: %v", err)
		}
	}
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.proc != nil {
			r.proc.stop()
			r.proc = nil
		}
	})
	return r
}

// args are the persistence options; they come after launch's own, and
// redis-server takes the last value given.
func (r *Restartable) args() []string {
	if r.persist {
		return []string{"--appendonly", "yes", "--appendfsync", "always"}
	}
	return []string{"--appendonly", "no"}
}

// Kill ends the server with SIGKILL, as a crash or an OOM kill would, and
// waits until it has exited: connections drop, new ones are refused. It
// does nothing when the server is already down.
func (r *Restartable) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc == nil {
		return
	}
	p := r.proc
	r.proc = nil
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Kill()
		<-p.exited
	}
	p.stop() // marks it stopped; the folder stays for the restart
}

// Restart starts the server again on the same port and folder and waits
// until it answers PING (with Persistent, after it has loaded its data).
// It fails the test when the server does not come back, so call it from
// the test's goroutine. It does nothing when the server is running.
func (r *Restartable) Restart() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc != nil {
		return
	}
	// The port was free a moment ago, but the kernel may still hold it
	// briefly, or another process may have taken it: retry for a while.
	deadline := time.Now().Add(readyTimeout)
	for {
		p, err := launch(r.bin, r.dir, r.port, r.args())
		if err == nil {
			r.proc = p
			return
		}
		if !errors.Is(err, errExited) || time.Now().After(deadline) {
			r.t.Fatalf("redistest: restart on port %d: %v", r.port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
