package analysis

import "strings"

// phraseMap rewrites token sequences: the longest known phrase starting at a
// position wins, and its replacement is emitted without being rewritten again.
type phraseMap struct {
	to     map[string][]string // key: the phrase's tokens joined by one space
	maxLen int                 // tokens in the longest phrase
}

func newPhraseMap() phraseMap {
	return phraseMap{to: make(map[string][]string)}
}

// add maps the phrase from (one or more tokens) to the tokens to. A later
// add of the same phrase replaces the earlier one.
func (m *phraseMap) add(from, to []string) {
	if len(from) == 0 {
		return
	}
	m.to[strings.Join(from, " ")] = to
	m.maxLen = max(m.maxLen, len(from))
}

func (m *phraseMap) has(phrase string) bool {
	_, ok := m.to[phrase]
	return ok
}

// apply rewrites tokens. skip reports tokens that must never be rewritten
// on their own (protected acronyms); they may still start a longer phrase.
func (m *phraseMap) apply(tokens []string, skip func(string) bool) []string {
	if len(m.to) == 0 || len(tokens) == 0 {
		return tokens
	}
	out := make([]string, 0, len(tokens))
	var key strings.Builder
	for i := 0; i < len(tokens); {
		matched := false
		for n := min(m.maxLen, len(tokens)-i); n >= 1; n-- {
			var repl []string
			var ok bool
			if n == 1 {
				if skip != nil && skip(tokens[i]) {
					continue
				}
				repl, ok = m.to[tokens[i]]
			} else {
				key.Reset()
				for k := i; k < i+n; k++ {
					if k > i {
						key.WriteByte(' ')
					}
					key.WriteString(tokens[k])
				}
				repl, ok = m.to[key.String()]
			}
			if ok {
				out = append(out, repl...)
				i += n
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, tokens[i])
			i++
		}
	}
	return out
}
