package console

import (
	"cmp"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/layanan-id/layanan/knowledge"
)

// The Konten pages: every entry with its health, and an editor for one
// entry's file (front matter and body as written), with a preview of the
// answer card and the lint problems beside it. Saving follows the same
// path as adding an example question: the whole folder is loaded with the
// change first, a change that leaves the entry out or breaks it is not
// saved, the previous version is kept, the change is logged and reloaded.

// fewExamples is how few example questions make an entry "thin": the
// calibration learns little from fewer.
const fewExamples = 5

type entryRow struct {
	ID, Title, Category, Updated string
	Questions                    int
	Problems                     int
	Stale, Few                   bool
	Confused                     []string // entries its held-out examples went to
}

// entries lists every entry with its health.
func (s *Server) entries(w http.ResponseWriter, r *http.Request, req *request) {
	content := s.content.Content()
	problems := map[string]int{}
	for _, p := range content.Problems {
		problems[p.File]++
	}
	stale := map[string]bool{}
	for _, e := range content.Stale(s.now()) {
		stale[e.ID] = true
	}
	confused := map[string][]string{}
	if cur, ok := s.content.(interface{ Current() *knowledge.Index }); ok {
		for _, m := range cur.Current().Calibration().Misses {
			if !slices.Contains(confused[m.Entry], m.Got) {
				confused[m.Entry] = append(confused[m.Entry], m.Got)
			}
		}
	}
	var rows []entryRow
	for _, e := range content.Entries {
		rows = append(rows, entryRow{ID: e.ID, Title: e.Title, Category: e.Category, Updated: e.Updated.Format("2006-01-02"),
			Questions: len(e.Questions), Problems: problems[e.File], Stale: stale[e.ID], Few: len(e.Questions) < fewExamples,
			Confused: confused[e.ID]})
	}
	slices.SortFunc(rows, func(a, b entryRow) int {
		return cmp.Or(cmp.Compare(a.Category, b.Category), cmp.Compare(a.Title, b.Title))
	})
	s.render(w, r, http.StatusOK, "entries.html", s.page(req, "entries", struct {
		Rows     []entryRow
		ReadOnly string
	}{rows, s.cfg.Folder.Writable()}))
}

type editorData struct {
	ID, Title, File string
	Version         string // of the file as shown; a save over another version is refused
	Text            string // the file as written (or as edited)
	ReadOnly        string
	Preview         template.HTML
	Problems        []knowledge.Problem
	Saved           bool
	Error           string
}

// maxEntryFile bounds an entry file posted from the editor.
const maxEntryFile = 256 << 10

// editor shows one entry's file with its card and problems.
func (s *Server) editor(w http.ResponseWriter, r *http.Request, req *request) {
	content := s.content.Content()
	e, ok := content.Entry(r.PathValue("id"))
	if !ok {
		s.problem(w, r, http.StatusNotFound, "not_found")
		return
	}
	d := editorData{ID: e.ID, Title: e.Title, File: e.File, ReadOnly: s.cfg.Folder.Writable(), Saved: r.URL.Query().Get("disimpan") != ""}
	if data, err := s.cfg.Folder.readEntry(e); err == nil {
		d.Text, d.Version = string(data), Version(data)
	} else {
		d.ReadOnly = "bundled"
	}
	for _, p := range content.Problems {
		if p.File == e.File {
			d.Problems = append(d.Problems, p)
		}
	}
	d.Preview = s.cardHTML(req.lang, content.Local, e)
	s.render(w, r, http.StatusOK, "editor.html", s.page(req, "entries", d))
}

// saveEntry previews or saves an edited entry file.
func (s *Server) saveEntry(w http.ResponseWriter, r *http.Request, req *request) {
	content := s.content.Content()
	e, ok := content.Entry(r.PathValue("id"))
	if !ok {
		s.problem(w, r, http.StatusNotFound, "not_found")
		return
	}
	d := editorData{ID: e.ID, Title: e.Title, File: e.File, ReadOnly: s.cfg.Folder.Writable(), Text: strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"), Version: r.PostFormValue("version")}
	status := http.StatusOK
	switch {
	case d.ReadOnly != "":
		d.Error, status = "error_read_only", http.StatusConflict
	case len(d.Text) > maxEntryFile:
		d.Error, status = "error_entry_too_big", http.StatusUnprocessableEntity
	default:
		changed, problems, err := s.cfg.Folder.check(e.File, []byte(d.Text), e.ID)
		d.Problems = problems
		switch {
		case err != nil:
			d.Error, status = "error_entry_refused", http.StatusUnprocessableEntity
		case r.PostFormValue("action") == "save":
			problems, err := s.cfg.Folder.Replace(r.Context(), e.File, []byte(d.Text), d.Version, e.ID, AuditRecord{At: s.now(), UserID: req.UserID, Role: req.role, Action: "edit_entry", Entry: e.ID})
			switch {
			case errors.Is(err, ErrConflict):
				d.Error, status = "error_conflict", http.StatusConflict
			case errors.Is(err, ErrRefused):
				d.Problems, d.Error, status = problems, "error_entry_refused", http.StatusUnprocessableEntity
			case err != nil:
				s.log.Error("console: save entry", "err", err)
				d.Error, status = "error_save", http.StatusInternalServerError
			default:
				s.log.Info("console: entry saved", "user_id", req.UserID, "entry", e.ID)
				http.Redirect(w, r, s.path("/konten/"+e.ID+"?disimpan=1"), http.StatusSeeOther)
				return
			}
		}
		if changed != nil {
			d.Preview = s.cardHTML(req.lang, changed.Local, mustEntry(changed, e.ID))
		}
	}
	if r.Header.Get("X-Preview") != "" {
		// The editor's script asks for the preview alone as staff type.
		s.renderFragment(w, status, "preview", map[string]any{"Lang": req.lang, "Body": d})
		return
	}
	s.render(w, r, status, "editor.html", s.page(req, "entries", d))
}

func mustEntry(c *knowledge.Content, id string) *knowledge.Entry {
	e, _ := c.Entry(id)
	return e
}

// newEntryData is the form for a new entry.
type newEntryData struct {
	ID, Text string
	ReadOnly string
	Problems []knowledge.Problem
	Error    string
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// slug makes an entry id from a question: lowercase words of letters and
// digits joined by hyphens, at most 6 words.
func slug(text string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if len(words) < 6 && len(strings.Join(append(words, w), "-")) <= 60 {
			words = append(words, w)
		}
	}
	return strings.Join(words, "-")
}

// newEntryTemplate is a new entry's file, started from a question: staff
// complete it (three example questions at least, the card's fields and the
// answer) before it can be saved.
func newEntryTemplate(id, question, category, today string) string {
	quoted, _ := json.Marshal(question) // a JSON string is a YAML double-quoted one
	return "---\nid: " + id + "\ntitle: \ncategory: " + category + "\nquestions:\n  - " + string(quoted) + "\n  - \n  - \nkeywords: []\nfee: \nduration: \nwhere: \nlegal_basis: \nsource: \nupdated: " + today + "\n---\n"
}

// newEntry shows the form for a new entry, started from a question.
func (s *Server) newEntry(w http.ResponseWriter, r *http.Request, req *request) {
	q := strings.Join(strings.Fields(r.URL.Query().Get("q")), " ")
	if len([]rune(q)) > maxQuestionLen {
		q = string([]rune(q)[:maxQuestionLen])
	}
	content := s.content.Content()
	category := knowledge.DefaultCategoryID
	if len(content.Categories) > 0 {
		category = content.Categories[0].ID
	}
	id := slug(q)
	d := newEntryData{ID: id, ReadOnly: s.cfg.Folder.Writable(), Text: newEntryTemplate(id, q, category, s.now().Format("2006-01-02"))}
	s.render(w, r, http.StatusOK, "new.html", s.page(req, "entries", d))
}

// createEntry saves a new entry: its id free, its file lint-clean.
func (s *Server) createEntry(w http.ResponseWriter, r *http.Request, req *request) {
	d := newEntryData{ID: strings.TrimSpace(r.PostFormValue("id")), Text: strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"), ReadOnly: s.cfg.Folder.Writable()}
	_, taken := s.content.Content().Entry(d.ID)
	status := http.StatusUnprocessableEntity
	switch {
	case d.ReadOnly != "":
		d.Error, status = "error_read_only", http.StatusConflict
	case !slugRE.MatchString(d.ID) || len(d.ID) > 60:
		d.Error = "error_new_id"
	case taken:
		d.Error = "error_new_taken"
	case len(d.Text) > maxEntryFile:
		d.Error = "error_entry_too_big"
	default:
		file := d.ID + ".md"
		_, problems, err := s.cfg.Folder.check(file, []byte(d.Text), d.ID)
		d.Problems = problems
		if err != nil {
			d.Error = "error_entry_refused"
			break
		}
		err = s.cfg.Folder.Create(r.Context(), file, []byte(d.Text), AuditRecord{At: s.now(), UserID: req.UserID, Role: req.role, Action: "new_entry", Entry: d.ID})
		switch {
		case errors.Is(err, ErrExists):
			d.Error = "error_new_taken"
		case err != nil:
			s.log.Error("console: create entry", "err", err)
			d.Error, status = "error_save", http.StatusInternalServerError
		default:
			s.log.Info("console: entry created", "user_id", req.UserID, "entry", d.ID)
			http.Redirect(w, r, s.path("/konten/"+d.ID+"?disimpan=1"), http.StatusSeeOther)
			return
		}
	}
	s.render(w, r, status, "new.html", s.page(req, "entries", d))
}
