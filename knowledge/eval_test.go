package knowledge

import (
	"context"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// The floors below are the figures the engine reached on each set when
// they were last raised; a change that drops below them fails. The
// corpora under testdata/corpus-* were written by helpers who never saw
// the engine, its word lists or the other corpora; nothing was tuned on
// them, and every parameter is chosen by the index's own calibration.
func TestEvalQuestionSets(t *testing.T) {
	tests := []struct {
		content, questions string
		// Floors: plain top-1, R@1 (answered and right), answered
		// precision, out-of-scope declined.
		minTop1, minR1, minPrecision, minReject float64
	}{
		// The bundled content with the repository's two sets.
		{"", "testdata/questions.tsv", 0.96, 0.85, 0.98, 0.95},
		{"", "testdata/questions-holdout.tsv", 0.95, 0.83, 0.97, 0.90},
		// Another author's 25 services, a bare folder.
		{"testdata/corpus2", "testdata/corpus2-questions.tsv", 0.98, 0.93, 0.98, 0.92},
		// A hospital, a village office and a university: 34-35 entries,
		// 10-40 example questions each.
		{"testdata/corpus-rsud", "testdata/corpus-rsud-questions.tsv", 0.91, 0.74, 0.96, 0.90},
		{"testdata/corpus-desa", "testdata/corpus-desa-questions.tsv", 0.84, 0.55, 0.93, 0.88},
		{"testdata/corpus-kampus", "testdata/corpus-kampus-questions.tsv", 0.86, 0.63, 0.95, 0.94},
	}
	for _, tt := range tests {
		t.Run(tt.questions, func(t *testing.T) {
			ix := bundledIndex(t)
			if tt.content != "" {
				ix = buildDir(t, tt.content)
			}
			rep := evaluateFile(t, ix, tt.questions)
			t.Logf("%s: top-1 %.3f R@1 %.3f precision %.3f R@3 %.3f MRR %.3f rejection %.3f (%d in scope, %d out)",
				tt.questions, rep.TopOne, rep.RecallAt1, rep.Precision, rep.RecallAt3, rep.MRR, rep.Rejection, rep.InScope, rep.OutOfScope)
			if rep.InScope < 100 || rep.OutOfScope < 15 {
				t.Errorf("set too small: %d in scope, %d out of scope", rep.InScope, rep.OutOfScope)
			}
			if len(rep.UnknownIDs) > 0 {
				t.Errorf("%d questions expect ids the content lacks", len(rep.UnknownIDs))
			}
			if rep.TopOne < tt.minTop1 || rep.RecallAt1 < tt.minR1 || rep.Precision < tt.minPrecision || rep.Rejection < tt.minReject {
				for _, m := range rep.Misses {
					t.Logf("miss line %d %q: want %v got %v answered %v", m.Question.Line, m.Question.Text, m.Question.Expected, m.Got, m.Answered)
				}
				t.Errorf("below the floor: top-1 %.3f (min %.3f), R@1 %.3f (min %.3f), precision %.3f (min %.3f), rejection %.3f (min %.3f)",
					rep.TopOne, tt.minTop1, rep.RecallAt1, tt.minR1, rep.Precision, tt.minPrecision, rep.Rejection, tt.minReject)
			}
		})
	}
}

func buildDir(tb testing.TB, dir string) *Index {
	tb.Helper()
	return buildFS(tb, os.DirFS(dir))
}

// buildFS loads and indexes a content folder.
func buildFS(tb testing.TB, fsys fs.FS) *Index {
	tb.Helper()
	c, err := Load(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := Build(context.Background(), c)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func evaluateFile(tb testing.TB, s Searcher, file string) Report {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	qs, err := ParseQuestions(strings.NewReader(string(data)))
	if err != nil {
		tb.Fatal(err)
	}
	rep, err := Evaluate(context.Background(), s, qs)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// Stock bleve answers everything; ours must rank at least as well on every
// corpus and decline far more out-of-scope questions.
func TestEvalNotBelowBaseline(t *testing.T) {
	sets := []struct {
		content, questions string
		// slack is how far below stock bleve's top-1 and MRR ours may be:
		// zero except on the campus corpus, where ours is still 0.009
		// behind on top-1 (a known gap, see README).
		slack float64
	}{
		{"", "testdata/questions.tsv", 0},
		{"", "testdata/questions-holdout.tsv", 0},
		{"testdata/corpus2", "testdata/corpus2-questions.tsv", 0},
		{"testdata/corpus-rsud", "testdata/corpus-rsud-questions.tsv", 0},
		{"testdata/corpus-desa", "testdata/corpus-desa-questions.tsv", 0},
		{"testdata/corpus-kampus", "testdata/corpus-kampus-questions.tsv", 0.015},
	}
	for _, set := range sets {
		t.Run(set.questions, func(t *testing.T) {
			ix := bundledIndex(t)
			if set.content != "" {
				ix = buildDir(t, set.content)
			}
			b, err := BuildBaseline(context.Background(), ix.Content())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			ours, base := evaluateFile(t, ix, set.questions), evaluateFile(t, b, set.questions)
			t.Logf("top-1 %.3f vs stock %.3f; MRR %.3f vs %.3f; rejection %.3f vs %.3f", ours.TopOne, base.TopOne, ours.MRR, base.MRR, ours.Rejection, base.Rejection)
			if ours.TopOne < base.TopOne-set.slack || ours.MRR < base.MRR-set.slack || ours.Rejection < base.Rejection+0.5 {
				t.Errorf("not ahead of stock bleve: top-1 %.3f vs %.3f, MRR %.3f vs %.3f, rejection %.3f vs %.3f",
					ours.TopOne, base.TopOne, ours.MRR, base.MRR, ours.Rejection, base.Rejection)
			}
		})
	}
}

func TestParseQuestions(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
	}{
		{"good", "ktp-el-baru\tbikin ktp\n-\tcuaca besok\na|b\tx\n", 3, ""},
		{"comments and blanks", "# set\n\nktp-el-baru\tbikin ktp\n", 1, ""},
		{"crlf", "ktp-el-baru\tbikin ktp\r\n", 1, ""},
		{"no tab", "ktp-el-baru bikin ktp\n", 0, "baris 1: harus id-harapan"},
		{"empty question", "ktp-el-baru\t  \n", 0, "baris 1"},
		{"bad id", "KTP Baru\tbikin\n", 0, `baris 1: "KTP Baru" bukan id entri`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, err := ParseQuestions(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(qs) != tt.want {
				t.Fatalf("got %d questions, err %v; want %d", len(qs), err, tt.want)
			}
		})
	}
}

func FuzzParseQuestions(f *testing.F) {
	for _, s := range []string{"ktp-el-baru\tbikin ktp\n", "-\tcuaca\n", "a|b\tx\r\n", "# c\n\n", "no tab\n", "\t\n", "BAD ID\tq\n", "a||b\tq\n", "\xff\tq\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		qs, err := ParseQuestions(strings.NewReader(in))
		for _, q := range qs {
			if strings.TrimSpace(q.Text) == "" || q.Line < 1 {
				t.Fatalf("bad question %+v from %q", q, in)
			}
			for _, id := range q.Expected {
				if !slugRE.MatchString(id) {
					t.Fatalf("id %q accepted from %q", id, in)
				}
			}
		}
		if err != nil && !strings.Contains(err.Error(), "baris") && !strings.Contains(err.Error(), "read questions") {
			t.Fatalf("error without a line number: %v", err)
		}
	})
}
