package report

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/knowledge/analysis"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

var (
	wib = time.FixedZone("WIB", 7*60*60)
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, wib)
)

// at returns a question asked h hours after t0.
func at(text string, h int) bot.Unanswered {
	return bot.Unanswered{Text: text, Lang: "id", At: t0.Add(time.Duration(h) * time.Hour)}
}

// texts shows each group as its wordings, the way the tests state them.
func texts(groups []Group) [][]string {
	out := make([][]string, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.Texts)
	}
	return out
}

func TestGroupUnanswered(t *testing.T) {
	tests := []struct {
		name string
		qs   []bot.Unanswered
		want [][]string
	}{
		{"none", nil, [][]string{}},
		{"case and punctuation", []bot.Unanswered{at("Syarat KTP?", 0), at("  syarat ktp ", 1)},
			[][]string{{"syarat ktp", "Syarat KTP?"}}},
		{"fillers dropped", []bot.Unanswered{at("min, gimana cara bikin ktp?", 0), at("bikin ktp dong", 1), at("tolong kak, bikin KTP", 2)},
			[][]string{{"tolong kak, bikin KTP", "bikin ktp dong", "min, gimana cara bikin ktp?"}}},
		{"typo in a long word", []bot.Unanswered{at("perpanjang paspor", 0), at("perpanjnag paspor", 1), at("perpanjang pasport", 2)},
			[][]string{{"perpanjang pasport", "perpanjnag paspor", "perpanjang paspor"}}},
		{"two typos are two words", []bot.Unanswered{at("perpanjang paspor", 0), at("perpanjnagg paspor", 1)},
			[][]string{{"perpanjnagg paspor"}, {"perpanjang paspor"}}},
		{"no typo matching in short words", []bot.Unanswered{at("ktp", 0), at("kta", 1)},
			[][]string{{"kta"}, {"ktp"}}},
		{"half the words shared", []bot.Unanswered{at("syarat perpanjang sim", 0), at("syarat perpanjangan sim", 1)},
			[][]string{{"syarat perpanjangan sim", "syarat perpanjang sim"}}},
		{"less than half shared", []bot.Unanswered{at("jadwal vaksin anak", 0), at("jadwal posyandu balita", 1)},
			[][]string{{"jadwal posyandu balita"}, {"jadwal vaksin anak"}}},
		{"same problem, other document", []bot.Unanswered{at("ktp hilang", 0), at("sim hilang", 1)},
			[][]string{{"sim hilang"}, {"ktp hilang"}}},
		{"joined by the first wording, not by chains", []bot.Unanswered{
			at("syarat ktp", 0), at("syarat ktp", 1), at("syarat ktp", 2),
			at("syarat ktp hilang", 3), at("syarat ktp hilang", 4),
			at("ktp hilang rusak", 5),
		}, [][]string{{"syarat ktp", "syarat ktp hilang"}, {"ktp hilang rusak"}}},
		{"only fillers", []bot.Unanswered{at("apa?", 0), at("Apa", 1), at("halo min", 2)},
			[][]string{{"Apa", "apa?"}, {"halo min"}}},
		{"no words at all", []bot.Unanswered{at("🙏", 0), at("🙏 ", 1), at("👍", 2)},
			[][]string{{"🙏"}, {"👍"}}},
		{"most asked first, then most recent", []bot.Unanswered{
			at("pajak kendaraan", 0), at("pajak kendaraan", 1),
			at("akta kelahiran", 5),
			at("izin usaha", 9),
		}, [][]string{{"pajak kendaraan"}, {"izin usaha"}, {"akta kelahiran"}}},
		{"example: most frequent, then most recent", []bot.Unanswered{
			at("daftar bpjs", 0), at("daftar bpjs", 1), at("daftar BPJS dong", 7),
			at("bpjs daftar", 3),
		}, [][]string{{"daftar bpjs", "daftar BPJS dong", "bpjs daftar"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			groups := GroupUnanswered(tt.qs)
			if got := texts(groups); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groups =\n  %q\nwant\n  %q", got, tt.want)
			}
			total := 0
			for _, g := range groups {
				total += g.Count
				if g.Example != g.Texts[0] {
					t.Errorf("Example %q is not Texts[0] %q", g.Example, g.Texts[0])
				}
			}
			if total != len(tt.qs) {
				t.Errorf("groups count %d questions, want %d", total, len(tt.qs))
			}
		})
	}
}

func TestGroupSummary(t *testing.T) {
	en := func(q bot.Unanswered) bot.Unanswered { q.Lang = "en"; return q }
	qs := []bot.Unanswered{
		at("passport renewal", 0), en(at("passport renewal", 4)), en(at("Passport renewal?", 2)),
		{Text: "passport renewal", At: t0.Add(9 * time.Hour)}, // language not chosen yet
	}
	groups := GroupUnanswered(qs)
	want := []Group{{
		Example: "passport renewal",
		Texts:   []string{"passport renewal", "Passport renewal?"},
		Count:   4,
		Lang:    "en",
		Last:    t0.Add(9 * time.Hour),
	}}
	if !reflect.DeepEqual(groups, want) {
		t.Errorf("groups = %+v\nwant %+v", groups, want)
	}

	tie := GroupUnanswered([]bot.Unanswered{en(at("kartu keluarga", 0)), at("kartu keluarga", 1)})
	if len(tie) != 1 || tie[0].Lang != "en" {
		t.Errorf("a tie of languages gives %+v, want the first alphabetically (en)", tie)
	}
}

// The groups depend on the questions, never on the order they come in.
func TestGroupUnansweredDeterministic(t *testing.T) {
	qs := sampleQuestions()
	want := GroupUnanswered(qs)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		shuffled := slices.Clone(qs)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := GroupUnanswered(shuffled); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: groups differ:\n%q\nwant\n%q", i, texts(got), texts(want))
		}
	}
}

func TestWithinOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"paspor", "paspor", true},
		{"paspor", "pasport", true},        // added
		{"pasport", "paspor", true},        // dropped
		{"paspor", "paspur", true},         // changed
		{"perpanjang", "perpanjnag", true}, // swapped
		{"paspor", "pasprot", false},
		{"perpanjang", "perpanjangan", false},
		{"kelahiran", "kematian", false},
		{"akta", "akte", true},
		{"ijazah", "izajah", false}, // two changes
		{"", "a", true},
		{"ab", "ba", true},
		{"abc", "cba", false},
		{"sekolah", "sekólah", true},
	}
	for _, tt := range tests {
		if got := withinOneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("withinOneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"ktp syarat", "ktp syarat", 1},
		{"ktp syarat", "hilang ktp syarat", 2.0 / 3},
		{"hilang ktp", "hilang sim", 1.0 / 3},
		{"paspor perpanjang", "paspor perpanjnag", 1},
		{"akta", "akte", 0}, // too short for a typo
		// One word matches at most one: "paspor" cannot stand for both.
		{"paspor", "paspor pasport", 0.5},
	}
	for _, tt := range tests {
		a, b := strings.Fields(tt.a), strings.Fields(tt.b)
		slices.Sort(a)
		slices.Sort(b)
		vocab := slices.Concat(a, b)
		slices.Sort(vocab)
		voc := newVocabulary(slices.Compact(vocab))
		if got := voc.similarity(voc.set(a), voc.set(b)); fmt.Sprintf("%.4f", got) != fmt.Sprintf("%.4f", tt.want) {
			t.Errorf("similarity(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
		}
	}
}

// fillers.txt must be written the way Tokenize leaves words, and must not
// hold the words that tell questions apart.
func TestFillers(t *testing.T) {
	set := fillers()
	if len(set) < 50 {
		t.Fatalf("%d fillers; fillers.txt not read?", len(set))
	}
	for line := range strings.Lines(fillersText) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(line) {
			if got := analysis.Tokenize(w); len(got) != 1 || got[0] != w {
				t.Errorf("filler %q becomes %q after Tokenize; write it that way", w, got)
			}
		}
	}
	for _, w := range []string{"bikin", "buat", "baru", "hilang", "rusak", "syarat", "biaya", "berapa", "kapan", "dimana", "online", "tidak", "belum", "gak", "anak", "ibu", "bapak", "lama", "perpanjang", "ktp", "sim"} {
		if set[w] {
			t.Errorf("%q is a filler but tells questions apart", w)
		}
	}
}

func TestFeedback(t *testing.T) {
	votes := map[string]bot.Votes{
		"ktp-el-baru":    {Helpful: 3, NotHelpful: 5},
		"sim-perpanjang": {Helpful: 9, NotHelpful: 1},
		"paspor":         {Helpful: 1, NotHelpful: 5},
		"skck":           {Helpful: 4},
		"kosong":         {},
	}
	titles := map[string]string{"ktp-el-baru": "Membuat KTP-el baru", "paspor": "Paspor baru", "skck": "SKCK"}
	got := Feedback(votes, titles)
	want := []EntryFeedback{
		{EntryID: "paspor", Title: "Paspor baru", Helpful: 1, NotHelpful: 5, Share: 1.0 / 6},
		{EntryID: "ktp-el-baru", Title: "Membuat KTP-el baru", Helpful: 3, NotHelpful: 5, Share: 3.0 / 8},
		{EntryID: "sim-perpanjang", Helpful: 9, NotHelpful: 1, Share: 0.9},
		{EntryID: "kosong"},
		{EntryID: "skck", Title: "SKCK", Helpful: 4, Share: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Feedback =\n%+v\nwant\n%+v", got, want)
	}
	if got := Feedback(nil, nil); len(got) != 0 {
		t.Errorf("Feedback(nil) = %+v", got)
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"syarat ktp", 20, "syarat ktp"},
		{"baris\nkedua\tdan\r\x00 lagi", 40, "baris kedua dan lagi"},
		{"abcdefghij", 5, "abcd…"},
		{"abc  defgh", 5, "abc…"},
		{"ééééé", 5, "ééééé"},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in, tt.width); got != tt.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

// Citizen text survives CSV whole, and a formula is not a formula.
func TestUnansweredCSVRoundTrip(t *testing.T) {
	groups := GroupUnanswered(sampleQuestions())
	var b bytes.Buffer
	if err := WriteUnansweredCSV(&b, groups); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v", err)
	}
	if len(rows) != len(groups)+1 {
		t.Fatalf("%d rows for %d groups", len(rows), len(groups))
	}
	byExample := make(map[string][]string)
	for _, r := range rows[1:] {
		byExample[r[1]] = r
	}
	quoted := byExample["berkas \"KK\", akta, dan\nsurat nikah?"]
	if quoted == nil {
		t.Errorf("text with quotes, commas and a newline not found whole in %q", rows)
	}
	if byExample["'=HYPERLINK(\"http://x\")"] == nil {
		t.Errorf("formula not neutralised in %q", rows)
	}
	for _, r := range rows[1:] {
		if r[2] != "" {
			if _, err := time.Parse(time.RFC3339, r[2]); err != nil {
				t.Errorf("last_asked %q: %v", r[2], err)
			}
		}
	}
}

func TestGolden(t *testing.T) {
	groups := GroupUnanswered(sampleQuestions())
	feedback := Feedback(map[string]bot.Votes{
		"ktp-el-baru":    {Helpful: 3, NotHelpful: 5},
		"sim-perpanjang": {Helpful: 9, NotHelpful: 1},
		"entri-lama":     {NotHelpful: 2},
		"skck":           {Helpful: 4},
	}, map[string]string{
		"ktp-el-baru":    "Membuat KTP-el baru",
		"sim-perpanjang": "Perpanjang SIM, \"online\" atau di Satpas",
		"skck":           "SKCK",
	})
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"unanswered.table", func(b *bytes.Buffer) error { return WriteUnansweredTable(b, groups) }},
		{"unanswered.csv", func(b *bytes.Buffer) error { return WriteUnansweredCSV(b, groups) }},
		{"unanswered-empty.table", func(b *bytes.Buffer) error { return WriteUnansweredTable(b, nil) }},
		{"feedback.table", func(b *bytes.Buffer) error { return WriteFeedbackTable(b, feedback) }},
		{"feedback.csv", func(b *bytes.Buffer) error { return WriteFeedbackCSV(b, feedback) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./bot/report -run Golden -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWritersReturnErrors(t *testing.T) {
	groups := GroupUnanswered(sampleQuestions())
	fb := Feedback(map[string]bot.Votes{"a": {Helpful: 1}}, nil)
	for name, err := range map[string]error{
		"unanswered table": WriteUnansweredTable(failingWriter{}, groups),
		"unanswered csv":   WriteUnansweredCSV(failingWriter{}, groups),
		"feedback table":   WriteFeedbackTable(failingWriter{}, fb),
		"feedback csv":     WriteFeedbackCSV(failingWriter{}, fb),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "report: ") {
			t.Errorf("%s: err = %v, want a wrapped write error", name, err)
		}
	}
}

func ExampleGroupUnanswered() {
	wib := time.FixedZone("WIB", 7*60*60)
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, wib)
	groups := GroupUnanswered([]bot.Unanswered{
		{Text: "min, gimana cara bikin ktp?", Lang: "id", At: day},
		{Text: "bikin ktp dong", Lang: "id", At: day.Add(time.Hour)},
		{Text: "bikin ktp dong", Lang: "id", At: day.Add(2 * time.Hour)},
		{Text: "jadwal posyandu", Lang: "id", At: day.Add(3 * time.Hour)},
	})
	for _, g := range groups {
		fmt.Printf("%d× %q (%d ragam), terakhir %s\n", g.Count, g.Example, len(g.Texts), g.Last.Format("15:04"))
	}
	// Output:
	// 3× "bikin ktp dong" (2 ragam), terakhir 11:00
	// 1× "jadwal posyandu" (1 ragam), terakhir 12:00
}

// sampleQuestions is a week of unanswered questions, with the text a
// citizen really sends: slang, typos, punctuation, emoji, a newline,
// quotes, and a formula.
func sampleQuestions() []bot.Unanswered {
	en := func(q bot.Unanswered) bot.Unanswered { q.Lang = "en"; return q }
	return []bot.Unanswered{
		at("min, gimana cara bikin ktp?", 0),
		at("bikin ktp dong", 5),
		at("bikin ktp dong", 30),
		at("tolong kak bikin KTP", 49),
		at("perpanjang paspor", 2),
		at("perpanjnag paspor", 26),
		en(at("how to renew passport", 27)),
		en(at("renew passport", 70)),
		at("jadwal posyandu balita", 3),
		at("jadwal vaksin anak", 4),
		at("berkas \"KK\", akta, dan\nsurat nikah?", 50),
		at("=HYPERLINK(\"http://x\")", 51),
		at("🙏", 52),
		at("🙏", 53),
		at("syarat perpanjang sim", 60),
		at("syarat perpanjangan sim", 61),
		at("syarat perpanjangan SIM C di satpas mana aja, terus biayanya berapa, bisa diwakilkan orang tua atau harus datang sendiri ya", 62),
		at("ktp hilang", 100),
		at("ktp hilang gmn", 101),
		at("ktp hilang", 102),
		at("sim hilang", 103),
	}
}

func BenchmarkGroupUnanswered(b *testing.B) {
	// The most the bot keeps (bot.DefaultConfig: 10,000 questions), in
	// many wordings.
	words := strings.Fields("ktp sim paspor akta kk skck npwp bpjs pajak izin usaha nikah cerai pindah domisili hilang rusak baru perpanjang syarat biaya online kantor jadwal antrian vaksin posyandu sekolah beasiswa bansos")
	r := rand.New(rand.NewPCG(3, 4))
	qs := make([]bot.Unanswered, 10000)
	for i := range qs {
		n := 2 + r.IntN(4)
		ws := make([]string, n)
		for j := range ws {
			ws[j] = words[r.IntN(len(words))]
		}
		qs[i] = at(strings.Join(ws, " "), i)
	}
	for b.Loop() {
		GroupUnanswered(qs)
	}
}
