package render

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on how far a bracket, placeholder or link destination is looked
// for, so that a line of unmatched brackets stays linear in practice.
const (
	maxLabel       = 1000
	maxPlaceholder = 500
	maxDestination = 2048
)

// piece is a stretch of rendered HTML or a run of * or _ that may turn
// into emphasis once the whole text is seen (CommonMark's delimiter run).
type piece struct {
	html string // rendered HTML; empty for a delimiter run

	delim             byte // '*' or '_' for a delimiter run, 0 otherwise
	n, orig           int  // characters left unmatched, and the run's length
	canOpen, canClose bool
	prev, next        int      // neighbours on CommonMark's delimiter stack, -1 for none
	opens, closes     []string // tags the run turned into, innermost first
}

type inlineParser struct {
	src    string
	inLink bool // inside a link's text: no links, no <code> (Telegram nests neither in a link)
	pieces []piece
	buf    strings.Builder // HTML not yet in a piece
	// noCloser holds backtick run lengths known to have no closing run
	// further on, so a text full of unmatched backticks stays linear.
	noCloser map[int]bool
}

// renderInline renders the inline Markdown of one block; s is valid UTF-8.
func renderInline(s string, inLink bool) string {
	p := inlineParser{src: s, inLink: inLink}
	p.parse()
	p.processEmphasis()
	return p.html()
}

func (p *inlineParser) parse() {
	s := p.src
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) && isASCIIPunct(s[i+1]) {
				p.text(s[i+1 : i+2])
				i += 2
				continue
			}
			p.buf.WriteByte(c)
			i++
		case '`':
			if n := p.codeSpan(i); n > 0 {
				i += n
				continue
			}
			// An unmatched run is text, all of it: a shorter run inside it
			// must not open a code span.
			n := runLength(s, i, '`')
			p.buf.WriteString(s[i : i+n])
			i += n
		case '[':
			if n := p.placeholder(i); n > 0 {
				i += n
				continue
			}
			if n := p.link(i); n > 0 {
				i += n
				continue
			}
			p.buf.WriteByte(c)
			i++
		case '<':
			if n := p.autolink(i); n > 0 {
				i += n
				continue
			}
			p.buf.WriteString("&lt;")
			i++
		case '>':
			p.buf.WriteString("&gt;")
			i++
		case '&':
			p.buf.WriteString("&amp;")
			i++
		case '*', '_':
			i += p.delimiterRun(i)
		case 'h', 'H':
			if n := p.bareURL(i); n > 0 {
				i += n
				continue
			}
			p.buf.WriteByte(c)
			i++
		default:
			// Copy up to the next byte that may start markup. Bytes of
			// multi-byte characters never do, so characters stay whole.
			j := i + 1
			for j < len(s) && !mayStartMarkup(s[j]) {
				j++
			}
			p.buf.WriteString(s[i:j])
			i = j
		}
	}
	p.flush()
}

func mayStartMarkup(c byte) bool {
	switch c {
	case '\\', '`', '[', '<', '>', '&', '*', '_', 'h', 'H':
		return true
	}
	return false
}

func (p *inlineParser) text(s string) { p.buf.WriteString(textEscaper.Replace(s)) }

func (p *inlineParser) flush() {
	if p.buf.Len() > 0 {
		p.pieces = append(p.pieces, piece{html: p.buf.String()})
		p.buf.Reset()
	}
}

func runLength(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// codeSpan renders a code span starting at i and returns its length in
// the source, or 0 if the backticks are not closed by a run of the same
// length.
func (p *inlineParser) codeSpan(i int) int {
	s := p.src
	n := runLength(s, i, '`')
	if p.noCloser[n] {
		return 0
	}
	for j := i + n; j < len(s); {
		k := strings.IndexByte(s[j:], '`')
		if k < 0 {
			break
		}
		j += k
		m := runLength(s, j, '`')
		if m != n {
			j += m
			continue
		}
		code := strings.ReplaceAll(s[i+n:j], "\n", " ")
		if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
			code = code[1 : len(code)-1]
		}
		if p.inLink {
			p.text(code)
		} else {
			p.buf.WriteString("<code>")
			p.text(code)
			p.buf.WriteString("</code>")
		}
		return j + m - i
	}
	if p.noCloser == nil {
		p.noCloser = map[int]bool{}
	}
	p.noCloser[n] = true
	return 0
}

// placeholder shows [[LOKAL: ...]] exactly as written and returns its
// length, or 0 if there is none at i.
func (p *inlineParser) placeholder(i int) int {
	s := p.src
	if !strings.HasPrefix(s[i:], "[[") {
		return 0
	}
	end := strings.Index(s[i+2:min(len(s), i+2+maxPlaceholder+2)], "]]")
	if end < 0 {
		return 0
	}
	n := end + 4
	p.text(s[i : i+n])
	return n
}

// link renders [text](destination "title") starting at i and returns its
// length, or 0 if there is no link syntax there. A link to a scheme other
// than http, https or tg is shown as the text it was written as.
func (p *inlineParser) link(i int) int {
	s := p.src
	closeAt, depth := -1, 0
scan:
	for j := i + 1; j < len(s) && j-i <= maxLabel; j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			depth++
		case ']':
			if depth == 0 {
				closeAt = j
				break scan
			}
			depth--
		}
	}
	if closeAt < 0 || closeAt+1 >= len(s) || s[closeAt+1] != '(' {
		return 0
	}
	dest, end, ok := linkDestination(s, closeAt+2)
	if !ok {
		return 0
	}
	whole := s[i:end]
	href, allowed := linkURL(dest)
	if p.inLink || !allowed {
		p.text(whole)
		return len(whole)
	}
	label := renderInline(s[i+1:closeAt], true)
	if !hasVisibleText(label) {
		label = textEscaper.Replace(dest)
	}
	p.anchor(href, label)
	return len(whole)
}

func (p *inlineParser) anchor(href, labelHTML string) {
	p.buf.WriteString(`<a href="`)
	p.buf.WriteString(escapeAttr(href))
	p.buf.WriteString(`">`)
	p.buf.WriteString(labelHTML)
	p.buf.WriteString("</a>")
}

// linkDestination parses the "(destination "title")" part of a link from
// just after its "(" and returns the destination and the index after ")".
func linkDestination(s string, k int) (dest string, end int, ok bool) {
	k = skipBlanks(s, k)
	switch {
	case k >= len(s):
		return "", 0, false
	case s[k] == '<':
		j := strings.IndexAny(s[k+1:min(len(s), k+1+maxDestination)], "<>\n")
		if j < 0 || s[k+1+j] != '>' {
			return "", 0, false
		}
		dest = strings.ReplaceAll(unescapePunct(s[k+1:k+1+j]), " ", "%20")
		k += j + 2
	default:
		start, depth := k, 0
	dest:
		for ; k < len(s) && k-start <= maxDestination; k++ {
			switch c := s[k]; {
			case c == '\\' && k+1 < len(s) && isASCIIPunct(s[k+1]):
				k++
			case c == '(':
				depth++
			case c == ')':
				if depth == 0 {
					break dest
				}
				depth--
			case c <= ' ':
				break dest
			}
		}
		if depth != 0 {
			return "", 0, false
		}
		dest = unescapePunct(s[start:k])
	}
	k = skipBlanks(s, k)
	if k < len(s) && (s[k] == '"' || s[k] == '\'' || s[k] == '(') {
		closing := s[k]
		if closing == '(' {
			closing = ')'
		}
		j := k + 1
		for ; j < len(s) && s[j] != closing; j++ {
			if s[j] == '\\' {
				j++
			}
		}
		if j >= len(s) {
			return "", 0, false
		}
		k = skipBlanks(s, j+1)
	}
	if k >= len(s) || s[k] != ')' {
		return "", 0, false
	}
	return dest, k + 1, true
}

func skipBlanks(s string, k int) int {
	for k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n') {
		k++
	}
	return k
}

func unescapePunct(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// linkURL reports whether dest may become a link: an absolute http, https
// or tg URL that Telegram can parse. Anything else (javascript:, mailto:,
// a relative path) stays text.
func linkURL(dest string) (string, bool) {
	if dest == "" || strings.IndexFunc(dest, func(c rune) bool { return c <= ' ' || c == 0x7f || unicode.IsSpace(c) }) >= 0 {
		return "", false
	}
	colon := strings.IndexByte(dest, ':')
	if colon < 0 || !strings.HasPrefix(dest[colon:], "://") {
		return "", false
	}
	u, err := url.Parse(dest)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(dest[:colon]) {
	case "http", "https":
		if !validHost(u.Hostname()) {
			return "", false
		}
	case "tg":
		if !validHost(u.Host) {
			return "", false
		}
	default:
		return "", false
	}
	return dest, true
}

// validHost accepts host names (internationalised ones too) and IP
// addresses, which is what Telegram turns into a link.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(h)
	if !unicode.IsLetter(first) && !unicode.IsDigit(first) {
		return false
	}
	for _, c := range h {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '-' && c != '.' && c != ':' {
			return false
		}
	}
	return true
}

// autolink renders <https://...> and returns its length, or 0.
func (p *inlineParser) autolink(i int) int {
	s := p.src
	j := strings.IndexAny(s[i+1:], "<> \t\n")
	if j < 0 || s[i+1+j] != '>' || j > maxDestination {
		return 0
	}
	dest := s[i+1 : i+1+j]
	href, ok := linkURL(dest)
	if !ok {
		return 0
	}
	if p.inLink {
		p.text(dest)
	} else {
		p.anchor(href, textEscaper.Replace(dest))
	}
	return j + 2
}

// bareURL links a URL written in the text, as GitHub does: from http://
// or https:// to the next space, without trailing punctuation or an
// unbalanced closing bracket. It returns the URL's length, or 0.
func (p *inlineParser) bareURL(i int) int {
	s := p.src
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsLetter(r) || unicode.IsDigit(r) {
			return 0
		}
	}
	if !hasPrefixFold(s[i:], "http://") && !hasPrefixFold(s[i:], "https://") {
		return 0
	}
	j := i
	for j < len(s) {
		c, size := utf8.DecodeRuneInString(s[j:])
		if unicode.IsSpace(c) || strings.ContainsRune("<>\"`", c) {
			break
		}
		if j-i > maxDestination {
			return 0
		}
		j += size
	}
	u := trimURL(s[i:j])
	href, ok := linkURL(u)
	if !ok {
		return 0
	}
	if p.inLink {
		p.text(u)
	} else {
		p.anchor(href, textEscaper.Replace(u))
	}
	return len(u)
}

// trimURL drops what ends a sentence rather than a URL: punctuation,
// emphasis markers, and a closing bracket without an opening one.
func trimURL(u string) string {
	parens := strings.Count(u, ")") - strings.Count(u, "(")
	brackets := strings.Count(u, "]") - strings.Count(u, "[")
	for u != "" {
		switch last := u[len(u)-1]; {
		case strings.IndexByte("?!.,:;*_~'", last) >= 0:
		case last == ')' && parens > 0:
			parens--
		case last == ']' && brackets > 0:
			brackets--
		default:
			return u
		}
		u = u[:len(u)-1]
	}
	return u
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// delimiterRun records a run of * or _ with whether it can open or close
// emphasis (CommonMark's flanking rules) and returns its length.
func (p *inlineParser) delimiterRun(i int) int {
	s := p.src
	c := s[i]
	n := runLength(s, i, c)
	before, after := ' ', ' '
	if i > 0 {
		before, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	if i+n < len(s) {
		after, _ = utf8.DecodeRuneInString(s[i+n:])
	}
	left := !isSpaceRune(after) && (!isPunctRune(after) || isSpaceRune(before) || isPunctRune(before))
	right := !isSpaceRune(before) && (!isPunctRune(before) || isSpaceRune(after) || isPunctRune(after))
	canOpen, canClose := left, right
	if c == '_' { // no emphasis inside words: snake_case stays text
		canOpen = left && (!right || isPunctRune(before))
		canClose = right && (!left || isPunctRune(after))
	}
	p.flush()
	p.pieces = append(p.pieces, piece{delim: c, n: n, orig: n, canOpen: canOpen, canClose: canClose})
	return n
}

// processEmphasis matches delimiter runs into <b> and <i> with
// CommonMark's algorithm; matches always nest, and runs between a matched
// pair that are left over stay text. The delimiter stack is a linked list
// through the pieces so that removing runs costs nothing.
func (p *inlineParser) processEmphasis() {
	first, last := -1, -1
	for i := range p.pieces {
		pc := &p.pieces[i]
		if pc.delim == 0 {
			continue
		}
		pc.prev, pc.next = last, -1
		if last >= 0 {
			p.pieces[last].next = i
		} else {
			first = i
		}
		last = i
	}
	remove := func(i int) {
		pc := &p.pieces[i]
		if pc.prev >= 0 {
			p.pieces[pc.prev].next = pc.next
		}
		if pc.next >= 0 {
			p.pieces[pc.next].prev = pc.prev
		}
	}
	// bottom[delim][canOpen][orig%3]: at or below this index there is no
	// opener for such a closer, so later searches stop there.
	var bottom [2][2][3]int
	for a := range bottom {
		for b := range bottom[a] {
			for c := range bottom[a][b] {
				bottom[a][b][c] = -1
			}
		}
	}
	for ci := first; ci >= 0; {
		c := &p.pieces[ci]
		if !c.canClose {
			ci = c.next
			continue
		}
		d, o := 0, 0
		if c.delim == '_' {
			d = 1
		}
		if c.canOpen {
			o = 1
		}
		bt := &bottom[d][o][c.orig%3]
		oi := -1
		for j := c.prev; j > *bt; j = p.pieces[j].prev {
			op := &p.pieces[j]
			if op.delim != c.delim || !op.canOpen {
				continue
			}
			if (op.canClose || c.canOpen) && (op.orig+c.orig)%3 == 0 && (op.orig%3 != 0 || c.orig%3 != 0) {
				continue
			}
			oi = j
			break
		}
		if oi < 0 {
			*bt = ci - 1
			next := c.next
			if !c.canOpen {
				remove(ci)
			}
			ci = next
			continue
		}
		op := &p.pieces[oi]
		use, tag := 1, "i"
		if op.n >= 2 && c.n >= 2 {
			use, tag = 2, "b"
		}
		op.n -= use
		c.n -= use
		op.opens = append(op.opens, tag)
		c.closes = append(c.closes, tag)
		// Runs between the pair can no longer match.
		op.next, c.prev = ci, oi
		if op.n == 0 {
			remove(oi)
		}
		if c.n == 0 {
			next := c.next
			remove(ci)
			ci = next
		}
	}
}

func (p *inlineParser) html() string {
	var b strings.Builder
	for _, pc := range p.pieces {
		if pc.delim == 0 {
			b.WriteString(pc.html)
			continue
		}
		for _, t := range pc.closes {
			b.WriteString("</" + t + ">")
		}
		for range pc.n {
			b.WriteByte(pc.delim)
		}
		for k := len(pc.opens) - 1; k >= 0; k-- { // outermost first
			b.WriteString("<" + pc.opens[k] + ">")
		}
	}
	return b.String()
}
