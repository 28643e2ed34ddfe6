// Package console is the staff console that `layanan serve` serves on
// CONSOLE_ADDR: web pages where staff see how the bot does and, in later
// pages, improve the content and broadcast. There are no passwords: an
// admin or editor gets a login link valid ten minutes and once, from the
// bot (/konsol) or the command line (`layanan konsol-link`); it starts a
// session kept in the store, so any replica serves it.
//
// Every response carries a strict Content-Security-Policy (no scripts, no
// inline styles), every form a CSRF token, and every value is escaped by
// html/template. A user's role is read from ADMIN_IDS and EDITOR_IDS on
// every request, so removing someone from both ends their sessions.
package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/knowledge"
)

// Roles.
const (
	RoleAdmin  = "admin"  // everything
	RoleEditor = "editor" // content and reports, not broadcasts
)

// SessionTTL is how long a console session lasts.
const SessionTTL = 12 * time.Hour

// Config is what the console needs to know about the deployment.
type Config struct {
	Base    *url.URL // the public base URL (CONSOLE_URL)
	Admins  []int64  // ADMIN_IDS
	Editors []int64  // EDITOR_IDS
	Key     []byte   // the console key (LoadKey)
	Folder  *Folder  // the content folder; nil or Dir "" leaves content read-only
	// Broadcasts sends announcements (admins only); nil: not available.
	Broadcasts bot.Broadcaster
}

// Data is what the pages read; the store implements it.
type Data interface {
	bot.TempStore
	Stats(ctx context.Context, from, to time.Time) ([]bot.DayStats, error)
	CountUsers(ctx context.Context) (int, error)
	FeedbackCounts(ctx context.Context) (map[string]bot.Votes, error)
	ListUnanswered(ctx context.Context, since time.Time) ([]bot.Unanswered, error)
	CountSubscribers(ctx context.Context, topic string) (int, error)
}

// Content is the live content and its search; *knowledge.Live is one.
type Content interface {
	Content() *knowledge.Content
	Search(ctx context.Context, question string, top int) (knowledge.Result, error)
}

// Server serves the console.
type Server struct {
	cfg     Config
	data    Data
	content Content
	log     *slog.Logger
	pages   *template.Template
	cards   *bot.Cards
	chat    *chat // the Uji pertanyaan chat pane; nil when content is no bot.Knowledge
	now     func() time.Time

	mu     sync.Mutex
	logins map[string]*rate.Limiter // per client address
}

//go:embed templates/*.html static/*
var files embed.FS

// New returns the console's server.
func New(cfg Config, data Data, content Content, log *slog.Logger) (*Server, error) {
	pages, err := template.New("").Funcs(template.FuncMap{
		"t":    func(lang, key string) string { return text(lang, key) },
		"link": linkURL,
		// dict passes a block its own values ("preview" in the editor).
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}).
		ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	cards, err := bot.NewCards()
	if err != nil {
		return nil, fmt.Errorf("console: cards: %w", err)
	}
	s := &Server{cfg: cfg, data: data, content: content, log: log, pages: pages, cards: cards, now: time.Now, logins: map[string]*rate.Limiter{}}
	if know, ok := content.(bot.Knowledge); ok {
		if s.chat, err = newChat(know, data, log); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// linkURL lets a button's URL through when it is one Telegram opens
// (http, https, tg), and nothing else; html/template would blank a tg:
// link.
func linkURL(raw string) template.URL {
	if u, err := url.Parse(raw); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "tg") {
		return template.URL(raw)
	}
	return ""
}

// Secure reports whether cookies get the Secure flag: always, unless the
// console is reached on a loopback address over plain http.
func (s *Server) secure() bool {
	if s.cfg.Base.Scheme == "https" {
		return true
	}
	ip := net.ParseIP(s.cfg.Base.Hostname())
	return !(s.cfg.Base.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()))
}

// Handler returns the console's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /masuk", s.login)
	mux.HandleFunc("POST /keluar", s.withSession(s.logout))
	mux.HandleFunc("GET /{$}", s.withSession(s.summary))
	mux.HandleFunc("GET /tak-terjawab", s.withSession(s.unanswered))
	mux.HandleFunc("POST /tak-terjawab/contoh", s.withSession(s.addExample))
	mux.HandleFunc("GET /riwayat", s.withSession(s.history))
	mux.HandleFunc("GET /uji", s.withSession(s.try))
	mux.HandleFunc("POST /uji/chat", s.withSession(s.chatSay))
	mux.HandleFunc("POST /uji/tombol", s.withSession(s.chatPress))
	mux.HandleFunc("POST /uji/chat/hapus", s.withSession(s.chatClear))
	mux.HandleFunc("GET /konten", s.withSession(s.entries))
	mux.HandleFunc("GET /konten/baru", s.withSession(s.newEntry))
	mux.HandleFunc("POST /konten/baru", s.withSession(s.createEntry))
	mux.HandleFunc("GET /konten/{id}", s.withSession(s.editor))
	mux.HandleFunc("POST /konten/{id}", s.withSession(s.saveEntry))
	mux.HandleFunc("GET /siaran", s.adminOnly(s.broadcastPage))
	mux.HandleFunc("POST /siaran/pratinjau", s.adminOnly(s.broadcastPreview))
	mux.HandleFunc("POST /siaran/kirim", s.adminOnly(s.broadcastSend))
	mux.HandleFunc("POST /siaran/batal", s.adminOnly(s.broadcastCancel))
	mux.Handle("GET /static/", http.FileServerFS(files))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusNotFound, "not_found")
	})
	if prefix := strings.TrimSuffix(s.cfg.Base.Path, "/"); prefix != "" {
		// CONSOLE_URL with a path, behind a proxy that passes it on.
		return securityHeaders(http.StripPrefix(prefix, mux))
	}
	return securityHeaders(mux)
}

// securityHeaders sets what every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// One script of the console's own (the editor's live preview); no
		// inline script or style.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// The login link's token must not leak to other sites.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// role returns the user's role now, or "" when they have none.
func (s *Server) role(userID int64) string {
	switch {
	case slices.Contains(s.cfg.Admins, userID):
		return RoleAdmin
	case slices.Contains(s.cfg.Editors, userID):
		return RoleEditor
	}
	return ""
}

// session is a signed-in user's session as stored.
type session struct {
	UserID  int64     `json:"user"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
}

// request is one page request of a signed-in user.
type request struct {
	session
	id   string // the session's store name
	role string
	lang string
}

const (
	cookieSession = "konsol"
	cookieLang    = "konsol_lang"
)

// sessionName is the store name of a session id: its hash, so the store
// never holds what the cookie does.
func sessionName(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "konsol:sesi:" + hex.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("console: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// loginLimit allows each client address this many login attempts a
// minute (with a burst of as many), so tokens cannot be guessed at speed.
const loginLimit = 10

func (s *Server) allowLogin(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.logins[host]
	if !ok {
		if len(s.logins) > 10000 {
			clear(s.logins) // bounded memory; the limits start afresh
		}
		l = rate.NewLimiter(rate.Every(time.Minute/loginLimit), loginLimit)
		s.logins[host] = l
	}
	return l.Allow()
}

// login redeems a login link and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.allowLogin(r) {
		s.problem(w, r, http.StatusTooManyRequests, "login_too_many")
		return
	}
	tok, err := parseToken(s.cfg.Key, r.URL.Query().Get("t"), s.now())
	switch {
	case errors.Is(err, ErrExpiredToken):
		s.problem(w, r, http.StatusForbidden, "login_expired")
		return
	case err != nil:
		s.problem(w, r, http.StatusForbidden, "login_bad")
		return
	}
	if s.role(tok.userID) == "" {
		s.problem(w, r, http.StatusForbidden, "login_no_role")
		return
	}
	first, err := s.data.AddTemp(r.Context(), "konsol:login:"+tok.nonce, []byte("1"), LinkTTL)
	if err != nil {
		s.failed(w, r, "use login link", err)
		return
	}
	if !first {
		s.problem(w, r, http.StatusForbidden, "login_used")
		return
	}
	id := randomString(32)
	sess := session{UserID: tok.userID, CSRF: randomString(24), Created: s.now()}
	data, err := json.Marshal(sess)
	if err != nil {
		s.failed(w, r, "encode session", err)
		return
	}
	if err := s.data.PutTemp(r.Context(), sessionName(id), data, SessionTTL); err != nil {
		s.failed(w, r, "save session", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieSession, Value: id, Path: "/", MaxAge: int(SessionTTL / time.Second),
		HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteStrictMode})
	s.log.Info("console login", "user_id", tok.userID, "role", s.role(tok.userID))
	// A page that moves on by itself, not a redirect: a link opened from
	// another site (Telegram's web app, a mail) is a cross-site request,
	// and the SameSite=Strict cookie would not go with its redirect.
	lang := langOf(r)
	s.render(w, r, http.StatusOK, "loggedin.html", page{Lang: lang, Title: text(lang, "title_logged_in"), Message: text(lang, "msg_logged_in")})
}

// path is an absolute path under the console's base URL.
func (s *Server) path(p string) string {
	return strings.TrimSuffix(s.cfg.Base.Path, "/") + p
}

// withSession runs h for a signed-in user with a role; POSTs must carry
// the session's CSRF token.
func (s *Server) withSession(h func(w http.ResponseWriter, r *http.Request, req *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieSession)
		if err != nil || c.Value == "" {
			s.problem(w, r, http.StatusUnauthorized, "need_login")
			return
		}
		req := &request{id: sessionName(c.Value), lang: langOf(r)}
		data, found, err := s.data.Temp(r.Context(), req.id)
		if err != nil {
			s.failed(w, r, "read session", err)
			return
		}
		if !found || json.Unmarshal(data, &req.session) != nil {
			s.problem(w, r, http.StatusUnauthorized, "need_login")
			return
		}
		if req.role = s.role(req.UserID); req.role == "" {
			// No longer an admin or editor: the session ends now.
			if err := s.data.DeleteTemp(r.Context(), req.id); err != nil {
				s.log.Warn("console: ending a revoked session failed", "err", err)
			}
			s.problem(w, r, http.StatusForbidden, "login_no_role")
			return
		}
		if r.Method == http.MethodPost && subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(req.CSRF)) != 1 {
			s.problem(w, r, http.StatusForbidden, "csrf")
			return
		}
		h(w, r, req)
	}
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, req *request) {
	if err := s.data.DeleteTemp(r.Context(), req.id); err != nil {
		s.failed(w, r, "delete session", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieSession, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteStrictMode})
	s.problem(w, r, http.StatusOK, "logged_out")
}

// langOf is the page language: ?lang= switches it (and a cookie keeps
// it), Indonesian by default.
func langOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "id" || l == "en" {
		return l
	}
	if c, err := r.Cookie(cookieLang); err == nil && c.Value == "en" {
		return "en"
	}
	return "id"
}

// page is what every page template gets.
type page struct {
	Lang, Title string
	Page        string // the nav item of this page
	Base        string // path prefix of the console's links
	Role        string
	CSRF        string
	SignedIn    bool
	Message     string
	Body        any
}

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if l := r.URL.Query().Get("lang"); l == "id" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: cookieLang, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteStrictMode, Secure: s.secure()})
	}
	p.Base = strings.TrimSuffix(s.cfg.Base.Path, "/")
	var b strings.Builder
	if err := s.pages.ExecuteTemplate(&b, name, p); err != nil {
		s.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// renderFragment writes one template block, for the editor's script.
func (s *Server) renderFragment(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := s.pages.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("console: render", "fragment", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// problem shows a short message page.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := langOf(r)
	s.render(w, r, status, "message.html", page{Lang: lang, Title: text(lang, "title_"+key), Message: text(lang, "msg_"+key)})
}

// failed logs an internal error for operators and shows a neutral page.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, op string, err error) {
	s.log.Error("console: "+op, "err", err)
	s.problem(w, r, http.StatusInternalServerError, "error")
}
