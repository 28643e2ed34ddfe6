package knowledge

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/layanan-id/layanan/faq"
)

// bundled loads and indexes the bundled content once per test binary.
var bundled = sync.OnceValues(func() (*Index, error) {
	c, err := Load(faq.Files)
	if err != nil {
		return nil, err
	}
	return Build(context.Background(), c)
})

func bundledIndex(tb testing.TB) *Index {
	tb.Helper()
	ix, err := bundled()
	if err != nil {
		tb.Fatalf("build bundled index: %v", err)
	}
	return ix
}

func TestBundledContentIsClean(t *testing.T) {
	c, err := Load(faq.Files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Problems {
		t.Errorf("faq/%s", p)
	}
	if len(c.Entries) < 40 {
		t.Errorf("%d entries, want at least 40", len(c.Entries))
	}
}

func TestSearchAnswers(t *testing.T) {
	ix := bundledIndex(t)
	tests := []struct {
		question string
		want     string
		answered bool // confident; otherwise it must at least rank first
	}{
		{"gmn cara bikin ktp pertama kali?", "ktp-el-baru", true},
		{"syarat ngurus akte lahir apa aja", "akta-kelahiran", true},
		{"perpanjang sim dmn", "sim-perpanjang", true},
		{"how do i renew my driving license", "sim-perpanjang", true},
		{"KK ilang gmn", "kartu-keluarga-perubahan", false},
		{"perpanjngan sim", "sim-perpanjang", true},
		{"sertifkat tanah", "sertifikat-tanah", true},
		{"bikin surat kelakuan baik", "skck", true},
		{"kartu kuning disnaker", "kartu-pencari-kerja", true},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.question, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].Entry.ID != tt.want || (tt.answered && !res.Answered) {
				t.Errorf("got %s, want %s first (answered: %v); terms %q", describe(res), tt.want, tt.answered, res.Terms)
			}
		})
	}
}

func describe(res Result) string {
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Entry.ID)
	}
	return strings.Join(ids, ",") + map[bool]string{true: " (answered)", false: " (not answered)"}[res.Answered]
}

func TestSearchBadInput(t *testing.T) {
	ix := bundledIndex(t)
	tests := []struct {
		name     string
		question string
	}{
		{"empty", ""},
		{"whitespace", " \t\r\n "},
		{"10 kB", strings.Repeat("ktp hilang gimana ", 600)},
		{"emoji only", "🙏🙏🙏😭"},
		{"control characters", "\x00\x01\x1b[31mktp\x7f"},
		{"invalid utf8", "\xff\xfe\xfd ktp \xc3\x28"},
		{"query syntax plus minus", "+ktp -baru"},
		{"query syntax field", "title:x"},
		{"query syntax regexp", "/.*/"},
		{"unterminated quote", `"ktp baru`},
		{"bleve special chars", `ktp~2 baru^5 (sim OR skck) && ||`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.question, 3)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if res.Answered && len(res.Hits) == 0 {
				t.Error("answered without a hit")
			}
			if len(res.Hits) > 3 {
				t.Errorf("%d hits, asked for 3", len(res.Hits))
			}
		})
	}
}

func TestSearchOutOfScopeNotAnswered(t *testing.T) {
	ix := bundledIndex(t)
	for _, q := range []string{"", "🙏", "resep rendang padang", "jadwal kereta bandung jakarta besok", "/.*/"} {
		res, err := ix.Search(context.Background(), q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if res.Answered {
			t.Errorf("%q answered with %s", q, describe(res))
		}
	}
}

func TestSearchCanceledContext(t *testing.T) {
	ix := bundledIndex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, "ktp baru", 3); err == nil {
		t.Error("want an error from a canceled context")
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range []string{"", "gmn cara bikin ktp pertama kali?", "+ktp -baru", "title:x", "/.*/", `"`, "\xff", "🙏", "anak2 syaraaat", strings.Repeat("a", 3000)} {
		f.Add(s)
	}
	ix := bundledIndex(f)
	f.Fuzz(func(t *testing.T, q string) {
		res, err := ix.Search(context.Background(), q, 3)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		if len(res.Hits) > 3 || (res.Answered && len(res.Hits) == 0) {
			t.Fatalf("Search(%q) = %+v", q, res)
		}
	})
}

func TestSearchAspects(t *testing.T) {
	ix := bundledIndex(t)
	tests := []struct {
		question string
		aspects  []string
		hasTopic bool
	}{
		{"biayanya berapa?", []string{"fee"}, false},
		{"syaratnya apa aja", []string{"requirements"}, false},
		{"di mana?", []string{"where"}, false},
		{"dimana tempatnya", []string{"where"}, false},
		{"berapa lama?", []string{"duration"}, false},
		{"how much does it cost", []string{"fee"}, false},
		{"syarat bikin ktp", []string{"requirements", "steps"}, true},
		{"paspor", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.question, 3)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Aspects, tt.aspects) || res.HasTopic != tt.hasTopic {
				t.Errorf("aspects %q hasTopic %v, want %q %v (terms %q)", res.Aspects, res.HasTopic, tt.aspects, tt.hasTopic, res.Terms)
			}
		})
	}
}
