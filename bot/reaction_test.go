package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

// voteStore is a memStore that keeps votes, one per answer message.
type voteStore struct {
	memStore
	votes map[[2]int64]Feedback
}

func (s *voteStore) RecordFeedback(_ context.Context, f Feedback) (bool, error) {
	if s.votes == nil {
		s.votes = map[[2]int64]Feedback{}
	}
	key := [2]int64{f.ChatID, int64(f.MessageID)}
	if _, ok := s.votes[key]; ok {
		return false, nil
	}
	s.votes[key] = f
	return true, nil
}

func reactionUpdate(id, messageID int, old, new []string) Update {
	return Update{ID: id, Reaction: &Reaction{Chat: Chat{ID: 7, Type: ChatPrivate}, MessageID: messageID, User: &User{ID: 7}, Old: old, New: new}}
}

// A 👍 or 👎 reaction on an answer counts as its vote, once per answer,
// shared with the buttons; other reactions and messages are ignored.
func TestReactionVotes(t *testing.T) {
	store := &voteStore{}
	rec := &recorder{}
	c, err := New(DefaultConfig(), index(t), store, rec, slog.New(slog.DiscardHandler), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	answer := func(id int, q string) (first, last int) {
		t.Helper()
		before := len(rec.replies)
		if out, err := c.Handle(ctx, textUpdate(id, q)); err != nil || out.Kind != OutcomeAnswered {
			t.Fatalf("%q: %v %v", q, out.Kind, err)
		}
		return before + 1, len(rec.replies) // the recorder's message ids are 1, 2, ...
	}
	_, skck := answer(1, "syarat bikin skck")
	paspor1, paspor := answer(2, "syarat bikin paspor")

	steps := []struct {
		name      string
		u         Update
		kind      OutcomeKind
		votes     int
		replyWith string // a new reply containing this, or "" for none
	}{
		{"thumbs up on the first answer", reactionUpdate(3, skck, nil, []string{"👍"}), OutcomeFeedback, 1, ""},
		{"changed to thumbs down: already voted", reactionUpdate(4, skck, []string{"👍"}, []string{"👎"}), OutcomeFeedback, 1, ""},
		{"taken back", reactionUpdate(5, skck, []string{"👎"}, nil), OutcomeIgnored, 1, ""},
		{"another emoji", reactionUpdate(6, paspor, nil, []string{"🔥"}), OutcomeIgnored, 1, ""},
		{"not an answer", reactionUpdate(7, 999, nil, []string{"👍"}), OutcomeIgnored, 1, ""},
		{"same message id in another chat", func() Update {
			u := reactionUpdate(7, paspor, nil, []string{"👍"})
			u.Reaction.Chat.ID = -100
			return u
		}(), OutcomeIgnored, 1, ""},
		{"thumbs down on a part of the second answer", reactionUpdate(8, paspor1, nil, []string{"👎"}), OutcomeFeedback, 2, "apa yang kurang"},
	}
	for _, st := range steps {
		before := len(rec.replies)
		out, err := c.Handle(ctx, st.u)
		if err != nil || out.Kind != st.kind {
			t.Fatalf("%s: outcome %q err %v", st.name, out.Kind, err)
		}
		if len(store.votes) != st.votes {
			t.Fatalf("%s: %d votes, want %d", st.name, len(store.votes), st.votes)
		}
		switch {
		case st.replyWith == "" && len(rec.replies) != before:
			t.Errorf("%s: replied %q", st.name, rec.last().Text)
		case st.replyWith != "" && (len(rec.replies) == before || !strings.Contains(strings.ToLower(rec.last().Text), st.replyWith)):
			t.Errorf("%s: reply %q, want one containing %q", st.name, rec.last().Text, st.replyWith)
		}
	}
	if v := store.votes[[2]int64{7, int64(skck)}]; !v.Helpful || v.EntryID != "skck" {
		t.Errorf("first vote %+v", v)
	}
	// The vote is on the message under which the buttons are, so the
	// 👎 button on the same answer finds it taken.
	if v, ok := store.votes[[2]int64{7, int64(paspor)}]; !ok || v.Helpful || v.EntryID != "paspor" {
		t.Errorf("second vote %+v (keyed by its last message %d)", v, paspor)
	}
	// An anonymous reaction (on behalf of a chat) is ignored.
	anon := reactionUpdate(9, skck, nil, []string{"👍"})
	anon.Reaction.User = nil
	if out, err := c.Handle(ctx, anon); err != nil || out.Kind != OutcomeIgnored {
		t.Errorf("anonymous reaction: %v %v", out.Kind, err)
	}
	// Only the last answers are kept in the session (a command first ends
	// the wait for a comment on the 👎).
	if _, err := c.Handle(ctx, textUpdate(10, "/menu")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < maxAnswersKept+2; i++ {
		answer(11+i, "syarat bikin skck")
	}
	if n := len(store.sessions[7].Answers); n != maxAnswersKept {
		t.Errorf("%d answers kept, want %d", n, maxAnswersKept)
	}
}
