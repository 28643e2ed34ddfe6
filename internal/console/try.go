package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/layanan-id/layanan/knowledge"
)

// tryData is the Uji pertanyaan page: a question and what the engine
// makes of it.
type tryData struct {
	Question    string
	Asked       bool
	SmallTalk   string
	Answered    bool
	Confidence  string
	Terms       string
	Corrections []string
	Aspects     string
	Hits        []tryHit
	Card        string // the answer card as citizens read it (plain text)
	Also        string // a second topic offered beside the answer
}

type tryHit struct {
	ID, Title, Score, Coverage, Matched string
	Topic                               bool
}

// maxTryQuestion bounds the question tried.
const maxTryQuestion = 500

// try answers a question as the bot would, with the candidates and the
// explanation (`layanan ask --explain` in the browser).
func (s *Server) try(w http.ResponseWriter, r *http.Request, req *request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if r := []rune(q); len(r) > maxTryQuestion {
		q = string(r[:maxTryQuestion])
	}
	d := tryData{Question: q}
	if q != "" {
		d.Asked = true
		res, err := s.content.Search(r.Context(), q, 5)
		if err != nil {
			s.failed(w, r, "search", err)
			return
		}
		d.SmallTalk, d.Answered = res.SmallTalk, res.Answered
		d.Confidence = strconv.FormatFloat(res.Confidence, 'f', 3, 64)
		d.Terms = strings.Join(res.Terms, " ")
		d.Aspects = strings.Join(res.Aspects, ", ")
		for from, to := range res.Corrections {
			d.Corrections = append(d.Corrections, from+" → "+to)
		}
		for _, h := range res.Hits {
			d.Hits = append(d.Hits, tryHit{ID: h.Entry.ID, Title: h.Entry.Title, Score: strconv.FormatFloat(h.Score, 'f', 2, 64),
				Coverage: strconv.Itoa(int(h.Coverage*100)) + "%", Matched: strings.Join(h.Matched, " "), Topic: h.TopicMatched})
		}
		if res.Answered && len(res.Hits) > 0 {
			d.Card = s.cardText(req.lang, res.Hits[0].Entry)
		}
		if res.Also != nil {
			d.Also = res.Also.Entry.Title
		}
	}
	s.render(w, r, http.StatusOK, "try.html", s.page(req, "try", d))
}

// cardText is an entry's answer card in plain text, in the console's
// language (the content itself is the deployment's).
func (s *Server) cardText(lang string, e *knowledge.Entry) string {
	content := s.content.Content()
	return s.cards.Text(lang, content.Local, e, s.now())
}
