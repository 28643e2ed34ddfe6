package analysis

import "testing"

func TestSpellerCorrect(t *testing.T) {
	s := NewSpeller(map[string]int{
		"perpanjangan": 5, "sertifikat": 9, "paspor": 4, "syarat": 20, "surat": 30,
		"kelahiran": 6, "kematian": 3, "ktp": 50, "pajak": 12, "panjang": 2,
	})
	tests := []struct {
		in      string
		want    string
		changed bool
	}{
		{"perpanjngan", "perpanjangan", true}, // deletion
		{"sertifkat", "sertifikat", true},     // deletion
		{"sertfikat", "sertifikat", true},     // deletion
		{"setrifikat", "sertifikat", true},    // swap
		{"sertipikat", "sertifikat", true},    // substitution
		{"pasport", "paspor", true},           // insertion
		{"kelahirn", "kelahiran", true},       // deletion
		{"kelhairan", "kelahiran", true},      // swap
		{"perpnjngan", "perpanjangan", true},  // two deletions in a long word
		{"sertifikat", "sertifikat", false},   // known
		{"ktpp", "ktpp", false},               // no 4-letter word one edit away
		{"kpt", "kpt", false},                 // too short to correct
		{"resep", "resep", false},             // nothing close
		{"syarta", "syarat", true},            // swap at the end
		{"pjak", "pajak", true},               // deletion in a short word
		{"pejebet", "pejebet", false},         // too far
		{"", "", false},                       // empty
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, changed := s.Correct(tt.in)
			if got != tt.want || changed != tt.changed {
				t.Errorf("Correct(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestSpellerPrefersFrequentWord(t *testing.T) {
	s := NewSpeller(map[string]int{"surat": 30, "sarat": 1})
	if got, _ := s.Correct("surut"); got != "surat" {
		t.Errorf("Correct(surut) = %q, want the more frequent surat", got)
	}
}

func TestDamerauLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"abc", "abc", 0}, {"abc", "acb", 1},
		{"kitten", "sitting", 3}, {"ktp", "kpt", 1}, {"syarat", "syarta", 1},
	}
	for _, tt := range tests {
		if got := damerauLevenshtein(tt.a, tt.b, 10); got != tt.want {
			t.Errorf("damerauLevenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
