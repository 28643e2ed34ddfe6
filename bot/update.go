package bot

// The conversation's own model of what it receives. Transports convert
// their updates into these (bot/telegram converts the Bot API's); the
// terminal chat and the tests build them directly.

// Update is one thing that happened: a message or a button press.
type Update struct {
	// ID is the transport's update id; a redelivery has the same one.
	ID       int
	Message  *Message
	Callback *Callback
	Reaction *Reaction
}

// Kind names the update's kind for metrics: "message", "callback" or
// "other".
func (u Update) Kind() string {
	switch {
	case u.Message != nil:
		return "message"
	case u.Callback != nil:
		return "callback"
	case u.Reaction != nil:
		return "reaction"
	}
	return "other"
}

// User is who sent a message or pressed a button.
type User struct {
	ID           int64
	IsBot        bool
	FirstName    string
	Username     string
	LanguageCode string // the user's app language ("id", "en-US"), when known
}

// Chat types.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
	ChatChannel    = "channel"
)

// Chat is where a message was written.
type Chat struct {
	ID   int64
	Type string // ChatPrivate, ChatGroup, ChatSupergroup or ChatChannel
	// IsForum is true for a supergroup with topics.
	IsForum bool
}

// Shared tells whether others than the bot and one user read the chat.
func (c Chat) Shared() bool { return c.Type != ChatPrivate && c.Type != "" }

// Message is a message the bot received.
type Message struct {
	ID   int
	From *User // nil for a channel post
	Chat Chat
	Text string // the text; empty for a photo, sticker or other media
	// Caption is a photo's, video's or document's caption.
	Caption string
	// Contact is true for a shared contact card (a phone number).
	Contact bool
	// Service is true for a message that records an event (a member
	// joined, a forum topic was created or closed) rather than one a
	// person wrote; TopicClosed for the closing of a forum topic.
	Service, TopicClosed bool
	// ReplyTo is the message this one answers, when it does.
	ReplyTo *Message
	// ThreadID is the forum topic the message is in (Bot API
	// message_thread_id), 0 outside topics; IsTopicMessage tells a topic
	// message from a reply thread in a chat without topics.
	ThreadID       int
	IsTopicMessage bool
	// Location is set when the message shares a place (a location or a
	// venue).
	Location *Location
}

// Location is a shared place, in degrees.
type Location struct {
	Lat, Lon float64
	// Venue is the place's title when a venue was shared.
	Venue string
}

// Callback is a button press under one of the bot's messages.
type Callback struct {
	ID      string // answered with Sender.AnswerCallback
	From    User
	Message *Message // the message the button is under; nil when too old
	Data    string
}

// Reaction is a change of a user's reactions to one of the chat's
// messages.
type Reaction struct {
	Chat      Chat
	MessageID int
	User      *User // nil for an anonymous reaction on behalf of a chat
	// Old and New are the user's emoji on the message before and after;
	// other kinds of reaction (custom emoji) are left out.
	Old, New []string
}

// Added returns the emoji in New that were not in Old.
func (r *Reaction) Added() []string {
	var out []string
	for _, e := range r.New {
		found := false
		for _, o := range r.Old {
			found = found || o == e
		}
		if !found {
			out = append(out, e)
		}
	}
	return out
}
