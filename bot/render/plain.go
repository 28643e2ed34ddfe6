package render

import (
	"html"
	"regexp"
)

var tagRE = regexp.MustCompile(`<[^>]*>`)

// PlainText turns Telegram HTML into the text a reader sees: tags removed,
// entities decoded. It is used where formatting is unavailable (the
// terminal, a plain-text fallback) and to measure a message's length.
func PlainText(s string) string {
	return html.UnescapeString(tagRE.ReplaceAllString(s, ""))
}
