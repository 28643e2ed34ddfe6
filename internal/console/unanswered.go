package console

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/layanan-id/layanan/knowledge"
	"github.com/layanan-id/layanan/report"
)

// unansweredDays is how far back the unanswered page looks.
const unansweredDays = 30

// maxGroupsShown bounds the groups on the page.
const maxGroupsShown = 100

type entryOption struct{ ID, Title string }

type unansweredGroup struct {
	Example    string
	Count      int
	Last       string
	Candidates []entryOption // the engine's best entries for the example
	AnsweredBy string        // the entry now answering it with confidence, if any
}

type unansweredData struct {
	ReadOnly string // why content cannot change here ("bundled", "not_writable"), or ""
	Groups   []unansweredGroup
	Examples []report.Comment // example questions staff suggested from handoffs
	Entries  []entryOption    // every entry, by title
	Added    string           // the entry a question was just added to
	Error    string           // a refused change, for the message
	Problems []knowledge.Problem
}

// unanswered shows the grouped questions the bot could not answer, each
// with a form that adds it to an entry's example questions.
func (s *Server) unanswered(w http.ResponseWriter, r *http.Request, req *request) {
	d, err := s.unansweredData(r)
	if err != nil {
		s.failed(w, r, "list unanswered", err)
		return
	}
	if id := r.URL.Query().Get("ditambah"); id != "" {
		if e, ok := s.content.Content().Entry(id); ok {
			d.Added = e.Title
		}
	}
	s.render(w, r, http.StatusOK, "unanswered.html", s.page(req, "unanswered", d))
}

func (s *Server) unansweredData(r *http.Request) (unansweredData, error) {
	ctx := r.Context()
	qs, err := s.data.ListUnanswered(ctx, s.now().AddDate(0, 0, -unansweredDays))
	if err != nil {
		return unansweredData{}, err
	}
	content := s.content.Content()
	titles := map[string]string{}
	d := unansweredData{ReadOnly: s.cfg.Folder.Writable()}
	for _, e := range content.Entries {
		d.Entries = append(d.Entries, entryOption{e.ID, e.Title})
		titles[e.ID] = e.Title
	}
	slices.SortFunc(d.Entries, func(a, b entryOption) int { return cmp.Compare(a.Title, b.Title) })
	groups := report.GroupUnanswered(report.Questions(qs))
	for _, g := range groups[:min(maxGroupsShown, len(groups))] {
		ug := unansweredGroup{Example: g.Example, Count: g.Count, Last: g.Last.Local().Format("2006-01-02 15:04")}
		res, err := s.content.Search(ctx, g.Example, 3)
		if err != nil {
			return d, err
		}
		for _, h := range res.Hits {
			ug.Candidates = append(ug.Candidates, entryOption{h.Entry.ID, h.Entry.Title})
		}
		if res.Answered && len(res.Hits) > 0 {
			ug.AnsweredBy = res.Hits[0].Entry.Title
		}
		d.Groups = append(d.Groups, ug)
	}
	d.Examples = report.Examples(qs, titles)
	return d, nil
}

// maxQuestionLen bounds a question added from the page.
const maxQuestionLen = 300

// addExample adds a question to an entry's examples (editors and admins).
func (s *Server) addExample(w http.ResponseWriter, r *http.Request, req *request) {
	question := strings.TrimSpace(r.PostFormValue("question"))
	entryID := r.PostFormValue("entry")
	content := s.content.Content()
	var (
		problems []knowledge.Problem
		err      error
	)
	switch {
	case question == "" || len([]rune(question)) > maxQuestionLen:
		err = errors.New("question")
	default:
		problems, err = s.cfg.Folder.AddExample(r.Context(), content, entryID, question,
			AuditRecord{At: s.now(), UserID: req.UserID, Role: req.role})
	}
	if err == nil {
		s.log.Info("console: example question added", "user_id", req.UserID, "entry", entryID)
		http.Redirect(w, r, s.path("/tak-terjawab?ditambah=")+entryID, http.StatusSeeOther)
		return
	}
	d, derr := s.unansweredData(r)
	if derr != nil {
		s.failed(w, r, "list unanswered", derr)
		return
	}
	d.Problems = problems
	status := http.StatusUnprocessableEntity
	switch {
	case errors.Is(err, ErrReadOnly):
		d.Error = "error_read_only"
		status = http.StatusConflict
	case errors.Is(err, ErrRefused):
		d.Error = "error_refused"
	case err.Error() == "question":
		d.Error = "error_question"
	default:
		s.log.Error("console: add example", "err", err)
		d.Error = "error_save"
		status = http.StatusInternalServerError
	}
	s.render(w, r, status, "unanswered.html", s.page(req, "unanswered", d))
}

// history shows the audit log of changes made from the console.
func (s *Server) history(w http.ResponseWriter, r *http.Request, req *request) {
	records, err := s.cfg.Folder.Audit(200)
	if err != nil {
		s.failed(w, r, "read audit log", err)
		return
	}
	type row struct {
		At, Who, Action, Entry, Detail string
	}
	var rows []row
	for _, rec := range records {
		rows = append(rows, row{At: rec.At.Local().Format(time.DateTime), Who: formatUser(rec.UserID, rec.Role),
			Action: text(req.lang, "action_"+rec.Action), Entry: rec.Entry, Detail: rec.Detail})
	}
	s.render(w, r, http.StatusOK, "history.html", s.page(req, "history", rows))
}

func formatUser(id int64, role string) string {
	return strconv.FormatInt(id, 10) + " (" + role + ")"
}

// page is a signed-in page's frame.
func (s *Server) page(req *request, nav string, body any) page {
	return page{Lang: req.lang, Title: text(req.lang, "nav_"+nav), Page: nav, Role: req.role, CSRF: req.CSRF, SignedIn: true, Body: body}
}
