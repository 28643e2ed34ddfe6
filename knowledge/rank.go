package knowledge

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// The ranking scores every entry as a whole, never a single example
// question, with two measures fused by z-scores:
//
//   - BM25F over the entry's analysed words: its example questions, title
//     and keywords at full weight, its body and card at a lighter weight;
//   - the cosine between the question's character 3–5-grams and the
//     centroid of the entry's example questions and title (TF-IDF), which
//     tolerates typos and affixes the analysis missed, and which does not
//     favour an entry for having few or many examples.
//
// Both are built so that one example question, or one whole entry, can be
// left out cheaply: that is how the index calibrates itself on its own
// content (calibrate.go).

// RankParams are the ranking's free parameters, chosen per content by
// calibration.
type RankParams struct {
	K1, B      float64 // BM25 term-frequency saturation and length normalisation
	BodyWeight float64 // weight of the body and card relative to the strong fields
	Mix        float64 // weight of BM25's z-score in the fusion (the rest: n-grams)
	// Coverage is added, times the share of the question's term weight an
	// entry matches in its strong fields, to the fused score of the best
	// candidates: it favours the entry that matches all of the question
	// over one that matches a part of it often.
	Coverage float64
}

// defaultRankParams apply when the content has too few example questions
// to calibrate: textbook BM25 and an even fusion.
var defaultRankParams = RankParams{K1: 1.2, B: 0.75, BodyWeight: 0.2, Mix: 0.5, Coverage: 1}

// termPosting is one entry's term frequencies in the strong fields
// (questions, title, keywords) and the weak one (body and card).
type termPosting struct {
	entry     int32
	questions float32
	other     float32 // title and keywords
	body      float32
}

func (p termPosting) strong() float32 { return p.questions + p.other }

// termIndex holds the BM25F statistics, postings sorted by entry.
type termIndex struct {
	post       map[string][]termPosting
	strongLen  []float32 // per entry: terms in the strong fields
	bodyLen    []float32
	avgStrong  float64
	avgBody    float64
	dfStrong   map[string]int32
	dfAll      map[string]int32
	numEntries int
}

// gramPosting is one entry's centroid weight for a character n-gram.
type gramPosting struct {
	entry  int32
	weight float32
}

// gramIndex holds the character n-gram TF-IDF centroids.
type gramIndex struct {
	ids  map[string]int32
	idf  []float32
	post [][]gramPosting
	norm []float64 // per entry: length of the (unnormalised) centroid sum
}

// Character n-grams of 3 to 5 runes over words padded with a space.
const minGram, maxGram = 3, 5

// gramCounts returns the n-grams of words with their counts.
func gramCounts(words []string) map[string]int {
	counts := make(map[string]int, len(words)*12)
	var buf []rune
	for _, w := range words {
		buf = append(buf[:0], ' ')
		buf = append(buf, []rune(w)...)
		buf = append(buf, ' ')
		for n := minGram; n <= maxGram; n++ {
			for i := 0; i+n <= len(buf); i++ {
				counts[string(buf[i:i+n])]++
			}
		}
	}
	return counts
}

// gramVector is a sparse, L2-normalised TF-IDF vector over known n-grams.
type gramVector struct {
	ids     []int32
	weights []float32
}

// vector weighs counts by the index's IDF (sublinear tf) and normalises
// them; n-grams the content never uses are dropped.
func (g *gramIndex) vector(counts map[string]int) gramVector {
	known := make([]gramCount, 0, len(counts))
	for gram, c := range counts {
		if id, ok := g.ids[gram]; ok {
			known = append(known, gramCount{id, int32(c)})
		}
	}
	// In id order, so that sums do not depend on map order.
	slices.SortFunc(known, func(a, b gramCount) int { return int(a.id - b.id) })
	return g.vectorOf(known)
}

// vectorOf is vector for counts of known n-grams.
func (g *gramIndex) vectorOf(counts []gramCount) gramVector {
	v := gramVector{ids: make([]int32, len(counts)), weights: make([]float32, len(counts))}
	var norm float64
	for i, c := range counts {
		w := (1 + math.Log(float64(c.n))) * float64(g.idf[c.id])
		v.ids[i], v.weights[i] = c.id, float32(w)
		norm += w * w
	}
	if norm > 0 {
		inv := 1 / math.Sqrt(norm)
		for i := range v.weights {
			v.weights[i] = float32(float64(v.weights[i]) * inv)
		}
	}
	return v
}

// queryTerm is one distinct analysed term of a question with its postings.
type queryTerm struct {
	term     string
	post     []termPosting
	dfStrong int32 // adjusted for what is left out
	dfAll    int32
	held     float32 // occurrences in the left-out example question
	aspect   bool    // an aspect or question word: never a topic
}

// query is a question prepared for scoring, possibly with an example
// question (heldEntry, its terms counted in queryTerm.held) or a whole
// entry (exclude) left out.
type query struct {
	terms     []queryTerm
	grams     gramVector
	heldEntry int // -1: none
	heldLen   float32
	exclude   int // -1: none
}

// scores are one query's per-entry measures; slices have one slot per
// entry and touched lists the entries with any score.
type scores struct {
	bm, ng  []float64
	touched []int32
	seen    []bool
}

func newScores(n int) *scores {
	return &scores{bm: make([]float64, n), ng: make([]float64, n), seen: make([]bool, n)}
}

func (s *scores) reset() {
	for _, e := range s.touched {
		s.bm[e], s.ng[e], s.seen[e] = 0, 0, false
	}
	s.touched = s.touched[:0]
}

func (s *scores) touch(e int32) {
	if !s.seen[e] {
		s.seen[e] = true
		s.touched = append(s.touched, e)
	}
}

// idf is BM25's inverse document frequency over n entries.
func idf(df, n float64) float64 {
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// bm25 fills s.bm with BM25F scores under p.
func (ti *termIndex) bm25(q *query, p RankParams, s *scores) {
	n := float64(ti.numEntries)
	if q.exclude >= 0 {
		n--
	}
	avg := ti.avgStrong + p.BodyWeight*ti.avgBody
	if avg <= 0 {
		avg = 1
	}
	for e := range s.touched {
		s.bm[s.touched[e]] = 0
	}
	for _, t := range q.terms {
		df := float64(t.dfStrong)
		if p.BodyWeight > 0 {
			df = float64(t.dfAll)
		}
		if df <= 0 {
			continue
		}
		w := idf(df, n) * (p.K1 + 1)
		for _, post := range t.post {
			e := int(post.entry)
			if e == q.exclude {
				continue
			}
			tf := float64(post.strong()) + p.BodyWeight*float64(post.body)
			l := float64(ti.strongLen[e]) + p.BodyWeight*float64(ti.bodyLen[e])
			if e == q.heldEntry {
				tf -= float64(t.held)
				l -= float64(q.heldLen)
			}
			if tf <= 1e-9 {
				continue
			}
			s.touch(post.entry)
			s.bm[e] += w * tf / (tf + p.K1*(1-p.B+p.B*max(l, 0)/avg))
		}
	}
}

// cosines fills s.ng with the n-gram cosine to each entry's centroid.
func (g *gramIndex) cosines(q *query, s *scores) {
	for i, id := range q.grams.ids {
		qw := float64(q.grams.weights[i])
		for _, post := range g.post[id] {
			if int(post.entry) == q.exclude {
				continue
			}
			s.touch(post.entry)
			s.ng[post.entry] += qw * float64(post.weight)
		}
	}
	for _, e := range s.touched {
		norm := g.norm[e]
		if int(e) == q.heldEntry && len(q.grams.ids) > 0 {
			// The left-out question is in the centroid sum with unit
			// length: take it out of the dot product and the norm.
			dot := s.ng[e]
			sq := norm*norm - 2*dot + 1
			s.ng[e] = dot - 1
			norm = math.Sqrt(max(sq, 0))
		}
		if norm > 1e-9 && s.ng[e] > 0 {
			s.ng[e] /= norm
		} else {
			s.ng[e] = 0
		}
	}
}

// ranked is an entry with its fused score.
type ranked struct {
	entry int
	fused float64
}

// fusion standardises both measures over all entries (an entry with no
// score counts as 0) and mixes them. Standardising is linear, so the
// fused score is one weighted sum: fused = wBM·bm + wNG·ng + offset.
type fusion struct {
	meanBM, sdBM, meanNG, sdNG float64
	mix                        float64
	wBM, wNG, offset           float64
}

func newFusion(s *scores, n int, mix float64) fusion {
	var sb, sb2, sn, sn2 float64
	for _, e := range s.touched {
		sb += s.bm[e]
		sb2 += s.bm[e] * s.bm[e]
		sn += s.ng[e]
		sn2 += s.ng[e] * s.ng[e]
	}
	f := fusion{mix: mix}
	if n <= 0 {
		return f
	}
	fn := float64(n)
	f.meanBM, f.meanNG = sb/fn, sn/fn
	f.sdBM = math.Sqrt(max(sb2/fn-f.meanBM*f.meanBM, 0))
	f.sdNG = math.Sqrt(max(sn2/fn-f.meanNG*f.meanNG, 0))
	if f.sdBM > 1e-12 {
		f.wBM = mix / f.sdBM
		f.offset -= f.wBM * f.meanBM
	}
	if f.sdNG > 1e-12 {
		f.wNG = (1 - mix) / f.sdNG
		f.offset -= f.wNG * f.meanNG
	}
	return f
}

func (f fusion) score(bm, ng float64) float64 {
	return f.wBM*bm + f.wNG*ng + f.offset
}

// z returns both measures' z-scores.
func (f fusion) z(bm, ng float64) (zb, zn float64) {
	if f.sdBM > 1e-12 {
		zb = (bm - f.meanBM) / f.sdBM
	}
	if f.sdNG > 1e-12 {
		zn = (ng - f.meanNG) / f.sdNG
	}
	return zb, zn
}

// floor is the fused score of an entry that matches nothing.
func (f fusion) floor() float64 { return f.score(0, 0) }

// bestEntries returns the k best entries, best first, ties broken by entry order
// (entries are sorted by id).
func bestEntries(s *scores, f fusion, k int) []ranked {
	out := make([]ranked, 0, k+1)
	for _, e := range s.touched {
		if s.bm[e] == 0 && s.ng[e] == 0 {
			// Touched by an earlier pass with other parameters only.
			continue
		}
		r := ranked{int(e), f.wBM*s.bm[e] + f.wNG*s.ng[e] + f.offset}
		if len(out) == k && !better(r, out[k-1]) {
			continue
		}
		i := len(out)
		for i > 0 && better(r, out[i-1]) {
			i--
		}
		out = slices.Insert(out, i, r)
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}

func better(a, b ranked) bool {
	if a.fused != b.fused {
		return a.fused > b.fused
	}
	return a.entry < b.entry
}

// rerank adds the coverage bonus to the best candidates and orders them
// again. cov returns an entry's coverage.
func rerank(best []ranked, weight float64, cov func(e int) float64) []ranked {
	if weight == 0 {
		return best
	}
	out := slices.Clone(best)
	for i := range out {
		out[i].fused += weight * cov(out[i].entry)
	}
	slices.SortStableFunc(out, func(a, b ranked) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return out
}

// postingOf returns entry e's posting in post (sorted by entry).
func postingOf(post []termPosting, e int) (termPosting, bool) {
	i, ok := slices.BinarySearchFunc(post, int32(e), func(p termPosting, e int32) int { return int(p.entry - e) })
	if !ok {
		return termPosting{}, false
	}
	return post[i], true
}

// features are what the confidence decision reads about the best entry.
type features struct {
	Fused    float64 // its fused z-score
	BM25     float64 // its BM25 z-score
	Grams    float64 // its n-gram z-score
	Margin   float64 // ahead of the second entry, in fused z-score
	Cosine   float64 // n-gram cosine to its centroid
	Coverage float64 // share of the question's term weight it matches in strong fields
	Unknown  float64 // share of the question's term weight no entry has in a strong field
	Topic    bool    // it matches, in a strong field, a term that is not an aspect
}

func (f features) vector() []float64 {
	return []float64{f.Fused, f.Margin, f.Cosine, f.Coverage, f.Unknown, f.BM25, f.Grams}
}

// coverage computes the coverage, unknown share and topic match of entry
// e for q, with q's left-out parts taken out.
func (ti *termIndex) coverage(q *query, e int) (cov, unknown float64, topic bool, matched []string) {
	n := float64(ti.numEntries)
	maxW := idf(0, n)
	var total, got, unk float64
	for _, t := range q.terms {
		w := maxW
		if t.dfStrong > 0 {
			w = idf(float64(t.dfStrong), n)
		}
		if t.aspect {
			w *= aspectShare
		}
		total += w
		if t.dfStrong == 0 {
			unk += w
		}
		p, ok := postingOf(t.post, e)
		if !ok {
			continue
		}
		strong := p.strong()
		if e == q.heldEntry {
			strong -= t.held
		}
		if strong > 1e-6 {
			got += w
			matched = append(matched, t.term)
			if !t.aspect {
				topic = true
			}
		} else if p.body > 0 {
			matched = append(matched, t.term)
		}
	}
	if total > 0 {
		cov, unknown = got/total, unk/total
	}
	return cov, unknown, topic, matched
}

// aspectShare is the weight, in coverage, of an aspect or question word
// ("syarat", "biaya", "apa") relative to a topic word of the same rarity:
// every entry can be asked them, so they say little about which one.
const aspectShare = 0.3

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// joinLines joins texts one per line.
func joinLines(texts ...string) string { return strings.Join(texts, "\n") }
