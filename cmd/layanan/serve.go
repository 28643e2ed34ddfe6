package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/layanan-id/layanan/internal/app"
	"github.com/layanan-id/layanan/internal/config"
)

const serveHelp = `layanan serve

Menjalankan bot Telegram. Semua pengaturan dari variabel lingkungan (lihat
README): TELEGRAM_TOKEN (wajib), TELEGRAM_API_URL, REDIS_URL, DATA_DIR,
FAQ_DIR, ADMIN_IDS, LOG_LEVEL, LOG_FORMAT, WEBHOOK_URL, WEBHOOK_SECRET,
LISTEN_ADDR, HTTP_ADDR, SESSION_TTL, FLOOD_LIMIT, BROADCAST_RATE,
CONTACT_TEXT.

English: runs the Telegram bot; every setting comes from environment variables (see README).`

// runServe is `layanan serve`; it returns when ctx ends (SIGINT/SIGTERM).
func runServe(ctx context.Context, args []string, getenv env, stderr io.Writer) error {
	fs := newFlags("serve", stderr, serveHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	}
	cfg, err := config.Load(getenv, true)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	a, err := app.New(ctx, cfg, config.NewLogger(cfg, stderr))
	if err != nil {
		return err
	}
	runErr := a.Run(ctx)
	return errors.Join(runErr, a.Close())
}
