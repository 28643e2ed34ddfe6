package knowledge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// lokal.yaml is read with the entries: named placeholders are filled, an
// office's unknown service is a problem at its line, and the entry knows
// the offices it refers to.
func TestLoadLocal(t *testing.T) {
	entry := strings.Replace(goodEntry, "## Persyaratan", "Tempat: [[kantor: disdukcapil | alamat Disdukcapil]]. Denda: [[nilai: denda-ktp | denda menurut Perda]]. Jadwal: [[nilai: jadwal-keliling]].\n\n## Persyaratan", 1)
	lokal := `region: Kabupaten Contoh
offices:
  - id: disdukcapil
    name: Disdukcapil Contoh
    address: Jl. Contoh 1
    services: [ktp-el-baru, kependudukn]
values:
  denda-ktp: Rp0
`
	c, err := Load(fstest.MapFS{"ktp.md": {Data: []byte(entry)}, "lokal.yaml": {Data: []byte(lokal)}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Local.Region != "Kabupaten Contoh" || len(c.Local.Offices) != 1 {
		t.Fatalf("local %+v", c.Local)
	}
	e, _ := c.Entry("ktp-el-baru")
	if !strings.Contains(e.Body, "Tempat: (Disdukcapil Contoh, Jl. Contoh 1). Denda: Rp0. Jadwal: (jadwal keliling: tanyakan") {
		t.Errorf("body:\n%s", e.Body)
	}
	if len(e.Offices) != 1 || e.Offices[0] != "disdukcapil" {
		t.Errorf("offices %v", e.Offices)
	}
	if len(c.Placeholders) != 1 || c.Placeholders[0].Name != "jadwal-keliling" || c.Placeholders[0].Kind != PlaceholderValue {
		t.Errorf("unfilled %+v", c.Placeholders)
	}
	var found bool
	for _, p := range c.Problems {
		if p.File == "lokal.yaml" && p.Line == 6 && strings.Contains(p.Message, `layanan "kependudukn" bukan id entri atau kategori`) && !p.Fatal {
			found = true
		}
	}
	if !found {
		t.Errorf("no problem for the unknown service: %+v", c.Problems)
	}
}

// A broken lokal.yaml is refused on reload like a broken entry: the last
// good content, with its offices, stays live.
func TestReloadKeepsLocalOnBrokenFile(t *testing.T) {
	dir := t.TempDir()
	writeEntry(t, dir, "ktp-el-baru", "Membuat KTP-el Baru")
	write := func(text string) {
		if err := os.WriteFile(filepath.Join(dir, "lokal.yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("offices:\n  - {id: disdukcapil, name: Disdukcapil Contoh, hours: {mon-fri: \"08:00-15:00\"}}\n")
	live := NewLive(buildDir(t, dir))
	for _, broken := range []string{
		"offices:\n  - {id: disdukcapil, name: Disdukcapil Contoh, hours: {mon-fri: \"8-15\"}}\n",
		"offices:\n\t- id: x\n",
		"timezone: Europe/Paris\n",
	} {
		write(broken)
		_, err := live.Reload(context.Background(), os.DirFS(dir))
		var rerr *ReloadError
		if !errors.As(err, &rerr) || rerr.Problems[0].File != "lokal.yaml" {
			t.Fatalf("reload with %q: %v", broken, err)
		}
		if o, ok := live.Content().Local.Office("disdukcapil"); !ok || !o.Hours.Open() {
			t.Errorf("the last good office is gone after %q", broken)
		}
	}
}
