package console

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/knowledge"
	"github.com/layanan-id/layanan/knowledge/local"
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
	Card        template.HTML // the answer card as citizens see it
	Also        string        // a second topic offered beside the answer
	ChatOn      bool          // the chat pane is there
	Chat        []chatMessage // its transcript
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
	d := tryData{Question: q, ChatOn: s.chat != nil}
	if d.ChatOn {
		d.Chat = s.transcript(r.Context(), req.UserID)
	}
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
		slices.Sort(d.Corrections)
		for _, h := range res.Hits {
			d.Hits = append(d.Hits, tryHit{ID: h.Entry.ID, Title: h.Entry.Title, Score: strconv.FormatFloat(h.Score, 'f', 2, 64),
				Coverage: strconv.Itoa(int(h.Coverage*100)) + "%", Matched: strings.Join(h.Matched, " "), Topic: h.TopicMatched})
		}
		if res.Answered && len(res.Hits) > 0 {
			d.Card = s.cardHTML(req.lang, s.content.Content().Local, res.Hits[0].Entry)
		}
		if res.Also != nil {
			d.Also = res.Also.Entry.Title
		}
	}
	s.render(w, r, http.StatusOK, "try.html", s.page(req, "try", d))
}

// cardHTML is an entry's answer card with the formatting citizens see in
// Telegram, in the console's language (the content itself is the
// deployment's); Telegram's HTML is re-emitted as safe page HTML.
func (s *Server) cardHTML(lang string, loc *local.Data, e *knowledge.Entry) template.HTML {
	card := s.cards.HTML(lang, loc, e, s.now())
	page, err := render.PageHTML(card)
	if err != nil {
		// Never expected (cards are valid Telegram HTML); show the text.
		s.log.Warn("console: card preview", "entry", e.ID, "err", err)
		return template.HTML(template.HTMLEscapeString(render.PlainText(card)))
	}
	return template.HTML(page)
}
