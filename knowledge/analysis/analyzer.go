package analysis

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Analyzer turns text into search tokens. Content and questions go through
// the same steps, so whatever a question's wording conflates to, the
// content's wording conflates to as well:
//
//  1. Tokenize: NFKC, lowercase, punctuation, repeated letters, "anak2";
//  2. Rewrite: colloquial Indonesian and English phrases to standard
//     Indonesian (data/slang.txt, data/english.txt), longest phrase first;
//     protected acronyms (data/protected.txt) are never rewritten alone;
//  3. drop stop words (data/stopwords.txt), a FAQ-safe list; question
//     words (data/questionwords.txt) stay, as weak evidence, since entries
//     may differ by them ("kapan" vs "syarat", "apa itu" vs "prospek");
//  4. Stem every unprotected token (data/roots.txt);
//  5. map multi-word synonyms to their canonical tokens
//     (data/synonyms.txt plus a deployment's own groups).
//
// Built-in rewrites and synonyms never replace a word the content itself
// uses (see Options.ContentWords): in a folder whose entries say "ukm"
// for unit kegiatan mahasiswa, "ukm" stays "ukm".
//
// An Analyzer is read-only after New and safe for concurrent use.
type Analyzer struct {
	rewrites phraseMap
	synonyms phraseMap
	keep     map[string]struct{} // content words built-in rules leave alone
	// colloquial holds the one-word colloquial forms data/slang.txt
	// rewrites: spelling-correction targets.
	colloquial map[string]struct{}
	stop       map[string]struct{}
	question   map[string]struct{}
	protected  map[string]struct{}
	roots      map[string]struct{}
	aspects    map[string]string   // stemmed aspect word → aspect
	smallTalk  phraseMap           // normalised phrase → its kind
	joiners    map[string]struct{} // words that join two requests
	stemmer    *Stemmer
}

// Options adapt an Analyzer to one content folder.
type Options struct {
	// Synonyms are extra groups (each group's first term is canonical),
	// usually read from a deployment's synonyms.txt. They win over the
	// built-in groups and apply even to content words: staff chose them.
	Synonyms [][]string
	// ContentWords are the normalised words of the content's titles,
	// example questions and keywords. A built-in rewrite or synonym whose
	// source is one of these words is not applied, unless the content also
	// uses what it rewrites to, or that is only filler ("aja" → "saja").
	ContentWords []string
}

// New builds an Analyzer from the embedded word lists adapted by opts. It
// returns an error only when an embedded list is malformed.
func New(opts Options) (*Analyzer, error) {
	a := &Analyzer{
		rewrites:   newPhraseMap(),
		synonyms:   newPhraseMap(),
		keep:       make(map[string]struct{}, len(opts.ContentWords)),
		colloquial: make(map[string]struct{}),
		stop:       make(map[string]struct{}),
		question:   make(map[string]struct{}),
		protected:  make(map[string]struct{}),
		roots:      make(map[string]struct{}),
		aspects:    make(map[string]string),
		smallTalk:  newPhraseMap(),
		joiners:    make(map[string]struct{}),
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
	for _, w := range opts.ContentWords {
		a.keep[w] = struct{}{}
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
	questionWords, err := readWordList("questionwords.txt")
	if err != nil {
		return nil, err
	}
	for _, w := range questionWords {
		for _, tok := range Tokenize(w) {
			a.question[tok] = struct{}{}
			delete(a.stop, tok)
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
			if len(from) == 1 && a.isContentWord(from[0]) && !a.allFiller(to) && !a.allContentWords(to) {
				// The content uses this word and not what it would become:
				// the content's sense wins ("ukm" in a campus is a club).
				continue
			}
			a.rewrites.add(from, to)
			if name == "slang.txt" && len(from) == 1 && !a.IsProtected(from[0]) {
				a.colloquial[from[0]] = struct{}{}
			}
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
	joiners, err := readWordList("conjunctions.txt")
	if err != nil {
		return nil, err
	}
	for _, line := range joiners {
		for _, w := range Tokenize(line) {
			a.joiners[w] = struct{}{}
			// A joining word never names a topic ("skck sama").
			for _, t := range a.Stem(a.Rewrite([]string{w})) {
				if _, ok := a.aspects[t]; !ok && !a.IsStopWord(t) {
					a.aspects[t] = "other"
				}
			}
		}
	}
	smallTalk, err := readWordList("smalltalk.txt")
	if err != nil {
		return nil, err
	}
	for i, line := range smallTalk {
		kind, phrases, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(kind) == "" {
			return nil, fmt.Errorf("analysis: data/smalltalk.txt: entry %d %q: want \"kind: phrase, phrase\"", i+1, line)
		}
		for _, phrase := range strings.Split(phrases, ",") {
			if toks := Tokenize(phrase); len(toks) > 0 {
				a.smallTalk.add(toks, []string{strings.TrimSpace(kind)})
			}
		}
	}
	base, err := readWordList("synonyms.txt")
	if err != nil {
		return nil, err
	}
	for _, line := range base {
		a.addSynonyms(ParseSynonymGroup(line), true)
	}
	for _, group := range opts.Synonyms {
		a.addSynonyms(group, false)
	}
	return a, nil
}

// allFiller reports whether every token is a stop word or a question word:
// rewriting "aja" to "saja" or "gmn" to "bagaimana" changes no meaning, so
// it applies even where the content uses the colloquial form.
func (a *Analyzer) allFiller(tokens []string) bool {
	for _, t := range tokens {
		if !a.IsStopWord(t) && !a.IsQuestionWord(t) {
			return false
		}
	}
	return true
}

// allContentWords reports whether the content uses every token: a
// rewrite between two words the content both uses ("bikin" and "buat")
// joins what the content treats as one.
func (a *Analyzer) allContentWords(tokens []string) bool {
	for _, t := range tokens {
		if !a.isContentWord(t) {
			return false
		}
	}
	return true
}

func (a *Analyzer) isContentWord(w string) bool {
	_, ok := a.keep[w]
	return ok
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
// also catches "akta lahir". A built-in group skips a one-word variant the
// content uses.
func (a *Analyzer) addSynonyms(group []string, builtIn bool) {
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
		if builtIn {
			if words := Tokenize(variant); len(words) == 1 && a.isContentWord(words[0]) {
				continue
			}
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

// Words returns the words of text after rewriting and stop-word removal,
// unstemmed: what character n-grams are taken from.
func (a *Analyzer) Words(text string) []string {
	return a.RemoveStopWords(a.Rewrite(Tokenize(text)))
}

// SmallTalk returns the kind of a message that is not a question about a
// service (data/smalltalk.txt: thanks, greeting, farewell, ack, ask,
// insult, laughter; "emoji" for a message of symbols only), or "" for
// anything else. A message is small talk when it is made only of such
// phrases and filler words and has at least one of the phrases.
func (a *Analyzer) SmallTalk(text string) string {
	tokens := Tokenize(text)
	if len(tokens) == 0 {
		if strings.TrimFunc(text, unicode.IsSpace) != "" && !strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }) {
			return "emoji"
		}
		return ""
	}
	kind := ""
	for i := 0; i < len(tokens); {
		if n, repl := a.smallTalk.match(tokens, i); n > 0 {
			// "ok makasih" is thanks, "halo min, mau tanya" is ask: the
			// kind that says most wins.
			if smallTalkRank(repl[0]) < smallTalkRank(kind) {
				kind = repl[0]
			}
			i += n
			continue
		}
		if isLaughter(tokens[i]) {
			if smallTalkRank("laughter") < smallTalkRank(kind) {
				kind = "laughter"
			}
			i++
			continue
		}
		for _, t := range a.Stem(a.Rewrite(tokens[i : i+1])) {
			if !a.IsStopWord(t) && !a.IsQuestionWord(t) && a.Aspect(t) != "other" {
				return ""
			}
		}
		i++
	}
	return kind
}

// JoinsRequests reports whether tokens have a word that joins two requests
// ("sama", "dan", "and": data/conjunctions.txt).
func (a *Analyzer) JoinsRequests(tokens []string) bool {
	for _, w := range tokens {
		if _, ok := a.joiners[w]; ok {
			return true
		}
	}
	return false
}

// smallTalkKinds lists the kinds of small talk, the one that says most
// about what the citizen wants first.
var smallTalkKinds = []string{"ask", "thanks", "insult", "farewell", "greeting", "laughter", "ack"}

// smallTalkRank is a kind's place in smallTalkKinds; "" and unknown kinds
// come last.
func smallTalkRank(kind string) int {
	if i := slices.Index(smallTalkKinds, kind); i >= 0 {
		return i
	}
	return len(smallTalkKinds)
}

// isLaughter recognises written laughter: wkwk, hahaha, hehe, hihi, xixi.
func isLaughter(w string) bool {
	if len(w) < 4 {
		return w == "lol"
	}
	for _, unit := range []string{"wk", "ha", "he", "hi", "xi", "ak"} {
		if strings.Trim(strings.ReplaceAll(w, unit, ""), unit[:1]+unit[1:]) == "" && strings.HasPrefix(w, unit) {
			return true
		}
	}
	return false
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

// IsQuestionWord reports whether token is a question word ("apa",
// "bagaimana", "mengapa"): kept as a term, but weak evidence of a topic.
func (a *Analyzer) IsQuestionWord(token string) bool {
	_, ok := a.question[token]
	return ok
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
	return a.IsStopWord(token) || a.IsQuestionWord(token) || a.IsProtected(token) || a.rewrites.has(token)
}

// IsRoot reports whether token is in the root-word dictionary.
func (a *Analyzer) IsRoot(token string) bool {
	_, ok := a.roots[token]
	return ok
}

// CorrectionTargets returns the single words, besides the content's own,
// that a spelling corrector may correct to: colloquial words the analyser
// rewrites ("gimna" → "gimana") and question words. Stop words and English
// words are not targets: correcting "lagu" to the filler "lalu" or "solo"
// to "sold" would turn a word the content lacks, which says the question
// may be about something else, into a word that means nothing here.
func (a *Analyzer) CorrectionTargets() []string {
	words := make([]string, 0, len(a.colloquial)+len(a.question))
	for w := range a.colloquial {
		words = append(words, w)
	}
	for w := range a.question {
		words = append(words, w)
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
