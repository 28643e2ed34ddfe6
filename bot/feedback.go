package bot

import "context"

// Feedback: the 👍/👎 buttons under an answer and the reasons offered
// after 👎 (reactions as votes are in reaction.go).

func (c *Conversation) registerFeedback(r *router) {
	r.button(cbFeedback, c.voteButton)
	r.button(cbReason, func(ctx context.Context, v *conv, p *press) error {
		p.out.Kind = OutcomeFeedback
		e, err := c.know.Entry(p.cb.id)
		if err != nil {
			p.notice = c.t(v, "stale_button")
			return nil
		}
		p.out.EntryID = e.ID
		// Staff read the reason in Indonesian, whatever the citizen's language.
		c.logComment(v, e.ID, c.texts.get(LangID, reasonText(p.cb.reason)))
		v.session.CommentOn = ""
		c.save(v)
		p.notice = c.t(v, "feedback_comment_thanks")
		return nil
	})
}

// voteButton records a vote on the answer message the button is under,
// once per message; 👎 then asks what was wrong.
func (c *Conversation) voteButton(ctx context.Context, v *conv, p *press) error {
	p.out.Kind = OutcomeFeedback
	e, err := c.know.Entry(p.cb.id)
	if err != nil || p.q.Message == nil {
		p.notice = c.t(v, "stale_button")
		return nil
	}
	p.out.EntryID = e.ID
	recorded, err := c.store.RecordFeedback(ctx, Feedback{
		ChatID: p.q.Message.Chat.ID, MessageID: p.q.Message.ID, UserID: p.q.From.ID,
		EntryID: e.ID, Helpful: p.cb.vote, At: c.now(),
	})
	switch {
	case err != nil:
		c.storeFailed("record_feedback", err)
		p.notice = c.t(v, "feedback_thanks")
	case recorded && !p.cb.vote:
		p.notice = c.t(v, "feedback_thanks")
		if err := p.answer(ctx); err != nil {
			return err
		}
		return c.askComment(ctx, v, e.ID)
	case recorded:
		p.notice = c.t(v, "feedback_thanks")
	default:
		p.notice = c.t(v, "feedback_already")
	}
	return nil
}
