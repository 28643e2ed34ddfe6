package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot/store"
	"github.com/layanan-id/layanan/internal/app"
	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/knowledge"
	"github.com/layanan-id/layanan/report"
)

const reportHelp = `layanan report unanswered|feedback|comments [--since 7d] [--format table|csv] [--chat]

Laporan untuk petugas, dari penyimpanan yang sama dengan bot (REDIS_URL,
atau DATA_DIR/layanan.db):

  unanswered  pertanyaan yang tidak terjawab, dikelompokkan menurut
              kemiripan kata; yang paling sering ditanyakan di atas
  feedback    suara 👍/👎 per entri; yang paling banyak 👎 di atas.
              --since tidak berlaku di sini: suara disimpan tanpa tanggal,
              jadi laporan ini selalu mencakup semua suara
  comments    apa yang kurang menurut warga setelah menekan 👎 (alasan
              yang dipilih atau pesan yang ditulis), terbaru di atas

Penyimpanan bawaan (DATA_DIR) hanya bisa dibuka satu proses: hentikan
"layanan serve" dulu, atau jalankan laporan di server yang memakai REDIS_URL.
Percakapan "layanan chat" (DATA_DIR/chat.db) dibaca dengan --chat, atau
dengan sendirinya bila belum ada DATA_DIR/layanan.db.

Contoh:
  layanan report unanswered
  layanan report unanswered --since 90d --format csv > tak-terjawab.csv
  layanan report feedback --format csv > suara.csv
  layanan report comments --since 30d

English: staff reports from the store: unanswered questions grouped, 👍/👎 per entry, or what citizens said after 👎, as a table or CSV.`

// maxSinceDays bounds --since; the bot keeps questions for 90 days anyway.
const maxSinceDays = 3650

func runReport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr, reportHelp)
	sinceRaw := fs.String("since", "7d", "pertanyaan sejak berapa lama: hari (7d, 90d) atau jam (24h); tidak berlaku untuk feedback")
	format := fs.String("format", "table", "table (tabel untuk terminal) atau csv (untuk spreadsheet)")
	fromChat := fs.Bool("chat", false, "baca yang disimpan \"layanan chat\" (DATA_DIR/chat.db)")
	// The report's name may come before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	switch {
	case name == "":
		return fmt.Errorf("%w: sebutkan laporannya: layanan report unanswered, feedback atau comments", errUsage)
	case name != "unanswered" && name != "feedback" && name != "comments":
		return fmt.Errorf("%w: laporan tidak dikenal %q; pilih unanswered, feedback atau comments", errUsage, name)
	case len(rest) > 0:
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, rest[0])
	}
	since, err := parseSince(*sinceRaw)
	if err != nil {
		return err
	}
	if *format != "table" && *format != "csv" {
		return fmt.Errorf("%w: --format %q tidak dikenal; pilih table atau csv", errUsage, *format)
	}
	if name == "feedback" {
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "since" {
				fmt.Fprintln(stderr, "catatan: --since tidak berlaku untuk feedback (suara disimpan tanpa tanggal); semua suara dilaporkan")
			}
		})
	}

	cfg, err := config.Load(getenv, false)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	log := config.NewLogger(cfg, stderr)
	file := config.StoreFile
	if *fromChat {
		if cfg.RedisURL != "" {
			return fmt.Errorf("%w: --chat membaca DATA_DIR/chat.db; kosongkan REDIS_URL", errUsage)
		}
		file = config.ChatStoreFile
	}
	path := filepath.Join(cfg.DataDir, file)
	if cfg.RedisURL == "" {
		// Opening would create an empty store: a wrong DATA_DIR must not
		// look like a quiet week.
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			chat := filepath.Join(cfg.DataDir, config.ChatStoreFile)
			if _, err := os.Stat(chat); err == nil && !*fromChat {
				// Staff tried the bot in the terminal and want its report.
				fmt.Fprintf(stderr, "catatan: %s tidak ada; membaca percakapan dari \"layanan chat\" (%s)\n", path, chat)
				file, path = config.ChatStoreFile, chat
			} else {
				return fmt.Errorf("%w: DATA_DIR: %s tidak ada; bot belum pernah berjalan dengan DATA_DIR ini (atau REDIS_URL belum diisi?)", errUsage, path)
			}
		}
	}
	st, err := app.OpenStore(ctx, cfg, file, log)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%s sedang dipakai proses lain, biasanya \"layanan serve\" (penyimpanan bawaan hanya bisa dibuka satu proses): hentikan server dulu, atau jalankan laporan di server yang memakai REDIS_URL: %w", path, store.ErrLocked)
	}
	if err != nil {
		return err
	}
	defer st.Close()

	from := time.Now().Add(-since.d)
	fromText := from.Local().Format("2006-01-02 15:04 MST")
	switch name {
	case "unanswered":
		qs, err := st.ListUnanswered(ctx, from)
		if err != nil {
			return fmt.Errorf("baca pertanyaan tak terjawab: %w", err)
		}
		qs = report.Questions(qs)
		groups := report.GroupUnanswered(qs)
		for i := range groups {
			groups[i].Last = groups[i].Last.Local()
		}
		if *format == "csv" {
			return report.WriteUnansweredCSV(stdout, groups)
		}
		if len(groups) == 0 {
			fmt.Fprintf(stdout, "Tidak ada pertanyaan tak terjawab sejak %s (%s terakhir).\n", fromText, since)
			return nil
		}
		fmt.Fprintf(stdout, "Pertanyaan tak terjawab sejak %s (%s terakhir): %d pertanyaan dalam %d kelompok.\n\n",
			fromText, since, len(qs), len(groups))
		return report.WriteUnansweredTable(stdout, groups)
	case "comments":
		qs, err := st.ListUnanswered(ctx, from)
		if err != nil {
			return fmt.Errorf("baca komentar: %w", err)
		}
		cs := report.Comments(qs, entryTitles(cfg.FAQDir, getenv, stderr))
		for i := range cs {
			cs[i].At = cs[i].At.Local()
		}
		if *format == "csv" {
			return report.WriteCommentsCSV(stdout, cs)
		}
		if len(cs) == 0 {
			fmt.Fprintf(stdout, "Tidak ada komentar setelah 👎 sejak %s (%s terakhir).\n", fromText, since)
			return nil
		}
		fmt.Fprintf(stdout, "Komentar setelah 👎 sejak %s (%s terakhir): %d.\n\n", fromText, since, len(cs))
		return report.WriteCommentsTable(stdout, cs)
	default: // feedback
		votes, err := st.FeedbackCounts(ctx)
		if err != nil {
			return fmt.Errorf("baca suara: %w", err)
		}
		fb := report.Feedback(votes, entryTitles(cfg.FAQDir, getenv, stderr))
		if *format == "csv" {
			return report.WriteFeedbackCSV(stdout, fb)
		}
		if len(fb) == 0 {
			fmt.Fprintln(stdout, "Belum ada suara 👍/👎.")
			return nil
		}
		helpful, notHelpful := 0, 0
		for _, f := range fb {
			helpful, notHelpful = helpful+f.Helpful, notHelpful+f.NotHelpful
		}
		fmt.Fprintf(stdout, "Suara per entri, sejak awal: %d entri, %d 👍 membantu, %d 👎 tidak membantu.\n\n", len(fb), helpful, notHelpful)
		return report.WriteFeedbackTable(stdout, fb)
	}
}

// sinceFlag is a --since value: a duration and how it was written.
type sinceFlag struct {
	d    time.Duration
	n    int
	unit string // "hari" or "jam"
}

func (s sinceFlag) String() string { return strconv.Itoa(s.n) + " " + s.unit }

// parseSince reads --since: a whole number of days (7d) or hours (24h).
func parseSince(raw string) (sinceFlag, error) {
	bad := fmt.Errorf("%w: --since %q: tulis jumlah hari atau jam, misalnya 7d, 90d atau 24h", errUsage, raw)
	raw = strings.ToLower(strings.TrimSpace(raw))
	if len(raw) < 2 {
		return sinceFlag{}, bad
	}
	digits, unit := raw[:len(raw)-1], raw[len(raw)-1:]
	for _, r := range digits {
		if r < '0' || r > '9' {
			return sinceFlag{}, bad
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n <= 0 {
		return sinceFlag{}, bad
	}
	s := sinceFlag{n: n, unit: "jam"}
	switch unit {
	case "d":
		s.unit = "hari"
		s.d = time.Duration(min(n, maxSinceDays+1)) * 24 * time.Hour
	case "h":
		s.d = time.Duration(min(n, maxSinceDays*24+1)) * time.Hour
	default:
		return sinceFlag{}, bad
	}
	if s.d > maxSinceDays*24*time.Hour {
		return sinceFlag{}, fmt.Errorf("%w: --since %q: paling lama %dd (bot menyimpan pertanyaan 90 hari)", errUsage, raw, maxSinceDays)
	}
	return s, nil
}

// entryTitles maps entry ids to titles from FAQ_DIR or the bundled
// content. Without content the report still shows the ids, so a failure
// is only a warning.
func entryTitles(dir string, getenv env, stderr io.Writer) map[string]string {
	titles := make(map[string]string)
	src, err := resolveContent(dir, getenv)
	if err == nil {
		var c *knowledge.Content
		c, err = knowledge.Load(src.FS)
		if c != nil {
			for _, e := range c.Entries {
				titles[e.ID] = e.Title
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "peringatan: judul entri tidak bisa dimuat (%v); laporan hanya memakai id entri\n", err)
	}
	return titles
}
