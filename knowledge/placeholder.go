package knowledge

import (
	"regexp"
	"strings"

	"github.com/layanan-id/layanan/knowledge/local"
)

// Placeholder is local data the content refers to by name, filled from the
// deployment's lokal.yaml (the national content cannot know a district's
// office address or its local fee):
//
//	[[kantor: disdukcapil | alamat dan jam layanan Disdukcapil]]  an office's name and address
//	[[jam: disdukcapil | jam layanan Disdukcapil]]  an office's weekly hours
//	[[nilai: denda-akta-kematian | denda keterlambatan menurut Perda]]  a named value
//	[[LOKAL: what]]  the older form: always unfilled
//
// The text after "|" is what citizens read while the deployment has not
// filled it in: a neutral phrase that sends them to the office, never the
// brackets (Reads).
type Placeholder struct {
	File  string
	Line  int
	Kind  string // PlaceholderOffice, PlaceholderValue or "" (the older [[LOKAL: ...]])
	Name  string // the office id or value name
	What  string // the description citizens read while it is unfilled
	Known bool   // filled from lokal.yaml
}

// Placeholder kinds.
const (
	PlaceholderOffice = "kantor"
	PlaceholderHours  = "jam"
	PlaceholderValue  = "nilai"
)

// placeholderRE matches [[kind: name | what]], [[LOKAL: what]] and any
// [[what]] on one line.
var placeholderRE = regexp.MustCompile(`\[\[(?:\s*((?i:lokal|kantor|jam|nilai))\s*:)?([^\[\]\n]{0,300}?)\]\]`)

// unfilledSuffix ends the phrase an unfilled placeholder becomes.
const unfilledSuffix = "tanyakan di kantor layanan setempat"

// parsePlaceholder reads one match of placeholderRE.
func parsePlaceholder(m []string) Placeholder {
	kind, rest := strings.ToLower(m[1]), strings.TrimSpace(m[2])
	switch kind {
	case PlaceholderOffice, PlaceholderHours, PlaceholderValue:
		name, what, _ := strings.Cut(rest, "|")
		p := Placeholder{Kind: kind, Name: strings.ToLower(strings.TrimSpace(name)), What: strings.TrimSpace(what)}
		if p.What == "" {
			p.What = strings.ReplaceAll(p.Name, "-", " ")
			switch kind {
			case PlaceholderOffice:
				p.What = "alamat dan jam layanan " + p.What
			case PlaceholderHours:
				p.What = "jam layanan " + p.What
			}
		}
		return p
	}
	return Placeholder{What: rest}
}

// fill returns what citizens read in p's place with loc's data, and
// whether loc had it. Inserted data never holds "[[" (lokal.yaml refuses
// it, and noBrackets makes sure), so filling ends.
func (p Placeholder) fill(loc *local.Data) (string, bool) {
	text, ok := p.lookup(loc)
	return noBrackets(text), ok
}

// noBrackets takes doubled brackets out of inserted text.
func noBrackets(s string) string {
	for strings.Contains(s, "[[") || strings.Contains(s, "]]") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "[[", "["), "]]", "]")
	}
	return s
}

// lookup is fill before its brackets are taken out.
func (p Placeholder) lookup(loc *local.Data) (string, bool) {
	if loc == nil {
		return p.Reads(), false
	}
	switch p.Kind {
	case PlaceholderOffice:
		if o, ok := loc.Office(p.Name); ok {
			// In brackets like the unfilled phrase, so the sentence
			// around it reads the same either way.
			if o.Address == "" {
				return "(" + o.Name + ")", true
			}
			return "(" + o.Name + ", " + o.Address + ")", true
		}
	case PlaceholderHours:
		if o, ok := loc.Office(p.Name); ok && o.Hours.Open() {
			return o.Hours.Summary(), true
		}
	case PlaceholderValue:
		if v, ok := loc.Values[p.Name]; ok {
			return v, true
		}
	}
	return p.Reads(), false
}

// FillPlaceholders replaces every placeholder in s by the deployment's
// data (loc may be nil) or, where it has none, by the neutral phrase
// "(what: tanyakan di kantor layanan setempat)".
func FillPlaceholders(s string, loc *local.Data) string {
	// Nested brackets ("[[[[x]]]]") take one pass per level; each pass
	// removes brackets and inserts none, so the loop ends.
	for strings.Contains(s, "[[") && placeholderRE.MatchString(s) {
		s = placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
			text, _ := parsePlaceholder(placeholderRE.FindStringSubmatch(m)).fill(loc)
			return text
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

// Form is how the placeholder is written in content.
func (p Placeholder) Form() string {
	if p.Kind == "" {
		return "[[LOKAL: " + p.What + "]]"
	}
	return "[[" + p.Kind + ": " + p.Name + "]]"
}

// withoutUnfilledPhrase takes the words FillPlaceholders adds out of
// text that is indexed: they are the same in every entry with local data
// and would make "kantor layanan" questions match all of them. What the
// placeholder asked for stays searchable.
func withoutUnfilledPhrase(s string) string {
	s = strings.ReplaceAll(s, ": "+unfilledSuffix+")", ")")
	return strings.ReplaceAll(s, "("+unfilledSuffix+")", "")
}

// findPlaceholders lists the placeholders of a file's text, with lines,
// and whether loc fills them.
func findPlaceholders(file, text string, loc *local.Data) []Placeholder {
	var out []Placeholder
	for i, line := range strings.Split(text, "\n") {
		for _, m := range placeholderRE.FindAllStringSubmatch(line, -1) {
			p := parsePlaceholder(m)
			p.File, p.Line = file, i+1
			_, p.Known = p.fill(loc)
			out = append(out, p)
		}
	}
	return out
}
