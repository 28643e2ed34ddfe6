package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
	"unicode/utf16"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/internal/app"
	"github.com/layanan-id/layanan/knowledge"
	"github.com/layanan-id/layanan/knowledge/local"
)

// placeholderHint says where a placeholder's data goes in lokal.yaml.
func placeholderHint(p knowledge.Placeholder) string {
	switch p.Kind {
	case knowledge.PlaceholderOffice:
		return fmt.Sprintf("tambahkan kantor dengan id %q di offices", p.Name)
	case knowledge.PlaceholderHours:
		return fmt.Sprintf("tambahkan kantor dengan id %q dan hours-nya di offices", p.Name)
	case knowledge.PlaceholderValue:
		return fmt.Sprintf("tambahkan %q di values", p.Name)
	}
	return "bentuk lama; tulis ulang sebagai [[kantor: id | ...]] atau [[nilai: nama | ...]]"
}

const lintHelp = `layanan lint [--faq DIR]

Memeriksa semua konten FAQ: YAML rusak (berkas:baris), id hilang atau ganda,
kategori tak dikenal, kurang dari 3 pertanyaan, updated atau source hilang,
tanggal updated di masa depan, jawaban terlalu panjang untuk satu pesan.
Entri yang lebih dari setahun tidak diperbarui diberi peringatan "perlu
ditinjau"; data setempat yang belum diisi ([[kantor: ...]], [[nilai: ...]])
dan tahun tanpa daftar hari libur juga peringatan, dengan jumlahnya.
lokal.yaml diperiksa seperti entri (kolom tak dikenal, jam salah, id kantor
ganda, layanan yang bukan id entri atau kategori). Keluar 1 bila ada
masalah (peringatan saja: 0).

English: checks all content and lists every problem as file:line; exits 1 when there is an error (warnings alone: 0).`

func runLint(args []string, getenv env, now func() time.Time, stdout, stderr io.Writer) error {
	fs := newFlags("lint", stderr, lintHelp)
	dir := fs.String("faq", "", "folder konten FAQ (bawaan: FAQ_DIR, lalu konten bawaan)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	}
	src, err := resolveContent(*dir, getenv)
	if err != nil {
		return err
	}
	c, err := knowledge.Load(src.FS)
	if errors.Is(err, knowledge.ErrNoEntries) {
		printProblems(stdout, src, c.Problems)
		fmt.Fprintf(stdout, "%s: tidak ada entri FAQ yang bisa dibaca\n", src.Name)
		return errFound
	}
	if err != nil {
		return err
	}
	problems, err := lintProblems(c, now())
	if err != nil {
		return err
	}
	errs, warnings := printProblems(stdout, src, problems)
	if n := len(c.Placeholders); n > 0 {
		fmt.Fprintf(stdout, "%d data setempat belum diisi (isi di %s); warga membaca \"tanyakan di kantor layanan setempat\" di tempatnya\n", n, local.FileName)
	}
	if errs > 0 {
		fmt.Fprintf(stdout, "%d masalah ditemukan, %d peringatan (%d entri terbaca)\n", errs, warnings, len(c.Entries))
		return errFound
	}
	fmt.Fprintf(stdout, "OK: %d entri, %d kategori, %d grup sinonim; tidak ada masalah, %d peringatan\n",
		len(c.Entries), len(c.Categories), len(c.Synonyms), warnings)
	return nil
}

// lintProblems is everything lint reports about loaded content: the
// loading problems, dates, unfilled local data, answers too long for one
// message and years without a holiday list, in file and line order.
func lintProblems(c *knowledge.Content, now time.Time) ([]knowledge.Problem, error) {
	problems := append(slices.Clone(c.Problems), c.CheckDates(now)...)
	for _, p := range c.Placeholders {
		problems = append(problems, knowledge.Problem{File: p.File, Line: p.Line, Warning: true,
			Message: fmt.Sprintf("data setempat belum diisi: %s (%s); warga membaca %q", p.Form(), placeholderHint(p), p.Reads())})
	}
	long, err := tooLong(c, now)
	if err != nil {
		return nil, err
	}
	problems = append(problems, long...)
	for _, y := range c.Local.MissingHolidayYears(now) {
		problems = append(problems, knowledge.Problem{File: local.FileName, Warning: true,
			Message: fmt.Sprintf("hari libur nasional %d belum diketahui: bot menjawab jam buka dari jadwal mingguan dengan catatan bahwa hari libur belum diketahui; tambahkan daftar SKB %d (dengan 1 Januari) di holidays", y, y)})
	}
	return knowledge.SortProblems(problems), nil
}

// printProblems prints one problem per line and counts errors and warnings.
func printProblems(w io.Writer, src app.Content, problems []knowledge.Problem) (errs, warnings int) {
	for _, p := range problems {
		fmt.Fprintln(w, src.ProblemLine(p))
		if p.Warning {
			warnings++
		} else {
			errs++
		}
	}
	return errs, warnings
}

// tooLong reports the entries whose answer card, as the bot renders it,
// does not fit in one Telegram message.
func tooLong(c *knowledge.Content, now time.Time) ([]knowledge.Problem, error) {
	cards, err := bot.NewCards()
	if err != nil {
		return nil, err
	}
	var out []knowledge.Problem
	for i := range c.Entries {
		e := &c.Entries[i]
		if n := len(utf16.Encode([]rune(cards.Text(bot.LangID, c.Local, e, now)))); n > render.MaxMessage {
			out = append(out, knowledge.Problem{File: e.File, Line: 1,
				Message: fmt.Sprintf("jawaban terlalu panjang untuk dikirim: %d karakter, satu pesan Telegram muat paling banyak %d; persingkat isi atau kolom kartu", n, render.MaxMessage)})
		}
	}
	return out, nil
}
