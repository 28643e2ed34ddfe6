package bot

import (
	"strconv"
	"strings"
)

// Callback data is what an inline button sends back. Telegram limits it to
// 64 bytes and anyone can forge it, so every kind is parsed strictly and
// checked against the content before use.
const maxCallbackData = 64

// callback kinds.
const (
	cbEntry     = "e" // e:<entry id>           open an entry
	cbMenu      = "m" // m                      the category list
	cbCategory  = "c" // c:<category id>:<page> a category's entries
	cbFeedback  = "f" // f:<1|0>:<entry id>     vote on the answer message
	cbContact   = "k" // k                      how to reach an officer
	cbLanguage  = "l" // l:<id|en>              choose the language
	cbSubscribe = "s" // s:<on|off>            subscribe to announcements, or stop
	cbTopic     = "t" // t:<category id|*>     follow a topic, or all (*)
	cbBroadcast = "b" // b:<send|drop>         an admin's answer to a preview
	cbForget    = "h" // h:<yes|no>            confirm /hapusdata
	cbReason    = "r" // r:<reason>:<entry id>  what was wrong with an answer marked 👎
	// The handoff's kinds are in handoff.go.
)

// The reasons a citizen can pick after 👎, with their text keys.
var commentReasons = []struct{ code, text string }{
	{"salah", "reason_wrong"},
	{"lain", "reason_not_asked"},
	{"kurang", "reason_incomplete"},
}

// reasonText returns the text key of a reason code, or "".
func reasonText(code string) string {
	for _, r := range commentReasons {
		if r.code == code {
			return r.text
		}
	}
	return ""
}

type callback struct {
	kind   string
	id     string // entry or category id, or language
	page   int
	vote   bool
	reason string // a reason code of commentReasons
	ticket int64  // a handoff ticket's number
	valid  bool
}

// callbackData builds button data; it returns "" when the result would not
// fit in 64 bytes (the button is then left out).
func callbackData(parts ...string) string {
	s := strings.Join(parts, ":")
	if len(s) > maxCallbackData {
		return ""
	}
	return s
}

// parseCallback reads button data. Anything malformed is not valid.
func parseCallback(data string) callback {
	if len(data) == 0 || len(data) > maxCallbackData {
		return callback{}
	}
	parts := strings.Split(data, ":")
	c := callback{kind: parts[0]}
	switch {
	case c.kind == cbMenu && len(parts) == 1, c.kind == cbContact && len(parts) == 1:
		c.valid = true
	case c.kind == cbEntry && len(parts) == 2 && isSlug(parts[1]):
		c.id, c.valid = parts[1], true
	case c.kind == cbCategory && len(parts) == 3 && isSlug(parts[1]):
		page, err := strconv.Atoi(parts[2])
		if err == nil && page >= 0 && page < 1000 {
			c.id, c.page, c.valid = parts[1], page, true
		}
	case c.kind == cbFeedback && len(parts) == 3 && (parts[1] == "1" || parts[1] == "0") && isSlug(parts[2]):
		c.vote, c.id, c.valid = parts[1] == "1", parts[2], true
	case c.kind == cbLanguage && len(parts) == 2 && (parts[1] == LangID || parts[1] == LangEN):
		c.id, c.valid = parts[1], true
	case c.kind == cbSubscribe && len(parts) == 2 && (parts[1] == "on" || parts[1] == "off"):
		c.id, c.valid = parts[1], true
	case c.kind == cbTopic && len(parts) == 2 && (parts[1] == "*" || isSlug(parts[1])):
		c.id, c.valid = parts[1], true
	case c.kind == cbBroadcast && len(parts) == 2 && (parts[1] == "send" || parts[1] == "drop"):
		c.id, c.valid = parts[1], true
	case c.kind == cbForget && len(parts) == 2 && (parts[1] == "yes" || parts[1] == "no"):
		c.id, c.valid = parts[1], true
	case c.kind == cbReason && len(parts) == 3 && reasonText(parts[1]) != "" && isSlug(parts[2]):
		c.reason, c.id, c.valid = parts[1], parts[2], true
	default:
		parseHandoffCallback(&c, parts)
	}
	return c
}

// isSlug reports whether s looks like an entry or category id.
func isSlug(s string) bool {
	if s == "" || len(s) > 60 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}
