package knowledge

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Calibration is what an index learns from its own content at build time.
// Every entry's example questions are a labelled set that comes with the
// content: each is held out in turn and searched for among the rest
// (leave-one-out). That chooses the ranking's parameters, and it trains
// the confidence decision with two kinds of evidence:
//
//   - the held-out question searched with the rest of its entry present: is
//     the first entry right?
//   - the same question searched with its whole entry left out: the first
//     entry is then necessarily wrong, which is what a question about a
//     service the content does not cover looks like.
//
// No constant tuned on a question set decides an answer: the defaults
// below apply only to content with too few examples to calibrate, and the
// Calibration says so.
type Calibration struct {
	Params      RankParams
	Model       ConfidenceModel
	Threshold   float64 // a first hit is answered when its confidence reaches this
	CloseMargin float64 // a second hit within this fused score of the first is close
	Target      float64 // the precision aimed at

	// Calibrated is false when defaults were used; Note says why.
	Calibrated bool
	Note       string

	Entries  int // entries in the content
	Examples int // example questions in the content
	HeldOut  int // example questions held out (all, or a sample)
	// Tested counts the held-out examples per entry id.
	Tested map[string]int
	// DefaultParams is true when Params are the defaults (kept because no
	// other combination was significantly better, or not calibrated).
	DefaultParams bool

	// Figures on the held-out examples with the chosen parameters.
	TopOne        float64 // right entry first
	DefaultTopOne float64 // right entry first with the default parameters
	Answered      float64 // share answered
	Precision     float64 // share of answered that are right
	// UncoveredAnswered is the share of held-out examples that name a
	// service no other entry covers (a word only their entry has) and are
	// answered (with a wrong entry) when their whole entry is left out.
	// Threshold keeps it at most maxUncoveredAnswers.
	UncoveredAnswered float64

	// Misses are the held-out examples whose first entry was wrong.
	Misses []SelfMiss
}

// SelfMiss is an example question that went to another entry when held out.
type SelfMiss struct {
	Entry    string // where it belongs
	Got      string // the entry ranked first
	Question string
}

// ConfidenceModel is a logistic model over a hit's features.
type ConfidenceModel struct {
	Weights [7]float64 // Fused, Margin, Cosine, Coverage, Unknown, BM25, Grams
	Bias    float64
}

func (m ConfidenceModel) prob(f features) float64 {
	x := f.vector()
	z := m.Bias
	for i, w := range m.Weights {
		z += w * x[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// defaultModel and defaultThreshold apply when the content has too few
// examples to calibrate: confident when the entry covers most of the
// question's weight, stands well above the others and resembles it.
var defaultModel = ConfidenceModel{Weights: [7]float64{0.3, 1.0, 4, 6, -6, 0, 0}, Bias: -7}

const (
	defaultThreshold   = 0.5
	defaultCloseMargin = 0.5
)

// Calibration limits. Fewer held-out examples than minHeldOut, or fewer
// than minEntries entries, give too noisy a choice: the defaults apply.
// Large content is calibrated on a sample so that a build stays within
// seconds (calibrationWork bounds held-out questions × entries).
const (
	minHeldOut          = 20
	minEntries          = 3
	minClassSamples     = 5
	maxHeldOut          = 1000
	calibrationWork     = 3_000_000
	maxUncoveredAnswers = 0.10 // a question naming an uncovered service: 90% declined
)

// calibrationGrid lists the parameters tried.
var calibrationGrid = struct {
	K1, B, BodyWeight, Mix, Coverage []float64
}{
	K1:         []float64{0.8, 1.5, 3, 8},
	B:          []float64{0.3, 0.75},
	BodyWeight: []float64{0, 0.2, 0.6},
	Mix:        []float64{0, 0.25, 0.5, 0.75, 1},
	Coverage:   []float64{0, 0.5, 1, 2},
}

// heldOutQuery is one example prepared for leave-one-out search.
type heldOutQuery struct {
	ex      *example
	inScope query // the example left out of its entry
	outside query // its whole entry left out
}

func (ix *Index) calibrate(ctx context.Context, examples []example, opts BuildOptions) (Calibration, error) {
	cal := Calibration{
		Params:        defaultRankParams,
		Model:         defaultModel,
		Threshold:     defaultThreshold,
		CloseMargin:   defaultCloseMargin,
		Target:        opts.TargetPrecision,
		DefaultParams: true,
		Entries:       len(ix.content.Entries),
		Examples:      len(examples),
	}
	if cal.Entries < minEntries {
		cal.Note = fmt.Sprintf("hanya %d entri (perlu minimal %d untuk kalibrasi); memakai parameter bawaan", cal.Entries, minEntries)
		return cal, nil
	}
	queries := ix.heldOutQueries(examples)
	cal.HeldOut = len(queries)
	if len(queries) < minHeldOut {
		cal.Note = fmt.Sprintf("hanya %d contoh pertanyaan yang dapat diuji (perlu minimal %d); memakai parameter bawaan", len(queries), minHeldOut)
		return cal, nil
	}
	var notes []string
	if len(queries) < len(examples) {
		notes = append(notes, fmt.Sprintf("dikalibrasi pada sampel %d dari %d contoh pertanyaan agar pembangunan indeks tetap cepat", len(queries), len(examples)))
	}
	params, topOne, defTopOne, err := ix.chooseParams(ctx, queries)
	if err != nil {
		return cal, err
	}
	cal.Params, cal.TopOne, cal.DefaultTopOne = params, topOne, defTopOne
	cal.DefaultParams = params == defaultRankParams
	cal.Tested = make(map[string]int)
	for _, q := range queries {
		cal.Tested[ix.content.Entries[q.ex.entry].ID]++
	}
	cal.Calibrated = true
	samples, misses, err := ix.collectSamples(ctx, queries, params)
	if err != nil {
		return cal, err
	}
	cal.Misses = misses
	var pos, neg int
	for _, s := range samples {
		if s.label {
			pos++
		} else {
			neg++
		}
	}
	switch {
	case pos < minClassSamples:
		// The content's own examples are hardly ever found again: no
		// confidence is trustworthy, so the bot only offers choices.
		cal.Threshold = neverAnswer
		notes = append(notes, fmt.Sprintf("hanya %d contoh pertanyaan yang ditemukan kembali di entrinya sendiri; bot tidak menjawab otomatis, hanya menawarkan pilihan", pos))
	case neg < minClassSamples:
		notes = append(notes, fmt.Sprintf("contoh terlalu seragam (%d benar, %d salah); ambang keyakinan bawaan", pos, neg))
	default:
		cal.Model = fitLogistic(samples)
		for i := range samples {
			samples[i].prob = cal.Model.prob(samples[i].f)
		}
		cal.Threshold = chooseThreshold(samples, cal.Target)
	}
	for i := range samples {
		samples[i].prob = cal.Model.prob(samples[i].f)
	}
	cal.CloseMargin = closeMargin(samples)
	var answered, right, uncovered, outside, inScope int
	for _, s := range samples {
		ok := s.f.Topic && s.prob >= cal.Threshold
		if s.outside {
			if s.namesUncovered() {
				outside++
				if ok {
					uncovered++
				}
			}
			continue
		}
		inScope++
		if ok {
			answered++
			if s.label {
				right++
			}
		}
	}
	if inScope > 0 {
		cal.Answered = float64(answered) / float64(inScope)
	}
	if answered > 0 {
		cal.Precision = float64(right) / float64(answered)
	}
	if outside > 0 {
		cal.UncoveredAnswered = float64(uncovered) / float64(outside)
	}
	if answered == 0 && cal.Threshold != neverAnswer {
		notes = append(notes, fmt.Sprintf("tidak ada ambang yang mencapai presisi %.2f pada contoh; bot tidak menjawab otomatis, hanya menawarkan pilihan", cal.Target))
	}
	cal.Note = strings.Join(notes, "; ")
	return cal, nil
}

// neverAnswer is a threshold no confidence reaches.
const neverAnswer = 2.0

// heldOutQueries prepares the examples to hold out: all of them, or an
// even sample when the content is large.
func (ix *Index) heldOutQueries(examples []example) []heldOutQuery {
	limit := min(maxHeldOut, calibrationWork/max(1, len(ix.content.Entries)))
	step := 1.0
	if len(examples) > limit {
		step = float64(len(examples)) / float64(limit)
	}
	var out []heldOutQuery
	for f := 0.0; int(f) < len(examples); f += step {
		ex := &examples[int(f)]
		var terms []string
		for t := range ex.terms {
			if !isNumber(t) {
				terms = append(terms, t)
			}
		}
		slices.Sort(terms)
		if len(terms) > maxQueryTerms {
			terms = terms[:maxQueryTerms]
		}
		in := ix.newQuery(terms, ex.grams)
		if len(in.terms) == 0 && len(in.grams.ids) == 0 {
			continue
		}
		out1 := ix.newQuery(terms, ex.grams)
		in.heldEntry, in.heldLen = ex.entry, ex.length
		out1.exclude = ex.entry
		for i := range in.terms {
			t := &in.terms[i]
			t.held = ex.terms[t.term]
			p, ok := postingOf(t.post, ex.entry)
			if !ok {
				continue
			}
			if p.strong() > 0 && p.strong()-t.held <= 0 {
				t.dfStrong--
			}
			if p.strong()+p.body-t.held <= 0 {
				t.dfAll--
			}
			o := &out1.terms[i]
			if p.strong() > 0 {
				o.dfStrong--
			}
			o.dfAll--
		}
		out = append(out, heldOutQuery{ex: ex, inScope: in, outside: out1})
	}
	return out
}

// chooseParams searches the grid on the held-out examples in two steps,
// keeping the combination with the best mean reciprocal rank: first
// BM25's parameters (k1, b, body weight) with the default fusion, then the
// fusion (mix, coverage bonus) with the BM25 parameters chosen. In each
// step the defaults stay unless the best is significantly better
// (significantlyBetter), so noise in the content's examples does not move
// them. It also returns top-1 with the
// chosen and with the default parameters.
func (ix *Index) chooseParams(ctx context.Context, queries []heldOutQuery) (RankParams, float64, float64, error) {
	g := calibrationGrid
	def := defaultRankParams
	var first []RankParams
	for _, k1 := range g.K1 {
		for _, b := range g.B {
			for _, bw := range g.BodyWeight {
				first = append(first, RankParams{K1: k1, B: b, BodyWeight: bw, Mix: def.Mix, Coverage: def.Coverage})
			}
		}
	}
	first = append(first, def)
	results, err := ix.evaluateParams(ctx, queries, first)
	if err != nil {
		return RankParams{}, 0, 0, err
	}
	defResult := results[len(results)-1]
	bm25 := choose(results, len(results)-1)
	var second []RankParams
	for _, mix := range g.Mix {
		for _, cw := range g.Coverage {
			p := bm25.p
			p.Mix, p.Coverage = mix, cw
			second = append(second, p)
		}
	}
	second = append(second, bm25.p) // the default fusion with the chosen BM25
	more, err := ix.evaluateParams(ctx, queries, second)
	if err != nil {
		return RankParams{}, 0, 0, err
	}
	best := choose(more, len(more)-1)
	nq := float64(len(queries))
	return best.p, best.topOne / nq, defResult.topOne / nq, nil
}

// choose returns the result with the best mean reciprocal rank if it is
// significantly better than results[def], else results[def].
func choose(results []paramResult, def int) paramResult {
	best := results[bestResult(results)]
	if !significantlyBetter(best.perQuery, results[def].perQuery) {
		return results[def]
	}
	return best
}

// significantlyBetter reports whether a's reciprocal ranks beat b's on the
// same held-out examples by more than twice the standard error of their
// mean difference: a gain smaller than that is as likely noise of these
// examples as a gain on the questions citizens will ask.
func significantlyBetter(a, b []float32) bool {
	n := float64(len(a))
	if n < 2 {
		return false
	}
	var sum, sq float64
	for i := range a {
		d := float64(a[i] - b[i])
		sum += d
		sq += d * d
	}
	mean := sum / n
	variance := max(sq/n-mean*mean, 0) * n / (n - 1)
	return mean > 2*math.Sqrt(variance/n)
}

// paramResult is one combination's sum of reciprocal ranks and count of
// right first entries over the held-out examples, and each example's
// reciprocal rank.
type paramResult struct {
	p          RankParams
	rr, topOne float64
	perQuery   []float32
}

func bestResult(results []paramResult) int {
	best := 0
	for i, r := range results {
		if r.rr > results[best].rr {
			best = i
		}
	}
	return best
}

// evaluateParams ranks every held-out example under each combination.
// Combinations that share BM25's parameters share its pass, and those
// that also share the mix share the fusion.
func (ix *Index) evaluateParams(ctx context.Context, queries []heldOutQuery, params []RankParams) ([]paramResult, error) {
	results := make([]paramResult, len(params))
	for i, p := range params {
		results[i].p = p
		results[i].perQuery = make([]float32, len(queries))
	}
	n := len(ix.content.Entries)
	s := newScores(n)
	covCache := make(map[int]float64)
	for qi := range queries {
		if qi%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("knowledge: calibrate: %w", err)
			}
		}
		q := &queries[qi].inScope
		want := queries[qi].ex.entry
		s.reset()
		ix.grams.cosines(q, s)
		clear(covCache)
		cov := func(e int) float64 {
			c, ok := covCache[e]
			if !ok {
				c, _, _, _ = ix.terms.coverage(q, e)
				covCache[e] = c
			}
			return c
		}
		for ci := 0; ci < len(params); {
			p := params[ci]
			ix.terms.bm25(q, p, s)
			for ci < len(params) && sameBM25(params[ci], p) {
				mix := params[ci].Mix
				f := newFusion(s, n, mix)
				best := bestEntries(s, f, candidateDepth)
				for ; ci < len(params) && sameBM25(params[ci], p) && params[ci].Mix == mix; ci++ {
					r := slices.IndexFunc(rerank(best, params[ci].Coverage, cov), func(r ranked) bool { return r.entry == want }) + 1
					if r > 0 {
						results[ci].rr += 1 / float64(r)
						results[ci].perQuery[qi] = 1 / float32(r)
						if r == 1 {
							results[ci].topOne++
						}
					}
				}
			}
		}
	}
	return results, nil
}

func sameBM25(a, b RankParams) bool {
	return a.K1 == b.K1 && a.B == b.B && a.BodyWeight == b.BodyWeight
}

// namesUncovered reports whether s is a search with its whole entry left
// out that has a word no remaining entry has: a question that names a
// service the content does not cover. (Without such a word the question
// is one the remaining entries could answer, a neighbour's.)
func (s sample) namesUncovered() bool { return s.outside && s.f.Unknown > 0 }

// sample is one held-out search's confidence features and outcome.
type sample struct {
	f       features
	label   bool // the first entry is right
	outside bool // searched with its whole entry left out
	prob    float64
}

// collectSamples runs both searches of every held-out example with the
// chosen parameters.
func (ix *Index) collectSamples(ctx context.Context, queries []heldOutQuery, p RankParams) ([]sample, []SelfMiss, error) {
	n := len(ix.content.Entries)
	s := newScores(n)
	var out []sample
	var misses []SelfMiss
	run := func(q *query, entries int) (features, []ranked) {
		s.reset()
		ix.terms.bm25(q, p, s)
		ix.grams.cosines(q, s)
		f := newFusion(s, entries, p.Mix)
		best := ix.rank(q, s, f, p, 2)
		return ix.features(q, s, f, best), best
	}
	for qi := range queries {
		if qi%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, fmt.Errorf("knowledge: calibrate: %w", err)
			}
		}
		hq := &queries[qi]
		f, best := run(&hq.inScope, n)
		if len(best) > 0 {
			right := best[0].entry == hq.ex.entry
			out = append(out, sample{f: f, label: right})
			if !right {
				misses = append(misses, SelfMiss{
					Entry:    ix.content.Entries[hq.ex.entry].ID,
					Got:      ix.content.Entries[best[0].entry].ID,
					Question: hq.ex.text,
				})
			}
		}
		if n > 1 {
			f, best = run(&hq.outside, n-1)
			if len(best) > 0 {
				out = append(out, sample{f: f, outside: true})
			}
		}
	}
	return out, misses, nil
}

// featureSigns is the direction in which each feature (features.vector)
// moves confidence.
var featureSigns = [len(ConfidenceModel{}.Weights)]float64{1, 1, 1, 1, -1, 1, 1}

// fitLogistic fits the confidence model by gradient descent on
// standardised features with a little L2 regularisation, each weight kept
// to its feature's sign (featureSigns). Only samples that
// match a topic are fitted: the others are never answered.
func fitLogistic(samples []sample) ConfidenceModel {
	const dims = 7
	var fit []sample
	for _, s := range samples {
		if s.f.Topic {
			fit = append(fit, s)
		}
	}
	if len(fit) == 0 {
		return defaultModel
	}
	var mean, sd [dims]float64
	for _, s := range fit {
		for i, v := range s.f.vector() {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= float64(len(fit))
	}
	for _, s := range fit {
		for i, v := range s.f.vector() {
			sd[i] += (v - mean[i]) * (v - mean[i])
		}
	}
	for i := range sd {
		sd[i] = math.Sqrt(sd[i] / float64(len(fit)))
		if sd[i] < 1e-9 {
			sd[i] = 1
		}
	}
	xs := make([][dims]float64, len(fit))
	for k, s := range fit {
		for i, v := range s.f.vector() {
			xs[k][i] = (v - mean[i]) / sd[i]
		}
	}
	n := float64(len(fit))
	var w [dims]float64
	var b float64
	const (
		iterations = 300
		rate       = 0.5
		l2         = 1e-3
	)
	for it := 0; it < iterations; it++ {
		var gw [dims]float64
		var gb float64
		for k, s := range fit {
			z := b
			for i := range w {
				z += w[i] * xs[k][i]
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if s.label {
				y = 1
			}
			d := p - y
			for i := range w {
				gw[i] += d * xs[k][i]
			}
			gb += d
		}
		for i := range w {
			w[i] -= rate * (gw[i]/n + l2*w[i])
			// Each feature can only raise (or, for Unknown, lower)
			// confidence: a correlated pair must not learn opposite signs
			// that no question outside the held-out set would bear out.
			if w[i]*featureSigns[i] < 0 {
				w[i] = 0
			}
		}
		b -= rate * gb / n
	}
	// Back to raw features.
	var m ConfidenceModel
	m.Bias = b
	for i := range w {
		m.Weights[i] = w[i] / sd[i]
		m.Bias -= w[i] * mean[i] / sd[i]
	}
	return m
}

// chooseThreshold returns the lowest confidence at which the answered
// held-out examples reach the target precision and at most
// maxUncoveredAnswers of the examples that name an uncovered service
// (see namesUncovered) are answered; the highest confidence seen when no
// threshold reaches both.
func chooseThreshold(samples []sample, target float64) float64 {
	var in, outside []float64
	var labels []bool
	type pair struct {
		p     float64
		right bool
	}
	var pairs []pair
	for _, s := range samples {
		if !s.f.Topic {
			continue
		}
		if s.outside {
			if s.namesUncovered() {
				outside = append(outside, s.prob)
			}
		} else {
			pairs = append(pairs, pair{s.prob, s.label})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].p > pairs[j].p })
	for _, p := range pairs {
		in = append(in, p.p)
		labels = append(labels, p.right)
	}
	sort.Float64s(outside)
	totalOutside := 0
	for _, s := range samples {
		if s.namesUncovered() {
			totalOutside++
		}
	}
	best := 1.0
	if len(in) > 0 {
		best = math.Nextafter(in[0], 2)
	}
	var right int
	for i, p := range in {
		if labels[i] {
			right++
		}
		if i+1 < len(in) && in[i+1] == p {
			continue // thresholds fall between distinct confidences
		}
		answered := i + 1
		if answered < minClassSamples {
			continue
		}
		// Left-out-entry examples at or above p.
		above := len(outside) - sort.SearchFloat64s(outside, p)
		okUncovered := totalOutside == 0 || float64(above) <= maxUncoveredAnswers*float64(totalOutside)
		if float64(right)/float64(answered) >= target && okUncovered {
			best = p
		}
	}
	return best
}

// closeMargin is how far ahead a wrong first entry typically was of the
// right one: the median margin of held-out examples whose first entry was
// wrong.
func closeMargin(samples []sample) float64 {
	var margins []float64
	for _, s := range samples {
		if !s.outside && !s.label {
			margins = append(margins, s.f.Margin)
		}
	}
	if len(margins) < minClassSamples {
		return defaultCloseMargin
	}
	slices.Sort(margins)
	return margins[len(margins)/2]
}
