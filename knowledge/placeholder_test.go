package knowledge

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/layanan-id/layanan/faq"
	"github.com/layanan-id/layanan/knowledge/local"
)

func TestFillPlaceholders(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Disdukcapil: [[LOKAL: hari dan jam layanan Disdukcapil]]", "Disdukcapil: (hari dan jam layanan Disdukcapil: tanyakan di kantor layanan setempat)"},
		{"[[lokal:alamat]] dan [[LOKAL : telepon ]].", "(alamat: tanyakan di kantor layanan setempat) dan (telepon: tanyakan di kantor layanan setempat)."},
		{"[[alamat kantor]]", "(alamat kantor: tanyakan di kantor layanan setempat)"},
		{"[[LOKAL: ]]", "(tanyakan di kantor layanan setempat)"},
		{"tanpa data setempat", "tanpa data setempat"},
		{"[[LOKAL: tidak ditutup", "[[LOKAL: tidak ditutup"},
		{"[[LOKAL: dua\nbaris]]", "[[LOKAL: dua\nbaris]]"},
		{"[[kantor: disdukcapil | alamat Disdukcapil]]", "(alamat Disdukcapil: tanyakan di kantor layanan setempat)"},
		{"[[kantor: samsat]]", "(alamat dan jam layanan samsat: tanyakan di kantor layanan setempat)"},
		{"[[nilai: denda-ktp]]", "(denda ktp: tanyakan di kantor layanan setempat)"},
		{"[[Nilai: denda-ktp | denda menurut Perda]]", "(denda menurut Perda: tanyakan di kantor layanan setempat)"},
	} {
		if got := FillPlaceholders(tt.in, nil); got != tt.want {
			t.Errorf("FillPlaceholders(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// With lokal.yaml, named placeholders read the deployment's data; what
// it lacks stays neutral.
func TestFillPlaceholdersFromLocal(t *testing.T) {
	loc, problems := local.Parse([]byte(`offices:
  - {id: disdukcapil, name: Disdukcapil Kabupaten Contoh, address: Jl. Contoh 1}
  - {id: samsat, name: Samsat Contoh}
values:
  denda-ktp: Rp0 menurut Perda Contoh
  sendiri: "lihat [[nilai: sendiri]]"
  dua: "lihat [[nilai: sendiri]][[nilai: sendiri]]"
`))
	if len(problems) != 2 || !strings.Contains(problems[0].Message, "[[") {
		t.Fatalf("want the two values with brackets reported: %+v", problems)
	}
	for _, tt := range []struct{ in, want string }{
		{"Di [[kantor: disdukcapil | alamat Disdukcapil]].", "Di (Disdukcapil Kabupaten Contoh, Jl. Contoh 1)."},
		{"[[kantor: samsat]]", "(Samsat Contoh)"},
		{"Denda: [[nilai: denda-ktp | denda menurut Perda]]", "Denda: Rp0 menurut Perda Contoh"},
		{"[[kantor: bpn | alamat BPN]]", "(alamat BPN: tanyakan di kantor layanan setempat)"},
		{"[[nilai: biaya-pbg]]", "(biaya pbg: tanyakan di kantor layanan setempat)"},
		{"[[LOKAL: alamat]]", "(alamat: tanyakan di kantor layanan setempat)"},
		// A value that holds a placeholder is not filled again: filling ends.
		{"[[nilai: sendiri]] [[nilai: dua]]", "lihat [nilai: sendiri] lihat [nilai: sendiri][nilai: sendiri]"},
	} {
		if got := FillPlaceholders(tt.in, loc); got != tt.want {
			t.Errorf("FillPlaceholders(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// An entry's placeholders are listed with their lines, shown as a neutral
// phrase, and still found by search.
func TestLoadPlaceholders(t *testing.T) {
	entry := `---
id: jam-dukcapil
title: Jam Layanan Disdukcapil
questions: [kapan disdukcapil buka, hari apa kantor dukcapil tutup, dukcapil buka jam berapa]
where: "Kantor Disdukcapil. [[LOKAL: alamat Disdukcapil]]"
source: https://dukcapil.kemendagri.go.id/
updated: 2026-11-01
---
Jam layanan: [[LOKAL: hari dan jam layanan loket]].
`
	other := strings.ReplaceAll(strings.ReplaceAll(goodEntry, "[e-KTP, KTP elektronik]", "[e-KTP]"), "ktp-el-baru", "ktp-el")
	c, err := Load(fstest.MapFS{"jam.md": {Data: []byte(entry)}, "ktp.md": {Data: []byte(other)}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Placeholder{{File: "jam.md", Line: 5, What: "alamat Disdukcapil"}, {File: "jam.md", Line: 9, What: "hari dan jam layanan loket"}}
	if len(c.Placeholders) != len(want) {
		t.Fatalf("Placeholders = %+v, want %+v", c.Placeholders, want)
	}
	for i := range want {
		if c.Placeholders[i] != want[i] {
			t.Errorf("placeholder %d = %+v, want %+v", i, c.Placeholders[i], want[i])
		}
	}
	e, _ := c.Entry("jam-dukcapil")
	if text := entryText(e); strings.Contains(text, "[[") || !strings.Contains(text, "(hari dan jam layanan loket: tanyakan di kantor layanan setempat)") {
		t.Errorf("answer:\n%s", text)
	}
	ix, err := Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(context.Background(), "jam loket", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Entry.ID != "jam-dukcapil" {
		t.Errorf("\"jam loket\" (words only in a placeholder) found %+v", res.Hits)
	}
}

// entryText is every field of an entry that citizens read.
func entryText(e *Entry) string {
	return joinLines(e.Title, e.Fee, e.Duration, e.Where, e.LegalBasis, e.Body, e.Source)
}

// No bundled entry shows a placeholder's brackets.
func TestBundledAnswersHaveNoBrackets(t *testing.T) {
	c, err := Load(faq.Files)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Placeholders) == 0 {
		t.Fatal("the bundled content lists no placeholders; this test would prove nothing")
	}
	for i := range c.Entries {
		if text := entryText(&c.Entries[i]); strings.Contains(text, "[[") || strings.Contains(text, "]]") {
			t.Errorf("%s shows brackets:\n%s", c.Entries[i].ID, text)
		}
	}
}

func FuzzFillPlaceholders(f *testing.F) {
	for _, s := range []string{"[[LOKAL: alamat]]", "[[[[x]]]]", "[[LOKAL: a]] [[", "]][[", "[[\n]]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := FillPlaceholders(s, nil)
		if placeholderRE.MatchString(out) {
			t.Fatalf("FillPlaceholders(%q) = %q still has a placeholder", s, out)
		}
		if !strings.Contains(s, "[[") && out != s {
			t.Fatalf("FillPlaceholders changed %q without a placeholder: %q", s, out)
		}
	})
}
