package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/internal/app"
	"github.com/layanan-id/layanan/internal/config"
)

const konsolHelp = `layanan konsol-link --user ID

Mencetak tautan masuk konsol staf untuk pengguna Telegram ID (admin di
ADMIN_IDS atau editor di EDITOR_IDS), sama dengan yang dikirim bot untuk
/konsol: berlaku 10 menit dan sekali pakai. Memakai pengaturan yang sama
dengan serve: CONSOLE_ADDR / CONSOLE_URL, dan kunci konsol di REDIS_URL atau
DATA_DIR/console.key (tidak perlu menghentikan server).

English: prints a staff console login link for user ID (in ADMIN_IDS or EDITOR_IDS), valid 10 minutes and once, as the bot's /konsol does.`

func runKonsolLink(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("konsol-link", stderr, konsolHelp)
	user := fs.Int64("user", 0, "id pengguna Telegram (wajib)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	}
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case *user <= 0:
		return fmt.Errorf("%w: sebutkan --user ID (id pengguna Telegram)", errUsage)
	case cfg.Console.URL == nil:
		return fmt.Errorf("%w: konsol belum diatur: isi CONSOLE_ADDR (dan CONSOLE_URL bila tidak di loopback) seperti untuk serve", errUsage)
	case !slices.Contains(cfg.AdminIDs, *user) && !slices.Contains(cfg.Console.EditorIDs, *user):
		return fmt.Errorf("%w: pengguna %d tidak ada di ADMIN_IDS atau EDITOR_IDS; konsol akan menolaknya", errUsage, *user)
	}
	var st bot.TempStore
	if cfg.RedisURL != "" {
		opened, err := app.OpenStore(ctx, cfg, config.StoreFile, config.NewLogger(cfg, stderr))
		if err != nil {
			return err
		}
		defer opened.Close()
		st = opened
	}
	links, err := app.ConsoleLinks(ctx, cfg, st)
	if err != nil {
		return err
	}
	link, err := links.Link(*user)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, link)
	return err
}
