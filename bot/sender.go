package bot

import (
	"context"
	"errors"

	"github.com/layanan-id/layanan/knowledge"
)

// Button is one inline-keyboard button: it either sends callback Data back
// to the bot or opens a URL.
type Button struct {
	Text string
	Data string // callback data, at most 64 bytes
	URL  string
	// CopyText is copied to the citizen's clipboard when pressed (an
	// address, a phone number); at most 256 characters.
	CopyText string
}

// Reply is one message to a chat. Text is Telegram HTML no longer than one
// message; the conversation splits longer answers itself.
type Reply struct {
	ChatID  int64
	Text    string
	Buttons [][]Button
	// ThreadID posts into a forum topic; ReplyTo answers a message of
	// the chat. Both are 0 for a plain message.
	ThreadID, ReplyTo int
}

// Sender delivers replies. The Telegram transport implements it with the
// Bot API; `layanan chat` prints to the terminal; tests record.
type Sender interface {
	// Send delivers one message and returns its message id.
	Send(ctx context.Context, r Reply) (messageID int, err error)
	// AnswerCallback acknowledges a button press so the client stops its
	// spinner; text, when not empty, is shown as a short notice.
	AnswerCallback(ctx context.Context, callbackID, text string) error
	// Typing shows "typing…" in the chat while an answer is prepared.
	Typing(ctx context.Context, chatID int64) error
}

// Relay is what a handoff to staff needs of the transport beyond Sender:
// copying messages between the citizen's chat and the staff group, and the
// staff group's forum topics.
type Relay interface {
	// Copy sends a copy of a message (text, photo, document…) as the
	// bot's own, and returns the copy's message id.
	Copy(ctx context.Context, c Copy) (messageID int, err error)
	// CreateTopic creates a forum topic and returns its thread id; it
	// fails with an error wrapping ErrNoTopics when the chat has none.
	CreateTopic(ctx context.Context, chatID int64, name string) (threadID int, err error)
	// CloseTopic closes a forum topic; DeleteTopic deletes it with every
	// message in it.
	CloseTopic(ctx context.Context, chatID int64, threadID int) error
	DeleteTopic(ctx context.Context, chatID int64, threadID int) error
}

// Copy is one message to copy.
type Copy struct {
	FromChat  int64
	MessageID int
	ToChat    int64
	// ThreadID and ReplyTo place the copy as in Reply.
	ThreadID, ReplyTo int
	// Caption, when not nil, replaces a media message's caption (plain
	// text).
	Caption *string
}

// ErrNoTopics is wrapped by Relay.CreateTopic for a group without topics.
var ErrNoTopics = errors.New("the chat has no topics")

// Knowledge is the answer engine as the conversation needs it. A
// *knowledge.Index satisfies it; a reloading wrapper can swap indexes.
type Knowledge interface {
	Search(ctx context.Context, question string, top int) (knowledge.Result, error)
	Entry(id string) (*knowledge.Entry, error)
	Content() *knowledge.Content
}

var _ Knowledge = (*knowledge.Index)(nil)
