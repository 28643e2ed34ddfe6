package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

// Index fields. The strong ones (example questions, title, keywords) carry
// the topic far more reliably than the body, which mentions many other
// services in passing; the body's weight is chosen by calibration.
const (
	fieldQuestions = "questions"
	fieldTitle     = "title"
	fieldKeywords  = "keywords"
	fieldBody      = "body"
)

var indexFields = [...]string{fieldQuestions, fieldTitle, fieldKeywords, fieldBody}

const analyzerName = "layanan"

// bleveBatchSize is how many entries go to bleve in one batch.
const bleveBatchSize = 200

// MaxQuestionRunes bounds how much of a question is analysed; a citizen's
// question is far shorter, and the bound keeps a 10 kB paste cheap.
const MaxQuestionRunes = 500

// maxQueryTerms bounds the terms of one query for the same reason, and
// maxQuestionWords the words that are spell-checked to find them.
const (
	maxQueryTerms    = 32
	maxQuestionWords = 4 * maxQueryTerms
)

// Index answers questions over one immutable Content. It is safe for
// concurrent use; a content reload builds a new Index and swaps it in.
//
// bleve analyses the content with Layanan's analyzer and inverts it; the
// index then reads bleve's postings once into compact per-entry statistics
// and scores them itself, because calibration must leave single example
// questions out of the statistics, which bleve's scorer cannot do.
type Index struct {
	content  *Content
	analyzer *analysis.Analyzer
	speller  *analysis.Speller
	byID     map[string]int
	terms    termIndex
	grams    gramIndex
	cal      Calibration
	pool     sync.Pool // *scores
}

// Build indexes the content's entries and calibrates the ranking and the
// confidence decision on the content's own example questions. It returns
// an error when the index cannot be created or the context ends.
func Build(ctx context.Context, c *Content) (*Index, error) {
	return BuildWithOptions(ctx, c, BuildOptions{})
}

// BuildOptions change how an index calibrates itself.
type BuildOptions struct {
	// TargetPrecision is the share of answered questions that must be right
	// on the content's own held-out examples (default 0.95).
	TargetPrecision float64
}

// DefaultTargetPrecision is the precision the confidence threshold aims at.
const DefaultTargetPrecision = 0.95

// BuildWithOptions is Build with other calibration options.
func BuildWithOptions(ctx context.Context, c *Content, opts BuildOptions) (*Index, error) {
	if opts.TargetPrecision <= 0 || opts.TargetPrecision >= 1 {
		opts.TargetPrecision = DefaultTargetPrecision
	}
	a, bi, err := buildBleve(ctx, c)
	if err != nil {
		return nil, err
	}
	ix := &Index{
		content:  c,
		analyzer: a,
		byID:     make(map[string]int, len(c.Entries)),
	}
	for i := range c.Entries {
		ix.byID[c.Entries[i].ID] = i
	}
	err = ix.readPostings(ctx, bi)
	// bleve's index is not needed once its postings are read; closing it
	// now lets its memory go before calibration.
	bi.Close()
	if err != nil {
		return nil, err
	}
	examples := ix.analyzeEntries()
	ix.buildGrams(examples)
	ix.speller = analysis.NewSpeller(ix.vocabulary())
	ix.pool.New = func() any { return newScores(len(c.Entries)) }
	cal, err := ix.calibrate(ctx, examples, opts)
	if err != nil {
		return nil, err
	}
	ix.cal = cal
	return ix, nil
}

// contentWords are the normalised words of the entries' titles, example
// questions and keywords: built-in word lists leave these alone.
func contentWords(c *Content) []string {
	seen := make(map[string]bool)
	var words []string
	add := func(text string) {
		for _, w := range analysis.Tokenize(text) {
			if !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		add(e.Title)
		for _, q := range e.Questions {
			add(q)
		}
		for _, k := range e.Keywords {
			add(k)
		}
	}
	slices.Sort(words)
	return words
}

// buildBleve indexes the content in an in-memory bleve index with
// Layanan's analyzer and returns the analyzer instance bleve built.
func buildBleve(ctx context.Context, c *Content) (*analysis.Analyzer, bleve.Index, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(analyzerName, map[string]any{
		"type":          analysis.BleveAnalyzerType,
		"synonyms":      analysis.SynonymConfig(c.Synonyms),
		"content_words": analysis.WordsConfig(contentWords(c)),
	}); err != nil {
		return nil, nil, fmt.Errorf("knowledge: register analyzer: %w", err)
	}
	// The mapping built the analyzer; questions use the same instance.
	a, ok := analysis.Unwrap(im.AnalyzerNamed(analyzerName))
	if !ok {
		return nil, nil, fmt.Errorf("knowledge: analyzer %q is not Layanan's", analyzerName)
	}
	im.DefaultAnalyzer = analyzerName
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range indexFields {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = analyzerName
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		doc.AddFieldMappingsAt(f, fm)
	}
	im.DefaultMapping = doc
	bi, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("knowledge: create index: %w", err)
	}
	batch := bi.NewBatch()
	for i := range c.Entries {
		if err := ctx.Err(); err != nil {
			bi.Close()
			return nil, nil, fmt.Errorf("knowledge: build index: %w", err)
		}
		e := &c.Entries[i]
		fields := entryFields(e)
		doc := make(map[string]any, len(fields))
		for k, v := range fields {
			doc[k] = v
		}
		// Each example question is a text of its own, analysed on its own,
		// so the index counts exactly what calibration subtracts when it
		// holds one out (joined, a word ending one question and starting
		// the next would be counted once).
		questions := make([]any, len(e.Questions))
		for j, q := range e.Questions {
			questions[j] = q
		}
		doc[fieldQuestions] = questions
		if err := batch.Index(e.ID, doc); err != nil {
			bi.Close()
			return nil, nil, fmt.Errorf("knowledge: index %s: %w", e.ID, err)
		}
		// Smaller batches keep bleve's interim segment small: a build
		// needs less memory at its peak.
		if batch.Size() == bleveBatchSize {
			if err := bi.Batch(batch); err != nil {
				bi.Close()
				return nil, nil, fmt.Errorf("knowledge: build index: %w", err)
			}
			batch.Reset()
		}
	}
	if err := bi.Batch(batch); err != nil {
		bi.Close()
		return nil, nil, fmt.Errorf("knowledge: build index: %w", err)
	}
	return a, bi, nil
}

// entryFields is the text of each index field of an entry.
func entryFields(e *Entry) map[string]string {
	card := []string{e.Fee, e.Duration, e.Where, e.LegalBasis}
	return map[string]string{
		fieldQuestions: joinLines(e.Questions...),
		fieldTitle:     e.Title,
		fieldKeywords:  joinLines(e.Keywords...) + "\n" + strings.ReplaceAll(e.ID, "-", " "),
		fieldBody:      withoutUnfilledPhrase(joinLines(card...) + "\n" + e.Body),
	}
}

// readPostings copies bleve's postings of every field into the termIndex.
func (ix *Index) readPostings(ctx context.Context, bi bleve.Index) error {
	adv, err := bi.Advanced()
	if err != nil {
		return fmt.Errorf("knowledge: open index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("knowledge: open index reader: %w", err)
	}
	defer r.Close()
	n := len(ix.content.Entries)
	ti := termIndex{
		post:       make(map[string][]termPosting),
		strongLen:  make([]float32, n),
		bodyLen:    make([]float32, n),
		dfStrong:   make(map[string]int32),
		dfAll:      make(map[string]int32),
		numEntries: n,
	}
	entryOf := make(map[string]int32, n) // bleve's internal id → entry
	lookup := func(id index.IndexInternalID) (int32, error) {
		if e, ok := entryOf[string(id)]; ok {
			return e, nil
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return 0, fmt.Errorf("knowledge: read index: %w", err)
		}
		e, ok := ix.byID[ext]
		if !ok {
			return 0, fmt.Errorf("knowledge: read index: unknown document %q", ext)
		}
		entryOf[string(id)] = int32(e)
		return int32(e), nil
	}
	for _, field := range indexFields {
		dict, err := r.FieldDict(field)
		if err != nil {
			return fmt.Errorf("knowledge: read %s terms: %w", field, err)
		}
		for {
			de, err := dict.Next()
			if err != nil {
				dict.Close()
				return fmt.Errorf("knowledge: read %s terms: %w", field, err)
			}
			if de == nil {
				break
			}
			if err := ctx.Err(); err != nil {
				dict.Close()
				return fmt.Errorf("knowledge: build index: %w", err)
			}
			tfr, err := r.TermFieldReader(ctx, []byte(de.Term), field, true, false, false)
			if err != nil {
				dict.Close()
				return fmt.Errorf("knowledge: read postings of %q: %w", de.Term, err)
			}
			post := ti.post[de.Term]
			for {
				d, err := tfr.Next(nil)
				if err != nil {
					tfr.Close()
					dict.Close()
					return fmt.Errorf("knowledge: read postings of %q: %w", de.Term, err)
				}
				if d == nil {
					break
				}
				e, err := lookup(d.ID)
				if err != nil {
					tfr.Close()
					dict.Close()
					return err
				}
				i, found := slices.BinarySearchFunc(post, e, func(p termPosting, e int32) int { return int(p.entry - e) })
				if !found {
					post = slices.Insert(post, i, termPosting{entry: e})
				}
				tf := float32(d.Freq)
				switch field {
				case fieldQuestions:
					post[i].questions += tf
				case fieldBody:
					post[i].body += tf
				default:
					post[i].other += tf
				}
				if field == fieldBody {
					ti.bodyLen[e] += tf
				} else {
					ti.strongLen[e] += tf
				}
			}
			tfr.Close()
			ti.post[de.Term] = post
		}
		dict.Close()
	}
	var sumStrong, sumBody float64
	for e := 0; e < n; e++ {
		sumStrong += float64(ti.strongLen[e])
		sumBody += float64(ti.bodyLen[e])
	}
	if n > 0 {
		ti.avgStrong, ti.avgBody = sumStrong/float64(n), sumBody/float64(n)
	}
	for term, post := range ti.post {
		var strong int32
		for _, p := range post {
			if p.strong() > 0 {
				strong++
			}
		}
		ti.dfAll[term] = int32(len(post))
		if strong > 0 {
			ti.dfStrong[term] = strong
		}
	}
	ix.terms = ti
	return nil
}

// example is one example question of an entry, analysed once at build
// for calibration.
type example struct {
	entry  int
	text   string
	terms  map[string]float32 // analysed term → occurrences
	length float32
	grams  gramVector
}

// analyzeEntries analyses every example question's terms; buildGrams adds
// their n-gram vectors.
func (ix *Index) analyzeEntries() []example {
	var out []example
	for i := range ix.content.Entries {
		for _, q := range ix.content.Entries[i].Questions {
			ex := example{entry: i, text: q, terms: make(map[string]float32)}
			for _, t := range ix.analyzer.Analyze(q) {
				ex.terms[t]++
				ex.length++
			}
			out = append(out, ex)
		}
	}
	return out
}

// gramCount is an n-gram's id and count in one text.
type gramCount struct{ id, n int32 }

// buildGrams builds the n-gram centroids: each entry's example questions,
// its title and its keywords are one unit-length vector each, summed. It
// also gives every example its vector. Counts are kept as ids, not maps,
// so a large content needs little memory while it is built.
func (ix *Index) buildGrams(examples []example) {
	n := len(ix.content.Entries)
	g := gramIndex{ids: make(map[string]int32)}
	var df []int32
	seen := make(map[int32]bool)
	counts := func(text string) []gramCount {
		m := gramCounts(ix.analyzer.Words(text))
		out := make([]gramCount, 0, len(m))
		for gram, c := range m {
			id, ok := g.ids[gram]
			if !ok {
				id = int32(len(df))
				g.ids[gram] = id
				df = append(df, 0)
			}
			if !seen[id] {
				seen[id] = true
				df[id]++
			}
			out = append(out, gramCount{id, int32(c)})
		}
		return out
	}
	// Each text's counts, its entry, and its example (-1: a title or the
	// keywords).
	var (
		docs      [][]gramCount
		entryOf   []int32
		exampleOf []int32
	)
	add := func(text string, entry, example int) {
		docs = append(docs, counts(text))
		entryOf = append(entryOf, int32(entry))
		exampleOf = append(exampleOf, int32(example))
	}
	next := 0
	for i := range ix.content.Entries {
		clear(seen) // df counts entries, not texts
		for ; next < len(examples) && examples[next].entry == i; next++ {
			add(examples[next].text, i, next)
		}
		e := &ix.content.Entries[i]
		add(e.Title, i, -1)
		if len(e.Keywords) > 0 {
			add(joinLines(e.Keywords...), i, -1)
		}
	}
	g.idf = make([]float32, len(df))
	for id, d := range df {
		g.idf[id] = float32(math.Log(float64(n+1)/float64(d+1)) + 1)
	}
	g.post = make([][]gramPosting, len(df))
	g.norm = make([]float64, n)
	vecs := make([][]gramVector, n)
	for k, d := range docs {
		v := g.vectorOf(d)
		vecs[entryOf[k]] = append(vecs[entryOf[k]], v)
		if x := exampleOf[k]; x >= 0 {
			examples[x].grams = v
		}
	}
	docs = nil
	sum := make(map[int32]float64)
	for i := range vecs {
		clear(sum)
		for _, v := range vecs[i] {
			for k, id := range v.ids {
				sum[id] += float64(v.weights[k])
			}
		}
		var sq float64
		for id, w := range sum {
			g.post[id] = append(g.post[id], gramPosting{entry: int32(i), weight: float32(w)})
			sq += w * w
		}
		g.norm[i] = math.Sqrt(sq)
	}
	ix.grams = g
}

// vocabulary is what the spelling corrector corrects to: every word of the
// content, then the words the analyser has a rule for.
func (ix *Index) vocabulary() map[string]int {
	vocab := make(map[string]int)
	for i := range ix.content.Entries {
		for _, text := range entryFields(&ix.content.Entries[i]) {
			for _, w := range analysis.Tokenize(text) {
				vocab[w]++
			}
		}
	}
	for _, w := range ix.analyzer.CorrectionTargets() {
		if vocab[w] == 0 {
			vocab[w] = 1 // a target for corrections, below any content word
		}
	}
	return vocab
}

// Close releases the index. The index keeps no open resources once built;
// Close exists so callers treat every index alike.
func (ix *Index) Close() error { return nil }

// Content returns the content the index was built from.
func (ix *Index) Content() *Content { return ix.content }

// Calibration returns what the index chose from its content.
func (ix *Index) Calibration() Calibration { return ix.cal }

// Hit is one candidate entry for a question.
type Hit struct {
	Entry *Entry
	// Score is the fused ranking score: how many standard deviations the
	// entry stands above the average entry.
	Score    float64
	Coverage float64 // weighted share of the question's terms the entry matches in strong fields
	// TopicMatched is true when the entry matches, in its questions, title
	// or keywords, a term of the question that names a topic rather than
	// an aspect (fee, requirements...); only such an entry can be an answer.
	TopicMatched bool
	Matched      []string // the question's terms the entry contains
}

// Result is the engine's answer to one question.
type Result struct {
	Question    string
	Terms       []string          // the question's search terms after analysis
	Corrections map[string]string // misspelt word → the word searched instead
	Hits        []Hit             // best first, at most the requested number
	// Answered is true when the first hit is a confident answer.
	Answered bool
	// Confidence is the calibrated probability that the first hit is right.
	Confidence float64
	// Close is true when the second hit is nearly as good as the first, so
	// both should be offered.
	Close bool
	// Also is a second topic the question names that the first hit does
	// not cover ("paspor sama sim"): offer it beside the answer.
	Also *Hit
	// SmallTalk names the kind of message that is not a question at all
	// (thanks, greeting, laughter, insult, emoji, "mau tanya"); such a
	// message is never searched.
	SmallTalk string
	// Aspects lists what the question asks about a service (fee, duration,
	// where, requirements, steps, legal), in the order asked; HasTopic
	// tells whether it also names a topic. "biayanya berapa?" has the
	// aspect fee and no topic: a follow-up to the previous answer.
	Aspects  []string
	HasTopic bool
}

// candidateDepth is how many entries are ranked for a question, beyond
// the hits returned: the second topic and close calls are looked for among
// them.
const candidateDepth = 10

// Search answers one question with at most top hits (default 3). Any text
// is accepted: it is analysed into words, never parsed as query syntax. It
// returns an error only when ctx ends.
func (ix *Index) Search(ctx context.Context, question string, top int) (Result, error) {
	if top <= 0 {
		top = 3
	}
	res := Result{Question: question}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("knowledge: search: %w", err)
	}
	question = truncateRunes(question, MaxQuestionRunes)
	if kind := ix.analyzer.SmallTalk(question); kind != "" {
		res.SmallTalk = kind
		return res, nil
	}
	tokens := analysis.Tokenize(question)
	joins := ix.analyzer.JoinsRequests(tokens)
	terms, words, corrections := ix.analyzeQuestion(tokens)
	res.Terms, res.Corrections = terms, corrections
	for _, t := range terms {
		switch aspect := ix.analyzer.Aspect(t); aspect {
		case "":
			res.HasTopic = true
		case "other":
		default:
			if !slices.Contains(res.Aspects, aspect) {
				res.Aspects = append(res.Aspects, aspect)
			}
		}
	}
	q := ix.newQuery(terms, ix.grams.vector(gramCounts(words)))
	s := ix.pool.Get().(*scores)
	defer func() {
		s.reset()
		ix.pool.Put(s)
	}()
	p := ix.cal.Params
	ix.terms.bm25(&q, p, s)
	ix.grams.cosines(&q, s)
	f := newFusion(s, len(ix.content.Entries), p.Mix)
	best := ix.rank(&q, s, f, p, max(top, candidateDepth))
	if len(best) == 0 {
		return res, nil
	}
	feat := ix.features(&q, s, f, best)
	res.Confidence = ix.cal.Model.prob(feat)
	res.Answered = feat.Topic && res.Confidence >= ix.cal.Threshold
	hits := make([]Hit, len(best))
	for i, r := range best {
		h := Hit{Entry: &ix.content.Entries[r.entry], Score: r.fused}
		h.Coverage, _, h.TopicMatched, h.Matched = ix.terms.coverage(&q, r.entry)
		hits[i] = h
	}
	if len(hits) > 1 && res.Answered && hits[0].Score-hits[1].Score < ix.cal.CloseMargin {
		res.Close = true
	}
	if res.Answered && joins {
		res.Also = ix.secondTopic(&q, best[0].entry, s)
	}
	res.Hits = hits[:min(top, len(hits))]
	return res, nil
}

// rank returns the k best entries: by fused score, the best candidates
// reranked with the coverage bonus.
func (ix *Index) rank(q *query, s *scores, f fusion, p RankParams, k int) []ranked {
	best := bestEntries(s, f, max(k, candidateDepth))
	// The bonus applies to the first candidateDepth alone, as in
	// calibration, so the first hit does not depend on k.
	head := rerank(best[:min(len(best), candidateDepth)], p.Coverage, func(e int) float64 {
		cov, _, _, _ := ix.terms.coverage(q, e)
		return cov
	})
	best = append(head, best[len(head):]...)
	return best[:min(k, len(best))]
}

// features computes the confidence features of the best entry.
func (ix *Index) features(q *query, s *scores, f fusion, best []ranked) features {
	var ft features
	if len(best) == 0 {
		return ft
	}
	first := best[0]
	ft.Fused = first.fused
	second := f.floor()
	if len(best) > 1 {
		second = best[1].fused
	}
	ft.Margin = first.fused - second
	ft.Cosine = s.ng[first.entry]
	ft.BM25, ft.Grams = f.z(s.bm[first.entry], s.ng[first.entry])
	ft.Coverage, ft.Unknown, ft.Topic, _ = ix.terms.coverage(q, first.entry)
	return ft
}

// secondTopic returns the entry the question's other topic words ask
// about, when the first entry does not have them in its strong fields and
// the engine would answer those words on their own with confidence ("paspor
// sama sim": the first entry is about SIM, the passport entry answers
// "paspor").
func (ix *Index) secondTopic(q *query, first int, s *scores) *Hit {
	var missing []string
	for _, t := range q.terms {
		if t.aspect || t.dfStrong == 0 {
			continue
		}
		if p, ok := postingOf(t.post, first); ok && p.strong() > 0 {
			continue
		}
		missing = append(missing, t.term)
	}
	if len(missing) == 0 {
		return nil
	}
	sub := ix.newQuery(missing, ix.grams.vector(gramCounts(missing)))
	p := ix.cal.Params
	s.reset()
	ix.terms.bm25(&sub, p, s)
	ix.grams.cosines(&sub, s)
	f := newFusion(s, len(ix.content.Entries), p.Mix)
	best := ix.rank(&sub, s, f, p, candidateDepth)
	if len(best) == 0 || best[0].entry == first {
		return nil
	}
	feat := ix.features(&sub, s, f, best)
	if !feat.Topic || ix.cal.Model.prob(feat) < ix.cal.Threshold {
		return nil
	}
	h := Hit{Entry: &ix.content.Entries[best[0].entry], Score: best[0].fused}
	h.Coverage, _, h.TopicMatched, h.Matched = ix.terms.coverage(&sub, best[0].entry)
	return &h
}

// newQuery prepares analysed terms and an n-gram vector for scoring.
func (ix *Index) newQuery(terms []string, grams gramVector) query {
	q := query{heldEntry: -1, exclude: -1, grams: grams}
	for _, t := range terms {
		post, ok := ix.terms.post[t]
		qt := queryTerm{term: t, post: post, aspect: ix.analyzer.Aspect(t) != ""}
		if ok {
			qt.dfStrong, qt.dfAll = ix.terms.dfStrong[t], ix.terms.dfAll[t]
		}
		q.terms = append(q.terms, qt)
	}
	return q
}

// analyzeQuestion turns a question's tokens into distinct search terms and the
// words its n-grams are taken from, correcting misspelt words that neither
// the content nor the analyser knows.
func (ix *Index) analyzeQuestion(tokens []string) (terms, words []string, corrections map[string]string) {
	if len(tokens) > maxQuestionWords {
		tokens = tokens[:maxQuestionWords]
	}
	for i, w := range tokens {
		if ix.isKnownWord(w) {
			continue
		}
		c, ok := ix.speller.Correct(w)
		if !ok || ix.analyzer.IsStopWord(c) {
			// A correction to a filler would drop a word the content
			// lacks, and with it the sign that the question may be about
			// something else.
			continue
		}
		if corrections == nil {
			corrections = make(map[string]string)
		}
		corrections[w] = c
		tokens[i] = c
	}
	a := ix.analyzer
	words = a.RemoveStopWords(a.Rewrite(tokens))
	analysed := a.ApplySynonyms(a.Stem(words))
	seen := make(map[string]bool, len(analysed))
	for _, t := range analysed {
		if isNumber(t) {
			// "kelas 3", "umur 17": numbers match unrelated entries and say
			// nothing about the topic on their own.
			continue
		}
		if !seen[t] && len(terms) < maxQueryTerms {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	if len(words) > maxQueryTerms {
		words = words[:maxQueryTerms]
	}
	return terms, words, corrections
}

// isKnownWord reports whether a surface word needs no spelling correction.
func (ix *Index) isKnownWord(w string) bool {
	if ix.analyzer.IsKnownWord(w) || ix.analyzer.IsRoot(w) {
		return true
	}
	for _, r := range w {
		if r >= '0' && r <= '9' {
			return true
		}
	}
	stem := ix.analyzer.Stem([]string{w})[0]
	if ix.analyzer.IsRoot(stem) {
		return true
	}
	_, ok := ix.terms.dfAll[stem]
	return ok
}

// ErrUnknownEntry is returned when an entry id is not in the content.
var ErrUnknownEntry = errors.New("unknown entry")

// Entry returns the entry with the given id.
func (ix *Index) Entry(id string) (*Entry, error) {
	i, ok := ix.byID[id]
	if !ok {
		return nil, fmt.Errorf("knowledge: entry %q: %w", id, ErrUnknownEntry)
	}
	return &ix.content.Entries[i], nil
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
