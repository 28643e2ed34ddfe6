package analysis

import (
	"fmt"
	"slices"
	"strings"
)

// Analyzer turns text into search tokens. Content and questions go through
// the same steps, so whatever a question's wording conflates to, the
// content's wording conflates to as well:
//
//  1. Tokenize: NFKC, lowercase, punctuation, repeated letters, "anak2";
//  2. Rewrite: colloquial Indonesian and English phrases to standard
//     Indonesian (data/slang.txt, data/english.txt), longest phrase first;
//     protected acronyms (data/protected.txt) are never rewritten alone;
//  3. drop stop words (data/stopwords.txt), a FAQ-safe list;
//  4. Stem every unprotected token (data/roots.txt);
//  5. map multi-word synonyms to their canonical tokens
//     (data/synonyms.txt plus a deployment's own groups).
//
// An Analyzer is read-only after New and safe for concurrent use.
type Analyzer struct {
	rewrites  phraseMap
	synonyms  phraseMap
	stop      map[string]struct{}
	protected map[string]struct{}
	roots     map[string]struct{}
	aspects   map[string]string // stemmed aspect word → aspect
	stemmer   *Stemmer
}

// New builds an Analyzer from the embedded word lists plus extra synonym
// groups (each group's first term is canonical), usually read from a
// deployment's faq/synonyms.txt. Extra groups win over built-in ones. It
// returns an error only when an embedded list is malformed.
func New(extraSynonyms [][]string) (*Analyzer, error) {
	a := &Analyzer{
		rewrites:  newPhraseMap(),
		synonyms:  newPhraseMap(),
		stop:      make(map[string]struct{}),
		protected: make(map[string]struct{}),
		roots:     make(map[string]struct{}),
		aspects:   make(map[string]string),
	}
	protected, err := readWordList("protected.txt")
	if err != nil {
		return nil, err
	}
	for _, w := range protected {
		for _, tok := range Tokenize(w) {
			a.protected[tok] = struct{}{}
		}
	}
	stop, err := readWordList("stopwords.txt")
	if err != nil {
		return nil, err
	}
	for _, w := range stop {
		for _, tok := range Tokenize(w) {
			a.stop[tok] = struct{}{}
		}
	}
	roots, err := readWordList("roots.txt")
	if err != nil {
		return nil, err
	}
	for _, r := range roots {
		a.roots[r] = struct{}{}
	}
	a.stemmer = NewStemmer(roots, protected)
	for _, name := range []string{"slang.txt", "english.txt"} {
		lines, err := readWordList(name)
		if err != nil {
			return nil, err
		}
		for i, line := range lines {
			from, to, ok := ParseRewrite(line)
			if !ok {
				return nil, fmt.Errorf("analysis: data/%s: entry %d %q: want \"from = to\"", name, i+1, line)
			}
			a.rewrites.add(from, to)
		}
	}
	aspects, err := readWordList("aspects.txt")
	if err != nil {
		return nil, err
	}
	for i, line := range aspects {
		aspect, words, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(aspect) == "" {
			return nil, fmt.Errorf("analysis: data/aspects.txt: entry %d %q: want \"aspect: words\"", i+1, line)
		}
		for _, w := range a.Stem(a.Rewrite(Tokenize(words))) {
			a.aspects[w] = strings.TrimSpace(aspect)
		}
	}
	base, err := readWordList("synonyms.txt")
	if err != nil {
		return nil, err
	}
	for _, line := range base {
		a.addSynonyms(ParseSynonymGroup(line))
	}
	for _, group := range extraSynonyms {
		a.addSynonyms(group)
	}
	return a, nil
}

// ParseRewrite splits a "from = to" line into its normalised token lists.
// ok is false when either side has no tokens.
func ParseRewrite(line string) (from, to []string, ok bool) {
	left, right, found := strings.Cut(line, "=")
	if !found {
		return nil, nil, false
	}
	from, to = Tokenize(left), Tokenize(right)
	return from, to, len(from) > 0 && len(to) > 0
}

// ParseSynonymGroup splits a "canonical, variant, variant" line into its
// terms, trimmed, empty ones dropped.
func ParseSynonymGroup(line string) []string {
	var group []string
	for _, term := range strings.Split(line, ",") {
		if term = strings.TrimSpace(term); term != "" {
			group = append(group, term)
		}
	}
	return group
}

// addSynonyms maps every variant of group to the analysed tokens of its
// first term. Variants are analysed up to the stemmer, so "akte kelahiran"
// also catches "akta lahir".
func (a *Analyzer) addSynonyms(group []string) {
	if len(group) < 2 {
		return
	}
	canonical := a.analyzeUntilSynonyms(group[0])
	if len(canonical) == 0 {
		return
	}
	for _, variant := range group[1:] {
		from := a.analyzeUntilSynonyms(variant)
		if len(from) == 0 || slices.Equal(from, canonical) {
			continue
		}
		a.synonyms.add(from, canonical)
	}
}

// Analyze returns the search tokens of text.
func (a *Analyzer) Analyze(text string) []string {
	return a.ApplySynonyms(a.analyzeUntilSynonyms(text))
}

func (a *Analyzer) analyzeUntilSynonyms(text string) []string {
	return a.Stem(a.RemoveStopWords(a.Rewrite(Tokenize(text))))
}

// Rewrite replaces colloquial, abbreviated and English words and phrases
// with standard Indonesian. Protected acronyms are left alone.
func (a *Analyzer) Rewrite(tokens []string) []string {
	return a.rewrites.apply(tokens, a.IsProtected)
}

// RemoveStopWords drops fillers and pure question words.
func (a *Analyzer) RemoveStopWords(tokens []string) []string {
	out := tokens[:0:0]
	for _, t := range tokens {
		if !a.IsStopWord(t) {
			out = append(out, t)
		}
	}
	return out
}

// Stem replaces every token by its root; protected tokens stay.
func (a *Analyzer) Stem(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = a.stemmer.Stem(t)
	}
	return out
}

// ApplySynonyms maps stemmed synonym phrases to their canonical tokens.
func (a *Analyzer) ApplySynonyms(tokens []string) []string {
	return a.synonyms.apply(tokens, nil)
}

// IsStopWord reports whether token carries no topic of its own.
func (a *Analyzer) IsStopWord(token string) bool {
	_, ok := a.stop[token]
	return ok
}

// IsProtected reports whether token is a protected acronym.
func (a *Analyzer) IsProtected(token string) bool {
	_, ok := a.protected[token]
	return ok
}

// IsKnownWord reports whether a surface token is one the analyser has a
// rule for: a stop word, a protected acronym, or a colloquial or English
// word it rewrites. The spelling corrector never "corrects" such words.
func (a *Analyzer) IsKnownWord(token string) bool {
	return a.IsStopWord(token) || a.IsProtected(token) || a.rewrites.has(token)
}

// IsRoot reports whether token is in the root-word dictionary.
func (a *Analyzer) IsRoot(token string) bool {
	_, ok := a.roots[token]
	return ok
}

// KnownWords returns the single words the analyser has a rule for (stop
// words and rewritten colloquial or English words), so a spelling
// corrector can correct "gimna" to "gimana" before rewriting.
func (a *Analyzer) KnownWords() []string {
	words := make([]string, 0, len(a.stop)+len(a.rewrites.to))
	for w := range a.stop {
		words = append(words, w)
	}
	for phrase := range a.rewrites.to {
		if !strings.Contains(phrase, " ") && !a.IsProtected(phrase) {
			words = append(words, phrase)
		}
	}
	slices.Sort(words)
	return words
}

// Aspect returns which aspect of a service an analysed term asks about
// (fee, duration, where, requirements, steps, legal), or "" for a term
// that names a topic.
func (a *Analyzer) Aspect(term string) string {
	return a.aspects[term]
}
