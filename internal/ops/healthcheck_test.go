package ops

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestProbeURL(t *testing.T) {
	tests := []struct {
		addr    string
		want    string
		wantErr bool
	}{
		{addr: "", wantErr: true}, // the caller gives HTTP_ADDR or its default
		{addr: ":8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: ":9090", want: "http://127.0.0.1:9090/healthz"},
		{addr: "0.0.0.0:8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "[::]:8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "127.0.0.1:8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "localhost:8080", want: "http://localhost:8080/healthz"},
		{addr: "[::1]:8080", want: "http://[::1]:8080/healthz"},
		{addr: "10.1.2.3:8080", want: "http://10.1.2.3:8080/healthz"},
		{addr: "8080", wantErr: true},
		{addr: "localhost:", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := probeURL(tt.addr)
			if tt.wantErr {
				if err == nil {
					t.Errorf("probeURL(%q) = %q, want an error", tt.addr, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("probeURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
			}
		})
	}
}

func TestProbe(t *testing.T) {
	ops := httptest.NewServer(Handler(prometheus.NewRegistry(), nil))
	defer ops.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedAddr := closed.Listener.Addr().String()
	closed.Close()

	port := func(addr string) string {
		_, p, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	tests := []struct {
		name    string
		addr    string
		wantErr string // "" for success
	}{
		{name: "alive", addr: ops.Listener.Addr().String()},
		{name: "alive, port only", addr: ":" + port(ops.Listener.Addr().String())},
		{name: "unhealthy", addr: failing.Listener.Addr().String(), wantErr: "status 503"},
		{name: "nothing listening", addr: closedAddr, wantErr: "ops: probe"},
		{name: "bad address", addr: "nonsense", wantErr: "address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Probe(context.Background(), tt.addr)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Probe(%q) = %v, want nil", tt.addr, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Probe(%q) = %v, want an error containing %q", tt.addr, err, tt.wantErr)
			}
		})
	}
}

func TestProbeHonoursContext(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(block)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Probe(ctx, slow.Listener.Addr().String()); err == nil {
		t.Error("Probe with a cancelled context succeeded")
	}
}
