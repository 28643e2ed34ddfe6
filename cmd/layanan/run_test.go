package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/layanan-id/layanan/internal/app"
)

// runCmd runs the program with args and stdin, an environment from env.
func runCmd(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestAskJSONFromStdin(t *testing.T) {
	in := "gmn cara bikin ktp pertama kali?\n\nresep rendang padang\n\xff\xfe\n" + strings.Repeat("x", 20000) + "\nperpanjang sim dmn"
	code, out, errOut := runCmd(t, nil, in, "ask", "--json", "--top", "2")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d output lines for 6 input lines:\n%s", len(lines), out)
	}
	var first struct {
		Question string `json:"question"`
		Answered bool   `json:"answered"`
		Results  []struct {
			ID    string  `json:"id"`
			Title string  `json:"title"`
			Score float64 `json:"score"`
		} `json:"results"`
	}
	for i, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d not JSON: %v", i+1, err)
		}
		if _, ok := v["results"].([]any); !ok {
			t.Errorf("line %d: results is not a list: %s", i+1, l)
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if !first.Answered || len(first.Results) != 2 || first.Results[0].ID != "ktp-el-baru" || first.Results[0].Title == "" {
		t.Errorf("first answer = %+v", first)
	}
	if !strings.Contains(lines[5], `"id":"sim-perpanjang"`) {
		t.Errorf("last line = %s", lines[5])
	}
}

func TestAskPlain(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"answer card", []string{"ask", "cara", "bikin", "ktp", "pertama", "kali"}, []string{"KTP-el", "Biaya:", "Sumber: https://", "Diperbarui "}},
		{"not found", []string{"ask", "resep", "rendang", "padang"}, []string{"Maaf, saya belum menemukan"}},
		{"small talk", []string{"ask", "🙏"}, []string{"Bukan pertanyaan tentang layanan"}},
		{"explain", []string{"ask", "--explain", "perpanjngan sim"}, []string{"[analisis] kata kunci:", "koreksi ejaan: perpanjngan → perpanjangan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, nil, "", tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no command", nil, nil, "Pemakaian"},
		{"unknown command", nil, []string{"frobnicate"}, `perintah tidak dikenal "frobnicate"`},
		{"bad flag", nil, []string{"ask", "--nope"}, "flag provided but not defined"},
		{"bad top", nil, []string{"ask", "--top", "0", "ktp"}, "--top harus 1 sampai 50"},
		{"missing faq dir", nil, []string{"lint", "--faq", "/does/not/exist"}, `folder konten "/does/not/exist"`},
		{"missing FAQ_DIR", map[string]string{"FAQ_DIR": "/does/not/exist"}, []string{"lint"}, `folder konten "/does/not/exist"`},
		{"missing questions file", nil, []string{"eval", "--questions", "/does/not/exist.tsv"}, "baca --questions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, tt.env, "", tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut)
			}
		})
	}
}

func TestLint(t *testing.T) {
	t.Run("bundled content is clean", func(t *testing.T) {
		code, out, _ := runCmd(t, nil, "", "lint")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || !strings.HasPrefix(lines[len(lines)-1], "OK: ") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		// Unfilled local data: warnings with file:line, and their count.
		for _, want := range []string{"faq/skck.md:", "peringatan: data setempat belum diisi: ", "data setempat belum diisi (isi di lokal.yaml)"} {
			if !strings.Contains(out, want) {
				t.Errorf("lint output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("broken folder", func(t *testing.T) {
		dir := t.TempDir()
		write := func(name, text string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("a.md", "---\nid: a\ntitle: A\ncategory: x\nquestions: [q1, q2, q3]\nsource: https://x.go.id/\nupdated: 2026-01-01\n---\nIsi.\n")
		write("b.md", "---\nid: a\ntitle: B: C\n---\n")
		write("c.md", "---\nid: c\ntitle: C\n---\nIsi.\n")
		code, out, _ := runCmd(t, map[string]string{"FAQ_DIR": dir}, "", "lint")
		if code != 1 {
			t.Fatalf("exit %d, want 1:\n%s", code, out)
		}
		for _, want := range []string{
			dir + `/a.md:4: kategori "x" tidak dikenal`,
			dir + "/b.md:3: YAML rusak",
			dir + "/c.md:1: baru 0 contoh pertanyaan",
			dir + "/c.md:1: source tidak ada",
			"masalah ditemukan",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("empty folder", func(t *testing.T) {
		code, out, _ := runCmd(t, nil, "", "lint", "--faq", t.TempDir())
		if code != 1 || !strings.Contains(out, "tidak ada entri FAQ") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
}

func TestEvalCommand(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "q.tsv")
	if err := os.WriteFile(set, []byte("ktp-el-baru\tbikin ktp baru\n-\tresep rendang\nskck\tsurat kelakuan baik\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, nil, "", "eval", "--questions", set, "--baseline")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"R@1", "R@3", "MRR", "Tolak di luar cakupan", "bleve standar", "2 dalam cakupan, 1 di luar cakupan"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalReportsAndSelf(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "q.tsv")
	if err := os.WriteFile(set, []byte("ktp-el-baru\tbikin ktp pertama kali\nentri-hilang\tsesuatu\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "small")
	if err := os.Mkdir(small, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"satu", "dua", "tiga"} {
		entry := "---\nid: " + id + "\ntitle: Layanan " + id + "\ncategory: umum\nquestions:\n  - cara " + id + "\n  - syarat " + id + "\n  - biaya " + id + "\nsource: https://example.go.id/\nupdated: 2026-11-01\n---\nIsi.\n"
		if err := os.WriteFile(filepath.Join(small, id+".md"), []byte(entry), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"new figures and unknown ids", []string{"eval", "--questions", set}, 0,
			[]string{"Top-1", "Presisi jawaban", "Dijawab", "1 dalam cakupan", "Id harapan yang tidak ada di konten (1 pertanyaan", "baris 2: entri-hilang"}},
		{"self report", []string{"eval", "--self"}, 0,
			[]string{"Uji-diri konten faq: 40 entri", "Top-1 (entri yang benar di urutan pertama)", "Pilihan kalibrasi: BM25 k1=", "Pasangan entri yang paling sering tertukar", "Entri yang perlu contoh pertanyaan"}},
		{"self with three examples", []string{"eval", "--self", "--examples", "3"}, 0, []string{"40 entri, 120 contoh pertanyaan"}},
		{"self on small content: defaults", []string{"eval", "--self", "--faq", small}, 0, []string{"Kalibrasi: tidak dilakukan (hanya 9 contoh pertanyaan"}},
		{"self with a question set", []string{"eval", "--self", "--questions", set}, 2, []string{"--self tidak dipakai bersama"}},
		{"negative examples", []string{"eval", "--examples", "-1"}, 2, []string{"--examples harus 0 atau lebih"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, nil, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q:\n%s%s", w, out, errOut)
				}
			}
		})
	}
}

// The hint to run lint names the folder that has the problems.
func TestAskHintNamesTheFolder(t *testing.T) {
	dir := t.TempDir()
	good := "---\nid: satu\ntitle: Satu\ncategory: umum\nquestions:\n  - a\n  - b\n  - c\nsource: https://example.go.id/\nupdated: 2026-11-01\n---\nIsi.\n"
	if err := os.WriteFile(filepath.Join(dir, "satu.md"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rusak.md"), []byte("---\nid: [\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(t, nil, "", "ask", "--faq", dir, "satu")
	if code != 0 || !strings.Contains(errOut, `jalankan "layanan lint --faq `+dir+`"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if got := (app.Content{Dir: "/tmp/my faq"}).LintCommand(); got != `layanan lint --faq '/tmp/my faq'` {
		t.Errorf("LintCommand = %s", got)
	}
}

func TestLintDatesCategoriesAndOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	entry := func(id, category, updated string) string {
		return "---\nid: " + id + "\ntitle: " + id + "\ncategory: " + category + "\nquestions: [q1, q2, q3]\nsource: https://x.go.id/\nupdated: " + updated + "\n---\nIsi.\n"
	}
	write("categories.yaml", "- id: kependudukan\n  name: Kependudukan\n  name_en: Civil registration\n  order: 1\n")
	write("lama.md", entry("lama", "kependudukan", "2020-01-01"))
	code, out, _ := runCmd(t, nil, "", "lint", "--faq", dir)
	if code != 0 || !strings.Contains(out, dir+"/lama.md:7: peringatan: perlu ditinjau: terakhir diperbarui 2020-01-01") || !strings.Contains(out, "1 peringatan") {
		t.Fatalf("a stale entry is a warning, exit 0; got exit %d:\n%s", code, out)
	}
	write("masa-depan.md", entry("masa-depan", "kependudukn", "2999-01-01"))
	code, out, _ = runCmd(t, nil, "", "lint", "--faq", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	future := strings.Index(out, dir+"/masa-depan.md:7: tanggal updated 2999-01-01 ada di masa depan")
	category := strings.Index(out, dir+`/masa-depan.md:4: kategori "kependudukn" tidak dikenal; mungkin maksudnya "kependudukan"`)
	if future < 0 || category < 0 || category > future {
		t.Errorf("want the category (line 4) before the date (line 7), both reported:\n%s", out)
	}
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCmd(t, nil, "", "version")
	if code != 0 || !strings.HasPrefix(out, "layanan ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-06T05:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	if got, want := versionLine(info, true), "layanan v1.2.3 (commit 0123456789ab, 2026-12-06T05:00:00Z, modified, go1.26.8)"; got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
	// Help: bilingual; no empty flags header for a command without flags.
	_, _, errOut := runCmd(t, nil, "", "health", "--help")
	if strings.Contains(errOut, "flags:") || !strings.Contains(errOut, "English:") {
		t.Errorf("health --help = %q", errOut)
	}
	_, _, errOut = runCmd(t, nil, "", "ask", "--help")
	if !strings.Contains(errOut, "Opsi / flags:") || !strings.Contains(errOut, "-faq") || !strings.Contains(errOut, "English:") {
		t.Errorf("ask --help = %q", errOut)
	}
}

// lint checks lokal.yaml like the entries, with lines, and says which
// years' holidays are missing once there are offices.
func TestLintLocal(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("categories.yaml", "- id: umum\n  name: Umum\n  order: 1\n")
	write("ktp.md", "---\nid: ktp\ntitle: KTP\ncategory: umum\nquestions: [q1, q2, q3]\nsource: https://x.go.id/\nupdated: 2026-11-01\n---\nDi [[kantor: disdukcapil | alamat Disdukcapil]].\n")
	write("lokal.yaml", "offices:\n  - id: disdukcapil\n    name: Disdukcapil\n    hours: {mon-fri: \"08:00-15:00\"}\n    services: [ktp]\n")
	code, out, _ := runCmd(t, nil, "", "lint", "--faq", dir)
	if code != 0 || !strings.Contains(out, dir+"/lokal.yaml: peringatan: hari libur nasional 2027 belum diketahui") || strings.Contains(out, "belum diisi") {
		t.Fatalf("a good lokal.yaml: exit %d:\n%s", code, out)
	}
	write("lokal.yaml", "offices:\n  - id: disdukcapil\n    name: Disdukcapil\n    hours: {mon-fri: \"08:00-15\"}\n    services: [ktp]\n    fax: 1\n  - id: mpp\n    name: MPP\n    services: [kpt]\n")
	code, out, _ = runCmd(t, nil, "", "lint", "--faq", dir)
	for _, want := range []string{
		dir + `/lokal.yaml:4: hours: mon-fri: jam "15" harus seperti 08:00`,
		dir + `/lokal.yaml:6: kolom kantor "fax" tidak dikenal`,
		dir + `/lokal.yaml:9: kantor "mpp": layanan "kpt" bukan id entri atau kategori; mungkin maksudnya "ktp"`,
		dir + "/ktp.md:9: peringatan: data setempat belum diisi: [[kantor: disdukcapil]]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q", want)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
}

// An answer card that does not fit in one Telegram message, as the bot
// renders it, is a lint error at the entry.
func TestLintAnswerTooLong(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "categories.yaml"), []byte("- id: umum\n  name: Umum\n  order: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	entry := "---\nid: panjang\ntitle: Panjang\ncategory: umum\nquestions: [q1, q2, q3]\nsource: https://x.go.id/\nupdated: 2026-11-01\n---\n" + strings.Repeat("Teks panjang sekali. ", 300) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "panjang.md"), []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, nil, "", "lint", "--faq", dir)
	if code != 1 || !strings.Contains(out, dir+"/panjang.md:1: jawaban terlalu panjang untuk dikirim: 6") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
