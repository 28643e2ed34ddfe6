package knowledge

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const goodEntry = `---
id: ktp-el-baru
title: Membuat KTP-el Baru
category: kependudukan
questions:
  - Bagaimana cara membuat KTP-el?
  - Apa syarat rekam KTP-el?
  - Di mana merekam KTP-el?
keywords: [e-KTP, KTP elektronik]
fee: Gratis
source: https://dukcapil.kemendagri.go.id/
updated: 2026-11-01
---
## Persyaratan
- Berusia 17 tahun
`

const categoriesYAML = `- id: kependudukan
  name: Kependudukan
  name_en: Civil registration
  order: 1
`

func TestLoadGood(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"ktp-el-baru.md":  {Data: []byte(goodEntry)},
		"categories.yaml": {Data: []byte(categoriesYAML)},
		"synonyms.txt":    {Data: []byte("# komentar\nkk, kartu keluarga\n\nakta, akte # lama\n")},
		"README.md":       {Data: []byte("# not an entry")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != 0 {
		t.Fatalf("problems: %v", c.Problems)
	}
	e, ok := c.Entry("ktp-el-baru")
	if !ok {
		t.Fatal("entry not found")
	}
	if e.Title != "Membuat KTP-el Baru" || len(e.Questions) != 3 || e.Fee != "Gratis" || e.Updated.Year() != 2026 {
		t.Errorf("entry parsed wrong: %+v", e)
	}
	if !strings.HasPrefix(e.Body, "## Persyaratan") {
		t.Errorf("body = %q", e.Body)
	}
	if len(c.Synonyms) != 2 || c.Synonyms[1][1] != "akte" {
		t.Errorf("synonyms = %q", c.Synonyms)
	}
	if len(c.Categories) != 1 || c.Categories[0].NameEn != "Civil registration" {
		t.Errorf("categories = %+v", c.Categories)
	}
}

func TestLoadBareFolder(t *testing.T) {
	c, err := Load(fstest.MapFS{"a.md": {Data: []byte(goodEntry)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 1 || c.Entries[0].Category != DefaultCategoryID {
		t.Fatalf("entries = %+v", c.Entries)
	}
	if len(c.Categories) != 1 || c.Categories[0].ID != DefaultCategoryID {
		t.Errorf("categories = %+v", c.Categories)
	}
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0].String(), `a.md:4: kategori "kependudukan" tidak dikenal`) {
		t.Errorf("problems = %v", c.Problems)
	}
}

func TestLoadNoEntries(t *testing.T) {
	_, err := Load(fstest.MapFS{"x.md": {Data: []byte("no front matter")}})
	if !errors.Is(err, ErrNoEntries) {
		t.Fatalf("err = %v, want ErrNoEntries", err)
	}
}

func TestEntryProblems(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(goodEntry, old, new, 1) }
	tests := []struct {
		name   string
		file   string
		want   string // a problem that must be reported, as file:line: text
		usable bool   // the entry still loads
	}{
		{"no front matter", "# Judul\n", "e.md:1: front matter tidak ada", false},
		{"unclosed front matter", "---\nid: a\n", "e.md:1: front matter tidak ada", false},
		{"yaml syntax", replace("title: Membuat KTP-el Baru", "title: Membuat: KTP"), "e.md:3: YAML rusak: ada \": \" di dalam isi kolom; apit seluruh isinya dengan tanda kutip ganda", false},
		{"yaml tab", replace("title: Membuat KTP-el Baru", "title: Membuat KTP-el Baru\n\tx: y"), "e.md:3: YAML rusak: indentasi memakai tab; pakai spasi", false},
		{"yaml unclosed list", replace("title: Membuat KTP-el Baru", "title: [unclosed"), "e.md:2: YAML rusak", false},
		{"not a mapping", "---\n- a\n---\nbody", "e.md:2: front matter harus", false},
		{"missing id", replace("id: ktp-el-baru\n", ""), "e.md:1: id tidak ada", false},
		{"bad id", replace("id: ktp-el-baru", "id: KTP El"), `e.md:2: id "KTP El" hanya boleh`, false},
		{"few questions", replace("  - Di mana merekam KTP-el?\n", ""), "e.md:5: baru 2 contoh pertanyaan", true},
		{"questions not a list", replace("questions:\n  - Bagaimana cara membuat KTP-el?\n  - Apa syarat rekam KTP-el?\n  - Di mana merekam KTP-el?", "questions: satu saja"), `e.md:5: kolom "questions": harus daftar`, true},
		{"missing updated", replace("updated: 2026-11-01\n", ""), "e.md:1: tanggal updated tidak ada", true},
		{"bad date", replace("updated: 2026-11-01", "updated: 1 Nov 2026"), `e.md:12: kolom "updated": "1 Nov 2026" bukan tanggal`, true},
		{"missing source", replace("source: https://dukcapil.kemendagri.go.id/\n", ""), "e.md:1: source tidak ada", true},
		{"source not url", replace("source: https://dukcapil.kemendagri.go.id/", "source: dukcapil"), `e.md:11: source "dukcapil" bukan alamat web`, true},
		{"unknown field", replace("fee: Gratis", "fees: Gratis"), `e.md:10: kolom "fees" tidak dikenal`, true},
		{"duplicate field", replace("fee: Gratis", "fee: Gratis\nfee: Rp0"), `e.md:11: kolom "fee" muncul dua kali`, true},
		{"empty body", strings.Split(goodEntry, "## Persyaratan")[0], "e.md:14: isi kosong", true},
		{"invalid utf8", replace("Gratis", "Gra\xfftis"), "e.md:10: bukan teks UTF-8", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, problems := parseEntry("e.md", []byte(tt.file), nil)
			var found bool
			var all []string
			for _, p := range problems {
				all = append(all, p.String())
				if strings.HasPrefix(p.String(), tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a problem starting %q, got %q", tt.want, all)
			}
			if (e != nil) != tt.usable {
				t.Errorf("usable = %v, want %v", e != nil, tt.usable)
			}
		})
	}
}

func TestLoadDuplicateID(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"a.md":            {Data: []byte(goodEntry)},
		"b.md":            {Data: []byte(goodEntry)},
		"categories.yaml": {Data: []byte(categoriesYAML)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 1 || c.Entries[0].File != "a.md" {
		t.Errorf("entries = %+v", c.Entries)
	}
	if len(c.Problems) != 1 || !strings.HasPrefix(c.Problems[0].String(), `b.md:2: id "ktp-el-baru" ganda, sudah dipakai a.md`) {
		t.Errorf("problems = %v", c.Problems)
	}
}

func TestLoadBrokenSideFiles(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"a.md":            {Data: []byte(goodEntry)},
		"categories.yaml": {Data: []byte("- id: Bad Id\n  name: x\n- id: ok\n- id: [\n")},
		"synonyms.txt":    {Data: []byte("kk, kartu keluarga\nsendirian\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Problems {
		got = append(got, p.String())
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{"categories.yaml:", "YAML rusak", "synonyms.txt:2: satu baris sinonim"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
	if len(c.Entries) != 1 {
		t.Errorf("the entry must still load, got %d", len(c.Entries))
	}
}

func FuzzParseEntry(f *testing.F) {
	f.Add([]byte(goodEntry))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nid: [\n---\n"))
	f.Add([]byte("---\nquestions: {a: b}\nupdated: x\n---\nbody"))
	f.Add([]byte("\ufeff---\r\nid: a\r\n---\r\n"))
	f.Add([]byte("---\nid: a\nkeywords: [[x]]\n---\n"))
	f.Add([]byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, problems := parseEntry("f.md", data, nil)
		for _, p := range problems {
			if p.Line < 0 || p.Message == "" || p.File != "f.md" {
				t.Fatalf("bad problem %+v", p)
			}
		}
		if e != nil && !slugRE.MatchString(e.ID) {
			t.Fatalf("entry with invalid id %q accepted", e.ID)
		}
		if e == nil && len(problems) == 0 {
			t.Fatal("rejected without a problem")
		}
	})
}
