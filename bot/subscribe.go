package bot

import (
	"context"
	"slices"
	"strings"
)

// subscribe opts the user in (keeping topics already chosen) and shows the
// topic choices.
func (c *Conversation) subscribe(ctx context.Context, v *conv) error {
	sub, found, err := c.opts.Subscriptions.Subscription(ctx, v.chatID)
	if err != nil {
		c.storeFailed("subscription", err)
		_, err := c.reply(ctx, v, c.t(v, "error"), nil)
		return err
	}
	if !found {
		sub = Subscription{ChatID: v.chatID, UserID: v.userID, Since: c.now()}
	}
	sub.Lang = v.lang
	if err := c.opts.Subscriptions.Subscribe(ctx, sub); err != nil {
		c.storeFailed("subscribe", err)
		_, err := c.reply(ctx, v, c.t(v, "error"), nil)
		return err
	}
	_, err = c.reply(ctx, v, c.t(v, "subscribed", "topics", c.topicsText(v, sub)), c.topicButtons(v, sub))
	return err
}

func (c *Conversation) unsubscribe(ctx context.Context, v *conv) error {
	existed, err := c.opts.Subscriptions.Unsubscribe(ctx, v.chatID)
	if err != nil {
		c.storeFailed("unsubscribe", err)
		_, err := c.reply(ctx, v, c.t(v, "error"), nil)
		return err
	}
	key := "unsubscribed"
	if !existed {
		key = "not_subscribed"
	}
	_, err = c.reply(ctx, v, c.t(v, key), c.menuRow(v))
	return err
}

// toggleTopic follows or unfollows a category ("*": every topic).
func (c *Conversation) toggleTopic(ctx context.Context, v *conv, topic string) (string, error) {
	sub, found, err := c.opts.Subscriptions.Subscription(ctx, v.chatID)
	if err != nil {
		c.storeFailed("subscription", err)
		return c.t(v, "error"), nil
	}
	if !found {
		return c.t(v, "not_subscribed_short"), nil
	}
	switch {
	case topic == "*":
		sub.Topics = nil
	case slices.Contains(sub.Topics, topic):
		sub.Topics = slices.DeleteFunc(sub.Topics, func(t string) bool { return t == topic })
	default:
		if _, ok := c.know.Content().Category(topic); !ok {
			return c.t(v, "stale_button"), nil
		}
		sub.Topics = append(sub.Topics, topic)
		slices.Sort(sub.Topics)
	}
	if err := c.opts.Subscriptions.Subscribe(ctx, sub); err != nil {
		c.storeFailed("subscribe", err)
		return c.t(v, "error"), nil
	}
	_, err = c.reply(ctx, v, c.t(v, "subscribed", "topics", c.topicsText(v, sub)), c.topicButtons(v, sub))
	return "", err
}

func (c *Conversation) topicsText(v *conv, sub Subscription) string {
	if len(sub.Topics) == 0 {
		return c.t(v, "all_topics")
	}
	var names []string
	for _, t := range sub.Topics {
		if cat, ok := c.know.Content().Category(t); ok {
			name := cat.Name
			if v.lang == LangEN {
				name = cat.NameEn
			}
			names = append(names, escape(name))
		}
	}
	return strings.Join(names, ", ")
}

// topicButtons lists the categories to follow (✅ when followed), "all
// topics" and "stop".
func (c *Conversation) topicButtons(v *conv, sub Subscription) [][]Button {
	var buttons []Button
	for _, cat := range c.know.Content().Categories {
		data := callbackData(cbTopic, cat.ID)
		if data == "" {
			continue
		}
		name := cat.Name
		if v.lang == LangEN {
			name = cat.NameEn
		}
		if slices.Contains(sub.Topics, cat.ID) {
			name = "✅ " + name
		}
		buttons = append(buttons, Button{Text: buttonLabel(name), Data: data})
	}
	return append(twoPerRow(buttons), []Button{
		{Text: c.t(v, "button_all_topics"), Data: callbackData(cbTopic, "*")},
		{Text: c.t(v, "button_unsubscribe"), Data: callbackData(cbSubscribe, "off")},
	})
}

// registerSubscriptions registers /langganan, /berhenti and the
// subscription buttons; only with a subscription store.
func (c *Conversation) registerSubscriptions(r *router) {
	r.command(func(ctx context.Context, v *conv, _ *Message, _ command, _ *Outcome) error {
		return c.subscribe(ctx, v)
	}, "langganan", "subscribe")
	r.command(func(ctx context.Context, v *conv, _ *Message, _ command, _ *Outcome) error {
		return c.unsubscribe(ctx, v)
	}, "berhenti", "unsubscribe", "stop")
	r.button(cbSubscribe, func(ctx context.Context, v *conv, p *press) error {
		if err := p.answer(ctx); err != nil {
			return err
		}
		if p.cb.id == "on" {
			return c.subscribe(ctx, v)
		}
		return c.unsubscribe(ctx, v)
	})
	r.button(cbTopic, func(ctx context.Context, v *conv, p *press) error {
		notice, err := c.toggleTopic(ctx, v, p.cb.id)
		p.notice = notice
		return err
	})
}
