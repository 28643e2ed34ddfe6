package knowledge

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
)

// BundledQuestions is the repository's own question set, written the way
// citizens write, used by `layanan eval` when no other set is named.
//
//go:embed testdata/questions.tsv
var BundledQuestions string

// Question is one line of a question set.
type Question struct {
	Line     int
	Text     string
	Expected []string // ids any of which is right; empty: out of scope
}

// OutOfScope reports whether no entry should answer the question.
func (q Question) OutOfScope() bool { return len(q.Expected) == 0 }

// ParseQuestions reads a question set: one "expected-ids<TAB>question" per
// line, where expected-ids is an id, ids joined by "|" (either is right) or
// "-" (out of scope: must not be answered). Blank lines and lines starting
// with '#' are skipped. Every malformed line is reported, with its number.
func ParseQuestions(r io.Reader) ([]Question, error) {
	var (
		qs   []Question
		errs []string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ids, text, ok := strings.Cut(line, "\t")
		text = strings.TrimSpace(text)
		if !ok || text == "" {
			errs = append(errs, fmt.Sprintf("baris %d: harus id-harapan, TAB, lalu pertanyaan", n))
			continue
		}
		q := Question{Line: n, Text: text}
		if ids = strings.TrimSpace(ids); ids != "-" {
			for _, id := range strings.Split(ids, "|") {
				if id = strings.TrimSpace(id); !slugRE.MatchString(id) {
					errs = append(errs, fmt.Sprintf("baris %d: %q bukan id entri (atau - untuk di luar cakupan)", n, id))
					continue
				}
				q.Expected = append(q.Expected, id)
			}
			if len(q.Expected) == 0 {
				continue
			}
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: read questions: %w", err)
	}
	if len(errs) > 0 {
		return qs, fmt.Errorf("knowledge: kumpulan pertanyaan: %s", strings.Join(errs, "; "))
	}
	return qs, nil
}

// Searcher answers questions; Index and Baseline both do.
type Searcher interface {
	Search(ctx context.Context, question string, top int) (Result, error)
	Content() *Content
}

// Miss is a question the searcher got wrong.
type Miss struct {
	Question Question
	Answered bool
	Got      []string // ids of the hits, best first
}

// Report holds a question set's figures.
type Report struct {
	InScope    int
	OutOfScope int
	TopOne     float64 // the first hit right, answered or not, over in-scope questions
	RecallAt1  float64 // answered and the first hit right, over in-scope questions
	RecallAt3  float64 // a right entry among the first three hits
	MRR        float64 // mean reciprocal rank of the first right hit (top 10)
	Answered   float64 // in-scope questions answered, over in-scope questions
	Precision  float64 // answered in-scope questions whose first hit is right
	Rejection  float64 // out-of-scope questions not answered, over out-of-scope questions
	Misses     []Miss
	// UnknownIDs are questions that expect an id the content does not have;
	// they are left out of every figure.
	UnknownIDs []Question
}

// Evaluate runs every question through s.
func Evaluate(ctx context.Context, s Searcher, qs []Question) (Report, error) {
	var rep Report
	var top1, r1, r3, rr, rejected, answered float64
	content := s.Content()
	for _, q := range qs {
		if unknown := slices.ContainsFunc(q.Expected, func(id string) bool { _, ok := content.Entry(id); return !ok }); unknown {
			rep.UnknownIDs = append(rep.UnknownIDs, q)
			continue
		}
		res, err := s.Search(ctx, q.Text, 10)
		if err != nil {
			return rep, fmt.Errorf("knowledge: evaluate line %d: %w", q.Line, err)
		}
		got := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			got[i] = h.Entry.ID
		}
		if q.OutOfScope() {
			rep.OutOfScope++
			if res.Answered {
				rep.Misses = append(rep.Misses, Miss{q, true, got})
			} else {
				rejected++
			}
			continue
		}
		rep.InScope++
		rank := 0
		for i, id := range got {
			if slices.Contains(q.Expected, id) {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			top1++
		}
		if res.Answered {
			answered++
		}
		if rank == 1 && res.Answered {
			r1++
		} else {
			rep.Misses = append(rep.Misses, Miss{q, res.Answered, got})
		}
		if rank >= 1 && rank <= 3 {
			r3++
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
	}
	if rep.InScope > 0 {
		n := float64(rep.InScope)
		rep.TopOne, rep.RecallAt1, rep.RecallAt3, rep.MRR = top1/n, r1/n, r3/n, rr/n
		rep.Answered = answered / n
	}
	if answered > 0 {
		rep.Precision = r1 / answered
	}
	if rep.OutOfScope > 0 {
		rep.Rejection = rejected / float64(rep.OutOfScope)
	}
	return rep, nil
}
