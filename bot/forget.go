package bot

import "context"

// /hapusdata: everything the bot keeps about the citizen is deleted after
// a confirmation button (Indonesia's personal data protection law, UU
// 27/2022).

func (c *Conversation) registerForget(r *router) {
	r.command(func(ctx context.Context, v *conv, _ *Message, _ command, _ *Outcome) error {
		_, err := c.reply(ctx, v, c.t(v, "forget_confirm"), [][]Button{{
			{Text: c.t(v, "button_forget_yes"), Data: callbackData(cbForget, "yes")},
			{Text: c.t(v, "button_forget_no"), Data: callbackData(cbForget, "no")},
		}})
		return err
	}, "hapusdata", "deletedata")
	r.button(cbForget, c.forget)
}

// forget deletes the presser's data, or cancels.
func (c *Conversation) forget(ctx context.Context, v *conv, p *press) error {
	p.out.Kind = OutcomeForget
	if err := p.answer(ctx); err != nil {
		return err
	}
	if p.cb.id == "no" {
		_, err := c.reply(ctx, v, c.t(v, "forget_cancelled"), nil)
		return err
	}
	// Only the user's own data: the id comes from Telegram's sender, not
	// from the button, so a forged button cannot erase anyone else.
	err := c.forgetTickets(ctx, v)
	if err == nil {
		err = c.store.ForgetUser(ctx, v.userID)
	}
	if err != nil {
		c.storeFailed("forget_user", err)
		_, err = c.reply(ctx, v, c.t(v, "error"), nil)
		return err
	}
	v.forgotten = true
	c.log.Info("user data deleted on request", "chat_id", v.chatID)
	_, err = c.reply(ctx, v, c.t(v, "forget_done"), nil)
	return err
}
