package main

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// standIn is the Bot API as a load test wants it: every call answered at
// once, and each chat's messages counted so that the run can check every
// update got exactly one reply.
type standIn struct {
	url    string
	server *http.Server

	mu      sync.Mutex
	nextID  int
	replies map[int64]int // chat → sendMessage calls, for the expected chats
}

func startStandIn() (*standIn, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &standIn{url: "http://" + l.Addr().String(), replies: map[int64]int{}}
	s.server = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.server.Serve(l) }()
	return s, nil
}

func (s *standIn) Close() { _ = s.server.Close() }

// expect starts counting the replies to these updates' chats.
func (s *standIn) expect(us []update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = make(map[int64]int, len(us))
	for _, u := range us {
		s.replies[u.chat] = 0
	}
}

// answered returns how many expected chats got exactly one reply, and
// how many got none or more than one.
func (s *standIn) answered() (once, otherwise int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.replies {
		if n == 1 {
			once++
		} else {
			otherwise++
		}
	}
	return once, otherwise
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	// Paths are /bot<token>/<method>; parameters come as a form or, as the
	// Bot API also takes them, a JSON object.
	_, method, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	chatID, err := chatOf(r)
	if err != nil {
		writeResult(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request"})
		return
	}
	switch method {
	case "getMe":
		writeResult(w, http.StatusOK, map[string]any{"ok": true, "result": map[string]any{"id": 1, "is_bot": true, "first_name": "Layanan", "username": "layanan_load_bot"}})
	case "sendMessage":
		chat := chatID
		s.mu.Lock()
		s.nextID++
		id := s.nextID
		if _, ok := s.replies[chat]; ok {
			s.replies[chat]++
		}
		s.mu.Unlock()
		writeResult(w, http.StatusOK, map[string]any{"ok": true, "result": map[string]any{
			"message_id": id, "date": time.Now().Unix(), "chat": map[string]any{"id": chat, "type": "private"},
		}})
	default:
		writeResult(w, http.StatusOK, map[string]any{"ok": true, "result": true})
	}
}

// chatOf reads the request's chat_id (0 when it has none).
func chatOf(r *http.Request) (int64, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body struct {
			ChatID json.Number `json:"chat_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return 0, err
		}
		chat, _ := body.ChatID.Int64()
		return chat, nil
	}
	if err := r.ParseForm(); err != nil {
		return 0, err
	}
	chat, _ := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
	return chat, nil
}

func writeResult(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
