package render

import (
	"strings"
	"unicode/utf8"
)

// Escape returns s as Telegram HTML text: &, < and > become entities and
// invalid UTF-8 becomes U+FFFD, so the result always passes Valid.
func Escape(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return textEscaper.Replace(s)
}

// escapeAttr escapes a value for a double-quoted attribute; s must be
// valid UTF-8.
func escapeAttr(s string) string {
	return attrEscaper.Replace(s)
}

// EscapeAttr escapes any text for a double-quoted attribute (a link's
// href): &, <, > and ".
func EscapeAttr(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return attrEscaper.Replace(s)
}

// The replacers are never modified after creation.
var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
)

// utf16Len is how many UTF-16 code units s takes, the unit Telegram's
// length limits count. An invalid byte counts as one.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}
