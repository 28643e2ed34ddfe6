package knowledge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/faq"
	"github.com/layanan-id/layanan/knowledge/analysis"
)

// generatedContent makes n entries from the bundled content's words, shaped
// like real entries (title, questions, keywords, card, a 150-word body),
// so the index behaves as a large deployment's would.
func generatedContent(tb testing.TB, n int) *Content {
	tb.Helper()
	real, err := Load(faq.Files)
	if err != nil {
		tb.Fatal(err)
	}
	seen := make(map[string]bool)
	var vocab []string
	for _, e := range real.Entries {
		for _, w := range analysis.Tokenize(e.Title + " " + strings.Join(e.Questions, " ") + " " + e.Body) {
			if !seen[w] {
				seen[w] = true
				vocab = append(vocab, w)
			}
		}
	}
	slices.Sort(vocab)
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	words := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(ws, " ")
	}
	c := &Content{Entries: make([]Entry, n)}
	for i := range c.Entries {
		c.Entries[i] = Entry{
			ID:         fmt.Sprintf("entri-%05d", i),
			Title:      words(4),
			Category:   DefaultCategoryID,
			Questions:  []string{words(7) + "?", words(6) + "?", words(8) + "?"},
			Keywords:   []string{words(1), words(2), words(1)},
			Fee:        words(5),
			Duration:   words(3),
			Where:      words(6),
			LegalBasis: words(8),
			Source:     "https://example.go.id/",
			Updated:    time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			Body:       words(150),
		}
	}
	slices.SortFunc(c.Entries, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	return c
}

var benchQuestions = []string{
	"gmn cara bikin ktp pertama kali?",
	"syarat ngurus akte lahir apa aja",
	"perpanjang sim dmn",
	"how do i renew my driving license",
	"berapa biaya paspor elektronik",
	"perpanjngan stnk 5 tahunan",
	"daftar bpjs kesehatan mandiri lewat hp",
	"resep rendang padang",
}

func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{40, 1000, 10000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			var ix *Index
			if n == 40 {
				ix = bundledIndex(b)
			} else {
				var err error
				ix, err = Build(context.Background(), generatedContent(b, n))
				if err != nil {
					b.Fatal(err)
				}
				defer ix.Close()
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := ix.Search(ctx, benchQuestions[i%len(benchQuestions)], 3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{40, 1000, 10000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			c := generatedContent(b, n)
			if n == 40 {
				var err error
				if c, err = Load(faq.Files); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				ix, err := Build(context.Background(), c)
				if err != nil {
					b.Fatal(err)
				}
				ix.Close()
			}
		})
	}
}

// TestWriteGeneratedContent writes generatedContent as a content folder
// when LAYANAN_GENERATE_DIR names one (and LAYANAN_GENERATE_ENTRIES how
// many entries, default 1,000), to measure the whole `layanan ask` process
// on large content:
//
//	LAYANAN_GENERATE_DIR=/tmp/faq1000 go test ./knowledge -run TestWriteGeneratedContent
//	echo "syarat ktp" | /usr/bin/time -v go run ./cmd/layanan ask --json --faq /tmp/faq1000
func TestWriteGeneratedContent(t *testing.T) {
	dir := os.Getenv("LAYANAN_GENERATE_DIR")
	if dir == "" {
		t.Skip("set LAYANAN_GENERATE_DIR to write generated content")
	}
	n := 1000
	if v := os.Getenv("LAYANAN_GENERATE_ENTRIES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("LAYANAN_GENERATE_ENTRIES=%q: want a positive number", v)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	quote := strconv.Quote
	for _, e := range generatedContent(t, n).Entries {
		var b strings.Builder
		fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\ncategory: umum\nquestions:\n", e.ID, quote(e.Title))
		for _, q := range e.Questions {
			fmt.Fprintf(&b, "  - %s\n", quote(q))
		}
		var kws []string
		for _, k := range e.Keywords {
			kws = append(kws, quote(k))
		}
		fmt.Fprintf(&b, "keywords: [%s]\nfee: %s\nduration: %s\nwhere: %s\nlegal_basis: %s\nsource: %s\nupdated: 2026-11-01\n---\n%s\n",
			strings.Join(kws, ", "), quote(e.Fee), quote(e.Duration), quote(e.Where), quote(e.LegalBasis), e.Source, e.Body)
		if err := os.WriteFile(filepath.Join(dir, e.ID+".md"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(os.DirFS(dir))
	if err != nil || len(c.Entries) < n {
		t.Fatalf("written content does not load: %v (%d entries)", err, len(c.Entries))
	}
}

// BenchmarkIndexMemory reports what a built index keeps in memory per
// entry (live heap after a collection, content excluded).
func BenchmarkIndexMemory(b *testing.B) {
	c := generatedContent(b, 1000)
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		ix, err := Build(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(ix)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(c.Entries)), "bytes/entry")
}
