package knowledge

import (
	"regexp"
	"strings"
)

// Placeholder is local data the content leaves for the deployment to
// fill in, written [[LOKAL: what]] (the national content cannot know a
// district's office address or hours). Citizens never see the brackets:
// an unfilled placeholder reads as a neutral phrase that sends them to
// the office (FillPlaceholders).
type Placeholder struct {
	File string
	Line int
	What string // the description after "LOKAL:"
}

// placeholderRE matches [[LOKAL: what]] (and any [[what]]) on one line.
var placeholderRE = regexp.MustCompile(`\[\[(?:\s*(?i:lokal)\s*:)?([^\[\]\n]{0,300}?)\]\]`)

// unfilledSuffix ends the phrase an unfilled placeholder becomes.
const unfilledSuffix = "tanyakan di kantor layanan setempat"

// FillPlaceholders replaces every placeholder in s by the neutral phrase
// "(what: tanyakan di kantor layanan setempat)".
func FillPlaceholders(s string) string {
	// Nested brackets ("[[[[x]]]]") take one pass per level; each pass
	// removes brackets, so the loop ends.
	for strings.Contains(s, "[[") && placeholderRE.MatchString(s) {
		s = placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
			return Placeholder{What: strings.TrimSpace(placeholderRE.FindStringSubmatch(m)[1])}.Reads()
		})
	}
	return s
}

// Reads is what citizens read in the placeholder's place while the
// deployment has not filled it in.
func (p Placeholder) Reads() string {
	if p.What == "" {
		return "(" + unfilledSuffix + ")"
	}
	return "(" + p.What + ": " + unfilledSuffix + ")"
}

// withoutUnfilledPhrase takes the words FillPlaceholders adds out of
// text that is indexed: they are the same in every entry with local data
// and would make "kantor layanan" questions match all of them. What the
// placeholder asked for stays searchable.
func withoutUnfilledPhrase(s string) string {
	s = strings.ReplaceAll(s, ": "+unfilledSuffix+")", ")")
	return strings.ReplaceAll(s, "("+unfilledSuffix+")", "")
}

// findPlaceholders lists the placeholders of a file's text, with lines.
func findPlaceholders(file, text string) []Placeholder {
	var out []Placeholder
	for i, line := range strings.Split(text, "\n") {
		for _, m := range placeholderRE.FindAllStringSubmatch(line, -1) {
			out = append(out, Placeholder{File: file, Line: i + 1, What: strings.TrimSpace(m[1])})
		}
	}
	return out
}
