package bot

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/knowledge"
	"github.com/layanan-id/layanan/knowledge/local"
)

// splitHTML splits a reply into messages Telegram accepts.
func splitHTML(html string) []string { return render.Split(html, render.MaxMessage) }

// sendAnswer sends an entry's answer card, split into as many messages as
// it needs, with the buttons under the last one: feedback, related
// entries, contact and menu. When close is true the second hit was nearly
// as good, and it is offered first. It makes the entry the session's topic.
func (c *Conversation) sendAnswer(ctx context.Context, v *conv, e *knowledge.Entry, others []knowledge.Hit, close bool) error {
	v.session.TopicID = e.ID
	var buttons [][]Button
	if up, down := callbackData(cbFeedback, "1", e.ID), callbackData(cbFeedback, "0", e.ID); up != "" && down != "" {
		buttons = append(buttons, []Button{{Text: c.t(v, "button_helpful"), Data: up}, {Text: c.t(v, "button_not_helpful"), Data: down}})
	}
	var related []*knowledge.Entry
	if close && len(others) > 0 {
		related = append(related, others[0].Entry)
		others = others[1:]
	}
	related = append(related, c.related(e, others, related)...)
	for _, r := range related[:min(3, len(related))] {
		if data := callbackData(cbEntry, r.ID); data != "" {
			buttons = append(buttons, []Button{{Text: "➡️ " + buttonLabel(r.Title), Data: data}})
		}
	}
	buttons = append(buttons, []Button{{Text: c.t(v, "button_contact"), Data: cbContact}, {Text: c.t(v, "button_menu"), Data: cbMenu}})
	content, now := c.know.Content(), c.now()
	parts := c.cardParts.get(content, cardKey{e.ID, v.lang, content.Local.Today(now)}, func() []string {
		return splitHTML(c.cards.HTML(v.lang, content.Local, e, now))
	})
	first, last, err := c.sendSplitIDs(ctx, v, parts, buttons)
	if err == nil && last > 0 {
		v.session.Answers = append(v.session.Answers, AnswerRef{ChatID: v.chatID, First: first, Last: last, EntryID: e.ID})
		if n := len(v.session.Answers); n > maxAnswersKept {
			v.session.Answers = slices.Clone(v.session.Answers[n-maxAnswersKept:])
		}
	}
	return err
}

// maxAnswersKept is how many recent answers a reaction can vote on.
const maxAnswersKept = 5

// cardCache keeps the current content's answer cards rendered and split:
// rendering and splitting a card costs more than finding it.
type cardCache struct {
	mu      sync.Mutex
	content *knowledge.Content // the content the cards are of; another one empties the cache
	day     local.Date         // the day they are of; another one empties it too
	parts   map[cardKey][]string
}

// cardKey names a rendered card. The day is in it because a card shows
// its offices' hours today.
type cardKey struct {
	entryID, lang string
	day           local.Date
}

// get returns the card's parts, made by make when not cached.
func (cc *cardCache) get(content *knowledge.Content, key cardKey, make func() []string) []string {
	cc.mu.Lock()
	if cc.content != content || cc.day != key.day {
		cc.content, cc.day, cc.parts = content, key.day, map[cardKey][]string{}
	}
	parts, ok := cc.parts[key]
	cc.mu.Unlock()
	if ok {
		return parts
	}
	parts = make()
	cc.mu.Lock()
	if cc.content == content && cc.day == key.day {
		cc.parts[key] = parts
	}
	cc.mu.Unlock()
	return parts
}

// related picks up to three entries to offer under an answer: the other
// hits of the search in the same category that match the question's topic,
// then other entries of the same category.
func (c *Conversation) related(e *knowledge.Entry, others []knowledge.Hit, already []*knowledge.Entry) []*knowledge.Entry {
	want := 3 - len(already)
	var out []*knowledge.Entry
	seen := map[string]bool{e.ID: true}
	for _, a := range already {
		seen[a.ID] = true
	}
	for _, h := range others {
		if len(out) == 2 {
			break
		}
		if h.TopicMatched && h.Entry.Category == e.Category && !seen[h.Entry.ID] {
			seen[h.Entry.ID] = true
			out = append(out, h.Entry)
		}
	}
	content := c.know.Content()
	for i := range content.Entries {
		if len(out) == want {
			break
		}
		sib := &content.Entries[i]
		if sib.Category == e.Category && !seen[sib.ID] {
			seen[sib.ID] = true
			out = append(out, sib)
		}
	}
	return out
}

// sendFollowUp answers "biayanya berapa?" and the like from the session's
// topic: the card field or body section for each aspect asked.
func (c *Conversation) sendFollowUp(ctx context.Context, v *conv, e *knowledge.Entry, aspects []string) error {
	var b strings.Builder
	for _, aspect := range aspects {
		label, value := c.aspectValue(v, e, aspect)
		if label == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if strings.TrimSpace(value) == "" {
			b.WriteString(c.t(v, "followup_missing", "aspect", strings.ToLower(label), "title", escape(e.Title)))
			continue
		}
		b.WriteString(c.t(v, "followup_intro", "title", escape(e.Title), "aspect", escape(label)))
		b.WriteString("\n")
		b.WriteString(strings.TrimSpace(render.HTML(value)))
		if aspect == "where" {
			// "di mana?": the offices that serve it, with today's hours.
			if offices := c.cards.officesHTML(v.lang, c.know.Content().Local, e, c.now()); offices != "" {
				b.WriteString("\n\n")
				b.WriteString(offices)
			}
		}
	}
	buttons := [][]Button{{{Text: c.t(v, "button_full_answer"), Data: callbackData(cbEntry, e.ID)}, {Text: c.t(v, "button_menu"), Data: cbMenu}}}
	return c.sendParts(ctx, v, b.String(), buttons)
}

// sendParts sends HTML split into messages Telegram accepts, with the
// buttons under the last one.
func (c *Conversation) sendParts(ctx context.Context, v *conv, html string, buttons [][]Button) error {
	return c.sendSplit(ctx, v, render.Split(html, render.MaxMessage), buttons)
}

// sendSplit sends the parts of a message, the buttons under the last.
func (c *Conversation) sendSplit(ctx context.Context, v *conv, parts []string, buttons [][]Button) error {
	_, _, err := c.sendSplitIDs(ctx, v, parts, buttons)
	return err
}

// sendSplitIDs is sendSplit returning the first and last message ids.
func (c *Conversation) sendSplitIDs(ctx context.Context, v *conv, parts []string, buttons [][]Button) (first, last int, err error) {
	for i, part := range parts {
		var kb [][]Button
		if i == len(parts)-1 {
			kb = buttons
		}
		id, err := c.reply(ctx, v, part, kb)
		if err != nil {
			return first, last, err
		}
		if i == 0 {
			first = id
		}
		last = id
	}
	return first, last, nil
}

// aspectValue returns the label and Markdown answering one aspect of e.
func (c *Conversation) aspectValue(v *conv, e *knowledge.Entry, aspect string) (label, value string) {
	switch aspect {
	case "fee":
		return c.t(v, "label_fee"), e.Fee
	case "duration":
		return c.t(v, "label_duration"), e.Duration
	case "where":
		return c.t(v, "label_where"), e.Where
	case "legal":
		return c.t(v, "label_legal"), e.LegalBasis
	case "requirements":
		return c.t(v, "label_requirements"), section(e.Body, "syarat", "persyaratan", "requirement", "dokumen", "berkas")
	case "steps":
		return c.t(v, "label_steps"), section(e.Body, "langkah", "cara", "prosedur", "alur", "tahap", "step")
	}
	return "", ""
}

// section returns the body of the first Markdown section whose heading
// contains one of the keywords, up to the next heading of the same or a
// higher level.
func section(body string, keywords ...string) string {
	lines := strings.Split(body, "\n")
	start, level := -1, 0
	for i, line := range lines {
		l := headingLevel(line)
		if l == 0 {
			continue
		}
		if start >= 0 && l <= level {
			return strings.TrimSpace(strings.Join(lines[start:i], "\n"))
		}
		if start < 0 {
			heading := strings.ToLower(line)
			for _, k := range keywords {
				if strings.Contains(heading, k) {
					start, level = i+1, l
					break
				}
			}
		}
	}
	if start < 0 {
		return ""
	}
	return strings.TrimSpace(strings.Join(lines[start:], "\n"))
}

func headingLevel(line string) int {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n >= len(line) || (line[n] != ' ' && line[n] != '\t') {
		return 0
	}
	return n
}

// registerAnswers registers the button that opens an entry.
func (c *Conversation) registerAnswers(r *router) {
	r.button(cbEntry, func(ctx context.Context, v *conv, p *press) error {
		e, err := c.know.Entry(p.cb.id)
		if err != nil {
			p.notice = c.t(v, "stale_button")
			return nil
		}
		p.out.EntryID = e.ID
		if err := p.answer(ctx); err != nil {
			return err
		}
		err = c.sendAnswer(ctx, v, e, nil, false)
		v.session.Offered = nil
		c.save(v)
		return err
	})
}
