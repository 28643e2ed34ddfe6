package bot

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/layanan-id/layanan/knowledge"
	"github.com/layanan-id/layanan/knowledge/analysis"
	"github.com/layanan-id/layanan/knowledge/local"
)

// The deployment's offices (lokal.yaml): their hours on answer cards,
// "buka sekarang?" and "jam buka dukcapil" answered from the clock and the
// holiday calendar, /kantor, and the nearest offices to a shared location.

//go:embed hours.txt
var hoursData string

// hoursWords recognise a question about opening hours.
type hoursWords struct {
	phrases [][]string
	open    map[string]bool
	filler  map[string]bool
	days    map[string]dayRef
	// phraseWords are the words of the phrases: like filler, they never
	// name an office ("layanan" in "jam layanan" is not "Mal Pelayanan").
	phraseWords map[string]bool
	// week are day words that mean the week before a weekMark word.
	week, weekMark map[string]bool
}

// dayRef is the day a question asks about: now (the default), days after
// today, or a weekday.
type dayRef struct {
	now     bool
	offset  int
	weekday time.Weekday
	named   bool // a weekday by name
}

func loadHoursWords() (*hoursWords, error) {
	lines, err := readKindLines(hoursData, "hours.txt")
	if err != nil {
		return nil, err
	}
	h := &hoursWords{open: map[string]bool{}, filler: map[string]bool{}, days: map[string]dayRef{}, phraseWords: map[string]bool{},
		week: map[string]bool{}, weekMark: map[string]bool{}}
	for _, l := range lines {
		switch {
		case l.kind == "phrase":
			h.phrases = append(h.phrases, l.words)
			addAll(h.phraseWords, l.words)
		case l.kind == "open":
			addAll(h.open, l.words)
		case l.kind == "filler":
			addAll(h.filler, l.words)
		case l.kind == "week":
			addAll(h.week, l.words)
		case l.kind == "weekmark":
			addAll(h.weekMark, l.words)
		case l.kind == "now":
			addDays(h.days, l.words, dayRef{now: true})
		case l.kind == "tomorrow":
			addDays(h.days, l.words, dayRef{offset: 1})
		case l.kind == "after":
			addDays(h.days, l.words, dayRef{offset: 2})
		case strings.HasPrefix(l.kind, "day"):
			n, err := strconv.Atoi(strings.TrimPrefix(l.kind, "day"))
			if err != nil || n < 0 || n > 6 {
				return nil, fmt.Errorf("bot: hours.txt: unknown kind %q", l.kind)
			}
			addDays(h.days, l.words, dayRef{weekday: time.Weekday(n), named: true})
		default:
			return nil, fmt.Errorf("bot: hours.txt: unknown kind %q", l.kind)
		}
	}
	return h, nil
}

func addAll(m map[string]bool, words []string) {
	for _, w := range words {
		m[w] = true
	}
}

func addDays(m map[string]dayRef, words []string, d dayRef) {
	for _, w := range words {
		m[w] = d
	}
}

// hoursQuestion is a recognised question about opening hours.
type hoursQuestion struct {
	day     dayRef
	offices []string // offices named in it, by id
	rest    []string // other words, beside a phrase ("jam layanan posyandu")
}

// maxHoursWords bounds a message read as an hours question: a longer one
// is a question about something else that mentions hours.
const maxHoursWords = 12

// parse recognises an hours question about loc's offices.
func (h *hoursWords) parse(text string, loc *local.Data) (hoursQuestion, bool) {
	var q hoursQuestion
	q.day.now = true
	tokens := analysis.Tokenize(text)
	if len(tokens) == 0 || len(tokens) > maxHoursWords {
		return q, false
	}
	phrase := false
	for _, p := range h.phrases {
		if containsPhrase(tokens, p) {
			phrase = true
		}
	}
	open := false
	for i, t := range tokens {
		d, isDay := h.days[t]
		switch {
		case isDay && h.week[t] && i+1 < len(tokens) && h.weekMark[tokens[i+1]]:
			// "minggu ini", "minggu depan": the week, not Sunday.
		case isDay:
			q.day = d
		case h.open[t]:
			open = true
		case h.filler[t], h.phraseWords[t], isNumber(t):
		default:
			if id := officeNamed(t, loc); id != "" {
				if !slices.Contains(q.offices, id) {
					q.offices = append(q.offices, id)
				}
				continue
			}
			q.rest = append(q.rest, t)
		}
	}
	if phrase {
		return q, true
	}
	return q, open && len(q.rest) == 0
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// officeNamed returns the office a word names: its id, a part of its id,
// or a distinctive word of its name that is the word or contains it
// ("dukcapil" in "Disdukcapil Kabupaten Contoh"). The caller leaves out
// filler, phrase and day words first.
func officeNamed(word string, loc *local.Data) string {
	if len(word) < 3 {
		return ""
	}
	for _, o := range loc.Offices {
		if o.ID == word || slices.Contains(strings.Split(o.ID, "-"), word) {
			return o.ID
		}
	}
	for _, o := range loc.Offices {
		for _, w := range o.NameWords {
			// A whole word of the name, or a long enough part of one
			// ("dukcapil" in "Disdukcapil"), that not most offices share.
			if (w == word || len(word) >= 5 && strings.Contains(w, word)) && !loc.CommonNameWord(w) {
				return o.ID
			}
		}
	}
	return ""
}

// entryOffices returns the offices that serve e: those it refers to by
// name, then those whose services list it or its category.
func entryOffices(loc *local.Data, e *knowledge.Entry) []*local.Office {
	var out []*local.Office
	for _, id := range e.Offices {
		if o, ok := loc.Office(id); ok {
			out = append(out, o)
		}
	}
	for _, o := range loc.Serving(e.ID, e.Category) {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// answerHours answers an hours question, or returns false when the
// deployment lists no offices or the question names none that can be
// found (the search answers it then).
func (c *Conversation) answerHours(ctx context.Context, v *conv, text string, out Outcome) (Outcome, bool, error) {
	loc := c.know.Content().Local
	if loc == nil || len(loc.Offices) == 0 {
		return out, false, nil
	}
	q, ok := c.hours.parse(text, loc)
	if !ok {
		return out, false, nil
	}
	var offices []*local.Office
	for _, id := range q.offices {
		o, _ := loc.Office(id)
		offices = append(offices, o)
	}
	if len(offices) == 0 && len(q.rest) > 0 {
		// "jam layanan pbb": the offices of the entry the other words find.
		res, err := c.know.Search(ctx, strings.Join(q.rest, " "), 1)
		if err != nil {
			return out, true, fmt.Errorf("bot: search: %w", err)
		}
		if !res.Answered || len(res.Hits) == 0 {
			return out, false, nil
		}
		offices = entryOffices(loc, res.Hits[0].Entry)
		if len(offices) == 0 {
			return out, false, nil
		}
	}
	if len(offices) == 0 && v.session.TopicID != "" {
		if e, err := c.know.Entry(v.session.TopicID); err == nil {
			offices = entryOffices(loc, e)
		}
	}
	if len(offices) == 0 {
		for i := range loc.Offices {
			offices = append(offices, &loc.Offices[i])
		}
	}
	out.Kind = OutcomeOffices
	now := c.now()
	var b strings.Builder
	unknown := map[int]bool{}
	for i, o := range offices[:min(len(offices), maxOfficesShown)] {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(c.cards.officeStatusHTML(v.lang, loc, o, q.day, now, unknown))
		b.WriteString("\n")
		b.WriteString(c.cards.officeDetailsHTML(v.lang, loc, o, now, false, true))
	}
	b.WriteString(c.cards.calendarNote(v.lang, unknown))
	c.countQuestion(v)
	buttons := append(c.cards.copyButtons(v.lang, offices), c.menuRow(v)...)
	return out, true, c.sendSplit(ctx, v, splitHTML(strings.TrimSpace(b.String())), buttons)
}

// maxCopyOffices bounds the offices whose address and phone get a copy
// button under one reply.
const maxCopyOffices = 3

// maxCopyText is the most a copy button may copy (Bot API CopyTextButton),
// in UTF-16 code units as Telegram counts.
const maxCopyText = 256

// truncateUTF16 cuts s to at most n UTF-16 code units, at a rune boundary.
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > n {
			return s[:i]
		}
		units += w
	}
	return s
}

// maxOfficesShown bounds one reply's offices.
const maxOfficesShown = 5

// listOffices answers /kantor.
func (c *Conversation) listOffices(ctx context.Context, v *conv) error {
	loc := c.know.Content().Local
	if loc == nil || len(loc.Offices) == 0 {
		_, err := c.reply(ctx, v, c.t(v, "offices_none"), [][]Button{{{Text: c.t(v, "button_contact"), Data: cbContact}}})
		return err
	}
	region := ""
	if loc.Region != "" {
		region = " " + escape(loc.Region)
	}
	now := c.now()
	parts := []string{c.t(v, "offices_list", "region", region)}
	hasLocation := false
	for i := range loc.Offices {
		o := &loc.Offices[i]
		parts = append(parts, c.cards.officeDetailsHTML(v.lang, loc, o, now, true, true))
		hasLocation = hasLocation || o.Location != nil
	}
	if hasLocation {
		parts = append(parts, c.t(v, "offices_share_location"))
	}
	return c.sendSplit(ctx, v, splitHTML(strings.Join(parts, "\n\n")), c.menuRow(v))
}

// maxNearest is how many offices a shared location gets.
const maxNearest = 3

// nearestOffices answers a shared location: the nearest offices that
// serve the current topic, or all offices without one.
func (c *Conversation) nearestOffices(ctx context.Context, v *conv, p local.Point) error {
	loc := c.know.Content().Local
	if loc == nil || len(loc.Offices) == 0 {
		_, err := c.reply(ctx, v, c.t(v, "offices_none"), [][]Button{{{Text: c.t(v, "button_contact"), Data: cbContact}}})
		return err
	}
	var keep func(*local.Office) bool
	topic := ""
	if v.session.TopicID != "" {
		if e, err := c.know.Entry(v.session.TopicID); err == nil {
			if serving := entryOffices(loc, e); len(serving) > 0 {
				keep = func(o *local.Office) bool { return slices.Contains(serving, o) }
				topic = c.t(v, "offices_nearest_topic", "title", escape(e.Title))
			}
		}
	}
	near := loc.Nearest(p, keep, maxNearest)
	if len(near) == 0 && keep != nil {
		topic = ""
		near = loc.Nearest(p, nil, maxNearest)
	}
	if len(near) == 0 {
		_, err := c.reply(ctx, v, c.t(v, "offices_no_location"), c.menuRow(v))
		return err
	}
	now := c.now()
	parts := []string{c.t(v, "offices_nearest", "topic", topic)}
	var offices []*local.Office
	for i, d := range near {
		parts = append(parts, fmt.Sprintf("%d. %s\n%s", i+1, distanceText(v.lang, d.Meters), c.cards.officeDetailsHTML(v.lang, loc, d.Office, now, true, false)))
		offices = append(offices, d.Office)
	}
	buttons := append(c.cards.copyButtons(v.lang, offices), c.menuRow(v)...)
	return c.sendSplit(ctx, v, splitHTML(strings.Join(parts, "\n\n")), buttons)
}

// registerOffices registers /kantor.
func (c *Conversation) registerOffices(r *router) {
	r.command(func(ctx context.Context, v *conv, _ *Message, _ command, out *Outcome) error {
		out.Kind = OutcomeOffices
		return c.listOffices(ctx, v)
	}, "kantor", "offices")
}
