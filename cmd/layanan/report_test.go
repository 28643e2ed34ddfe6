package main

import (
	"context"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/internal/config"
)

// fillReportStore writes a bot's worth of unanswered questions and votes
// into DATA_DIR/layanan.db and closes it, as a stopped server leaves it.
func fillReportStore(t *testing.T, dir string) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(dir, config.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	ago := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
	for _, q := range []bot.Unanswered{
		{Text: "min, gimana cara bikin ktp?", Lang: "id", At: ago(50)},
		{Text: "bikin ktp dong", Lang: "id", At: ago(30)},
		{Text: "bikin ktp dong", Lang: "id", At: ago(3)},
		{Text: "jadwal posyandu, \"balita\"\nhari sabtu?", Lang: "id", At: ago(5)},
		{Text: "renew passport", Lang: "en", At: ago(20)},
		{Text: "izin keramaian", Lang: "id", At: ago(10 * 24)}, // outside the default week
		// Comments after 👎: not unanswered questions.
		{Text: "biayanya sudah naik", Lang: "id", At: ago(2), EntryID: "ktp-el-baru"},
		{Text: "=HYPERLINK(\"x\")", Lang: "en", At: ago(4), EntryID: "entri-yang-dihapus"},
		// An example question staff suggested from a handoff (/contoh).
		{Text: "ktp ilang pas mudik ngurusnya gmn", Lang: "id", At: ago(6), EntryID: "ktp-el-hilang-rusak", Example: true},
	} {
		if err := st.LogUnanswered(ctx, q, 90*24*time.Hour, 10000); err != nil {
			t.Fatal(err)
		}
	}
	votes := []struct {
		entry   string
		helpful bool
	}{
		{"ktp-el-baru", false}, {"ktp-el-baru", false}, {"ktp-el-baru", true},
		{"sim-perpanjang", true},
		{"entri-yang-dihapus", false},
	}
	for i, v := range votes {
		f := bot.Feedback{ChatID: 1, MessageID: i + 1, UserID: int64(i + 1), EntryID: v.entry, Helpful: v.helpful, At: now}
		if _, err := st.RecordFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	fillReportStore(t, dir)
	env := map[string]string{"DATA_DIR": dir}

	tests := []struct {
		name    string
		args    []string
		want    []string // in this order
		notWant []string
	}{
		{"unanswered table", []string{"report", "unanswered"}, []string{
			"5 pertanyaan dalam 3 kelompok",
			"JUMLAH", "CONTOH PERTANYAAN",
			"3 ", "bikin ktp dong",
			"1 ", "jadwal posyandu, \"balita\" hari sabtu?",
			"1 ", "renew passport",
			"Usulan contoh pertanyaan dari petugas: 1",
		}, []string{"izin keramaian", "ktp ilang"}},
		{"examples table", []string{"report", "examples"}, []string{
			"Usulan contoh pertanyaan dari petugas", ": 1.", "CONTOH PERTANYAAN",
			"ktp-el-hilang-rusak", "ktp ilang pas mudik ngurusnya gmn",
		}, []string{"biayanya sudah naik"}},
		{"flags before the name", []string{"report", "--since", "30d", "unanswered"}, []string{
			"6 pertanyaan dalam 4 kelompok", "bikin ktp dong", "izin keramaian",
		}, nil},
		{"hours", []string{"report", "unanswered", "--since", "24h"}, []string{
			"24 jam terakhir", "3 pertanyaan dalam 3 kelompok",
		}, []string{"min, gimana"}},
		{"nothing asked", []string{"report", "unanswered", "--since", "1h"}, []string{
			"Tidak ada pertanyaan tak terjawab", "1 jam terakhir",
		}, []string{"JUMLAH"}},
		{"comments table", []string{"report", "comments"}, []string{
			"Komentar setelah 👎", ": 2.", "WAKTU", "KOMENTAR",
			"ktp-el-baru", "biayanya sudah naik",
			"entri-yang-dihapus", "=HYPERLINK",
		}, []string{"bikin ktp dong", "ktp ilang"}},
		{"no comments", []string{"report", "comments", "--since", "1h"}, []string{
			"Tidak ada komentar setelah 👎",
		}, []string{"WAKTU"}},
		{"feedback table", []string{"report", "feedback"}, []string{
			"3 entri, 2 👍 membantu, 3 👎 tidak membantu",
			"TIDAK MEMBANTU",
			"ktp-el-baru", "Membuat KTP-el (KTP Elektronik) Pertama Kali",
			"entri-yang-dihapus", "(tidak ada di konten)",
			"sim-perpanjang", "Perpanjangan SIM",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, env, "", tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in this order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestReportCSV(t *testing.T) {
	dir := t.TempDir()
	fillReportStore(t, dir)
	env := map[string]string{"DATA_DIR": dir}
	readCSV := func(t *testing.T, args ...string) [][]string {
		t.Helper()
		code, out, errOut := runCmd(t, env, "", args...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, out)
		}
		return rows
	}

	t.Run("unanswered", func(t *testing.T) {
		rows := readCSV(t, "report", "unanswered", "--format", "csv")
		if want := "count,example,last_asked,language,variants"; strings.Join(rows[0], ",") != want {
			t.Errorf("header %q, want %q", rows[0], want)
		}
		if len(rows) != 4 {
			t.Fatalf("%d rows, want a header and 3 groups: %q", len(rows), rows)
		}
		ktp := rows[1]
		if ktp[0] != "3" || ktp[1] != "bikin ktp dong" || ktp[3] != "id" || ktp[4] != "min, gimana cara bikin ktp?" {
			t.Errorf("first group %q", ktp)
		}
		last, err := time.Parse(time.RFC3339, ktp[2])
		if err != nil || time.Since(last) < 2*time.Hour || time.Since(last) > 4*time.Hour {
			t.Errorf("last_asked %q (%v), want about 3 hours ago", ktp[2], err)
		}
		var found bool
		for _, r := range rows[1:] {
			found = found || r[1] == "jadwal posyandu, \"balita\"\nhari sabtu?"
		}
		if !found {
			t.Errorf("the question with a comma, quotes and a newline is not whole: %q", rows)
		}
	})
	t.Run("feedback", func(t *testing.T) {
		rows := readCSV(t, "report", "feedback", "--format=csv")
		want := [][]string{
			{"entry_id", "title", "helpful", "not_helpful", "helpful_share"},
			{"ktp-el-baru", "Membuat KTP-el (KTP Elektronik) Pertama Kali", "1", "2", "0.333"},
			{"entri-yang-dihapus", "", "0", "1", "0.000"},
			{"sim-perpanjang", "Perpanjangan SIM (Satpas, SIM Keliling, dan Online)", "1", "0", "1.000"},
		}
		if len(rows) != len(want) {
			t.Fatalf("rows %q, want %q", rows, want)
		}
		for i := range want {
			if strings.Join(rows[i], "\x00") != strings.Join(want[i], "\x00") {
				t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
			}
		}
	})
	t.Run("comments", func(t *testing.T) {
		rows := readCSV(t, "report", "comments", "--format", "csv")
		if len(rows) != 3 || strings.Join(rows[0], ",") != "at,entry_id,title,language,comment" {
			t.Fatalf("rows %q, want a header and 2 comments", rows)
		}
		// Newest first; a formula is defused.
		if r := rows[1]; r[1] != "ktp-el-baru" || r[2] != "Membuat KTP-el (KTP Elektronik) Pertama Kali" || r[4] != "biayanya sudah naik" {
			t.Errorf("first comment %q", r)
		}
		if r := rows[2]; r[1] != "entri-yang-dihapus" || r[2] != "" || r[3] != "en" || r[4] != "'=HYPERLINK(\"x\")" {
			t.Errorf("second comment %q", r)
		}
	})
	t.Run("feedback ignores --since, and says so", func(t *testing.T) {
		code, out, errOut := runCmd(t, env, "", "report", "feedback", "--since", "1h")
		if code != exitOK || !strings.Contains(out, "ktp-el-baru") || !strings.Contains(errOut, "--since tidak berlaku untuk feedback") {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
	})
}

func TestReportUsageErrors(t *testing.T) {
	dir := t.TempDir()
	fillReportStore(t, dir)
	env := map[string]string{"DATA_DIR": dir}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no report", env, []string{"report"}, "sebutkan laporannya"},
		{"only flags", env, []string{"report", "--format", "csv"}, "sebutkan laporannya"},
		{"unknown report", env, []string{"report", "votes"}, `laporan tidak dikenal "votes"`},
		{"extra argument", env, []string{"report", "feedback", "semua"}, `argumen tak terduga "semua"`},
		{"bad flag", env, []string{"report", "unanswered", "--sejak", "7d"}, "flag provided but not defined: -sejak"},
		{"weeks", env, []string{"report", "unanswered", "--since", "2w"}, `--since "2w": tulis jumlah hari atau jam`},
		{"no unit", env, []string{"report", "unanswered", "--since", "7"}, `--since "7"`},
		{"zero", env, []string{"report", "unanswered", "--since", "0d"}, `--since "0d"`},
		{"negative", env, []string{"report", "unanswered", "--since", "-7d"}, `--since "-7d"`},
		{"go duration", env, []string{"report", "unanswered", "--since", "1h30m"}, `--since "1h30m"`},
		{"too long", env, []string{"report", "unanswered", "--since", "99999d"}, "paling lama 3650d"},
		{"bad format", env, []string{"report", "unanswered", "--format", "json"}, `--format "json" tidak dikenal; pilih table atau csv`},
		{"bad config", map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "loud"}, []string{"report", "feedback"}, "LOG_LEVEL"},
		{"no store in DATA_DIR", map[string]string{"DATA_DIR": t.TempDir()}, []string{"report", "feedback"}, "bot belum pernah berjalan dengan DATA_DIR ini"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.env, "", tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut)
			}
			if out != "" {
				t.Errorf("stdout is not empty:\n%s", out)
			}
		})
	}
}

func TestReportHelp(t *testing.T) {
	code, _, errOut := runCmd(t, nil, "", "report", "--help")
	if code != exitOK || !strings.Contains(errOut, "unanswered|feedback") || !strings.Contains(errOut, "--since tidak berlaku") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}

// The embedded store allows one process: with the server running, the
// report says what to do instead of failing obscurely.
func TestReportStoreInUse(t *testing.T) {
	dir := t.TempDir()
	fillReportStore(t, dir)
	server, err := boltstore.Open(filepath.Join(dir, config.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	code, _, errOut := runCmd(t, map[string]string{"DATA_DIR": dir}, "", "report", "unanswered")
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{"sedang dipakai proses lain", "hentikan server dulu", "REDIS_URL"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// Staff try the bot with `layanan chat`, then want the report of what it
// could not answer.
func TestReportReadsTheTerminalChat(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATA_DIR": dir}
	if code, _, errOut := runCmd(t, env, "resep rendang padang\n/keluar\n", "chat"); code != 0 {
		t.Fatalf("chat: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCmd(t, env, "", "report", "unanswered")
	if code != 0 || !strings.Contains(out, "resep rendang padang") || !strings.Contains(errOut, `membaca percakapan dari "layanan chat"`) {
		t.Fatalf("report without layanan.db: exit %d\n%s\n%s", code, out, errOut)
	}
	fillReportStore(t, dir) // a server's store now exists too
	code, out, _ = runCmd(t, env, "", "report", "unanswered", "--chat")
	if code != 0 || !strings.Contains(out, "resep rendang padang") || strings.Contains(out, "bikin ktp dong") {
		t.Fatalf("report --chat: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCmd(t, map[string]string{"DATA_DIR": dir, "REDIS_URL": "redis://127.0.0.1:1"}, "", "report", "unanswered", "--chat"); code != exitUsage || !strings.Contains(errOut, "--chat membaca DATA_DIR/chat.db") {
		t.Errorf("--chat with REDIS_URL: exit %d: %s", code, errOut)
	}
}
