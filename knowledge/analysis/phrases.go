package analysis

import "strings"

// phraseMap rewrites token sequences: the longest known phrase starting at a
// position wins, and its replacement is emitted without being rewritten again.
type phraseMap struct {
	to map[string][]string // key: the phrase's tokens joined by one space
	// longest holds, for each token that starts a phrase of two or more
	// tokens, the length of the longest such phrase; most tokens start
	// none, and skip the phrase look-ups entirely.
	longest map[string]int
}

func newPhraseMap() phraseMap {
	return phraseMap{to: make(map[string][]string), longest: make(map[string]int)}
}

// add maps the phrase from (one or more tokens) to the tokens to. A later
// add of the same phrase replaces the earlier one.
func (m *phraseMap) add(from, to []string) {
	if len(from) == 0 {
		return
	}
	key := from[0]
	for _, t := range from[1:] {
		key += " " + t
	}
	m.to[key] = to
	if len(from) > 1 {
		m.longest[from[0]] = max(m.longest[from[0]], len(from))
	}
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
	var key []byte
	for i := 0; i < len(tokens); {
		if longest := m.longest[tokens[i]]; longest > 1 {
			matched := false
			for n := min(longest, len(tokens)-i); n >= 2; n-- {
				key = append(key[:0], tokens[i]...)
				for k := i + 1; k < i+n; k++ {
					key = append(key, ' ')
					key = append(key, tokens[k]...)
				}
				if repl, ok := m.to[string(key)]; ok {
					out = append(out, repl...)
					i += n
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		if skip == nil || !skip(tokens[i]) {
			if repl, ok := m.to[tokens[i]]; ok {
				out = append(out, repl...)
				i++
				continue
			}
		}
		out = append(out, tokens[i])
		i++
	}
	return out
}

// match returns the length and replacement of the longest phrase starting
// at tokens[i], or 0 when none does.
func (m *phraseMap) match(tokens []string, i int) (int, []string) {
	for n := min(max(m.longest[tokens[i]], 1), len(tokens)-i); n >= 1; n-- {
		if repl, ok := m.to[strings.Join(tokens[i:i+n], " ")]; ok {
			return n, repl
		}
	}
	return 0, nil
}
