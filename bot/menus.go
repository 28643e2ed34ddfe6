package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/layanan-id/layanan/knowledge"
)

// Menus: /start (with a deep link to an entry), /menu, /bantuan, the
// category list and pages, and the contact button.

func (c *Conversation) registerMenus(r *router) {
	r.command(c.start, "start")
	r.command(func(ctx context.Context, v *conv, _ *Message, _ command, _ *Outcome) error {
		_, err := c.reply(ctx, v, c.t(v, "menu"), c.categoryButtons(v))
		return err
	}, "menu")
	r.command(func(ctx context.Context, v *conv, _ *Message, _ command, _ *Outcome) error {
		_, err := c.reply(ctx, v, c.t(v, "help"), c.menuRow(v))
		return err
	}, "bantuan", "help")
	r.button(cbMenu, func(ctx context.Context, v *conv, p *press) error {
		if err := p.answer(ctx); err != nil {
			return err
		}
		_, err := c.reply(ctx, v, c.t(v, "menu"), c.categoryButtons(v))
		return err
	})
	r.button(cbCategory, func(ctx context.Context, v *conv, p *press) error {
		cat, ok := c.know.Content().Category(p.cb.id)
		text, rows, pageOK := "", [][]Button(nil), false
		if ok {
			text, rows, pageOK = c.categoryPage(v, cat, p.cb.page)
		}
		if !pageOK {
			p.notice = c.t(v, "stale_button")
			return nil
		}
		if err := p.answer(ctx); err != nil {
			return err
		}
		_, err := c.reply(ctx, v, text, rows)
		return err
	})
	r.button(cbContact, func(ctx context.Context, v *conv, p *press) error {
		if err := p.answer(ctx); err != nil {
			return err
		}
		if c.opts.Handoff != nil {
			p.out.Kind = OutcomeHandoff
			return c.startHandoff(ctx, v, "")
		}
		return c.sendContact(ctx, v)
	})
}

// sendContact tells how to reach an officer when there is no handoff.
func (c *Conversation) sendContact(ctx context.Context, v *conv) error {
	contact := c.cfg.Contact
	if contact == "" {
		contact = c.t(v, "contact_default")
	}
	_, err := c.reply(ctx, v, c.t(v, "contact", "contact", contact), c.menuRow(v))
	return err
}

// start answers /start: the entry a deep link names, or the welcome with
// the categories.
func (c *Conversation) start(ctx context.Context, v *conv, _ *Message, cmd command, out *Outcome) error {
	if id := cmd.args; id != "" {
		if e, err := c.know.Entry(id); err == nil {
			out.Kind, out.EntryID = OutcomeAnswered, e.ID
			err := c.sendAnswer(ctx, v, e, nil, false)
			c.save(v)
			return err
		}
	}
	buttons := c.categoryButtons(v)
	if c.opts.Subscriptions != nil {
		buttons = append(buttons, []Button{{Text: c.t(v, "button_subscribe"), Data: callbackData(cbSubscribe, "on")}})
	}
	_, err := c.reply(ctx, v, c.t(v, "welcome"), buttons)
	return err
}

// menuRow is the one-button row back to the categories.
func (c *Conversation) menuRow(v *conv) [][]Button {
	return [][]Button{{{Text: c.t(v, "button_menu"), Data: cbMenu}}}
}

// categoryButtons lists the categories, two per row.
func (c *Conversation) categoryButtons(v *conv) [][]Button {
	var buttons []Button
	for _, cat := range c.know.Content().Categories {
		data := callbackData(cbCategory, cat.ID, "0")
		if data == "" {
			continue
		}
		name := cat.Name
		if v.lang == LangEN && cat.NameEn != "" {
			name = cat.NameEn
		}
		buttons = append(buttons, Button{Text: buttonLabel(name), Data: data})
	}
	return twoPerRow(buttons)
}

// twoPerRow lays buttons out two to a row.
func twoPerRow(buttons []Button) [][]Button {
	var rows [][]Button
	for len(buttons) > 0 {
		n := min(2, len(buttons))
		rows = append(rows, buttons[:n:n])
		buttons = buttons[n:]
	}
	return rows
}

// categoryPage lists one page of a category's entries with navigation.
func (c *Conversation) categoryPage(v *conv, cat knowledge.Category, page int) (string, [][]Button, bool) {
	var entries []*knowledge.Entry
	content := c.know.Content()
	for i := range content.Entries {
		if content.Entries[i].Category == cat.ID {
			entries = append(entries, &content.Entries[i])
		}
	}
	slices.SortFunc(entries, func(a, b *knowledge.Entry) int { return strings.Compare(a.Title, b.Title) })
	size := c.cfg.MenuPageSize
	pages := max(1, (len(entries)+size-1)/size)
	if page >= pages {
		return "", nil, false
	}
	var rows [][]Button
	for _, e := range entries[page*size : min(len(entries), (page+1)*size)] {
		if data := callbackData(cbEntry, e.ID); data != "" {
			rows = append(rows, []Button{{Text: buttonLabel(e.Title), Data: data}})
		}
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Text: c.t(v, "button_prev"), Data: callbackData(cbCategory, cat.ID, fmt.Sprint(page-1))})
	}
	if page+1 < pages {
		nav = append(nav, Button{Text: c.t(v, "button_next"), Data: callbackData(cbCategory, cat.ID, fmt.Sprint(page+1))})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, []Button{{Text: c.t(v, "button_categories"), Data: cbMenu}})
	name := cat.Name
	if v.lang == LangEN && cat.NameEn != "" {
		name = cat.NameEn
	}
	text := c.t(v, "category", "category", escape(name))
	if pages > 1 {
		text += fmt.Sprintf(" (%d/%d)", page+1, pages)
	}
	return text, rows, true
}
