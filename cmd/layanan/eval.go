package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/layanan-id/layanan/knowledge"
)

const evalHelp = `layanan eval [--faq DIR] [--questions FILE] [--baseline] [--examples N]
layanan eval --self [--faq DIR] [--examples N]

Mengukur pencarian pada kumpulan pertanyaan (TSV: "id-harapan<TAB>pertanyaan";
"a|b" berarti salah satu benar; "-" berarti di luar cakupan dan tidak boleh
dijawab). Mencetak R@1, R@3, MRR, penolakan di luar cakupan, dan setiap
pertanyaan yang meleset. --baseline menambahkan angka indeks bleve standar.

--self menguji konten dengan contoh pertanyaannya sendiri (setiap contoh
disisihkan bergiliran lalu dicari di antara sisanya): top-1 dan presisi,
apa yang dipilih kalibrasi, pasangan entri yang paling sering tertukar,
dan entri yang contohnya terlalu sedikit atau terlalu mirip.

--examples N memakai hanya N contoh pertanyaan pertama tiap entri, untuk
melihat bagaimana konten bekerja dengan contoh yang lebih sedikit.

English: measures the search on a question set (TSV "expected-ids<TAB>question"; "-" = out of scope) beside stock bleve with --baseline; --self is the leave-one-out report on the content's own example questions; --examples N keeps the first N examples per entry.`

func runEval(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("eval", stderr, evalHelp)
	dir := fs.String("faq", "", "folder konten FAQ (bawaan: FAQ_DIR, lalu konten bawaan)")
	questions := fs.String("questions", "", "berkas TSV pertanyaan (bawaan: kumpulan pertanyaan repositori)")
	baseline := fs.Bool("baseline", false, "bandingkan dengan indeks bleve standar")
	self := fs.Bool("self", false, "laporan uji-diri dari contoh pertanyaan konten")
	examples := fs.Int("examples", 0, "pakai hanya N contoh pertanyaan pertama tiap entri (0: semua)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	case *examples < 0:
		return fmt.Errorf("%w: --examples harus 0 atau lebih, bukan %d", errUsage, *examples)
	case *self && (*questions != "" || *baseline):
		return fmt.Errorf("%w: --self tidak dipakai bersama --questions atau --baseline", errUsage)
	}
	// The question set is checked before the index is built, so a bad
	// file is reported at once.
	setName, qs, err := readQuestionSet(*questions, !*self)
	if err != nil {
		return err
	}
	var adapt func(*knowledge.Content) *knowledge.Content
	if *examples > 0 {
		adapt = func(c *knowledge.Content) *knowledge.Content { return c.WithExamples(*examples) }
	}
	src, err := resolveContent(*dir, getenv)
	if err != nil {
		return err
	}
	ix, err := loadIndexWith(ctx, src, stderr, adapt)
	if err != nil {
		return err
	}
	defer ix.Close()
	if *self {
		writeSelfReport(stdout, src.Name, ix)
		return nil
	}
	return evaluate(ctx, stdout, ix, qs, *baseline, setName, src.Name)
}

// readQuestionSet reads --questions (or the bundled set) when need is
// true; it returns the set's name for the report.
func readQuestionSet(file string, need bool) (string, []knowledge.Question, error) {
	setName, set := "kumpulan bawaan", knowledge.BundledQuestions
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", nil, fmt.Errorf("%w: baca --questions: %v", errUsage, err)
		}
		setName, set = file, string(data)
	}
	if !need {
		return setName, nil, nil
	}
	qs, err := knowledge.ParseQuestions(strings.NewReader(set))
	if err != nil {
		return "", nil, fmt.Errorf("%w: %s: %v", errUsage, setName, err)
	}
	if len(qs) == 0 {
		return "", nil, fmt.Errorf("%w: %s: tidak ada pertanyaan", errUsage, setName)
	}
	return setName, qs, nil
}

// evaluate runs the set on the index and, with baseline, on stock bleve,
// and prints the report.
func evaluate(ctx context.Context, w io.Writer, ix *knowledge.Index, qs []knowledge.Question, baseline bool, setName, contentName string) error {
	rep, err := knowledge.Evaluate(ctx, ix, qs)
	if err != nil {
		return err
	}
	reports, names := []knowledge.Report{rep}, []string{"Layanan"}
	if baseline {
		b, err := knowledge.BuildBaseline(ctx, ix.Content())
		if err != nil {
			return err
		}
		defer b.Close()
		brep, err := knowledge.Evaluate(ctx, b, qs)
		if err != nil {
			return err
		}
		reports, names = append(reports, brep), append(names, "bleve standar")
	}
	writeEvalReport(w, setName, contentName, names, reports)
	return nil
}

func writeEvalReport(w io.Writer, setName, contentName string, names []string, reports []knowledge.Report) {
	rep := reports[0]
	fmt.Fprintf(w, "Pertanyaan: %s (%d dalam cakupan, %d di luar cakupan); konten: %s\n\n",
		setName, rep.InScope, rep.OutOfScope, contentName)
	fmt.Fprintf(w, "%-30s", "")
	for _, n := range names {
		fmt.Fprintf(w, "%15s", n)
	}
	fmt.Fprintln(w)
	rows := []struct {
		label string
		value func(knowledge.Report) float64
	}{
		{"Top-1 (urutan pertama benar)", func(r knowledge.Report) float64 { return r.TopOne }},
		{"R@1 (dijawab & benar)", func(r knowledge.Report) float64 { return r.RecallAt1 }},
		{"Dijawab", func(r knowledge.Report) float64 { return r.Answered }},
		{"Presisi jawaban", func(r knowledge.Report) float64 { return r.Precision }},
		{"R@3", func(r knowledge.Report) float64 { return r.RecallAt3 }},
		{"MRR", func(r knowledge.Report) float64 { return r.MRR }},
		{"Tolak di luar cakupan", func(r knowledge.Report) float64 { return r.Rejection }},
	}
	for _, row := range rows {
		fmt.Fprintf(w, "%-30s", row.label)
		for _, r := range reports {
			fmt.Fprintf(w, "%15.3f", row.value(r))
		}
		fmt.Fprintln(w)
	}
	if len(rep.UnknownIDs) > 0 {
		fmt.Fprintf(w, "\nId harapan yang tidak ada di konten (%d pertanyaan, tidak dihitung):\n", len(rep.UnknownIDs))
		for _, q := range rep.UnknownIDs {
			fmt.Fprintf(w, "  baris %d: %s\n", q.Line, strings.Join(q.Expected, "|"))
		}
	}
	fmt.Fprintf(w, "\nMeleset (Layanan): %d\n", len(rep.Misses))
	for _, m := range rep.Misses {
		want := strings.Join(m.Question.Expected, "|")
		if m.Question.OutOfScope() {
			want = "- (di luar cakupan)"
		}
		answered := "tidak dijawab"
		if m.Answered {
			answered = "dijawab"
		}
		got := strings.Join(m.Got[:min(3, len(m.Got))], ", ")
		if got == "" {
			got = "(tidak ada)"
		}
		fmt.Fprintf(w, "  baris %d: %q\n    harapan %s; dapat %s; %s\n", m.Question.Line, m.Question.Text, want, got, answered)
	}
}

// writeSelfReport prints the leave-one-out report for staff: what to fix
// in their content.
func writeSelfReport(w io.Writer, contentName string, ix *knowledge.Index) {
	cal := ix.Calibration()
	fmt.Fprintf(w, "Uji-diri konten %s: %d entri, %d contoh pertanyaan, %d diuji\n\n", contentName, cal.Entries, cal.Examples, cal.HeldOut)
	if !cal.Calibrated {
		fmt.Fprintf(w, "Kalibrasi: tidak dilakukan (%s).\n", cal.Note)
		return
	}
	fmt.Fprintf(w, "Setiap contoh pertanyaan disisihkan lalu dicari di antara sisa konten:\n")
	fmt.Fprintf(w, "  Top-1 (entri yang benar di urutan pertama): %.3f (parameter bawaan: %.3f)\n", cal.TopOne, cal.DefaultTopOne)
	fmt.Fprintf(w, "  Dijawab dengan yakin:                       %.3f\n", cal.Answered)
	precision := "–"
	if cal.Answered > 0 {
		precision = fmt.Sprintf("%.3f", cal.Precision)
	}
	fmt.Fprintf(w, "  Presisi jawaban (target %.2f):              %s\n", cal.Target, precision)
	fmt.Fprintf(w, "  Dijawab padahal layanannya tidak ada lagi:  %.3f (entrinya dihapus; seharusnya rendah)\n", cal.UncoveredAnswered)
	fmt.Fprintln(w, "  (Ambang dipilih pada contoh yang sama, jadi angka di atas cenderung sedikit optimistis.)")
	fmt.Fprintln(w)
	p := cal.Params
	kept := ""
	if cal.DefaultParams {
		kept = " (bawaan dipertahankan: pilihan lain tidak nyata lebih baik)"
	}
	fmt.Fprintf(w, "Pilihan kalibrasi: BM25 k1=%.1f b=%.2f, bobot isi %.1f, campuran BM25/n-gram %.2f, bonus cakupan %.1f%s; ambang keyakinan %.2f\n",
		p.K1, p.B, p.BodyWeight, p.Mix, p.Coverage, kept, cal.Threshold)
	if cal.Note != "" {
		fmt.Fprintf(w, "Catatan: %s\n", cal.Note)
	}

	type pair struct{ a, b string }
	counts := map[pair][]knowledge.SelfMiss{}
	for _, m := range cal.Misses {
		k := pair{m.Entry, m.Got}
		counts[k] = append(counts[k], m)
	}
	pairs := make([]pair, 0, len(counts))
	for k := range counts {
		pairs = append(pairs, k)
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		if d := len(counts[y]) - len(counts[x]); d != 0 {
			return d
		}
		return strings.Compare(x.a+x.b, y.a+y.b)
	})
	fmt.Fprintf(w, "\nPasangan entri yang paling sering tertukar (%d contoh meleset):\n", len(cal.Misses))
	if len(pairs) == 0 {
		fmt.Fprintln(w, "  (tidak ada)")
	}
	for _, k := range pairs[:min(10, len(pairs))] {
		fmt.Fprintf(w, "  %s → %s: %d contoh\n", k.a, k.b, len(counts[k]))
		for _, m := range counts[k][:min(3, len(counts[k]))] {
			fmt.Fprintf(w, "      %q\n", m.Question)
		}
	}

	fmt.Fprintln(w, "\nEntri yang perlu contoh pertanyaan lebih banyak atau lebih beragam:")
	missesOf := map[string]int{}
	for _, m := range cal.Misses {
		missesOf[m.Entry]++
	}
	any := false
	for _, e := range ix.Content().Entries {
		var why []string
		if n := len(e.Questions); n < 5 {
			why = append(why, fmt.Sprintf("hanya %d contoh (sebaiknya 5 atau lebih)", n))
		}
		if n, tested := missesOf[e.ID], cal.Tested[e.ID]; n > 0 && float64(n) >= 0.3*float64(tested) {
			why = append(why, fmt.Sprintf("%d dari %d contohnya yang diuji lari ke entri lain", n, tested))
		}
		if dup := duplicateQuestions(e.Questions); dup > 0 {
			why = append(why, fmt.Sprintf("%d contoh nyaris sama dengan contoh lain", dup))
		}
		if len(why) > 0 {
			any = true
			fmt.Fprintf(w, "  %s: %s\n", e.ID, strings.Join(why, "; "))
		}
	}
	if !any {
		fmt.Fprintln(w, "  (tidak ada)")
	}
}

// duplicateQuestions counts example questions whose normalised words
// equal another example's.
func duplicateQuestions(qs []string) int {
	seen := map[string]bool{}
	dup := 0
	for _, q := range qs {
		key := strings.Join(strings.Fields(strings.ToLower(strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return ' '
		}, q))), " ")
		if seen[key] {
			dup++
		}
		seen[key] = true
	}
	return dup
}
