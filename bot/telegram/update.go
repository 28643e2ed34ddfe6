package telegram

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/layanan-id/layanan/bot"
)

// DecodeUpdate reads one Bot API update (JSON) into the conversation's
// own model, in one pass over the fields the bot uses, including those the
// library lacks (it stops at Bot API 5.5): message_thread_id,
// is_topic_message, is_forum and message_reaction. It fails on JSON that is
// not an update object, or whose fields have the wrong types.
func DecodeUpdate(raw []byte) (bot.Update, error) {
	var u wireUpdate
	if err := json.Unmarshal(raw, &u); err != nil {
		return bot.Update{}, fmt.Errorf("telegram: decode update: %w", err)
	}
	return u.convert(), nil
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

// The wire types are the parts of Bot API objects the bot reads.
type (
	wireUpdate struct {
		ID              int           `json:"update_id"`
		Message         *wireMessage  `json:"message"`
		CallbackQuery   *wireCallback `json:"callback_query"`
		MessageReaction *wireReaction `json:"message_reaction"`
	}
	wireUser struct {
		ID           int64  `json:"id"`
		IsBot        bool   `json:"is_bot"`
		FirstName    string `json:"first_name"`
		Username     string `json:"username"`
		LanguageCode string `json:"language_code"`
	}
	wireChat struct {
		ID      int64  `json:"id"`
		Type    string `json:"type"`
		IsForum bool   `json:"is_forum"`
	}
	wireLocation struct {
		Lat float64 `json:"latitude"`
		Lon float64 `json:"longitude"`
	}
	wireMessage struct {
		ID int `json:"message_id"`
		// ThreadID is lenient: a topic id of an unexpected type is no
		// reason to lose the message.
		ThreadID       lenientInt    `json:"message_thread_id"`
		IsTopicMessage bool          `json:"is_topic_message"`
		From           *wireUser     `json:"from"`
		Chat           *wireChat     `json:"chat"`
		Text           string        `json:"text"`
		Caption        string        `json:"caption"`
		ReplyTo        *wireMessage  `json:"reply_to_message"`
		Location       *wireLocation `json:"location"`
		Venue          *struct {
			Location wireLocation `json:"location"`
			Title    string       `json:"title"`
		} `json:"venue"`
		// Service messages: only whether they are there matters.
		TopicCreated  json.RawMessage `json:"forum_topic_created"`
		TopicClosed   json.RawMessage `json:"forum_topic_closed"`
		TopicReopened json.RawMessage `json:"forum_topic_reopened"`
		TopicEdited   json.RawMessage `json:"forum_topic_edited"`
		NewMembers    json.RawMessage `json:"new_chat_members"`
		LeftMember    json.RawMessage `json:"left_chat_member"`
		Pinned        json.RawMessage `json:"pinned_message"`
		NewTitle      json.RawMessage `json:"new_chat_title"`
		NewPhoto      json.RawMessage `json:"new_chat_photo"`
		DeletePhoto   json.RawMessage `json:"delete_chat_photo"`
		AutoDelete    json.RawMessage `json:"message_auto_delete_timer_changed"`
		VideoStarted  json.RawMessage `json:"video_chat_started"`
		VideoEnded    json.RawMessage `json:"video_chat_ended"`
		VideoPlanned  json.RawMessage `json:"video_chat_scheduled"`
		VideoInvited  json.RawMessage `json:"video_chat_participants_invited"`
		GeneralHidden json.RawMessage `json:"general_forum_topic_hidden"`
		GeneralShown  json.RawMessage `json:"general_forum_topic_unhidden"`
		WriteAccess   json.RawMessage `json:"write_access_allowed"`
		Contact       json.RawMessage `json:"contact"`
	}
	wireCallback struct {
		ID      string       `json:"id"`
		From    *wireUser    `json:"from"`
		Message *wireMessage `json:"message"`
		Data    string       `json:"data"`
	}
	// wireReaction is a MessageReactionUpdated (Bot API 7.0).
	wireReaction struct {
		Chat      *wireChat       `json:"chat"`
		MessageID int             `json:"message_id"`
		User      *wireUser       `json:"user"`
		Old       []wireReactType `json:"old_reaction"`
		New       []wireReactType `json:"new_reaction"`
	}
	wireReactType struct {
		Type  string `json:"type"`
		Emoji string `json:"emoji"`
	}
)

// lenientInt reads a JSON number and anything else as 0.
type lenientInt int

func (n *lenientInt) UnmarshalJSON(b []byte) error {
	var v int
	if json.Unmarshal(b, &v) == nil {
		*n = lenientInt(v)
	}
	return nil
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

func (u wireUpdate) convert() bot.Update {
	out := bot.Update{ID: u.ID}
	switch {
	case u.Message != nil:
		out.Message = u.Message.convert()
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		q := u.CallbackQuery
		out.Callback = &bot.Callback{ID: q.ID, From: q.From.convert(), Data: q.Data, Message: q.Message.convert()}
	case u.MessageReaction != nil && u.MessageReaction.Chat != nil:
		r := u.MessageReaction
		out.Reaction = &bot.Reaction{Chat: r.Chat.convert(), MessageID: r.MessageID, Old: emoji(r.Old), New: emoji(r.New)}
		if r.User != nil {
			user := r.User.convert()
			out.Reaction.User = &user
		}
	}
	return out
}

func (u *wireUser) convert() bot.User {
	return bot.User{ID: u.ID, IsBot: u.IsBot, FirstName: u.FirstName, Username: u.Username, LanguageCode: u.LanguageCode}
}

func (c *wireChat) convert() bot.Chat { return bot.Chat{ID: c.ID, Type: c.Type, IsForum: c.IsForum} }

// convert converts m (nil gives nil; so does a message without a chat).
func (m *wireMessage) convert() *bot.Message {
	if m == nil || m.Chat == nil {
		return nil
	}
	out := &bot.Message{ID: m.ID, Chat: m.Chat.convert(), Text: m.Text, Caption: m.Caption, ThreadID: int(m.ThreadID), IsTopicMessage: m.IsTopicMessage}
	out.TopicClosed = m.TopicClosed != nil
	out.Contact = m.Contact != nil
	for _, field := range []json.RawMessage{m.TopicCreated, m.TopicClosed, m.TopicReopened, m.TopicEdited, m.NewMembers, m.LeftMember, m.Pinned, m.NewTitle,
		m.NewPhoto, m.DeletePhoto, m.AutoDelete, m.VideoStarted, m.VideoEnded, m.VideoPlanned, m.VideoInvited, m.GeneralHidden, m.GeneralShown, m.WriteAccess} {
		out.Service = out.Service || field != nil
	}
	if m.From != nil {
		user := m.From.convert()
		out.From = &user
	}
	switch {
	case m.Venue != nil:
		out.Location = &bot.Location{Lat: m.Venue.Location.Lat, Lon: m.Venue.Location.Lon, Venue: m.Venue.Title}
	case m.Location != nil:
		out.Location = &bot.Location{Lat: m.Location.Lat, Lon: m.Location.Lon}
	}
	out.ReplyTo = m.ReplyTo.convert()
	return out
}
