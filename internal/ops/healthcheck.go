package ops

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ProbeTimeout bounds Probe.
const ProbeTimeout = 3 * time.Second

// Probe asks the ops server listening on addr (HTTP_ADDR) whether the
// process is alive: GET /healthz must answer 200
// within ProbeTimeout. An address without a host, or with a wildcard one
// (":8080", "0.0.0.0:8080", "[::]:8080"), is probed on 127.0.0.1. It
// returns an error for an address that is not host:port, a failed request
// or another status; `layanan health` exits non-zero on it, which marks
// the container unhealthy.
func Probe(ctx context.Context, addr string) error {
	u, err := probeURL(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("ops: probe %s: %w", u, err)
	}
	// A client of its own: no proxy from the environment, no keep-alive to
	// a process that is about to exit.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("ops: probe: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ops: probe %s: status %d", u, resp.StatusCode)
	}
	return nil
}

// probeURL turns a listen address into the URL of its /healthz.
func probeURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("ops: probe: address %q: %w", addr, err)
	}
	if port == "" {
		return "", fmt.Errorf("ops: probe: address %q: missing port", addr)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
