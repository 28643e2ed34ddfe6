package telegram

import (
	"testing"

	"github.com/layanan-id/layanan/bot"
)

func TestDecodeUpdate(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, u bot.Update)
	}{
		{"text", `{"update_id":7,"message":{"message_id":3,"from":{"id":5,"first_name":"Siti","username":"siti","language_code":"en"},"chat":{"id":5,"type":"private"},"text":"halo"}}`,
			func(t *testing.T, u bot.Update) {
				m := u.Message
				if u.ID != 7 || m == nil || m.ID != 3 || m.Text != "halo" || m.Chat != (bot.Chat{ID: 5, Type: "private"}) || m.Chat.Shared() {
					t.Fatalf("%+v", m)
				}
				if *m.From != (bot.User{ID: 5, FirstName: "Siti", Username: "siti", LanguageCode: "en"}) || u.Kind() != "message" {
					t.Errorf("from %+v", m.From)
				}
			}},
		{"forum topic", `{"update_id":8,"message":{"message_id":4,"message_thread_id":42,"is_topic_message":true,"from":{"id":5},"chat":{"id":-100,"type":"supergroup","is_forum":true},"text":"x","reply_to_message":{"message_id":41,"message_thread_id":42,"chat":{"id":-100,"type":"supergroup"},"text":"tiket"}}}`,
			func(t *testing.T, u bot.Update) {
				m := u.Message
				if m.ThreadID != 42 || !m.IsTopicMessage || !m.Chat.IsForum || !m.Chat.Shared() {
					t.Fatalf("%+v", m)
				}
				if m.ReplyTo == nil || m.ReplyTo.ID != 41 || m.ReplyTo.ThreadID != 42 || m.ReplyTo.Text != "tiket" {
					t.Errorf("reply to %+v", m.ReplyTo)
				}
			}},
		{"location", `{"update_id":9,"message":{"message_id":5,"from":{"id":5},"chat":{"id":5,"type":"private"},"location":{"latitude":-1.26,"longitude":116.83}}}`,
			func(t *testing.T, u bot.Update) {
				if l := u.Message.Location; l == nil || l.Lat != -1.26 || l.Lon != 116.83 || l.Venue != "" {
					t.Errorf("%+v", l)
				}
			}},
		{"venue", `{"update_id":10,"message":{"message_id":6,"from":{"id":5},"chat":{"id":5,"type":"private"},"location":{"latitude":1,"longitude":2},"venue":{"location":{"latitude":-1.3,"longitude":116.7},"title":"Samsat","address":"Jl. X"}}}`,
			func(t *testing.T, u bot.Update) {
				if l := u.Message.Location; l == nil || l.Lat != -1.3 || l.Venue != "Samsat" {
					t.Errorf("%+v", l)
				}
			}},
		{"sticker", `{"update_id":11,"message":{"message_id":7,"from":{"id":5},"chat":{"id":5,"type":"private"},"sticker":{"file_id":"x"}}}`,
			func(t *testing.T, u bot.Update) {
				if u.Message == nil || u.Message.Text != "" {
					t.Errorf("%+v", u.Message)
				}
			}},
		{"photo with caption", `{"update_id":14,"message":{"message_id":8,"from":{"id":5},"chat":{"id":5,"type":"private"},"photo":[{"file_id":"x"}],"caption":"foto KK"}}`,
			func(t *testing.T, u bot.Update) {
				if m := u.Message; m.Text != "" || m.Caption != "foto KK" || m.Service {
					t.Errorf("%+v", m)
				}
			}},
		{"topic closed", `{"update_id":15,"message":{"message_id":9,"message_thread_id":42,"is_topic_message":true,"from":{"id":5},"chat":{"id":-100,"type":"supergroup","is_forum":true},"forum_topic_closed":{}}}`,
			func(t *testing.T, u bot.Update) {
				if m := u.Message; !m.Service || !m.TopicClosed || m.ThreadID != 42 {
					t.Errorf("%+v", m)
				}
			}},
		{"member joined", `{"update_id":16,"message":{"message_id":10,"from":{"id":5},"chat":{"id":-100,"type":"supergroup"},"new_chat_members":[{"id":6}]}}`,
			func(t *testing.T, u bot.Update) {
				if m := u.Message; !m.Service || m.TopicClosed {
					t.Errorf("%+v", m)
				}
			}},
		{"button", `{"update_id":12,"callback_query":{"id":"q1","from":{"id":5},"data":"m","message":{"message_id":9,"message_thread_id":3,"chat":{"id":-100,"type":"supergroup"}}}}`,
			func(t *testing.T, u bot.Update) {
				q := u.Callback
				if q == nil || q.ID != "q1" || q.From.ID != 5 || q.Data != "m" || q.Message == nil || q.Message.ID != 9 || q.Message.ThreadID != 3 || u.Kind() != "callback" {
					t.Errorf("%+v", q)
				}
			}},
		{"button without from", `{"update_id":13,"callback_query":{"id":"q1","data":"m"}}`,
			func(t *testing.T, u bot.Update) {
				if u.Callback != nil || u.Kind() != "other" {
					t.Errorf("%+v", u)
				}
			}},
		{"message without chat", `{"update_id":14,"message":{"message_id":1,"text":"x"}}`,
			func(t *testing.T, u bot.Update) {
				if u.Message != nil {
					t.Errorf("%+v", u.Message)
				}
			}},
		{"reaction", `{"update_id":16,"message_reaction":{"chat":{"id":5,"type":"private"},"message_id":30,"user":{"id":5,"first_name":"Siti"},"date":1,"old_reaction":[{"type":"emoji","emoji":"👍"}],"new_reaction":[{"type":"emoji","emoji":"👎"},{"type":"custom_emoji","custom_emoji_id":"x"}]}}`,
			func(t *testing.T, u bot.Update) {
				r := u.Reaction
				if r == nil || u.Kind() != "reaction" || r.Chat.ID != 5 || r.MessageID != 30 || r.User == nil || r.User.ID != 5 {
					t.Fatalf("%+v", r)
				}
				if len(r.Old) != 1 || len(r.New) != 1 || r.New[0] != "👎" || len(r.Added()) != 1 || r.Added()[0] != "👎" {
					t.Errorf("old %v new %v added %v", r.Old, r.New, r.Added())
				}
			}},
		{"anonymous reaction", `{"update_id":17,"message_reaction":{"chat":{"id":-100,"type":"supergroup"},"message_id":30,"actor_chat":{"id":-100,"type":"supergroup"},"date":1,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}`,
			func(t *testing.T, u bot.Update) {
				if u.Reaction == nil || u.Reaction.User != nil {
					t.Errorf("%+v", u.Reaction)
				}
			}},
		{"newer field of another type", `{"update_id":15,"message":{"message_id":1,"message_thread_id":"x","chat":{"id":1,"type":"private"},"text":"x"}}`,
			func(t *testing.T, u bot.Update) {
				if u.Message == nil || u.Message.ThreadID != 0 || u.Message.Text != "x" {
					t.Errorf("%+v", u.Message)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := DecodeUpdate([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, u)
		})
	}
	if _, err := DecodeUpdate([]byte(`[1]`)); err == nil {
		t.Error("an array decoded as an update")
	}
	if id, err := UpdateID([]byte(`{"update_id":99,"message":[]}`)); err != nil || id != 99 {
		t.Errorf("UpdateID = %d, %v", id, err)
	}
	if _, err := UpdateID([]byte(`{"message":{}}`)); err == nil {
		t.Error("UpdateID without an id")
	}
}

func FuzzDecodeUpdate(f *testing.F) {
	f.Add([]byte(`{"update_id":8,"message":{"message_id":4,"message_thread_id":42,"chat":{"id":-100,"type":"supergroup"},"reply_to_message":{"message_id":41,"chat":{"id":-100}}}}`))
	f.Add([]byte(`{"update_id":12,"callback_query":{"id":"q1","from":{"id":5},"message":{"message_id":9}}}`))
	f.Add([]byte(`{"update_id":1,"message":{"chat":{"id":1},"venue":{"location":{}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := DecodeUpdate(raw)
		if err != nil {
			return
		}
		if u.Callback != nil && u.Message != nil {
			t.Fatal("both a message and a callback")
		}
	})
}

// BenchmarkDecodeUpdate is a typical question as Telegram sends it.
func BenchmarkDecodeUpdate(b *testing.B) {
	raw := []byte(`{"update_id":812345678,"message":{"message_id":4321,"from":{"id":123456789,"is_bot":false,"first_name":"Siti","last_name":"Rahma","username":"sitirahma","language_code":"id"},"chat":{"id":123456789,"first_name":"Siti","last_name":"Rahma","username":"sitirahma","type":"private"},"date":1765000000,"text":"syarat bikin ktp el baru apa aja min"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeUpdate(raw); err != nil {
			b.Fatal(err)
		}
	}
}
