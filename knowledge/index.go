package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

// Index fields and their boosts. The citizen-facing fields (example
// questions, title, keywords) carry the topic far more reliably than the
// body, which mentions many other services in passing.
const (
	fieldQuestions = "questions"
	fieldTitle     = "title"
	fieldKeywords  = "keywords"
	fieldCard      = "card"
	fieldBody      = "body"
)

type field struct {
	name   string
	boost  float64
	strong bool // counts towards the confidence of a match
}

var fields = [...]field{
	{fieldQuestions, 3.0, true},
	{fieldTitle, 2.5, true},
	{fieldKeywords, 2.5, true},
	{fieldCard, 0.4, false},
	{fieldBody, 0.7, false},
}

const analyzerName = "layanan"

// MaxQuestionRunes bounds how much of a question is analysed; a citizen's
// question is far shorter, and the bound keeps a 10 kB paste cheap.
const MaxQuestionRunes = 500

// maxQueryTerms bounds the terms of one query for the same reason.
const maxQueryTerms = 32

// Index answers questions over one immutable Content. It is safe for
// concurrent use; a content reload builds a new Index and swaps it in.
type Index struct {
	content  *Content
	bleve    bleve.Index
	analyzer *analysis.Analyzer
	speller  *analysis.Speller
	df       map[string]int // term → entries containing it in any field
	strongDF map[string]int // term → entries containing it in a strong field
	terms    []map[string]uint8
	byID     map[string]int
	policy   Policy
}

// Policy holds the confidence decision's thresholds. Two measures decide
// it, both computed over the question's terms weighted by rarity (inverse
// document frequency; a term no entry uses weighs most):
//
//   - coverage: the share of the question's weight the entry matches;
//   - evidence: the matched weight in units of the rarest possible term.
//
// A short question that names its topic ("skck") has full coverage; a long
// one with context ("kemarin rumah kebanjiran, kk basah...") has low
// coverage but much evidence; a question about something else matches only
// common words and has little of either.
type Policy struct {
	// An entry is a confident answer when coverage ≥ MinCoverage and
	// evidence ≥ MinEvidence, or coverage ≥ LowCoverage and evidence ≥
	// HighEvidence.
	MinCoverage, MinEvidence  float64
	LowCoverage, HighEvidence float64
	// CloseRatio: when the second entry scores at least this share of the
	// first, the two are close and both are offered.
	CloseRatio float64
	// RankMix weighs bleve's relative score against coverage when ranking
	// (1: bleve alone, 0: coverage alone).
	RankMix float64
}

// DefaultPolicy is tuned on the repository's question set and checked on
// the held-out set (see README).
var DefaultPolicy = Policy{MinCoverage: 0.55, MinEvidence: 0.6, LowCoverage: 0.25, HighEvidence: 1.0, CloseRatio: 0.85, RankMix: 0.5}

// confident applies the policy to one hit.
func (p Policy) confident(h Hit) bool {
	if !h.TopicMatched {
		return false
	}
	return (h.Coverage >= p.MinCoverage && h.Evidence >= p.MinEvidence) ||
		(h.Coverage >= p.LowCoverage && h.Evidence >= p.HighEvidence)
}

// Build indexes the content's entries. It returns an error when the index
// cannot be created or the context ends.
func Build(ctx context.Context, c *Content) (*Index, error) {
	return BuildWithPolicy(ctx, c, DefaultPolicy)
}

// BuildWithPolicy is Build with other confidence thresholds.
func BuildWithPolicy(ctx context.Context, c *Content, p Policy) (*Index, error) {
	im := bleve.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	if err := im.AddCustomAnalyzer(analyzerName, map[string]any{
		"type":     analysis.BleveAnalyzerType,
		"synonyms": analysis.SynonymConfig(c.Synonyms),
	}); err != nil {
		return nil, fmt.Errorf("knowledge: register analyzer: %w", err)
	}
	// The mapping built the analyzer; questions use the same instance.
	a, ok := analysis.Unwrap(im.AnalyzerNamed(analyzerName))
	if !ok {
		return nil, fmt.Errorf("knowledge: analyzer %q is not Layanan's", analyzerName)
	}
	im.DefaultAnalyzer = analyzerName
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range fields {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = analyzerName
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		doc.AddFieldMappingsAt(f.name, fm)
	}
	im.DefaultMapping = doc
	bi, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("knowledge: create index: %w", err)
	}
	ix := &Index{
		content:  c,
		bleve:    bi,
		analyzer: a,
		df:       make(map[string]int),
		strongDF: make(map[string]int),
		terms:    make([]map[string]uint8, len(c.Entries)),
		byID:     make(map[string]int, len(c.Entries)),
		policy:   p,
	}
	vocab := make(map[string]int)
	batch := bi.NewBatch()
	for i := range c.Entries {
		if err := ctx.Err(); err != nil {
			bi.Close()
			return nil, fmt.Errorf("knowledge: build index: %w", err)
		}
		e := &c.Entries[i]
		ix.byID[e.ID] = i
		texts := entryFields(e)
		doc := make(map[string]any, len(texts))
		entryTerms := make(map[string]uint8)
		for fi, f := range fields {
			text := texts[f.name]
			doc[f.name] = text
			for _, w := range analysis.Tokenize(text) {
				vocab[w]++
			}
			for _, t := range a.Analyze(text) {
				entryTerms[t] |= 1 << fi
			}
		}
		for t, mask := range entryTerms {
			ix.df[t]++
			if mask&strongMask != 0 {
				ix.strongDF[t]++
			}
		}
		ix.terms[i] = entryTerms
		if err := batch.Index(e.ID, doc); err != nil {
			bi.Close()
			return nil, fmt.Errorf("knowledge: index %s: %w", e.ID, err)
		}
	}
	if err := bi.Batch(batch); err != nil {
		bi.Close()
		return nil, fmt.Errorf("knowledge: build index: %w", err)
	}
	for _, w := range a.KnownWords() {
		if vocab[w] == 0 {
			vocab[w] = 1 // a target for corrections, below any content word
		}
	}
	ix.speller = analysis.NewSpeller(vocab)
	return ix, nil
}

var strongMask = func() uint8 {
	var m uint8
	for i, f := range fields {
		if f.strong {
			m |= 1 << i
		}
	}
	return m
}()

func entryFields(e *Entry) map[string]string {
	var card []string
	for _, f := range e.Card() {
		card = append(card, f.Value)
	}
	return map[string]string{
		fieldQuestions: strings.Join(e.Questions, "\n"),
		fieldTitle:     e.Title,
		fieldKeywords:  strings.Join(e.Keywords, "\n") + "\n" + strings.ReplaceAll(e.ID, "-", " "),
		fieldCard:      strings.Join(card, "\n"),
		fieldBody:      e.Body,
	}
}

// Close releases the index.
func (ix *Index) Close() error {
	if err := ix.bleve.Close(); err != nil {
		return fmt.Errorf("knowledge: close index: %w", err)
	}
	return nil
}

// Content returns the content the index was built from.
func (ix *Index) Content() *Content { return ix.content }

// Hit is one candidate entry for a question.
type Hit struct {
	Entry    *Entry
	Score    float64 // bleve's BM25 score
	Coverage float64 // weighted share of the question's terms the entry matches in strong fields
	Evidence float64 // the matched terms' weight in units of the rarest possible term
	Rank     float64 // what the hits are ordered by: a mix of relative score and coverage
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
	// Close is true when the second hit is nearly as good as the first, so
	// both should be offered.
	Close bool
	// Aspects lists what the question asks about a service (fee, duration,
	// where, requirements, steps, legal), in the order asked; HasTopic
	// tells whether it also names a topic. "biayanya berapa?" has the
	// aspect fee and no topic: a follow-up to the previous answer.
	Aspects  []string
	HasTopic bool
}

// Search answers one question with at most top hits (default 3). Any text
// is accepted: it is analysed into words, never parsed as query syntax. It
// returns an error only when the search itself fails or ctx ends.
func (ix *Index) Search(ctx context.Context, question string, top int) (Result, error) {
	if top <= 0 {
		top = 3
	}
	res := Result{Question: question}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("knowledge: search: %w", err)
	}
	terms, corrections, correctedTerms := ix.analyzeQuestion(question)
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
	if len(terms) == 0 {
		return res, nil
	}
	var clauses []query.Query
	for _, t := range terms {
		if ix.df[t] == 0 {
			continue
		}
		perField := make([]query.Query, 0, len(fields))
		for _, f := range fields {
			tq := query.NewTermQuery(t)
			tq.SetField(f.name)
			tq.SetBoost(f.boost)
			perField = append(perField, tq)
		}
		clauses = append(clauses, query.NewDisjunctionQuery(perField))
	}
	if len(clauses) == 0 {
		return res, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(clauses), max(top, rerankDepth), 0, false)
	sr, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return res, fmt.Errorf("knowledge: search: %w", err)
	}
	weights, total := ix.termWeights(terms)
	// A term reached through a spelling correction is a guess: it counts
	// for less when matched, but the question still asked for it in full.
	matchedWeights := slices.Clone(weights)
	for j, t := range terms {
		if correctedTerms[t] {
			matchedWeights[j] *= 0.5
		}
	}
	for _, dm := range sr.Hits {
		i, ok := ix.byID[dm.ID]
		if !ok {
			continue
		}
		h := Hit{Entry: &ix.content.Entries[i], Score: dm.Score}
		var covered float64
		for j, t := range terms {
			mask, ok := ix.terms[i][t]
			if !ok {
				continue
			}
			h.Matched = append(h.Matched, t)
			if mask&strongMask != 0 && ix.analyzer.Aspect(t) == "" {
				h.TopicMatched = true
			}
			if mask&strongMask != 0 {
				covered += matchedWeights[j]
			} else {
				covered += matchedWeights[j] * weakFieldShare
			}
		}
		if total > 0 {
			h.Coverage = covered / total
		}
		h.Evidence = covered / ix.maxWeight()
		res.Hits = append(res.Hits, h)
	}
	ix.rerank(res.Hits)
	if len(res.Hits) > top {
		res.Hits = res.Hits[:top]
	}
	if len(res.Hits) > 0 {
		first := res.Hits[0]
		res.Answered = ix.policy.confident(first)
		if len(res.Hits) > 1 && res.Hits[1].Rank >= ix.policy.CloseRatio*first.Rank {
			res.Close = true
		}
	}
	return res, nil
}

// rerankDepth is how many of bleve's best hits are reranked.
const rerankDepth = 20

// rerank orders hits by a mix of bleve's BM25 score (relative to the best)
// and coverage. BM25 favours an entry whose example questions repeat the
// question's common words; coverage favours the entry that matches the
// question's rare words anywhere, which is usually the topic.
func (ix *Index) rerank(hits []Hit) {
	if len(hits) == 0 {
		return
	}
	best := hits[0].Score
	for _, h := range hits {
		best = max(best, h.Score)
	}
	mix := ix.policy.RankMix
	for i := range hits {
		rel := 0.0
		if best > 0 {
			rel = hits[i].Score / best
		}
		hits[i].Rank = mix*rel + (1-mix)*hits[i].Coverage
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		switch {
		case a.Rank > b.Rank:
			return -1
		case a.Rank < b.Rank:
			return 1
		}
		return strings.Compare(a.Entry.ID, b.Entry.ID)
	})
}

// termWeights gives each query term an inverse-document-frequency weight:
// rare terms say more about the topic. Terms the content never uses get
// the highest weight, so a question about something else is not answered
// because its filler words match.
func (ix *Index) termWeights(terms []string) ([]float64, float64) {
	n := float64(len(ix.content.Entries))
	weights := make([]float64, len(terms))
	var total float64
	for i, t := range terms {
		df := float64(ix.strongDF[t])
		if df == 0 {
			df = float64(ix.df[t]) * 0.5
		}
		w := math.Log(1 + (n+1)/(df+0.5))
		if ix.analyzer.Aspect(t) != "" {
			// "syarat", "biaya", "cara daftar": what is asked about a
			// service, not which service; every entry has these.
			w *= aspectShare
		}
		weights[i] = w
		total += w
	}
	return weights, total
}

// maxWeight is the weight of a term no entry contains.
func (ix *Index) maxWeight() float64 {
	n := float64(len(ix.content.Entries))
	return math.Log(1 + (n+1)/0.5)
}

// analyzeQuestion turns a question into distinct search terms, correcting
// misspelt words that neither the content nor the analyser knows. It also
// returns the corrections and the terms that only a correction produced.
func (ix *Index) analyzeQuestion(question string) ([]string, map[string]string, map[string]bool) {
	if utf8.RuneCountInString(question) > MaxQuestionRunes {
		question = string([]rune(question)[:MaxQuestionRunes])
	}
	words := analysis.Tokenize(question)
	var (
		corrections map[string]string
		fixed       []string // the corrected words
		uncorrected []string // the other words
	)
	for i, w := range words {
		if ix.isKnownWord(w) {
			uncorrected = append(uncorrected, w)
			continue
		}
		c, ok := ix.speller.Correct(w)
		if !ok {
			uncorrected = append(uncorrected, w)
			continue
		}
		if corrections == nil {
			corrections = make(map[string]string)
		}
		corrections[w] = c
		words[i] = c
		fixed = append(fixed, c)
	}
	a := ix.analyzer
	analyze := func(words []string) []string {
		return a.ApplySynonyms(a.Stem(a.RemoveStopWords(a.Rewrite(words))))
	}
	terms := analyze(words)
	var correctedTerms map[string]bool
	if len(corrections) > 0 {
		// The terms the corrected words became, less those the question
		// has anyway.
		correctedTerms = make(map[string]bool)
		for _, t := range analyze(fixed) {
			correctedTerms[t] = true
		}
		for _, t := range analyze(uncorrected) {
			delete(correctedTerms, t)
		}
	}
	seen := make(map[string]bool, len(terms))
	out := terms[:0]
	for _, t := range terms {
		if isNumber(t) {
			// "kelas 3", "umur 17": numbers match unrelated entries and say
			// nothing about the topic on their own.
			continue
		}
		if !seen[t] && len(out) < maxQueryTerms {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, corrections, correctedTerms
}

// isKnownWord reports whether a surface word needs no spelling correction.
func (ix *Index) isKnownWord(w string) bool {
	if ix.analyzer.IsKnownWord(w) {
		return true
	}
	if ix.analyzer.IsRoot(w) {
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
	return ix.df[stem] > 0
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

// weakFieldShare is how much a term matched only in the body or card counts
// towards confidence: the body mentions many topics in passing.
const weakFieldShare = 0.3

// aspectShare is the weight of an aspect term relative to a topic term of
// the same rarity.
const aspectShare = 0.3
