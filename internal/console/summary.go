package console

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// summaryDays is how many days the summary's charts show.
const summaryDays = 30

// summaryData is the Ringkasan page.
type summaryData struct {
	Users, Week, Today, Unanswered, Subscribers int
	AnsweredPct                                 int // of the week's questions; -1 without questions
	Helpful, NotHelpful                         int
	Chart                                       barChart
	Top                                         []entryCount
	Votes                                       []entryVotes
	Stale                                       []staleEntry
}

type entryCount struct {
	ID, Title string
	N         int
}

type entryVotes struct {
	ID, Title           string
	Helpful, NotHelpful int
}

type staleEntry struct {
	ID, Title, Updated string
}

// summary shows the Ringkasan page: questions per day, share answered, top
// entries, votes, unanswered count, subscribers and stale entries.
func (s *Server) summary(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	now := s.now().UTC()
	days, err := s.data.Stats(ctx, now.AddDate(0, 0, -(summaryDays-1)), now)
	if err != nil {
		s.failed(w, r, "read statistics", err)
		return
	}
	var d summaryData
	content := s.content.Content()
	titles := map[string]string{}
	for _, e := range content.Entries {
		titles[e.ID] = e.Title
	}
	d.Chart = dayChart(days, req.lang)
	entries := map[string]int{}
	answered := 0
	for i, day := range days {
		if i < len(days)-7 {
			continue
		}
		for outcome, n := range day.Outcomes {
			d.Week += n
			if i == len(days)-1 {
				d.Today += n
			}
			if outcome == string(bot.OutcomeAnswered) || outcome == string(bot.OutcomeFollowUp) {
				answered += n
			}
		}
		for id, n := range day.Entries {
			entries[id] += n
		}
	}
	d.AnsweredPct = -1
	if d.Week > 0 {
		d.AnsweredPct = answered * 100 / d.Week
	}
	for id, n := range entries {
		d.Top = append(d.Top, entryCount{ID: id, Title: titles[id], N: n})
	}
	slices.SortFunc(d.Top, func(a, b entryCount) int { return cmp.Or(b.N-a.N, cmp.Compare(a.ID, b.ID)) })
	d.Top = d.Top[:min(10, len(d.Top))]
	// The rest is shown when it can be read; a failure is logged, not fatal.
	if d.Users, err = s.data.CountUsers(ctx); err != nil {
		s.log.Warn("console: count users", "err", err)
	}
	if d.Subscribers, err = s.data.CountSubscribers(ctx, ""); err != nil {
		s.log.Warn("console: count subscribers", "err", err)
	}
	if qs, err := s.data.ListUnanswered(ctx, now.AddDate(0, 0, -7)); err == nil {
		for _, q := range qs {
			if q.EntryID == "" {
				d.Unanswered++
			}
		}
	} else {
		s.log.Warn("console: list unanswered", "err", err)
	}
	if votes, err := s.data.FeedbackCounts(ctx); err == nil {
		for id, v := range votes {
			d.Helpful += v.Helpful
			d.NotHelpful += v.NotHelpful
			d.Votes = append(d.Votes, entryVotes{ID: id, Title: titles[id], Helpful: v.Helpful, NotHelpful: v.NotHelpful})
		}
		slices.SortFunc(d.Votes, func(a, b entryVotes) int {
			return cmp.Or(b.NotHelpful-a.NotHelpful, b.Helpful-a.Helpful, cmp.Compare(a.ID, b.ID))
		})
		d.Votes = d.Votes[:min(10, len(d.Votes))]
	} else {
		s.log.Warn("console: feedback counts", "err", err)
	}
	for _, e := range content.Stale(s.now()) {
		d.Stale = append(d.Stale, staleEntry{ID: e.ID, Title: e.Title, Updated: e.Updated.Format(time.DateOnly)})
	}
	s.render(w, r, http.StatusOK, "summary.html", s.page(req, "summary", d))
}

// barChart is an SVG bar chart of questions per day, answered ones in a
// second colour, drawn by the server (no chart library, no script).
type barChart struct {
	Width, Height int
	Bars          []bar
	Ticks         []tick // horizontal grid lines with their values
	Labels        []label
	Max           int
	Label         string // the chart's accessible description
}

type bar struct {
	X, Width                   int
	Y, H, AnsweredY, AnsweredH int
	Title                      string // shown on hover: the day and its counts
	Total, Answered            int
}

type tick struct {
	Y     int
	Value int
}

type label struct {
	X    int
	Text string
}

// Chart geometry, in SVG units.
const (
	chartWidth  = 720
	chartHeight = 220
	chartLeft   = 40 // room for the values
	chartBottom = 24 // room for the dates
	chartTop    = 10
)

// dayChart draws the days' questions, answered ones over the rest.
func dayChart(days []bot.DayStats, lang string) barChart {
	c := barChart{Width: chartWidth, Height: chartHeight}
	totals := make([]int, len(days))
	answered := make([]int, len(days))
	for i, d := range days {
		for outcome, n := range d.Outcomes {
			totals[i] += n
			if outcome == string(bot.OutcomeAnswered) || outcome == string(bot.OutcomeFollowUp) {
				answered[i] += n
			}
		}
		c.Max = max(c.Max, totals[i])
	}
	top := niceCeil(c.Max)
	plotH := chartHeight - chartBottom - chartTop
	plotW := chartWidth - chartLeft
	slot := plotW / max(len(days), 1)
	scale := func(v int) int { return v * plotH / top }
	for i, d := range days {
		h, ah := scale(totals[i]), scale(answered[i])
		x := chartLeft + i*slot + slot/8
		c.Bars = append(c.Bars, bar{
			X: x, Width: max(slot*3/4, 1),
			Y: chartTop + plotH - h, H: h,
			AnsweredY: chartTop + plotH - ah, AnsweredH: ah,
			Total: totals[i], Answered: answered[i],
			Title: fmt.Sprintf("%s: %d, %s %d", d.Day.Format("2006-01-02"), totals[i], text(lang, "chart_answered"), answered[i]),
		})
		// A date every week and the last day, never two crowded together.
		if (i%7 == 0 && len(days)-1-i >= 3) || i == len(days)-1 {
			c.Labels = append(c.Labels, label{X: x, Text: d.Day.Format("02/01")})
		}
	}
	for _, v := range []int{0, top / 2, top} {
		c.Ticks = append(c.Ticks, tick{Y: chartTop + plotH - scale(v), Value: v})
	}
	c.Label = text(lang, "chart_label") + " " + strconv.Itoa(len(days))
	return c
}

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten (at
// least 2, so half of it is a whole number).
func niceCeil(v int) int {
	if v <= 2 {
		return 2
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= v && (m*p)%2 == 0 {
				return m * p
			}
		}
	}
}
