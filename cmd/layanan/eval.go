package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/layanan-id/layanan/knowledge"
)

const evalHelp = `layanan eval [--faq DIR] [--questions FILE] [--baseline]

Mengukur pencarian pada kumpulan pertanyaan (TSV: "id-harapan<TAB>pertanyaan";
"a|b" berarti salah satu benar; "-" berarti di luar cakupan dan tidak boleh
dijawab). Mencetak R@1, R@3, MRR, penolakan di luar cakupan, dan setiap
pertanyaan yang meleset. --baseline menambahkan angka indeks bleve standar.`

func runEval(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("eval", stderr, evalHelp)
	dir := fs.String("faq", "", "folder konten FAQ (bawaan: FAQ_DIR, lalu konten bawaan)")
	questions := fs.String("questions", "", "berkas TSV pertanyaan (bawaan: kumpulan pertanyaan repositori)")
	baseline := fs.Bool("baseline", false, "bandingkan dengan indeks bleve standar")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	}
	setName, set := "kumpulan bawaan", knowledge.BundledQuestions
	if *questions != "" {
		data, err := os.ReadFile(*questions)
		if err != nil {
			return fmt.Errorf("%w: baca --questions: %v", errUsage, err)
		}
		setName, set = *questions, string(data)
	}
	qs, err := knowledge.ParseQuestions(strings.NewReader(set))
	if err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, setName, err)
	}
	if len(qs) == 0 {
		return fmt.Errorf("%w: %s: tidak ada pertanyaan", errUsage, setName)
	}
	src, err := resolveContent(*dir, getenv)
	if err != nil {
		return err
	}
	ix, err := loadIndex(ctx, src, stderr)
	if err != nil {
		return err
	}
	defer ix.Close()
	rep, err := knowledge.Evaluate(ctx, ix, qs)
	if err != nil {
		return err
	}
	reports := []knowledge.Report{rep}
	names := []string{"Layanan"}
	if *baseline {
		b, err := knowledge.BuildBaseline(ctx, ix.Content())
		if err != nil {
			return err
		}
		defer b.Close()
		brep, err := knowledge.Evaluate(ctx, b, qs)
		if err != nil {
			return err
		}
		reports = append(reports, brep)
		names = append(names, "bleve standar")
	}
	writeEvalReport(stdout, setName, src.name, names, reports)
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
