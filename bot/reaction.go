package bot

import (
	"context"
	"slices"
)

// Reactions as votes: a 👍 or 👎 on an answer card counts as the card's
// vote, once per citizen and answer, the same as the buttons under it.

// Vote emoji.
const (
	reactionHelpful    = "👍"
	reactionNotHelpful = "👎"
)

// handleReaction records a 👍 or 👎 put on one of the last answers sent to
// the citizen. Other reactions, reactions taken back and reactions on
// other messages are ignored without a reply.
func (c *Conversation) handleReaction(ctx context.Context, v *conv, r *Reaction) (Outcome, error) {
	out := Outcome{Kind: OutcomeIgnored, ChatID: v.chatID}
	added := r.Added()
	up, down := slices.Contains(added, reactionHelpful), slices.Contains(added, reactionNotHelpful)
	if up == down {
		return out, nil
	}
	i := slices.IndexFunc(v.session.Answers, func(a AnswerRef) bool {
		return a.ChatID == r.Chat.ID && r.MessageID >= a.First && r.MessageID <= a.Last
	})
	if i < 0 {
		return out, nil
	}
	answer := v.session.Answers[i]
	e, err := c.know.Entry(answer.EntryID)
	if err != nil {
		return out, nil // the entry is gone since
	}
	out.Kind, out.EntryID = OutcomeFeedback, e.ID
	recorded, err := c.store.RecordFeedback(ctx, Feedback{
		ChatID: v.chatID, MessageID: answer.Last, UserID: v.userID, EntryID: e.ID, Helpful: up, At: c.now(),
	})
	switch {
	case err != nil:
		c.storeFailed("record_feedback", err)
	case recorded && down:
		// As after the 👎 button: ask what was wrong.
		return out, c.askComment(ctx, v, e.ID)
	}
	return out, nil
}
