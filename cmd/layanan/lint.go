package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/layanan-id/layanan/knowledge"
)

const lintHelp = `layanan lint [--faq DIR]

Memeriksa semua konten FAQ: YAML rusak (berkas:baris), id hilang atau ganda,
kategori tak dikenal, kurang dari 3 pertanyaan, updated atau source hilang,
jawaban terlalu panjang untuk satu pesan. Keluar 1 bila ada masalah.`

func runLint(args []string, getenv env, stdout, stderr io.Writer) error {
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
	for _, p := range c.Problems {
		fmt.Fprintln(stdout, src.problemLine(p))
	}
	if errors.Is(err, knowledge.ErrNoEntries) {
		fmt.Fprintf(stdout, "%s: tidak ada entri FAQ yang bisa dibaca\n", src.name)
		return errFound
	}
	if n := len(c.Problems); n > 0 {
		fmt.Fprintf(stdout, "%d masalah ditemukan (%d entri terbaca)\n", n, len(c.Entries))
		return errFound
	}
	fmt.Fprintf(stdout, "OK: %d entri, %d kategori, %d grup sinonim; tidak ada masalah\n",
		len(c.Entries), len(c.Categories), len(c.Synonyms))
	return nil
}
