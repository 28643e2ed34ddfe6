package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/bot/store"
	"github.com/layanan-id/layanan/internal/app"
	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/internal/outbox"
)

const broadcastHelp = `layanan broadcast --file PENGUMUMAN.md [--topic KATEGORI] [--follow]

Mengantrekan siaran pengumuman untuk bot yang sedang berjalan (penyimpanan
yang sama: REDIS_URL, atau DATA_DIR bila server tidak sedang berjalan),
mencetak id siarannya, dan dengan --follow menampilkan kemajuannya sampai
selesai. Teks memakai Markdown seperti berkas konten dan harus muat satu
pesan Telegram.

English: queues an announcement for the running bot (same store: REDIS_URL, or DATA_DIR when no server is running), prints its id, and with --follow shows its progress until done.`

func runBroadcast(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("broadcast", stderr, broadcastHelp)
	file := fs.String("file", "", "berkas Markdown pengumuman (wajib)")
	topic := fs.String("topic", "", "id kategori: hanya pelanggan topik ini (bawaan: semua pelanggan)")
	follow := fs.Bool("follow", false, "ikuti kemajuan sampai selesai")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	}
	html, err := announcementHTML(*file)
	if err != nil {
		return err
	}
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := checkBroadcastTarget(ctx, cfg, *topic); err != nil {
		return err
	}
	log := config.NewLogger(cfg, stderr)
	st, err := app.OpenStore(ctx, cfg, config.StoreFile, log)
	if err != nil && cfg.RedisURL == "" && errors.Is(err, store.ErrLocked) {
		// A running server holds the embedded store: hand it the job.
		return broadcastViaOutbox(ctx, cfg.DataDir, html, *topic, *follow, stdout, stderr)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	return queueBroadcast(ctx, cfg, st, log, html, *topic, *follow, stdout, stderr)
}

// announcementHTML reads the announcement's Markdown file as Telegram HTML
// that fits in one message.
func announcementHTML(file string) (string, error) {
	if file == "" {
		return "", fmt.Errorf("%w: --file wajib diisi", errUsage)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%w: baca --file: %v", errUsage, err)
	}
	html, fits := render.OneMessage(string(data))
	if html == "" {
		return "", fmt.Errorf("%w: %s kosong", errUsage, file)
	}
	if !fits {
		return "", fmt.Errorf("%w: %s terlalu panjang untuk satu pesan Telegram (4.096 karakter)", errUsage, file)
	}
	return html, nil
}

// checkBroadcastTarget checks that the embedded store exists (the bot has
// run with this DATA_DIR) and that topic, when given, is a category.
func checkBroadcastTarget(ctx context.Context, cfg config.Config, topic string) error {
	if cfg.RedisURL == "" {
		path := filepath.Join(cfg.DataDir, config.StoreFile)
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("%w: DATA_DIR: %s tidak ada; arahkan DATA_DIR ke data bot, atau pakai REDIS_URL", errUsage, path)
		}
	}
	if topic == "" {
		return nil
	}
	ix, err := buildIndexAt(ctx, cfg.FAQDir, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer ix.Close()
	if _, found := ix.Content().Category(topic); !found {
		return fmt.Errorf("%w: --topic %q bukan id kategori", errUsage, topic)
	}
	return nil
}

// queueBroadcast queues the job in the store for the running bot (or the
// next one started) and, with follow, reports its progress.
func queueBroadcast(ctx context.Context, cfg config.Config, st *store.Opened, log *slog.Logger, html, topic string, follow bool, stdout, stderr io.Writer) error {
	// We could open the embedded store, so no server is running.
	noServer := cfg.RedisURL == ""
	if noServer && follow {
		return fmt.Errorf("%w: --follow: server tidak berjalan, jadi tidak ada yang bisa diikuti; tidak ada yang diantrekan. Jalankan layanan serve dulu, atau ulangi tanpa --follow untuk mengantrekan siaran yang dikirim saat serve dijalankan", errUsage)
	}
	// No workers here: the running bot delivers.
	svc := broadcast.NewService(broadcast.Config{Rate: float64(cfg.BroadcastRate)}, st, st, nil, st.Limiter, log, nil)
	j, err := svc.StartBroadcast(ctx, html, topic, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", j.ID)
	fmt.Fprintf(stderr, "siaran %s diantrekan untuk %d penerima\n", j.ID, j.Total)
	if noServer {
		fmt.Fprintln(stderr, "server tidak berjalan: siaran dikirim saat layanan serve dijalankan dengan DATA_DIR yang sama")
	}
	if !follow {
		return nil
	}
	return followProgress(ctx, stderr, followEvery, followStall, func(ctx context.Context) (bot.BroadcastStatus, error) {
		return svc.StatusOf(ctx, j.ID)
	})
}

// How --follow polls, and how long without progress it takes before it
// says that no server seems to be delivering.
const (
	followEvery = time.Second
	followStall = 15 * time.Second
)

// followProgress shows a broadcast's progress until it ends or ctx ends:
// on a terminal one line redrawn in place, otherwise a line whenever the
// counts change; then a final line. The time left is shown only while
// the counts move, and when they have not moved for stall, it says that
// no server seems to be delivering.
func followProgress(ctx context.Context, w io.Writer, every, stall time.Duration, status func(context.Context) (bot.BroadcastStatus, error)) error {
	term := isTerminal(w)
	lastDone, lastMove, warned, lastLine := -1, time.Now(), false, ""
	for {
		s, err := status(ctx)
		if err != nil {
			if term {
				fmt.Fprintln(w)
			}
			return err
		}
		done := s.Sent + s.Failed + s.Blocked + s.Skipped
		moving := lastDone >= 0 && done > lastDone
		if done != lastDone {
			lastDone, lastMove = done, time.Now()
		}
		line := progressLine(s, moving)
		switch {
		case term:
			fmt.Fprintf(w, "\r%s", line)
		case line != lastLine:
			fmt.Fprintln(w, line)
		}
		lastLine = line
		if s.State == broadcast.StateDone || s.State == broadcast.StateCancelled {
			if term {
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, finalLine(s))
			return nil
		}
		if !warned && time.Since(lastMove) >= stall {
			warned = true
			if term {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "tidak ada kemajuan selama %s: tampaknya tidak ada server yang mengirim. Siaran tetap di antrean dan dikirim saat layanan serve berjalan dengan penyimpanan yang sama; Ctrl-C berhenti mengikuti.\n", stall.Round(time.Second))
		}
		select {
		case <-ctx.Done():
			if term {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "berhenti mengikuti; siaran %s tetap berjalan (lihat /broadcast status)\n", s.ID)
			return nil
		case <-time.After(every):
		}
	}
}

// isTerminal reports whether w is a terminal, where a line can be redrawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// progressLine is one line: a bar, counts and, while they move, the time
// left.
func progressLine(s bot.BroadcastStatus, moving bool) string {
	const width = 30
	done := s.Sent + s.Failed + s.Blocked + s.Skipped
	filled := width
	if s.Total > 0 {
		filled = min(width, done*width/s.Total)
	}
	left := "menunggu pengirim"
	if moving {
		left = "sisa ±" + s.Remaining.String()
	}
	return fmt.Sprintf("[%s%s] %d/%d terkirim %d, gagal %d, memblokir %d, %s   ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, s.Total, s.Sent, s.Failed, s.Blocked, left)
}

// finalLine says how a broadcast ended.
func finalLine(s bot.BroadcastStatus) string {
	how := "selesai"
	if s.State == broadcast.StateCancelled {
		how = "dibatalkan"
	}
	return fmt.Sprintf("siaran %s %s: terkirim %d, gagal %d, memblokir %d, dilewati %d dari %d", s.ID, how, s.Sent, s.Failed, s.Blocked, s.Skipped, s.Total)
}

// broadcastViaOutbox queues through the running server's outbox and, with
// follow, shows the progress the server writes back.
func broadcastViaOutbox(ctx context.Context, dataDir, html, topic string, follow bool, stdout, stderr io.Writer) error {
	id, err := outbox.Queue(dataDir, html, topic)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "server sedang berjalan; permintaan siaran diserahkan kepadanya")
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, found, err := outbox.ReadStatus(dataDir, id)
		if err != nil {
			return err
		}
		switch {
		case found && st.Error != "":
			return fmt.Errorf("siaran: %s", st.Error)
		case found:
			fmt.Fprintln(stdout, st.Status.ID)
			fmt.Fprintf(stderr, "siaran %s diantrekan untuk %d penerima\n", st.Status.ID, st.Status.Total)
			if !follow {
				return nil
			}
			last := st.Status
			return followProgress(ctx, stderr, followEvery, followStall, func(context.Context) (bot.BroadcastStatus, error) {
				if next, ok, err := outbox.ReadStatus(dataDir, id); err == nil && ok && next.Error == "" {
					last = next.Status
				}
				return last, nil
			})
		case time.Now().After(deadline):
			return fmt.Errorf("server tidak mengambil permintaan siaran dalam 30 detik (%s tetap di %s)", id, outbox.Dir(dataDir))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}
