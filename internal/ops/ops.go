// Package ops is the HTTP side for operators, separate from the webhook
// that Telegram calls: liveness for the container runtime (/healthz),
// readiness for a load balancer (/readyz, running the checks main gives
// it, such as a Redis ping) and Prometheus metrics (/metrics). Probe is
// the client of /healthz that the image's HEALTHCHECK runs as
// `layanan health`, since a distroless image has no curl.
//
// The texts here are for operators and may name internal errors; nothing
// here is shown to citizens.
package ops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// CheckTimeout bounds each readiness check.
const CheckTimeout = 2 * time.Second

// Check reports whether one dependency is usable; a nil error means ready.
// It should honour ctx, but /readyz answers at the timeout even if it
// does not.
type Check func(ctx context.Context) error

// Handler serves GET (and HEAD) /healthz, /readyz and /metrics; other
// paths get 404 and other methods 405. ready names the readiness checks;
// they run concurrently, each within CheckTimeout. The map is read, never
// changed, and must not be changed after the call.
func Handler(gatherer prometheus.Gatherer, ready map[string]Check) http.Handler {
	return newHandler(gatherer, ready, CheckTimeout)
}

func newHandler(gatherer prometheus.Gatherer, ready map[string]Check, timeout time.Duration) http.Handler {
	names := make([]string, 0, len(ready))
	for name := range ready {
		names = append(names, name)
	}
	slices.Sort(names)
	r := readiness{names: names, checks: ready, timeout: timeout}

	mux := http.NewServeMux()
	// A "GET" pattern also matches HEAD; other methods get 405 from the mux.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("GET /readyz", r.serveHTTP)
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	return mux
}

type readiness struct {
	names   []string // sorted, for a stable report
	checks  map[string]Check
	timeout time.Duration
}

func (rd readiness) serveHTTP(w http.ResponseWriter, req *http.Request) {
	errs := make([]error, len(rd.names))
	done := make(chan struct{}, len(rd.names))
	for i, name := range rd.names {
		go func() {
			errs[i] = rd.run(req.Context(), rd.checks[name])
			done <- struct{}{}
		}()
	}
	for range rd.names {
		<-done
	}

	status := http.StatusOK
	var b strings.Builder
	for i, name := range rd.names {
		if errs[i] != nil {
			status = http.StatusServiceUnavailable
			// One line per check, whatever the error says.
			msg := strings.Join(strings.Fields(errs[i].Error()), " ")
			fmt.Fprintf(&b, "%s: %s\n", name, msg)
		} else {
			fmt.Fprintf(&b, "%s ok\n", name)
		}
	}
	if len(rd.names) == 0 {
		b.WriteString("ok\n")
	}
	writeText(w, status, b.String())
}

// errTimeout is reported for a check that did not return in time.
var errTimeout = errors.New("timed out")

// run runs one check within the timeout. A check that ignores its context
// is left to finish on its own; its result is dropped.
func (rd readiness) run(ctx context.Context, check Check) error {
	ctx, cancel := context.WithTimeout(ctx, rd.timeout)
	defer cancel()
	result := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				result <- fmt.Errorf("panic: %v", p)
			}
		}()
		result <- check(ctx)
	}()
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w after %s", errTimeout, rd.timeout)
	}
}

func writeText(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
