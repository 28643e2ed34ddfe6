package bot

import (
	"strings"
	"unicode"
)

// command is a parsed "/name@bot arguments" message.
type command struct {
	name string // lowercase, without "/" and "@bot"
	bot  string // the "@bot" part without "@", or ""
	args string // the rest, trimmed
}

// parseCommand reads a command from the message text itself: "/" at the
// start, then the name, an optional "@bot" and the arguments.
func parseCommand(m *Message) (command, bool) {
	text := m.Text
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return command{}, false
	}
	head, rest, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexFunc(head, unicode.IsSpace); i >= 0 {
		head, rest = head[:i], head[i:]+" "+rest
	}
	name, at, _ := strings.Cut(head, "@")
	if name == "" {
		return command{}, false
	}
	return command{name: strings.ToLower(name), bot: at, args: strings.TrimSpace(rest)}, true
}
