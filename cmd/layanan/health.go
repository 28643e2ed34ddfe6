package main

import (
	"context"
	"fmt"
	"io"

	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/internal/ops"
)

// runHealth is `layanan health`: exit 0 when the server on HTTP_ADDR
// answers /healthz (the container image has no curl for HEALTHCHECK).
func runHealth(ctx context.Context, args []string, getenv env, stderr io.Writer) error {
	fs := newFlags("health", stderr, "layanan health\n\nMemeriksa /healthz server di HTTP_ADDR (bawaan :8080).\n\nEnglish: checks /healthz of the server at HTTP_ADDR (default :8080).")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	addr := cfg.HTTPAddr
	if addr == "" {
		return fmt.Errorf("%w: HTTP_ADDR=off: endpoint /healthz dimatikan, tidak ada yang bisa diperiksa", errUsage)
	}
	if err := ops.Probe(ctx, addr); err != nil {
		return fmt.Errorf("tidak sehat: %w", err)
	}
	return nil
}
