package knowledge

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf16"
)

// MaxAnswerLength is the most characters (UTF-16 code units, as Telegram
// counts them) an entry's whole answer may have: one Telegram message.
const MaxAnswerLength = 4096

// CardField is one labelled fact of an answer card.
type CardField struct {
	Label string // Indonesian label
	Value string
}

// Card returns the entry's card fields that are present, in the fixed order
// citizens see them: fee, duration, where, legal basis.
func (e *Entry) Card() []CardField {
	var out []CardField
	for _, f := range []CardField{
		{"Biaya", e.Fee},
		{"Lama proses", e.Duration},
		{"Tempat", e.Where},
		{"Dasar hukum", e.LegalBasis},
	} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

var indonesianMonths = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// IndonesianDate formats a date as "1 November 2026".
func IndonesianDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), indonesianMonths[t.Month()-1], t.Year())
}

// PlainAnswer renders an entry as plain text, the way a citizen reads it
// where no formatting is available (a terminal, a plain-text message).
func PlainAnswer(e *Entry) string {
	var b strings.Builder
	b.WriteString(e.Title)
	b.WriteString("\n")
	for _, f := range e.Card() {
		fmt.Fprintf(&b, "%s: %s\n", f.Label, MarkdownToText(f.Value))
	}
	if e.Body != "" {
		b.WriteString("\n")
		b.WriteString(MarkdownToText(e.Body))
		b.WriteString("\n")
	}
	if e.Source != "" || !e.Updated.IsZero() {
		b.WriteString("\n")
	}
	if e.Source != "" {
		fmt.Fprintf(&b, "Sumber: %s\n", e.Source)
	}
	if !e.Updated.IsZero() {
		fmt.Fprintf(&b, "Diperbarui %s\n", IndonesianDate(e.Updated))
	}
	return b.String()
}

// AnswerLength is the length of PlainAnswer in UTF-16 code units.
func AnswerLength(e *Entry) int {
	return len(utf16.Encode([]rune(PlainAnswer(e))))
}

var (
	mdLinkRE    = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]+)\)`)
	mdHeadingRE = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.*?)[ \t#]*$`)
	mdEmphRE    = regexp.MustCompile(`\*\*([^*\n]+)\*\*|__([^_\n]+)__|\*([^*\s][^*\n]*)\*`)
)

// MarkdownToText strips the Markdown that content files use: headings
// become plain lines, emphasis markers go, links become "text (url)".
func MarkdownToText(md string) string {
	s := mdHeadingRE.ReplaceAllString(md, "$1")
	s = mdLinkRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLinkRE.FindStringSubmatch(m)
		if sub[1] == "" || sub[1] == sub[2] {
			return sub[2]
		}
		return sub[1] + " (" + sub[2] + ")"
	})
	s = mdEmphRE.ReplaceAllString(s, "$1$2$3")
	s = strings.ReplaceAll(s, "`", "")
	return strings.TrimSpace(s)
}
