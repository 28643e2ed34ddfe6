package render

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMessage is the most UTF-16 code units Telegram accepts in one text
// message.
const MaxMessage = 4096

// HTML converts a Markdown FAQ body to Telegram HTML. Headings become bold
// lines, list items lines that start with "• " or "1. " (a nested item is
// indented), **bold** and __bold__ become <b>, *italic* and _italic_ <i>,
// `code` <code>, and [text](url), <url> and bare http(s) URLs become
// <a href="...">; only http, https and tg:// links are made, any other
// link is shown as the text it was written as. Everything else, HTML tags
// included, is escaped, and invalid UTF-8 becomes U+FFFD, so the result
// always passes Valid. Blocks are separated by a blank line, except that a
// heading stays on the line above its content.
func HTML(markdown string) string {
	var d document
	for _, line := range strings.Split(clean(markdown), "\n") {
		d.line(line)
	}
	d.endParagraph()
	d.endList()
	return dedupeEmphasis(d.join())
}

// clean makes the source safe to scan: valid UTF-8, \n line ends, no byte
// order mark and no control characters other than tab and newline (they
// are invisible, and Telegram rejects some of them).
func clean(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	if utf8.ValidString(s) && !hasControl(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}

type blockKind int

const (
	paragraphBlock blockKind = iota
	headingBlock
	listBlock
)

type block struct {
	kind blockKind
	html string
}

// document collects rendered blocks while the lines are read; at most one
// of para and list is being built at a time.
type document struct {
	blocks []block
	para   []string
	list   *list
}

func (d *document) line(line string) {
	if strings.TrimSpace(line) == "" {
		d.endParagraph()
		if d.list != nil {
			d.list.sawBlank = true
		}
		return
	}
	if text, ok := atxHeading(line); ok {
		d.endParagraph()
		d.endList()
		d.heading(text)
		return
	}
	if len(d.para) > 0 && isSetextUnderline(line) {
		text := joinLines(d.para)
		d.para = nil
		d.heading(text)
		return
	}
	if isThematicBreak(line) {
		d.endParagraph()
		d.endList()
		return
	}
	// As in CommonMark, only "1." may interrupt a paragraph, so that a
	// wrapped line starting "2024. Setelah itu" stays text.
	if it, ok := parseListItem(line); ok && (len(d.para) == 0 || !it.ordered || it.number == 1) {
		d.endParagraph()
		if d.list == nil {
			d.list = &list{baseIndent: it.indent}
		}
		d.list.add(it)
		return
	}
	if d.list != nil && !d.list.sawBlank {
		d.list.continueItem(line)
		return
	}
	d.endList()
	d.para = append(d.para, line)
}

func (d *document) heading(text string) {
	html := renderInline(strings.TrimSpace(text), false)
	if !hasVisibleText(html) {
		return
	}
	d.blocks = append(d.blocks, block{kind: headingBlock, html: "<b>" + html + "</b>"})
}

func (d *document) endParagraph() {
	if len(d.para) == 0 {
		return
	}
	html := renderInline(joinLines(d.para), false)
	d.para = nil
	if hasVisibleText(html) {
		d.blocks = append(d.blocks, block{kind: paragraphBlock, html: html})
	}
}

func (d *document) endList() {
	if d.list == nil {
		return
	}
	html := d.list.render()
	d.list = nil
	if hasVisibleText(html) {
		d.blocks = append(d.blocks, block{kind: listBlock, html: html})
	}
}

func (d *document) join() string {
	var b strings.Builder
	for i, bl := range d.blocks {
		if i > 0 {
			if d.blocks[i-1].kind == headingBlock && bl.kind != headingBlock {
				b.WriteString("\n")
			} else {
				b.WriteString("\n\n")
			}
		}
		b.WriteString(bl.html)
	}
	return b.String()
}

// atxHeading reports whether line is a "## Heading" and returns its text
// without the markers.
func atxHeading(line string) (string, bool) {
	t := strings.TrimLeft(line, " \t")
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(t) && t[n] != ' ' && t[n] != '\t') {
		return "", false
	}
	text := strings.TrimSpace(t[n:])
	// An optional closing sequence: "## Judul ##".
	if trimmed := strings.TrimRight(text, "#"); trimmed == "" {
		text = ""
	} else if len(trimmed) < len(text) && (strings.HasSuffix(trimmed, " ") || strings.HasSuffix(trimmed, "\t")) {
		text = strings.TrimSpace(trimmed)
	}
	return text, true
}

// isSetextUnderline reports whether line underlines the paragraph above it
// as a heading ("Judul" then "=====" or "-----").
func isSetextUnderline(line string) bool {
	t := strings.TrimSpace(line)
	if len(t) < 3 {
		return false
	}
	return strings.Trim(t, "=") == "" || strings.Trim(t, "-") == ""
}

// isThematicBreak reports whether line is "---", "***", "___" or a spaced
// variant. Telegram has no rule, so it only ends the block.
func isThematicBreak(line string) bool {
	var c byte
	n := 0
	for i := 0; i < len(line); i++ {
		switch b := line[i]; {
		case b == ' ' || b == '\t':
		case n == 0 && (b == '-' || b == '*' || b == '_'):
			c, n = b, 1
		case n > 0 && b == c:
			n++
		default:
			return false
		}
	}
	return n >= 3
}

// listItemLine is one line that starts a list item.
type listItemLine struct {
	indent  int // columns, a tab counting to the next multiple of 4
	ordered bool
	number  int
	text    string
}

func parseListItem(line string) (listItemLine, bool) {
	it := listItemLine{}
	i := 0
	for ; i < len(line); i++ {
		if line[i] == ' ' {
			it.indent++
		} else if line[i] == '\t' {
			it.indent += 4 - it.indent%4
		} else {
			break
		}
	}
	rest := line[i:]
	switch {
	case rest == "":
		return it, false
	case strings.IndexByte("-*+", rest[0]) >= 0:
		rest = rest[1:]
	default:
		n := 0
		for n < len(rest) && n < 9 && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 0 || n >= len(rest) || (rest[n] != '.' && rest[n] != ')') {
			return it, false
		}
		it.ordered = true
		it.number, _ = strconv.Atoi(rest[:n])
		rest = rest[n+1:]
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return it, false
	}
	it.text = rest
	return it, true
}

// list is a run of list items; one level of nesting is kept, deeper
// items are shown at that level.
type list struct {
	entries    []listEntry
	baseIndent int
	sawBlank   bool
	levels     [2]listLevel
}

type listEntry struct {
	level       int
	marker      string
	lines       []string
	blankBefore bool
}

// listLevel numbers a sequence of items at one level.
type listLevel struct {
	active  bool
	ordered bool
	next    int
}

func (l *list) add(it listItemLine) {
	level := 0
	if len(l.entries) > 0 && it.indent >= l.baseIndent+2 {
		level = 1
	}
	if level == 0 {
		l.levels[1] = listLevel{}
	}
	lv := &l.levels[level]
	marker := "• "
	if it.ordered {
		n := it.number
		if lv.active && lv.ordered {
			n = lv.next
		}
		*lv = listLevel{active: true, ordered: true, next: n + 1}
		marker = strconv.Itoa(n) + ". "
	} else {
		*lv = listLevel{active: true}
	}
	l.entries = append(l.entries, listEntry{
		level:       level,
		marker:      marker,
		lines:       []string{it.text},
		blankBefore: l.sawBlank,
	})
	l.sawBlank = false
}

// continueItem adds a wrapped line to the last item.
func (l *list) continueItem(line string) {
	e := &l.entries[len(l.entries)-1]
	e.lines = append(e.lines, line)
}

func (l *list) render() string {
	var b strings.Builder
	for _, e := range l.entries {
		html := renderInline(joinLines(e.lines), false)
		if !hasVisibleText(html) {
			continue
		}
		if b.Len() > 0 {
			if e.blankBefore {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n")
			}
		}
		if e.level > 0 {
			b.WriteString("    ")
		}
		b.WriteString(e.marker)
		b.WriteString(html)
	}
	return b.String()
}

// joinLines joins the lines of one paragraph or item: a line break is a
// space unless the line ends with two spaces or a backslash.
func joinLines(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		t := strings.TrimRight(l, " \t")
		hard := len(l)-len(t) >= 2 && strings.HasSuffix(l, "  ")
		if strings.HasSuffix(t, `\`) {
			hard = true
			t = t[:len(t)-1]
		}
		b.WriteString(strings.TrimLeft(t, " \t"))
		if i == len(lines)-1 {
			break
		}
		if hard {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.TrimRight(b.String(), " \t\n")
}

// hasVisibleText reports whether the HTML has any text that is not
// whitespace, so that no empty block is produced.
func hasVisibleText(html string) bool {
	inTag := false
	for _, r := range html {
		switch {
		case inTag:
			inTag = r != '>'
		case r == '<':
			inTag = true
		case !unicode.IsSpace(r):
			return true
		}
	}
	return false
}

// dedupeEmphasis drops a <b> or <i> nested in another of its kind (a bold
// heading with bold words, **[**x**](url)**), which adds nothing. It
// relies on every < in the input starting a tag, as HTML guarantees.
func dedupeEmphasis(s string) string {
	if !strings.Contains(s, "<b>") && !strings.Contains(s, "<i>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	depth := map[string]int{}
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j])
		i += j
		end := strings.IndexByte(s[i:], '>')
		if end < 0 { // cannot happen with HTML's output; keep the rest as is
			b.WriteString(s[i:])
			break
		}
		tag := s[i : i+end+1]
		i += end + 1
		switch tag {
		case "<b>", "<i>":
			name := tag[1:2]
			if depth[name] == 0 {
				b.WriteString(tag)
			}
			depth[name]++
		case "</b>", "</i>":
			name := tag[2:3]
			depth[name]--
			if depth[name] == 0 {
				b.WriteString(tag)
			}
		default:
			b.WriteString(tag)
		}
	}
	return b.String()
}

// isSpaceRune and isPunctRune are CommonMark's whitespace and punctuation
// (Unicode P and S categories), used to decide which * and _ may open or
// close emphasis.
func isSpaceRune(r rune) bool { return unicode.IsSpace(r) }

func isPunctRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return c > ' ' && c < 0x7f && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')
	}
	return unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// isASCIIPunct is the set a backslash escapes in CommonMark.
func isASCIIPunct(c byte) bool {
	return c < utf8.RuneSelf && isPunctRune(rune(c))
}
