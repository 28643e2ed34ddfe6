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

const reportHelp = `layanan report unanswered|feedback|comments|examples [--since 7d] [--format table|csv] [--chat]

Laporan untuk petugas, dari penyimpanan yang sama dengan bot (REDIS_URL,
atau DATA_DIR/layanan.db):

  unanswered  pertanyaan yang tidak terjawab, dikelompokkan menurut
              kemiripan kata; yang paling sering ditanyakan di atas
  feedback    suara 👍/👎 per entri; yang paling banyak 👎 di atas.
              --since tidak berlaku di sini: suara disimpan tanpa tanggal,
              jadi laporan ini selalu mencakup semua suara
  comments    apa yang kurang menurut warga setelah menekan 👎 (alasan
              yang dipilih atau pesan yang ditulis), terbaru di atas
  examples    pertanyaan warga yang diusulkan petugas sebagai contoh
              pertanyaan sebuah entri (/contoh di grup petugas); tambahkan
              ke "questions" entrinya. "unanswered" juga menampilkannya

Penyimpanan bawaan (DATA_DIR) hanya bisa dibuka satu proses: hentikan
"layanan serve" dulu, atau jalankan laporan di server yang memakai REDIS_URL.
Percakapan "layanan chat" (DATA_DIR/chat.db) dibaca dengan --chat, atau
dengan sendirinya bila belum ada DATA_DIR/layanan.db.

Contoh:
  layanan report unanswered
  layanan report unanswered --since 90d --format csv > tak-terjawab.csv
  layanan report feedback --format csv > suara.csv
  layanan report comments --since 30d

English: staff reports from the store: unanswered questions grouped, 👍/👎 per entry, what citizens said after 👎, or the example questions staff suggested from handoffs, as a table or CSV.`

// maxSinceDays bounds --since; the bot keeps questions for 90 days anyway.
const maxSinceDays = 3650

// reportRequest is what `layanan report` was asked for.
type reportRequest struct {
	name, format string
	since        sinceFlag
	fromChat     bool
}

func runReport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	req, err := parseReportArgs(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	st, err := openReportStore(ctx, cfg, req.fromChat, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	w := reportWriter{out: stdout, format: req.format, since: req.since, from: time.Now().Add(-req.since.d)}
	switch req.name {
	case "unanswered":
		return w.unanswered(ctx, st)
	case "comments":
		return w.comments(ctx, st, entryTitles(cfg.FAQDir, getenv, stderr), false)
	case "examples":
		return w.comments(ctx, st, entryTitles(cfg.FAQDir, getenv, stderr), true)
	default: // feedback
		return w.feedback(ctx, st, entryTitles(cfg.FAQDir, getenv, stderr))
	}
}

// parseReportArgs reads the report's name (before or after the flags) and
// its flags.
func parseReportArgs(args []string, stderr io.Writer) (reportRequest, error) {
	var req reportRequest
	fs := newFlags("report", stderr, reportHelp)
	sinceRaw := fs.String("since", "7d", "pertanyaan sejak berapa lama: hari (7d, 90d) atau jam (24h); tidak berlaku untuk feedback")
	format := fs.String("format", "table", "table (tabel untuk terminal) atau csv (untuk spreadsheet)")
	fromChat := fs.Bool("chat", false, "baca yang disimpan \"layanan chat\" (DATA_DIR/chat.db)")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		req.name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return req, err
	}
	rest := fs.Args()
	if req.name == "" && len(rest) > 0 {
		req.name, rest = rest[0], rest[1:]
	}
	switch {
	case req.name == "":
		return req, fmt.Errorf("%w: sebutkan laporannya: layanan report unanswered, feedback, comments atau examples", errUsage)
	case req.name != "unanswered" && req.name != "feedback" && req.name != "comments" && req.name != "examples":
		return req, fmt.Errorf("%w: laporan tidak dikenal %q; pilih unanswered, feedback, comments atau examples", errUsage, req.name)
	case len(rest) > 0:
		return req, fmt.Errorf("%w: argumen tak terduga %q", errUsage, rest[0])
	case *format != "table" && *format != "csv":
		return req, fmt.Errorf("%w: --format %q tidak dikenal; pilih table atau csv", errUsage, *format)
	}
	since, err := parseSince(*sinceRaw)
	if err != nil {
		return req, err
	}
	if req.name == "feedback" {
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "since" {
				fmt.Fprintln(stderr, "catatan: --since tidak berlaku untuk feedback (suara disimpan tanpa tanggal); semua suara dilaporkan")
			}
		})
	}
	req.format, req.since, req.fromChat = *format, since, *fromChat
	return req, nil
}

// openReportStore opens the store the bot wrote: Redis, DATA_DIR's
// layanan.db or, with --chat or when only it exists, chat.db. A missing
// file is an error: an empty store would look like a quiet week.
func openReportStore(ctx context.Context, cfg config.Config, fromChat bool, stderr io.Writer) (*store.Opened, error) {
	file := config.StoreFile
	if fromChat {
		if cfg.RedisURL != "" {
			return nil, fmt.Errorf("%w: --chat membaca DATA_DIR/chat.db; kosongkan REDIS_URL", errUsage)
		}
		file = config.ChatStoreFile
	}
	path := filepath.Join(cfg.DataDir, file)
	if _, err := os.Stat(path); cfg.RedisURL == "" && errors.Is(err, os.ErrNotExist) {
		chat := filepath.Join(cfg.DataDir, config.ChatStoreFile)
		if _, err := os.Stat(chat); err != nil || fromChat {
			return nil, fmt.Errorf("%w: DATA_DIR: %s tidak ada; bot belum pernah berjalan dengan DATA_DIR ini (atau REDIS_URL belum diisi?)", errUsage, path)
		}
		// Staff tried the bot in the terminal and want its report.
		fmt.Fprintf(stderr, "catatan: %s tidak ada; membaca percakapan dari \"layanan chat\" (%s)\n", path, chat)
		file, path = config.ChatStoreFile, chat
	}
	st, err := app.OpenStore(ctx, cfg, file, config.NewLogger(cfg, stderr))
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%s sedang dipakai proses lain, biasanya \"layanan serve\" (penyimpanan bawaan hanya bisa dibuka satu proses): hentikan server dulu, atau jalankan laporan di server yang memakai REDIS_URL: %w", path, store.ErrLocked)
	}
	return st, err
}

// reportWriter prints one report as a table or CSV.
type reportWriter struct {
	out    io.Writer
	format string
	since  sinceFlag
	from   time.Time
}

func (w reportWriter) fromText() string { return w.from.Local().Format("2006-01-02 15:04 MST") }

func (w reportWriter) unanswered(ctx context.Context, st *store.Opened) error {
	all, err := st.ListUnanswered(ctx, w.from)
	if err != nil {
		return fmt.Errorf("baca pertanyaan tak terjawab: %w", err)
	}
	qs := report.Questions(all)
	groups := report.GroupUnanswered(qs)
	for i := range groups {
		groups[i].Last = groups[i].Last.Local()
	}
	if w.format == "csv" {
		return report.WriteUnansweredCSV(w.out, groups)
	}
	if len(groups) == 0 {
		fmt.Fprintf(w.out, "Tidak ada pertanyaan tak terjawab sejak %s (%s terakhir).\n", w.fromText(), w.since)
	} else {
		fmt.Fprintf(w.out, "Pertanyaan tak terjawab sejak %s (%s terakhir): %d pertanyaan dalam %d kelompok.\n\n",
			w.fromText(), w.since, len(qs), len(groups))
		if err := report.WriteUnansweredTable(w.out, groups); err != nil {
			return err
		}
	}
	if examples := report.Examples(all, nil); len(examples) > 0 {
		// Staff may turn these into content at once.
		fmt.Fprintf(w.out, "\nUsulan contoh pertanyaan dari petugas: %d (rinciannya: layanan report examples).\n", len(examples))
	}
	return nil
}

// comments prints the comments after 👎, or with examples the example
// questions staff suggested.
func (w reportWriter) comments(ctx context.Context, st *store.Opened, titles map[string]string, examples bool) error {
	qs, err := st.ListUnanswered(ctx, w.from)
	if err != nil {
		return fmt.Errorf("baca komentar: %w", err)
	}
	pick, writeCSV, writeTable, what := report.Comments, report.WriteCommentsCSV, report.WriteCommentsTable, "komentar setelah 👎"
	if examples {
		pick, writeCSV, writeTable, what = report.Examples, report.WriteExamplesCSV, report.WriteExamplesTable, "usulan contoh pertanyaan dari petugas"
	}
	cs := pick(qs, titles)
	for i := range cs {
		cs[i].At = cs[i].At.Local()
	}
	switch {
	case w.format == "csv":
		return writeCSV(w.out, cs)
	case len(cs) == 0:
		fmt.Fprintf(w.out, "Tidak ada %s sejak %s (%s terakhir).\n", what, w.fromText(), w.since)
		return nil
	}
	fmt.Fprintf(w.out, "%s%s sejak %s (%s terakhir): %d.\n\n", strings.ToUpper(what[:1]), what[1:], w.fromText(), w.since, len(cs))
	return writeTable(w.out, cs)
}

func (w reportWriter) feedback(ctx context.Context, st *store.Opened, titles map[string]string) error {
	votes, err := st.FeedbackCounts(ctx)
	if err != nil {
		return fmt.Errorf("baca suara: %w", err)
	}
	fb := report.Feedback(votes, titles)
	switch {
	case w.format == "csv":
		return report.WriteFeedbackCSV(w.out, fb)
	case len(fb) == 0:
		fmt.Fprintln(w.out, "Belum ada suara 👍/👎.")
		return nil
	}
	helpful, notHelpful := 0, 0
	for _, f := range fb {
		helpful, notHelpful = helpful+f.Helpful, notHelpful+f.NotHelpful
	}
	fmt.Fprintf(w.out, "Suara per entri, sejak awal: %d entri, %d 👍 membantu, %d 👎 tidak membantu.\n\n", len(fb), helpful, notHelpful)
	return report.WriteFeedbackTable(w.out, fb)
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
