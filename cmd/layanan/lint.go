package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/layanan-id/layanan/knowledge"
)

const lintHelp = `layanan lint [--faq DIR]

Memeriksa semua konten FAQ: YAML rusak (berkas:baris), id hilang atau ganda,
kategori tak dikenal, kurang dari 3 pertanyaan, updated atau source hilang,
tanggal updated di masa depan, jawaban terlalu panjang untuk satu pesan.
Entri yang lebih dari setahun tidak diperbarui diberi peringatan "perlu
ditinjau". Keluar 1 bila ada masalah (peringatan saja: 0).

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
	c, err := knowledge.Load(src.fsys)
	if err != nil && !errors.Is(err, knowledge.ErrNoEntries) {
		return err
	}
	problems := c.Problems
	if err == nil {
		problems = knowledge.SortProblems(append(slices.Clone(problems), c.CheckDates(now())...))
	}
	var errs, warnings int
	for _, p := range problems {
		fmt.Fprintln(stdout, src.problemLine(p))
		if p.Warning {
			warnings++
		} else {
			errs++
		}
	}
	if errors.Is(err, knowledge.ErrNoEntries) {
		fmt.Fprintf(stdout, "%s: tidak ada entri FAQ yang bisa dibaca\n", src.name)
		return errFound
	}
	if errs > 0 {
		fmt.Fprintf(stdout, "%d masalah ditemukan, %d peringatan (%d entri terbaca)\n", errs, warnings, len(c.Entries))
		return errFound
	}
	fmt.Fprintf(stdout, "OK: %d entri, %d kategori, %d grup sinonim; tidak ada masalah, %d peringatan\n",
		len(c.Entries), len(c.Categories), len(c.Synonyms), warnings)
	return nil
}
