package analysis

import (
	"slices"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"lowercase and punctuation", "Gmn cara bikin KTP?!", []string{"gmn", "cara", "bikin", "ktp"}},
		{"hyphen splits", "KTP-el dan e-KTP", []string{"ktp", "el", "dan", "e", "ktp"}},
		{"repeated letters", "syaraaat nyaaaa", []string{"syarat", "nya"}},
		{"double letters kept", "maaf saat taat", []string{"maaf", "saat", "taat"}},
		{"reduplication with 2", "anak2 syarat2", []string{"anak", "syarat"}},
		{"reduplication with hyphen", "anak-anak", []string{"anak"}},
		{"short word with 2 kept", "p2 s2", []string{"p2", "s2"}},
		{"digits kept", "umur 17 tahun 2026", []string{"umur", "17", "tahun", "2026"}},
		{"nfkc fullwidth", "ＫＴＰ", []string{"ktp"}},
		{"ligature", "ﬁle", []string{"file"}},
		{"apostrophe inside word", "hari jum'at", []string{"hari", "jumat"}},
		{"apostrophe at edge", "'ktp'", []string{"ktp"}},
		{"emoji only", "🙏🙏😊", nil},
		{"empty", "", nil},
		{"whitespace", " \t\n ", nil},
		{"control characters", "ktp\x00\x07baru\r\n", []string{"ktp", "baru"}},
		{"invalid utf8", "ktp\xff\xfebaru", []string{"ktp", "baru"}},
		{"query syntax is text", `+ktp -baru title:x /.*/ "unterminated`, []string{"ktp", "baru", "title", "x", "unterminated"}},
		{"accented letters", "café", []string{"café"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokenize(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenizeLongInput(t *testing.T) {
	got := Tokenize(strings.Repeat("ktp baru ", 2000))
	if len(got) != 4000 {
		t.Fatalf("got %d tokens, want 4000", len(got))
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "gmn cara bikin ktp pertama kali?", "KTP-el", "anak2 syaraaat", "\xff\xfe", "🙏", "kartu keluarga ilang", "how do i renew my driving licence", strings.Repeat("ab ", 500)} {
		f.Add(s)
	}
	a, err := New(Options{Synonyms: [][]string{{"kk", "kartu keluarga"}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, tok := range a.Analyze(text) {
			if tok == "" || strings.ContainsAny(tok, " \t\n") {
				t.Fatalf("Analyze(%q) gave token %q", text, tok)
			}
		}
		for _, tok := range Tokenize(text) {
			if tok == "" || strings.ContainsAny(tok, " \t\n") {
				t.Fatalf("Tokenize(%q) gave token %q", text, tok)
			}
		}
	})
}
