package render

import (
	"fmt"
	"html"
	"net/url"
	"strings"
)

// PageHTML turns Telegram HTML into HTML for a web page (the staff
// console's preview of an answer card), so that staff see the formatting
// citizens see. The input must be Valid; every tag is re-emitted from a
// fixed list with no attributes but a link's href, which must be http(s),
// tg: or mailto: (otherwise the link becomes plain text). Text passes as
// it is: Valid guarantees it holds no markup, only character references.
func PageHTML(telegram string) (string, error) {
	if err := Valid(telegram); err != nil {
		return "", fmt.Errorf("render: page html: %w", err)
	}
	var b strings.Builder
	var links []bool // for each open <a>: whether it became a link
	for i := 0; i < len(telegram); {
		if telegram[i] != '<' {
			j := strings.IndexByte(telegram[i:], '<')
			if j < 0 {
				j = len(telegram) - i
			}
			b.WriteString(telegram[i : i+j])
			i += j
			continue
		}
		t, end, err := parseValidTag(telegram, i)
		if err != nil {
			return "", fmt.Errorf("render: page html: %w", err)
		}
		i = end
		b.WriteString(pageTag(t, &links))
	}
	return b.String(), nil
}

// pageTag is a Telegram tag as page HTML.
func pageTag(t validTag, links *[]bool) string {
	name := map[string]string{
		"b": "strong", "strong": "strong", "i": "em", "em": "em", "u": "u", "ins": "u",
		"s": "s", "strike": "s", "del": "s", "code": "code", "pre": "pre", "blockquote": "blockquote",
		"tg-spoiler": "span", "span": "span",
	}[t.name]
	if t.name == "a" {
		if t.closing {
			n := len(*links)
			if n == 0 {
				return ""
			}
			wasLink := (*links)[n-1]
			*links = (*links)[:n-1]
			if wasLink {
				return "</a>"
			}
			return ""
		}
		href := html.UnescapeString(t.attrs["href"])
		if u, err := url.Parse(href); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "tg" || u.Scheme == "mailto") {
			*links = append(*links, true)
			return `<a href="` + html.EscapeString(href) + `" rel="noopener noreferrer" target="_blank">`
		}
		*links = append(*links, false)
		return ""
	}
	if name == "" {
		return ""
	}
	if t.closing {
		return "</" + name + ">"
	}
	if name == "span" {
		return `<span class="spoiler">`
	}
	return "<" + name + ">"
}
