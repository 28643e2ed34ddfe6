package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// testGatherer is a registry with one known sample.
func testGatherer(t *testing.T) prometheus.Gatherer {
	t.Helper()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "layanan_test_total", Help: "A test counter."})
	reg.MustRegister(c)
	c.Add(7)
	return reg
}

func pass(context.Context) error { return nil }

func fail(msg string) Check {
	return func(context.Context) error { return errors.New(msg) }
}

// hang waits for its context, as a Redis ping to a dead server would.
func hang(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// stuck ignores its context altogether.
func stuck(release <-chan struct{}) Check {
	return func(context.Context) error { <-release; return nil }
}

func TestHandler(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })

	tests := []struct {
		name       string
		method     string
		path       string
		ready      map[string]Check
		wantStatus int
		wantBody   string   // exact, when set
		contains   []string // each must appear
	}{
		{name: "healthz", method: "GET", path: "/healthz", wantStatus: 200, wantBody: "ok\n"},
		{name: "healthz HEAD", method: "HEAD", path: "/healthz", wantStatus: 200},
		{
			name: "ready, no checks", method: "GET", path: "/readyz",
			wantStatus: 200, wantBody: "ok\n",
		},
		{
			name: "ready", method: "GET", path: "/readyz",
			ready:      map[string]Check{"redis": pass, "content": pass},
			wantStatus: 200, wantBody: "content ok\nredis ok\n",
		},
		{
			name: "not ready", method: "GET", path: "/readyz",
			ready:      map[string]Check{"redis": fail("redis: dial tcp 10.0.0.5:6379: connection refused"), "content": pass},
			wantStatus: 503, wantBody: "content ok\nredis: redis: dial tcp 10.0.0.5:6379: connection refused\n",
		},
		{
			name: "error on several lines stays one line", method: "GET", path: "/readyz",
			ready:      map[string]Check{"store": fail("first\nsecond")},
			wantStatus: 503, wantBody: "store: first second\n",
		},
		{
			name: "check that waits for its context", method: "GET", path: "/readyz",
			ready:      map[string]Check{"redis": hang, "content": pass},
			wantStatus: 503, contains: []string{"content ok\n", "redis: timed out after 50ms"},
		},
		{
			name: "check that ignores its context", method: "GET", path: "/readyz",
			ready:      map[string]Check{"redis": stuck(release)},
			wantStatus: 503, wantBody: "redis: timed out after 50ms\n",
		},
		{
			name: "panicking check", method: "GET", path: "/readyz",
			ready:      map[string]Check{"redis": func(context.Context) error { panic("boom") }},
			wantStatus: 503, wantBody: "redis: panic: boom\n",
		},
		{
			name: "metrics", method: "GET", path: "/metrics",
			wantStatus: 200,
			contains:   []string{"# TYPE layanan_test_total counter\n", "layanan_test_total 7\n"},
		},
		{name: "unknown path", method: "GET", path: "/", wantStatus: 404},
		{name: "unknown path under healthz", method: "GET", path: "/healthz/x", wantStatus: 404},
		{name: "POST healthz", method: "POST", path: "/healthz", wantStatus: 405},
		{name: "DELETE metrics", method: "DELETE", path: "/metrics", wantStatus: 405},
		{name: "PUT readyz", method: "PUT", path: "/readyz", ready: map[string]Check{"redis": pass}, wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(testGatherer(t), tt.ready, 50*time.Millisecond)
			srv := httptest.NewServer(h)
			defer srv.Close()

			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			body := string(b)

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d; body:\n%s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body:\n%q\nwant:\n%q", body, tt.wantBody)
			}
			for _, c := range tt.contains {
				if !strings.Contains(body, c) {
					t.Errorf("body lacks %q:\n%s", c, body)
				}
			}
			if tt.method == "HEAD" && body != "" {
				t.Errorf("HEAD returned a body: %q", body)
			}
			if resp.StatusCode == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
}

// Checks run concurrently: several slow ones take one timeout, not the sum.
func TestReadyChecksRunConcurrently(t *testing.T) {
	ready := map[string]Check{"a": hang, "b": hang, "c": hang, "d": hang}
	h := newHandler(testGatherer(t), ready, 100*time.Millisecond)
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	if d := time.Since(start); d > 350*time.Millisecond {
		t.Errorf("took %s for four 100ms checks; they did not run concurrently", d)
	}
}

func TestHandlerTimeoutIsTwoSeconds(t *testing.T) {
	if CheckTimeout != 2*time.Second {
		t.Errorf("CheckTimeout = %s, want 2s", CheckTimeout)
	}
}
