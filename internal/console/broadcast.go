package console

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/render"
)

// The Siaran page (admins only): compose an announcement in the content's
// Markdown, preview it with its recipients, send it, follow it, cancel it.
// It starts the same broadcast job as /broadcast in the bot.

type topicOption struct{ ID, Name string }

type broadcastData struct {
	Unavailable bool
	Latest      *bot.BroadcastStatus
	Running     bool
	Topics      []topicOption
	Text, Topic string
	Preview     template.HTML // the announcement as citizens see it
	Recipients  int
	Error       string
	Sent        bool
	Once        string // the preview's one-time token: its form sends once
}

// maxAnnouncementInput bounds the text posted (the message limit is
// checked after rendering).
const maxAnnouncementInput = 20000

// adminOnly runs h for admins; editors get a refusal.
func (s *Server) adminOnly(h func(w http.ResponseWriter, r *http.Request, req *request)) http.HandlerFunc {
	return s.withSession(func(w http.ResponseWriter, r *http.Request, req *request) {
		if req.role != RoleAdmin {
			s.problem(w, r, http.StatusForbidden, "admin_only")
			return
		}
		h(w, r, req)
	})
}

func (s *Server) broadcastData(r *http.Request) (broadcastData, error) {
	var d broadcastData
	for _, c := range s.content.Content().Categories {
		d.Topics = append(d.Topics, topicOption{c.ID, c.Name})
	}
	slices.SortFunc(d.Topics, func(a, b topicOption) int { return cmp.Compare(a.Name, b.Name) })
	if s.cfg.Broadcasts == nil {
		d.Unavailable = true
		return d, nil
	}
	latest, found, err := s.cfg.Broadcasts.LatestBroadcast(r.Context())
	if err != nil {
		return d, err
	}
	if found {
		d.Latest = &latest
		d.Running = latest.State == "running" || latest.State == "filling"
	}
	return d, nil
}

// broadcastPage shows the latest broadcast and the form.
func (s *Server) broadcastPage(w http.ResponseWriter, r *http.Request, req *request) {
	d, err := s.broadcastData(r)
	if err != nil {
		s.failed(w, r, "latest broadcast", err)
		return
	}
	d.Sent = r.URL.Query().Get("dikirim") != ""
	s.render(w, r, http.StatusOK, "broadcast.html", s.page(req, "broadcast", d))
}

// announcement reads the form: the rendered HTML, the topic, or the text
// key of what is wrong.
func (s *Server) announcement(r *http.Request, d *broadcastData) (html string, problem string) {
	d.Text = strings.TrimSpace(r.PostFormValue("text"))
	d.Topic = r.PostFormValue("topic")
	if d.Topic != "" {
		if _, ok := s.content.Content().Category(d.Topic); !ok {
			return "", "error_topic"
		}
	}
	if d.Text == "" || len(d.Text) > maxAnnouncementInput {
		return "", "error_announcement_empty"
	}
	html, fits := render.OneMessage(d.Text)
	if !fits {
		return "", "error_announcement_long"
	}
	return html, ""
}

// postedAnnouncement reads the posted announcement with the page's data;
// ok is false when it answered already (an error page, or the form with
// what is wrong).
func (s *Server) postedAnnouncement(w http.ResponseWriter, r *http.Request, req *request) (d broadcastData, html string, ok bool) {
	d, err := s.broadcastData(r)
	if err != nil {
		s.failed(w, r, "latest broadcast", err)
		return d, "", false
	}
	html, problem := s.announcement(r, &d)
	if problem == "" && d.Unavailable {
		problem = "broadcast_unavailable"
	}
	if problem != "" {
		d.Error = problem
		s.render(w, r, http.StatusUnprocessableEntity, "broadcast.html", s.page(req, "broadcast", d))
		return d, "", false
	}
	return d, html, true
}

// broadcastPreview shows the announcement and its recipients.
func (s *Server) broadcastPreview(w http.ResponseWriter, r *http.Request, req *request) {
	d, html, ok := s.postedAnnouncement(w, r, req)
	if !ok {
		return
	}
	var err error
	if d.Recipients, err = s.cfg.Broadcasts.Recipients(r.Context(), d.Topic); err != nil {
		s.failed(w, r, "recipients", err)
		return
	}
	d.Preview = pageHTML(html)
	d.Once = randomString(16)
	s.render(w, r, http.StatusOK, "broadcast.html", s.page(req, "broadcast", d))
}

// broadcastSend starts the broadcast.
func (s *Server) broadcastSend(w http.ResponseWriter, r *http.Request, req *request) {
	d, html, ok := s.postedAnnouncement(w, r, req)
	if !ok {
		return
	}
	refuse := func(key string) {
		d.Error = key
		s.render(w, r, http.StatusConflict, "broadcast.html", s.page(req, "broadcast", d))
	}
	if d.Running {
		refuse("error_broadcast_running")
		return
	}
	// The preview's form sends once: a double click, or the form sent
	// again from the browser's history, starts nothing more.
	once := r.PostFormValue("once")
	if once == "" {
		refuse("error_broadcast_again")
		return
	}
	first, err := s.data.AddTemp(r.Context(), "konsol:siaran:"+once, []byte("1"), 24*time.Hour)
	if err != nil {
		s.failed(w, r, "broadcast token", err)
		return
	}
	if !first {
		refuse("error_broadcast_again")
		return
	}
	st, err := s.cfg.Broadcasts.StartBroadcast(r.Context(), html, d.Topic, req.UserID)
	if err != nil {
		s.failed(w, r, "start broadcast", err)
		return
	}
	s.log.Info("console: broadcast started", "user_id", req.UserID, "job_id", st.ID, "recipients", st.Total)
	s.auditBroadcast(req, "broadcast", st.ID, d.Topic)
	http.Redirect(w, r, s.path("/siaran?dikirim=")+st.ID, http.StatusSeeOther)
}

// broadcastCancel stops the running broadcast.
func (s *Server) broadcastCancel(w http.ResponseWriter, r *http.Request, req *request) {
	d, err := s.broadcastData(r)
	if err != nil {
		s.failed(w, r, "latest broadcast", err)
		return
	}
	if d.Running {
		if err := s.cfg.Broadcasts.CancelBroadcast(r.Context(), d.Latest.ID); err != nil {
			s.failed(w, r, "cancel broadcast", err)
			return
		}
		s.auditBroadcast(req, "broadcast_cancel", d.Latest.ID, d.Latest.Topic)
	}
	http.Redirect(w, r, s.path("/siaran"), http.StatusSeeOther)
}

// auditBroadcast records a broadcast action where the content's changes
// are recorded, when there is such a folder.
func (s *Server) auditBroadcast(req *request, action, jobID, topic string) {
	if s.cfg.Folder.Writable() != "" {
		return
	}
	if err := s.cfg.Folder.audit(AuditRecord{At: s.now(), UserID: req.UserID, Role: req.role, Action: action, Entry: jobID, Detail: topic}); err != nil {
		s.log.Warn("console: audit broadcast", "err", err)
	}
}
