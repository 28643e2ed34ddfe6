package bot

import (
	"context"

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

// Knowledge is the answer engine as the conversation needs it. A
// *knowledge.Index satisfies it; a reloading wrapper can swap indexes.
type Knowledge interface {
	Search(ctx context.Context, question string, top int) (knowledge.Result, error)
	Entry(id string) (*knowledge.Entry, error)
	Content() *knowledge.Content
}

var _ Knowledge = (*knowledge.Index)(nil)
