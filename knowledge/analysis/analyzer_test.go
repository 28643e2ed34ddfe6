package analysis

import (
	"slices"
	"strings"
	"testing"
)

func newTestAnalyzer(t *testing.T) *Analyzer {
	t.Helper()
	a, err := New(Options{Synonyms: [][]string{{"dukcapil", "disdukcapil", "catatan sipil"}}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRewrite(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		in   string
		want string
	}{
		{"gmn cara bikin ktp", "bagaimana cara buat ktp"},
		{"ngurus akte ilang", "urus akta hilang"},
		{"udh gak bs", "sudah tidak bisa"},
		{"yg utk dmn brp", "yang untuk di mana berapa"},
		{"kk sim nik kia skck bpjs npwp", "kk sim nik kia skck bpjs npwp"}, // protected acronyms stay
		{"driving license", "sim"},
		{"how to renew", "how to perpanjang"},
		{"birth certificate", "akta kelahiran"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := strings.Join(a.Rewrite(Tokenize(tt.in)), " ")
			if got != tt.want {
				t.Errorf("Rewrite(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRemoveStopWords(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		in   string
		want string
	}{
		{"bagaimana cara buat ktp baru", "bagaimana buat ktp baru"}, // question words stay
		{"apa saja syarat yang harus dibawa", "apa syarat harus dibawa"},
		{"kenapa ditolak", "kenapa ditolak"},
		{"berapa lama biaya", "berapa lama biaya"}, // FAQ words stay
		{"tolong dong min", ""},
		{"how to get my id", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := strings.Join(a.RemoveStopWords(Tokenize(tt.in)), " ")
			if got != tt.want {
				t.Errorf("RemoveStopWords(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestApplySynonyms(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		in   string
		want string
	}{
		{"kartu keluarga hilang", "kk hilang"},
		{"surat kelakuan baik", "skck"},
		{"kartu kuning", "ak1"},
		{"akte lahir", "akta lahir"},
		{"kantor catatan sipil", "kantor dukcapil"}, // a deployment's own group
		{"disdukcapil", "dukcapil"},
		{"kartu tanda penduduk", "ktp"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := strings.Join(a.Analyze(tt.in), " ")
			if got != tt.want {
				t.Errorf("Analyze(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAnalyze(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		in   string
		want []string
	}{
		{"gmn cara bikin ktp baru?", []string{"bagaimana", "buat", "ktp", "baru"}},
		{"syarat ngurus akte lahir apa aja", []string{"syarat", "urus", "akta", "lahir", "apa"}},
		{"Persyaratan pembuatan KTP-el", []string{"syarat", "buat", "ktp"}},
		{"perpanjangan SIM", []string{"panjang", "sim"}},
		{"syaraaat perpanjang sim", []string{"syarat", "panjang", "sim"}},
		{"KK anak2 ilang", []string{"kk", "anak", "hilang"}},
		{"how do i renew my driving license", []string{"panjang", "sim"}},
		{"+ktp -baru title:x", []string{"ktp", "baru", "title", "x"}},
		{"🙏🙏", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := a.Analyze(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Analyze(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Built-in rules never replace a word the content uses; a deployment's own
// synonyms still apply.
func TestContentWordsAreKept(t *testing.T) {
	plain, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	campus, err := New(Options{
		ContentWords: []string{"ukm", "gmn", "info", "ngurus"},
		Synonyms:     [][]string{{"buat", "bikin"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in          string
		plain, kept string
	}{
		{"daftar ukm", "daftar umkm", "daftar ukm"},                   // built-in synonym ukm → umkm
		{"gmn bikin ktp", "bagaimana buat ktp", "bagaimana buat ktp"}, // fillers are always rewritten
		{"ngurus ktp", "urus ktp", "ngurus ktp"},                      // the content's own colloquial word stays
		{"bikin ktp", "buat ktp", "buat ktp"},                         // other rules unchanged
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := strings.Join(plain.Analyze(tt.in), " "); got != tt.plain {
				t.Errorf("without content words: %q, want %q", got, tt.plain)
			}
			if got := strings.Join(campus.Analyze(tt.in), " "); got != tt.kept {
				t.Errorf("with content words: %q, want %q", got, tt.kept)
			}
		})
	}
}

// The word lists are data that linguists and staff edit; these checks keep
// them consistent whatever is added.
func TestWordListsConsistent(t *testing.T) {
	a := newTestAnalyzer(t)
	for _, w := range []string{"kk", "ktp", "sim", "nik", "kia", "skck", "bpjs", "npwp"} {
		if !a.IsProtected(w) {
			t.Errorf("%q must be protected", w)
		}
		if got := a.Analyze(w); !slices.Equal(got, []string{w}) {
			t.Errorf("Analyze(%q) = %q: a protected acronym must stay itself", w, got)
		}
	}
	for _, w := range []string{"buat", "baru", "lama", "berapa", "biaya", "syarat", "hilang", "rusak", "ganti", "urus", "daftar", "anak", "lahir", "nikah", "pindah", "online"} {
		if a.IsStopWord(w) {
			t.Errorf("%q carries meaning for a FAQ and must not be a stop word", w)
		}
	}
	for _, name := range []string{"slang.txt", "english.txt"} {
		lines, err := readWordList(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range lines {
			from, _, ok := ParseRewrite(line)
			if !ok {
				t.Errorf("%s: %q is not \"from = to\"", name, line)
				continue
			}
			if len(from) == 1 && a.IsProtected(from[0]) {
				t.Errorf("%s: %q rewrites the protected word %q", name, line, from[0])
			}
		}
	}
	stop, err := readWordList("stopwords.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range stop {
		if a.IsProtected(w) {
			t.Errorf("stopwords.txt: %q is protected", w)
		}
	}
}

func TestParseRewrite(t *testing.T) {
	tests := []struct {
		line     string
		from, to string
		ok       bool
	}{
		{"gmn = bagaimana", "gmn", "bagaimana", true},
		{"driving license = sim", "driving license", "sim", true},
		{"no equals", "", "", false},
		{"empty = ", "", "", false},
		{" = x", "", "", false},
	}
	for _, tt := range tests {
		from, to, ok := ParseRewrite(tt.line)
		if ok != tt.ok || (ok && (strings.Join(from, " ") != tt.from || strings.Join(to, " ") != tt.to)) {
			t.Errorf("ParseRewrite(%q) = %q, %q, %v", tt.line, from, to, ok)
		}
	}
}

func TestSmallTalk(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct{ in, want string }{
		{"ok makasih infonya, sangat membantu", "thanks"},
		{"makasih min", "thanks"},
		{"halo min, mau tanya", "ask"}, // the kind that says most wins
		{"mas mau tanya", "ask"},
		{"selamat pagi kak", "greeting"},
		{"wkwkwk", "laughter"},
		{"hahaha", "laughter"},
		{"bot goblok", "insult"},
		{"oke siap", "ack"},
		{"dadah", "farewell"},
		{"🙏🙏", "emoji"},
		{"", ""},
		{"   ", ""},
		// Real requests stay questions.
		{"minta infonya", ""},
		{"siapa yang bisa membantu", ""},
		{"siang ini bisa?", ""},
		{"halo, syarat skck apa?", ""},
		{"hari", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := a.SmallTalk(tt.in); got != tt.want {
				t.Errorf("SmallTalk(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
