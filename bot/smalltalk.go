package bot

import (
	_ "embed"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

//go:embed smalltalk.txt
var smalltalkData string

// smalltalk recognises greetings, thanks and "who are you", which deserve a
// friendly reply rather than a search miss.
type smalltalk struct {
	filler   map[string]bool
	kinds    map[string]map[string]bool // kind → words
	identity [][]string
}

func loadSmalltalk() (*smalltalk, error) {
	lines, err := readKindLines(smalltalkData, "smalltalk.txt")
	if err != nil {
		return nil, err
	}
	s := &smalltalk{filler: map[string]bool{}, kinds: map[string]map[string]bool{}}
	for _, l := range lines {
		switch l.kind {
		case "filler":
			for _, t := range l.words {
				s.filler[t] = true
			}
		case "identity":
			s.identity = append(s.identity, l.words)
		default:
			if s.kinds[l.kind] == nil {
				s.kinds[l.kind] = map[string]bool{}
			}
			for _, t := range l.words {
				s.kinds[l.kind][t] = true
			}
		}
	}
	return s, nil
}

// kind returns "greeting", "thanks", "identity" or "".
func (s *smalltalk) kind(text string) string {
	tokens := analysis.Tokenize(text)
	if len(tokens) == 0 || len(tokens) > 8 {
		return ""
	}
	for _, phrase := range s.identity {
		if containsPhrase(tokens, phrase) {
			return "identity"
		}
	}
	for _, kind := range []string{"thanks", "greeting"} {
		words := s.kinds[kind]
		hit := false
		all := true
		for _, t := range tokens {
			switch {
			case words[t]:
				hit = true
			case s.filler[t]:
			default:
				all = false
			}
		}
		if hit && all {
			return kind
		}
	}
	return ""
}

func containsPhrase(tokens, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
outer:
	for i := 0; i+len(phrase) <= len(tokens); i++ {
		for j, p := range phrase {
			if tokens[i+j] != p {
				continue outer
			}
		}
		return true
	}
	return false
}
