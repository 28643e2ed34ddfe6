package render

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every error Valid returns.
var ErrInvalid = errors.New("render: not valid Telegram HTML")

// Valid reports whether s is HTML that Telegram accepts with parse_mode
// HTML: valid UTF-8; only the tags b, strong, i, em, u, ins, s, strike,
// del, code, pre, a (with a non-empty href), tg-spoiler, span
// class="tg-spoiler" and blockquote (optionally expandable), plus
// class="language-..." on a code inside pre; tags properly nested and
// closed, and nested as Telegram allows (nothing inside code, only code
// inside pre, no link, code or pre inside a link, no blockquote inside a
// blockquote); & only in &amp; &lt; &gt; &quot; or a numeric character
// reference; no < or > outside tags. Attribute values must be quoted. The
// error wraps ErrInvalid and gives the byte offset of the problem.
func Valid(s string) error {
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return invalid(i, "invalid UTF-8")
			}
			i += size
		}
	}
	var stack []validTag
	inside := map[string]int{} // open tags by name, for the nesting rules
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			t, end, err := parseValidTag(s, i)
			if err != nil {
				return err
			}
			if t.closing {
				if len(stack) == 0 {
					return invalid(i, "</"+t.name+"> closes nothing")
				}
				if top := stack[len(stack)-1]; top.name != t.name {
					return invalid(i, "</"+t.name+"> closes <"+top.name+">")
				}
				stack = stack[:len(stack)-1]
				inside[t.name]--
			} else {
				if err := checkNesting(stack, inside, t, i); err != nil {
					return err
				}
				stack = append(stack, t)
				inside[t.name]++
			}
			i = end
		case '>':
			return invalid(i, "raw >")
		case '&':
			n, ok := entityLength(s[i:])
			if !ok {
				return invalid(i, "& that is not &amp;, &lt;, &gt;, &quot; or a numeric entity")
			}
			i += n
		default:
			i++
		}
	}
	if len(stack) > 0 {
		return invalid(len(s), "<"+stack[len(stack)-1].name+"> not closed")
	}
	return nil
}

func invalid(at int, what string) error {
	return fmt.Errorf("%w: %s at byte %d", ErrInvalid, what, at)
}

type validTag struct {
	name    string
	closing bool
	attrs   map[string]string
}

// tagAttrs reports whether Telegram knows the tag and which attributes
// it may carry.
func tagAttrs(name string) (attrs []string, known bool) {
	switch name {
	case "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "pre":
		return nil, true
	case "code", "span":
		return []string{"class"}, true
	case "a":
		return []string{"href"}, true
	case "blockquote":
		return []string{"expandable"}, true
	}
	return nil, false
}

// parseValidTag reads the tag at s[i] == '<' and checks its name and
// attributes; it returns the index after '>'.
func parseValidTag(s string, i int) (validTag, int, error) {
	t := validTag{}
	j := i + 1
	if j < len(s) && s[j] == '/' {
		t.closing = true
		j++
	}
	start := j
	for j < len(s) && (isASCIILetter(s[j]) || (j > start && (s[j] >= '0' && s[j] <= '9' || s[j] == '-'))) {
		j++
	}
	if j == start {
		return t, 0, invalid(i, "raw < that starts no tag")
	}
	t.name = strings.ToLower(s[start:j])
	allowed, known := tagAttrs(t.name)
	if !known {
		return t, 0, invalid(i, "tag <"+t.name+"> Telegram does not support")
	}
	for {
		k := j
		for j < len(s) && isBlank(s[j]) {
			j++
		}
		if j >= len(s) {
			return t, 0, invalid(i, "unterminated tag")
		}
		if s[j] == '>' {
			j++
			break
		}
		if t.closing || j == k {
			return t, 0, invalid(j, "malformed tag <"+t.name+">")
		}
		nameStart := j
		for j < len(s) && (isASCIILetter(s[j]) || s[j] == '-') {
			j++
		}
		if j == nameStart {
			return t, 0, invalid(j, "malformed attribute in <"+t.name+">")
		}
		attr := strings.ToLower(s[nameStart:j])
		value := ""
		if j < len(s) && s[j] == '=' {
			j++
			if j >= len(s) || (s[j] != '"' && s[j] != '\'') {
				return t, 0, invalid(j, "unquoted attribute value in <"+t.name+">")
			}
			q := s[j]
			end := strings.IndexByte(s[j+1:], q)
			if end < 0 {
				return t, 0, invalid(j, "unterminated attribute value")
			}
			raw := s[j+1 : j+1+end]
			if k := strings.IndexAny(raw, "<>"); k >= 0 {
				return t, 0, invalid(j+1+k, "raw < or > in attribute value")
			}
			for k := 0; k < len(raw); k++ {
				if raw[k] != '&' {
					continue
				}
				n, ok := entityLength(raw[k:])
				if !ok {
					return t, 0, invalid(j+1+k, "bad & in attribute value")
				}
				k += n - 1
			}
			value = raw
			j += end + 2
		}
		if !slices.Contains(allowed, attr) {
			return t, 0, invalid(nameStart, "attribute "+attr+" not allowed on <"+t.name+">")
		}
		if t.attrs == nil {
			t.attrs = map[string]string{}
		}
		if _, dup := t.attrs[attr]; dup {
			return t, 0, invalid(nameStart, "duplicate attribute "+attr)
		}
		t.attrs[attr] = value
	}
	if t.closing {
		return t, j, nil
	}
	switch t.name {
	case "a":
		if strings.TrimSpace(t.attrs["href"]) == "" {
			return t, 0, invalid(i, "<a> without href")
		}
	case "span":
		if t.attrs["class"] != "tg-spoiler" {
			return t, 0, invalid(i, `<span> without class="tg-spoiler"`)
		}
	case "code":
		if c, ok := t.attrs["class"]; ok && !strings.HasPrefix(c, "language-") {
			return t, 0, invalid(i, `<code> class other than "language-..."`)
		}
	}
	return t, j, nil
}

// checkNesting applies Telegram's rules on which entities may contain
// which.
func checkNesting(stack []validTag, inside map[string]int, t validTag, at int) error {
	if len(stack) == 0 {
		if _, ok := t.attrs["class"]; ok && t.name == "code" {
			return invalid(at, "<code class> outside <pre>")
		}
		return nil
	}
	parent := stack[len(stack)-1]
	switch parent.name {
	case "code":
		return invalid(at, "<"+t.name+"> inside <code>")
	case "pre":
		if t.name != "code" {
			return invalid(at, "<"+t.name+"> inside <pre>")
		}
	default:
		if _, ok := t.attrs["class"]; ok && t.name == "code" {
			return invalid(at, "<code class> outside <pre>")
		}
	}
	switch {
	case inside["a"] > 0 && (t.name == "a" || t.name == "code" || t.name == "pre"):
		return invalid(at, "<"+t.name+"> inside <a>")
	case inside["blockquote"] > 0 && t.name == "blockquote":
		return invalid(at, "<blockquote> inside <blockquote>")
	}
	return nil
}

// entityLength returns the length of the character reference at the
// start of s if Telegram accepts it.
func entityLength(s string) (int, bool) {
	for _, name := range [...]string{"&amp;", "&lt;", "&gt;", "&quot;"} {
		if strings.HasPrefix(s, name) {
			return len(name), true
		}
	}
	if !strings.HasPrefix(s, "&#") {
		return 0, false
	}
	j, base := 2, 10
	if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
		j, base = 3, 16
	}
	start := j
	for j < len(s) && isDigitIn(s[j], base) {
		j++
	}
	if j == start || j >= len(s) || s[j] != ';' {
		return 0, false
	}
	v, err := strconv.ParseUint(s[start:j], base, 32)
	if err != nil || v == 0 || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return 0, false
	}
	return j + 1, true
}

func isDigitIn(c byte, base int) bool {
	switch {
	case c >= '0' && c <= '9':
		return true
	case base == 16:
		return c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
	}
	return false
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
