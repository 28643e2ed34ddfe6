package bot

import (
	"context"
	"slices"
	"strings"
)

// /konsol: an admin or editor gets a login link to the staff console,
// valid ten minutes and once, in their private chat only.

func (c *Conversation) registerConsole(r *router) {
	r.command(func(ctx context.Context, v *conv, m *Message, _ command, out *Outcome) error {
		if !c.isAdmin(v.userID) && !slices.Contains(c.opts.Editors, v.userID) {
			_, err := c.reply(ctx, v, c.t(v, "unknown_command"), nil)
			return err
		}
		out.Kind = OutcomeAdmin
		if m.Chat.Shared() {
			// A link in a group could be used by anyone who reads it first.
			_, err := c.reply(ctx, v, c.t(v, "konsol_private"), nil)
			return err
		}
		link, err := c.opts.ConsoleLink(v.userID)
		if err != nil {
			c.log.Error("console link failed", "err", err)
			_, err := c.reply(ctx, v, c.t(v, "error"), nil)
			return err
		}
		shown := "<code>" + escape(link) + "</code>"
		if strings.HasPrefix(link, "https://") {
			shown = `<a href="` + escape(link) + `">` + c.t(v, "konsol_open") + "</a>\n" + shown
		}
		_, err = c.reply(ctx, v, c.t(v, "konsol_link", "link", shown), nil)
		return err
	}, "konsol", "console")
}
