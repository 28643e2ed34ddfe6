package analysis

import (
	"strings"
	"unicode/utf8"
)

// Speller corrects a misspelt word to the closest word of a vocabulary,
// typically every word of the FAQ content. It uses symmetric deletion (the
// SymSpell idea): the vocabulary's one-letter deletions are indexed once,
// so a look-up costs a few map probes instead of a scan of the vocabulary.
//
// A correction keeps the first letter. Words of 4–7 letters may be one edit away (insertion, deletion,
// substitution or swap of neighbours), longer words two. Shorter words are
// never corrected: too many short words are one edit apart.
type Speller struct {
	freq    map[string]int
	deletes map[string][]string
	long    map[rune][]string // words of 8+ letters by first letter, for two-edit look-ups
}

// NewSpeller indexes a vocabulary of words with their frequencies; the more
// frequent word wins between equally close candidates.
func NewSpeller(freq map[string]int) *Speller {
	s := &Speller{freq: freq, deletes: make(map[string][]string, len(freq)*6), long: make(map[rune][]string)}
	for w := range freq {
		n := utf8.RuneCountInString(w)
		if n < 4 {
			continue
		}
		if n >= 8 {
			first, _ := utf8.DecodeRuneInString(w)
			s.long[first] = append(s.long[first], w)
		}
		for _, d := range deletions(w) {
			s.deletes[d] = appendUnique(s.deletes[d], w)
		}
	}
	return s
}

// maxEdits is how far a word of n letters may be from its correction.
func maxEdits(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// Correct returns the vocabulary word closest to word and true, or word
// and false when word is in the vocabulary or nothing is close enough.
func (s *Speller) Correct(word string) (string, bool) {
	if _, ok := s.freq[word]; ok {
		return word, false
	}
	n := utf8.RuneCountInString(word)
	limit := maxEdits(n)
	if limit == 0 {
		return word, false
	}
	// Candidates one edit away: vocabulary words that equal one of word's
	// deletions, or one of whose deletions equals word or its deletion.
	probes := append([]string{word}, deletions(word)...)
	best, bestDist, bestFreq := "", limit+1, -1
	firstLetter, _ := utf8.DecodeRuneInString(word)
	consider := func(c string) {
		// Typos rarely hit the first letter, and allowing it turns real
		// words into others ("padang" → "kadang").
		if c == word || !strings.HasPrefix(c, string(firstLetter)) {
			return
		}
		d := damerauLevenshtein(word, c, bestDist)
		if d > limit || maxEdits(utf8.RuneCountInString(c)) < d {
			return
		}
		f := s.freq[c]
		if d < bestDist || (d == bestDist && (f > bestFreq || (f == bestFreq && c < best))) {
			best, bestDist, bestFreq = c, d, f
		}
	}
	for _, p := range probes {
		if _, ok := s.freq[p]; ok {
			consider(p)
		}
		for _, c := range s.deletes[p] {
			consider(c)
		}
	}
	if best == "" && limit >= 2 {
		// Two edits: compare with the long words sharing the first letter
		// (typos rarely hit the first letter), a short list.
		for _, c := range s.long[firstLetter] {
			consider(c)
		}
	}
	if best == "" {
		return word, false
	}
	return best, true
}

// deletions returns word with each one of its letters removed.
func deletions(word string) []string {
	rs := []rune(word)
	if len(rs) < 2 {
		return nil
	}
	out := make([]string, 0, len(rs))
	buf := make([]rune, 0, len(rs)-1)
	for i := range rs {
		buf = append(buf[:0], rs[:i]...)
		buf = append(buf, rs[i+1:]...)
		out = appendUnique(out, string(buf))
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// EditDistance is the number of single-letter edits (insertions,
// deletions, substitutions, swaps of neighbours) between a and b, or
// limit+1 when it exceeds limit.
func EditDistance(a, b string, limit int) int { return damerauLevenshtein(a, b, limit) }

// damerauLevenshtein returns the optimal-string-alignment distance between
// a and b, or any value above limit once the distance is known to exceed it.
func damerauLevenshtein(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
