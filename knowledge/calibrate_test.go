package knowledge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Questions about services the bundled content does not cover, and small
// talk, are not answered with the nearest card.
func TestSearchDeclinesUncoveredAndSmallTalk(t *testing.T) {
	ix := bundledIndex(t)
	tests := []struct {
		question  string
		smallTalk string
	}{
		{"akta cerai gmn ngurusnya", ""},
		{"syarat bikin surat keterangan ahli waris", ""},
		{"cara lapor kdrt ke mana", ""},
		{"ok makasih infonya, sangat membantu", "thanks"},
		{"halo min", "greeting"},
		{"wkwkwk", "laughter"},
		{"mau tanya", "ask"},
		{"bot goblok", "insult"},
		{"🙏🙏", "emoji"},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.question, 3)
			if err != nil {
				t.Fatal(err)
			}
			if res.Answered {
				t.Errorf("answered with %s", describe(res))
			}
			if res.SmallTalk != tt.smallTalk {
				t.Errorf("small talk %q, want %q", res.SmallTalk, tt.smallTalk)
			}
		})
	}
}

// Small talk next to a real question is searched as usual.
func TestSearchGreetingWithQuestion(t *testing.T) {
	res, err := bundledIndex(t).Search(context.Background(), "halo min, syarat bikin skck apa aja", 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.SmallTalk != "" || len(res.Hits) == 0 || res.Hits[0].Entry.ID != "skck" {
		t.Errorf("got %s, small talk %q", describe(res), res.SmallTalk)
	}
}

func TestSearchSecondTopic(t *testing.T) {
	tests := []struct {
		question, first, also string
	}{
		{"perpanjang paspor sama sim dimana", "sim-perpanjang", "paspor"},
		{"bikin skck sama surat kehilangan", "skck", "surat-kehilangan"},
		{"syarat perpanjang sim", "sim-perpanjang", ""},       // one topic
		{"syarat ktp dan kk baru", "kartu-keluarga-baru", ""}, // the first covers both words
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			res, err := bundledIndex(t).Search(context.Background(), tt.question, 3)
			if err != nil {
				t.Fatal(err)
			}
			also := ""
			if res.Also != nil {
				also = res.Also.Entry.ID
			}
			if !res.Answered || res.Hits[0].Entry.ID != tt.first || also != tt.also {
				t.Errorf("got %s, also %q; want %s, also %q", describe(res), also, tt.first, tt.also)
			}
		})
	}
}

// entryMD writes one entry with the given example questions.
func entryMD(id, title string, questions ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\ncategory: umum\nquestions:\n", id, title)
	for _, q := range questions {
		fmt.Fprintf(&b, "  - %q\n", q)
	}
	b.WriteString("source: https://example.go.id/\nupdated: 2026-11-01\n---\nIsi.\n")
	return b.String()
}

// A campus whose entries say "ukm" for student clubs keeps "ukm": the
// built-in synonym to "umkm" does not apply.
func TestContentWordsWinOverBuiltInLists(t *testing.T) {
	fsys := fstest.MapFS{
		"ukm.md":    {Data: []byte(entryMD("ukm", "Unit Kegiatan Mahasiswa", "cara daftar ukm", "ukm apa saja yang ada", "ukm musik latihan kapan"))},
		"krs.md":    {Data: []byte(entryMD("krs", "Pengisian KRS", "kapan isi krs", "krs online gimana", "lupa isi krs"))},
		"wisuda.md": {Data: []byte(entryMD("wisuda", "Pendaftaran Wisuda", "daftar wisuda kapan", "syarat wisuda", "biaya wisuda"))},
	}
	ix := buildFS(t, fsys)
	res, err := ix.Search(context.Background(), "mau ikut ukm", 3)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Terms, " "), "ukm") || len(res.Hits) == 0 || res.Hits[0].Entry.ID != "ukm" {
		t.Errorf("terms %q, hits %s", res.Terms, describe(res))
	}
}

// Degenerate content calibrates quickly and falls back to defaults, saying
// so, instead of failing.
func TestCalibrationDegenerateContent(t *testing.T) {
	same := []string{"bagaimana cara daftar", "syarat daftar apa", "biaya daftar berapa"}
	many := make([]string, 500)
	for i := range many {
		many[i] = fmt.Sprintf("pertanyaan nomor %d tentang izin usaha toko", i)
	}
	tests := []struct {
		name       string
		files      fstest.MapFS
		calibrated bool
	}{
		{"one entry", fstest.MapFS{"a.md": {Data: []byte(entryMD("a", "Satu", same...))}}, false},
		{"identical questions across entries", fstest.MapFS{
			"a.md": {Data: []byte(entryMD("a", "Layanan", same...))},
			"b.md": {Data: []byte(entryMD("b", "Layanan", same...))},
			"c.md": {Data: []byte(entryMD("c", "Layanan", same...))},
		}, false},
		{"an entry with 500 examples", fstest.MapFS{
			"a.md": {Data: []byte(entryMD("a", "Izin Usaha", many...))},
			"b.md": {Data: []byte(entryMD("b", "Akta Kelahiran", "bikin akta lahir", "akta anak", "syarat akta kelahiran"))},
			"c.md": {Data: []byte(entryMD("c", "Paspor", "bikin paspor", "paspor hilang", "biaya paspor"))},
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := buildFS(t, tt.files)
			cal := ix.Calibration()
			if cal.Calibrated != tt.calibrated {
				t.Errorf("calibrated %v, want %v (%s)", cal.Calibrated, tt.calibrated, cal.Note)
			}
			if !cal.Calibrated && cal.Note == "" {
				t.Error("defaults used without a note saying why")
			}
			if _, err := ix.Search(context.Background(), "daftar izin usaha", 3); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCalibrationOfBundledContent(t *testing.T) {
	cal := bundledIndex(t).Calibration()
	if !cal.Calibrated || cal.HeldOut < 100 || cal.Precision < 0.9 || cal.TopOne < 0.85 || cal.Threshold <= 0 || cal.Threshold >= 1 {
		t.Errorf("calibration %+v", cal)
	}
}

func TestBuildCanceledContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	c := bundledIndex(t).Content()
	if _, err := Build(ctx, c); err == nil {
		t.Error("want an error from an ended context")
	}
}

// Large content is calibrated on a sample, and says so.
func TestCalibrationLargeContentSampled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 2,000 entries")
	}
	ix, err := Build(context.Background(), generatedContent(t, 2000))
	if err != nil {
		t.Fatal(err)
	}
	cal := ix.Calibration()
	if !cal.Calibrated || cal.HeldOut >= cal.Examples || cal.HeldOut > maxHeldOut || !strings.Contains(cal.Note, "sampel") {
		t.Errorf("calibration %d of %d examples, calibrated %v, note %q", cal.HeldOut, cal.Examples, cal.Calibrated, cal.Note)
	}
}

// Calibration subtracts a held-out example's own counts from its entry:
// the index must count exactly the sum of the examples' counts, also where
// one question ends with the word the next begins with.
func TestQuestionCountsMatchExamples(t *testing.T) {
	for _, dir := range []string{"../faq", "testdata/corpus-kampus"} {
		t.Run(dir, func(t *testing.T) {
			ix := buildDir(t, dir)
			want := make(map[string]map[int]float32)
			for _, ex := range ix.analyzeEntries() {
				for term, n := range ex.terms {
					if want[term] == nil {
						want[term] = make(map[int]float32)
					}
					want[term][ex.entry] += n
				}
			}
			for term, byEntry := range want {
				for e, n := range byEntry {
					p, ok := postingOf(ix.terms.post[term], e)
					if !ok || p.questions != n {
						t.Errorf("%q in %s: index counts %v, examples %v", term, ix.content.Entries[e].ID, p.questions, n)
					}
				}
			}
		})
	}
}

// Content whose examples cannot be told apart answers nothing by itself
// and says so, instead of answering with the default threshold.
func TestCalibrationConfusableContent(t *testing.T) {
	words := []string{"layanan", "surat", "kantor", "syarat", "daftar", "warga", "desa", "kartu"}
	rng := rand.New(rand.NewPCG(7, 7))
	files := fstest.MapFS{}
	for i := range 10 {
		var qs []string
		for range 5 {
			qs = append(qs, words[rng.IntN(len(words))]+" "+words[rng.IntN(len(words))]+" "+words[rng.IntN(len(words))])
		}
		id := fmt.Sprintf("entri-%d", i)
		files[id+".md"] = &fstest.MapFile{Data: []byte(entryMD(id, "Layanan "+words[i%len(words)], qs...))}
	}
	ix := buildFS(t, files)
	cal := ix.Calibration()
	if !strings.Contains(cal.Note, "tidak menjawab otomatis") || cal.Answered > 0 {
		t.Errorf("calibration %+v", cal)
	}
	res, err := ix.Search(context.Background(), "syarat surat desa", 3)
	if err != nil || res.Answered {
		t.Errorf("answered %v, err %v", res.Answered, err)
	}
}
