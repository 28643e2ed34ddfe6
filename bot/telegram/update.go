package telegram

import (
	"encoding/json"
	"errors"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/layanan-id/layanan/bot"
)

// DecodeUpdate reads one Bot API update (JSON) into the conversation's
// own model. The library stops at Bot API 5.5, so the fields it lacks
// (message_thread_id, is_topic_message, is_forum, message_reaction) are
// read from the same JSON here. It fails only on JSON that is not an update object.
func DecodeUpdate(raw []byte) (bot.Update, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return bot.Update{}, fmt.Errorf("telegram: decode update: %w", err)
	}
	var extra newerFields
	// The library decoded the same bytes, so this cannot fail on syntax;
	// a field of an unexpected type only leaves the newer fields unset.
	_ = json.Unmarshal(raw, &extra)
	return convertUpdate(u, extra), nil
}

// ErrNoUpdateID is returned by UpdateID for JSON without an update id.
var ErrNoUpdateID = errors.New("telegram: no update_id")

// UpdateID reads just the update_id of raw JSON, so that an update the
// model cannot read is still acknowledged and not fetched again forever.
func UpdateID(raw []byte) (int, error) {
	var u struct {
		ID *int `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		return 0, fmt.Errorf("telegram: update id: %w", err)
	}
	if u.ID == nil {
		return 0, ErrNoUpdateID
	}
	return *u.ID, nil
}

// newerFields are the Bot API fields newer than the library.
type newerFields struct {
	MessageReaction *wireReaction `json:"message_reaction"`
	Message         *newerMessage `json:"message"`
	CallbackQuery   *struct {
		Message *newerMessage `json:"message"`
	} `json:"callback_query"`
}

// wireReaction is a MessageReactionUpdated (Bot API 7.0).
type wireReaction struct {
	Chat      *tgbotapi.Chat  `json:"chat"`
	MessageID int             `json:"message_id"`
	User      *tgbotapi.User  `json:"user"`
	Old       []wireReactType `json:"old_reaction"`
	New       []wireReactType `json:"new_reaction"`
}

type wireReactType struct {
	Type  string `json:"type"`
	Emoji string `json:"emoji"`
}

func emoji(rs []wireReactType) []string {
	var out []string
	for _, r := range rs {
		if r.Type == "emoji" && r.Emoji != "" {
			out = append(out, r.Emoji)
		}
	}
	return out
}

type newerMessage struct {
	ThreadID       int  `json:"message_thread_id"`
	IsTopicMessage bool `json:"is_topic_message"`
	Chat           *struct {
		IsForum bool `json:"is_forum"`
	} `json:"chat"`
	ReplyTo *newerMessage `json:"reply_to_message"`
}

func convertUpdate(u tgbotapi.Update, extra newerFields) bot.Update {
	out := bot.Update{ID: u.UpdateID}
	switch {
	case u.Message != nil:
		out.Message = convertMessage(u.Message, extra.Message)
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		q := u.CallbackQuery
		var em *newerMessage
		if extra.CallbackQuery != nil {
			em = extra.CallbackQuery.Message
		}
		out.Callback = &bot.Callback{ID: q.ID, From: convertUser(q.From), Data: q.Data, Message: convertMessage(q.Message, em)}
	case extra.MessageReaction != nil && extra.MessageReaction.Chat != nil:
		r := extra.MessageReaction
		out.Reaction = &bot.Reaction{
			Chat:      bot.Chat{ID: r.Chat.ID, Type: r.Chat.Type},
			MessageID: r.MessageID,
			Old:       emoji(r.Old),
			New:       emoji(r.New),
		}
		if r.User != nil {
			u := convertUser(r.User)
			out.Reaction.User = &u
		}
	}
	return out
}

func convertUser(u *tgbotapi.User) bot.User {
	return bot.User{ID: u.ID, IsBot: u.IsBot, FirstName: u.FirstName, Username: u.UserName, LanguageCode: u.LanguageCode}
}

// convertMessage converts m (nil gives nil) with its newer fields.
func convertMessage(m *tgbotapi.Message, extra *newerMessage) *bot.Message {
	if m == nil || m.Chat == nil {
		return nil
	}
	out := &bot.Message{
		ID:   m.MessageID,
		Chat: bot.Chat{ID: m.Chat.ID, Type: m.Chat.Type},
		Text: m.Text,
	}
	if m.From != nil {
		u := convertUser(m.From)
		out.From = &u
	}
	switch {
	case m.Venue != nil:
		out.Location = &bot.Location{Lat: m.Venue.Location.Latitude, Lon: m.Venue.Location.Longitude, Venue: m.Venue.Title}
	case m.Location != nil:
		out.Location = &bot.Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	}
	var replyExtra *newerMessage
	if extra != nil {
		out.ThreadID, out.IsTopicMessage = extra.ThreadID, extra.IsTopicMessage
		if extra.Chat != nil {
			out.Chat.IsForum = extra.Chat.IsForum
		}
		replyExtra = extra.ReplyTo
	}
	if m.ReplyToMessage != nil && m.ReplyToMessage != m {
		out.ReplyTo = convertMessage(m.ReplyToMessage, replyExtra)
	}
	return out
}
