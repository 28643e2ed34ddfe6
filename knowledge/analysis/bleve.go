package analysis

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// BleveAnalyzerType is the analyzer type registered with bleve. An index
// mapping uses it through a custom analyzer whose "synonyms" setting holds
// the deployment's synonym groups (see SynonymConfig) and whose
// "content_words" setting lists the content's own words (see
// Options.ContentWords).
const BleveAnalyzerType = "layanan_id"

func init() {
	// bleve finds analysis components by name in its registry, filled at
	// init time; this is how its own language analyzers are registered.
	if err := registry.RegisterAnalyzer(BleveAnalyzerType, newBleveAnalyzer); err != nil {
		panic(fmt.Sprintf("analysis: register bleve analyzer: %v", err))
	}
}

// SynonymConfig converts synonym groups to the JSON-friendly form a bleve
// custom-analyzer configuration holds.
func SynonymConfig(groups [][]string) []any {
	out := make([]any, len(groups))
	for i, g := range groups {
		terms := make([]any, len(g))
		for j, t := range g {
			terms[j] = t
		}
		out[i] = terms
	}
	return out
}

// WordsConfig converts a word list to the form a bleve custom-analyzer
// configuration holds.
func WordsConfig(words []string) []any {
	out := make([]any, len(words))
	for i, w := range words {
		out[i] = w
	}
	return out
}

func newBleveAnalyzer(config map[string]any, _ *registry.Cache) (analysis.Analyzer, error) {
	var opts Options
	if raw, ok := config["content_words"]; ok && raw != nil {
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("analysis: content_words: want a list, got %T", raw)
		}
		for _, w := range list {
			s, ok := w.(string)
			if !ok {
				return nil, fmt.Errorf("analysis: content word: want a string, got %T", w)
			}
			opts.ContentWords = append(opts.ContentWords, s)
		}
	}
	var groups [][]string
	if raw, ok := config["synonyms"]; ok && raw != nil {
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("analysis: synonyms: want a list of lists, got %T", raw)
		}
		for _, g := range list {
			terms, ok := g.([]any)
			if !ok {
				return nil, fmt.Errorf("analysis: synonym group: want a list, got %T", g)
			}
			var group []string
			for _, t := range terms {
				s, ok := t.(string)
				if !ok {
					return nil, fmt.Errorf("analysis: synonym term: want a string, got %T", t)
				}
				group = append(group, s)
			}
			groups = append(groups, group)
		}
	}
	opts.Synonyms = groups
	a, err := New(opts)
	if err != nil {
		return nil, err
	}
	return bleveAnalyzer{a}, nil
}

// bleveAnalyzer adapts Analyzer to bleve's analysis.Analyzer.
type bleveAnalyzer struct{ a *Analyzer }

func (b bleveAnalyzer) Analyze(input []byte) analysis.TokenStream {
	terms := b.a.Analyze(string(input))
	stream := make(analysis.TokenStream, len(terms))
	for i, t := range terms {
		stream[i] = &analysis.Token{
			Term:     []byte(t),
			Position: i + 1,
			Type:     analysis.AlphaNumeric,
		}
	}
	return stream
}

// Unwrap returns the Analyzer behind a bleve analyzer of type
// BleveAnalyzerType, so the query side uses the very instance the index
// was built with instead of loading the word lists a second time.
func Unwrap(a analysis.Analyzer) (*Analyzer, bool) {
	b, ok := a.(bleveAnalyzer)
	return b.a, ok
}
