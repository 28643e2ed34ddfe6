package render

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Split cuts Telegram HTML into messages of at most limit UTF-16 code
// units each, counting the HTML source (Telegram counts the text after
// parsing, which is never longer, so this is safe). It cuts at a blank
// line when it can, else at a line end, else after a space, else between
// two characters (keeping emoji sequences and combining marks together
// when possible, and never inside a surrogate pair), and never inside a
// tag or an entity. Tags open at a cut are closed at the end of the part
// and opened again at the start of the next, so every part is valid on
// its own. Whitespace at a cut stays in the part before it when it fits;
// no part is empty or only whitespace, and a text that is only whitespace
// gives no parts.
//
// When the tags open at a cut are too long for limit (a link with a URL
// longer than the limit), the text they cover is sent without them. A
// part is longer than limit only when a single character or entity is.
// Split expects HTML that passes Valid; given anything else it still
// returns, but its parts may not be valid. It panics if limit is not
// positive.
func Split(html string, limit int) []string {
	if limit <= 0 {
		panic("render: Split limit must be positive, got " + strconv.Itoa(limit))
	}
	sp := splitter{src: html, atoms: lex(html), limit: limit}
	lastText := -1
	for k := len(sp.atoms) - 1; k >= 0; k-- {
		if sp.atoms[k].kind == atomText {
			lastText = k
			break
		}
	}
	var parts []string
	for i := 0; ; {
		// The part before closed these already.
		for i < len(sp.atoms) && sp.atoms[i].kind == atomClose {
			sp.apply(sp.atoms[i])
			i++
		}
		if i > lastText {
			return parts
		}
		end, ok := sp.fit(i)
		switch {
		case ok:
			parts = append(parts, sp.emit(i, end))
			i = end
		case sp.atoms[i].kind != atomText:
			// Whitespace longer than a part, or a tag too long to
			// open in one: drop the whitespace, keep track of the
			// tags, and try again from the text after them.
			for sp.atoms[i].kind != atomText {
				sp.apply(sp.atoms[i])
				i++
			}
		default:
			var part string
			part, i = sp.plain(i)
			parts = append(parts, part)
		}
	}
}

type atomKind uint8

const (
	atomText  atomKind = iota // a visible character or entity
	atomSpace                 // a whitespace character or entity
	atomOpen                  // <tag ...>
	atomClose                 // </tag>
	atomVoid                  // <tag/>, not Telegram's but kept whole
)

// atom is the smallest thing Split never cuts through.
type atom struct {
	kind       atomKind
	start, end int    // bytes in the source
	width      int    // UTF-16 code units
	name       string // lower-case tag name, for tags
	newline    bool   // a space atom that is a line end
	joins      bool   // a text atom that continues the character before it (ZWJ sequence, combining mark, skin tone, flag half)
}

func lex(s string) []atom {
	atoms := make([]atom, 0, len(s))
	prev := rune(-1) // the last character, across tags, for grapheme joins
	regional := 0    // regional indicators in a row just before
	for i := 0; i < len(s); {
		if s[i] == '<' {
			if end, name, kind, ok := scanTag(s, i); ok {
				atoms = append(atoms, atom{kind: kind, start: i, end: end, width: utf16Len(s[i:end]), name: name})
				i = end
				continue
			}
		}
		if c := s[i]; c < utf8.RuneSelf && c != '&' { // the common case, quickly
			a := atom{kind: atomText, start: i, end: i + 1, width: 1}
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f' {
				a.kind = atomSpace
				a.newline = c == '\n'
			} else if prev == 0x200D {
				a.joins = true
			}
			atoms = append(atoms, a)
			prev, regional = rune(c), 0
			i++
			continue
		}
		var r rune
		var size int
		entity := false
		if s[i] == '&' {
			size, r, entity = scanEntity(s, i)
		}
		if !entity {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		a := atom{kind: atomText, start: i, end: i + size, width: utf16Len(s[i : i+size])}
		if unicode.IsSpace(r) {
			a.kind = atomSpace
			a.newline = r == '\n'
		} else if !entity && prev >= 0 {
			a.joins = joinsCluster(prev, r, regional)
		}
		if isRegionalIndicator(r) {
			regional++
		} else {
			regional = 0
		}
		prev = r
		atoms = append(atoms, a)
		i += size
	}
	return atoms
}

// scanTag reads a tag at s[i] == '<', up to the '>' outside quotes.
func scanTag(s string, i int) (end int, name string, kind atomKind, ok bool) {
	j := i + 1
	kind = atomOpen
	if j < len(s) && s[j] == '/' {
		kind = atomClose
		j++
	}
	start := j
	for j < len(s) && (isASCIILetter(s[j]) || j > start && (s[j] >= '0' && s[j] <= '9' || s[j] == '-')) {
		j++
	}
	if j == start {
		return 0, "", 0, false
	}
	name = strings.ToLower(s[start:j])
	var quote byte
	for ; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<':
			return 0, "", 0, false
		case c == '>':
			if kind == atomOpen && s[j-1] == '/' {
				kind = atomVoid
			}
			return j + 1, name, kind, true
		}
	}
	return 0, "", 0, false
}

// scanEntity reads a character reference at s[i] == '&' and the character
// it stands for (U+FFFD for a name Telegram does not know).
func scanEntity(s string, i int) (size int, r rune, ok bool) {
	j := i + 1
	numeric, base := false, 10
	if j < len(s) && s[j] == '#' {
		numeric = true
		j++
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			base = 16
			j++
		}
	}
	start := j
	for j < len(s) && (numeric && isDigitIn(s[j], base) || !numeric && (isASCIILetter(s[j]) || s[j] >= '0' && s[j] <= '9')) {
		j++
	}
	if j == start || j >= len(s) || s[j] != ';' {
		return 0, 0, false
	}
	r = utf8.RuneError
	if numeric {
		if v, err := strconv.ParseUint(s[start:j], base, 32); err == nil && v <= utf8.MaxRune {
			r = rune(v)
		}
	} else {
		switch s[start:j] {
		case "amp":
			r = '&'
		case "lt":
			r = '<'
		case "gt":
			r = '>'
		case "quot":
			r = '"'
		}
	}
	return j + 1 - i, r, true
}

// joinsCluster approximates Unicode's grapheme rules for what people put
// in messages: emoji ZWJ sequences, skin tones, variation selectors,
// keycaps, flags, and combining marks.
func joinsCluster(prev, r rune, regionalBefore int) bool {
	if r < 0x300 && prev != 0x200D { // below the first combining mark
		return false
	}
	switch {
	case r == 0x200D || prev == 0x200D: // zero-width joiner
		return true
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc):
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF: // variation selectors
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF: // skin tones
		return true
	case r >= 0xE0020 && r <= 0xE007F: // tag characters of subdivision flags
		return true
	case isRegionalIndicator(r) && isRegionalIndicator(prev):
		return regionalBefore%2 == 1
	}
	return false
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// Kinds of cut, best first.
const (
	cutParagraph = iota
	cutLine
	cutSpace
	cutCluster
	cutCharacter
	cutKinds
)

type splitter struct {
	src   string
	atoms []atom
	limit int
	stack []openTag // tags open at the current position
}

type openTag struct {
	name, raw string
	width     int // of raw, in UTF-16 code units
}

func closeWidth(name string) int { return len(name) + 3 }

func (sp *splitter) apply(a atom) {
	switch a.kind {
	case atomOpen:
		sp.stack = append(sp.stack, openTag{name: a.name, raw: sp.src[a.start:a.end], width: a.width})
	case atomClose:
		if n := len(sp.stack); n > 0 && sp.stack[n-1].name == a.name {
			sp.stack = sp.stack[:n-1]
		}
	}
}

// fit finds where the part starting at atom i should end: after every
// atom if all fit, else at the best kind of cut that fits, the last of
// that kind. It fails when not even one character fits with the open
// tags.
func (sp *splitter) fit(i int) (end int, ok bool) {
	width, closing := 0, 0
	names := make([]string, 0, len(sp.stack)+4)
	for _, t := range sp.stack {
		width += t.width
		closing += closeWidth(t.name)
		names = append(names, t.name)
	}
	var best [cutKinds]int // 0: none; a cut is never before atom i+1
	hasText := false
	prev := atomKind(255) // kind of the last text or space atom
	newlines := 0         // in the whitespace run that prev ends
	for j := i; j < len(sp.atoms); j++ {
		a := sp.atoms[j]
		if hasText && width+closing <= sp.limit && sp.gapAllowed(j) {
			if kind, ok := sp.cutKind(j, prev, newlines); ok {
				best[kind] = j
			}
		}
		width += a.width
		switch a.kind {
		case atomOpen:
			names = append(names, a.name)
			closing += closeWidth(a.name)
		case atomClose:
			if n := len(names); n > 0 && names[n-1] == a.name {
				names = names[:n-1]
				closing -= closeWidth(a.name)
			}
		case atomSpace:
			if prev != atomSpace {
				newlines = 0
			}
			if a.newline {
				newlines++
			}
			prev = atomSpace
		case atomText:
			hasText = true
			prev = atomText
		}
		if width > sp.limit {
			break
		}
		if j == len(sp.atoms)-1 && width+closing <= sp.limit {
			return len(sp.atoms), true
		}
	}
	for _, b := range best {
		if b > 0 {
			return b, true
		}
	}
	return 0, false
}

// gapAllowed reports whether a part may end just before atom j: closing
// tags stay with the text they close, opening tags go with the text they
// open.
func (sp *splitter) gapAllowed(j int) bool {
	before := sp.atoms[j-1].kind
	return before != atomOpen && before != atomVoid && sp.atoms[j].kind != atomClose
}

// cutKind classifies the gap before atom j from the text or space atoms
// on either side of it; newlines counts the line ends in the whitespace
// just before the gap.
func (sp *splitter) cutKind(j int, prev atomKind, newlines int) (int, bool) {
	next := j
	for next < len(sp.atoms) && sp.atoms[next].kind != atomText && sp.atoms[next].kind != atomSpace {
		next++
	}
	if next == len(sp.atoms) {
		return cutParagraph, true
	}
	switch n := sp.atoms[next]; {
	case prev == atomText && n.kind == atomText:
		if n.joins {
			return cutCharacter, true
		}
		return cutCluster, true
	case prev == atomText && n.kind == atomSpace:
		return cutAtWhitespace(sp.runNewlines(next)), true
	case prev == atomSpace && n.kind == atomText:
		return cutAtWhitespace(newlines), true
	}
	return 0, false
}

func cutAtWhitespace(newlines int) int {
	switch {
	case newlines >= 2:
		return cutParagraph
	case newlines == 1:
		return cutLine
	}
	return cutSpace
}

// runNewlines counts the line ends in the whitespace starting at atom k.
func (sp *splitter) runNewlines(k int) int {
	n := 0
	for ; k < len(sp.atoms) && sp.atoms[k].kind != atomText; k++ {
		if sp.atoms[k].newline {
			n++
		}
	}
	return n
}

// emit returns the part made of atoms i to end: the open tags reopened,
// the source between, and the tags still open closed.
func (sp *splitter) emit(i, end int) string {
	var b strings.Builder
	for _, t := range sp.stack {
		b.WriteString(t.raw)
	}
	b.WriteString(sp.src[sp.atoms[i].start:sp.atoms[end-1].end])
	for _, a := range sp.atoms[i:end] {
		sp.apply(a)
	}
	for k := len(sp.stack) - 1; k >= 0; k-- {
		b.WriteString("</" + sp.stack[k].name + ">")
	}
	return b.String()
}

// plain makes a part without any tags, for when the tags open at i do not
// leave room for text. It ends as soon as the tags open would fit again
// in half a part, so formatting resumes with the next one.
func (sp *splitter) plain(i int) (string, int) {
	var b strings.Builder
	width := 0
	taken := false
	j := i
	for ; j < len(sp.atoms); j++ {
		a := sp.atoms[j]
		switch a.kind {
		case atomOpen, atomClose, atomVoid:
			sp.apply(a)
			if taken && sp.stackWidth() <= sp.limit/2 {
				return b.String(), j + 1
			}
			continue
		case atomSpace:
			if !taken {
				continue
			}
		}
		if taken && width+a.width > sp.limit {
			break
		}
		b.WriteString(sp.src[a.start:a.end])
		width += a.width
		if a.kind == atomText {
			taken = true
		}
	}
	return b.String(), j
}

func (sp *splitter) stackWidth() int {
	w := 0
	for _, t := range sp.stack {
		w += t.width + closeWidth(t.name)
	}
	return w
}

// OneMessage renders Markdown as Telegram HTML and tells whether it fits
// in one message (an announcement must: it goes out as one).
func OneMessage(markdown string) (html string, fits bool) {
	html = strings.TrimSpace(HTML(markdown))
	return html, len(Split(html, MaxMessage)) == 1
}
