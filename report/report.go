// Package report turns what the bot keeps for staff into reports: the
// questions it could not answer, grouped by wording with the most frequent
// first, and the citizens' 👍/👎 votes per entry with the most 👎 first.
// Each report is written as an aligned table for a terminal or as CSV for
// a spreadsheet. The package knows neither the store nor the command line:
// `layanan report` (cmd/layanan) reads the store and calls it.
//
// Grouping is meant to be explainable to staff, not clever. A question is
// split into words with analysis.Tokenize and the filler words listed in
// fillers.txt (min, tolong, gimana, cara...) are dropped. Questions with
// the same remaining words form one wording; wordings are then taken from
// the most frequent down, and each joins the group whose first wording
// shares the most words with it, if enough (Jaccard similarity of the two
// word sets at least MinSimilarity), or starts a group of its own. Two
// words of at least five letters one typo apart (a letter added, dropped,
// changed, or two neighbours swapped: "perpanjang", "perpanjnag") count as
// the same word. The result depends only on the questions, not on their
// order.
package report

import (
	"cmp"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/knowledge/analysis"
)

// MinSimilarity is the Jaccard similarity of two word sets from which two
// wordings are the same question.
const MinSimilarity = 0.5

// fuzzyMinLetters is the length from which a one-letter typo still makes
// the same word: shorter words one letter apart are often different words
// (ktp, kta; sim, sin).
const fuzzyMinLetters = 5

// exampleWidth bounds the example shown in a table row; CSV has it whole.
const exampleWidth = 80

//go:embed fillers.txt
var fillersText string

// fillers is the set of words dropped before comparing questions.
var fillers = sync.OnceValue(func() map[string]bool {
	set := make(map[string]bool)
	for line := range strings.Lines(fillersText) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, w := range analysis.Tokenize(line) {
			set[w] = true
		}
	}
	return set
})

// Group is one question asked in similar words.
type Group struct {
	Example string    // the most frequent wording, the most recent among equals
	Texts   []string  // every distinct wording, most frequent (then most recent) first; Texts[0] is Example
	Count   int       // how many times the question was asked
	Lang    string    // the language it was asked in most often ("id", "en"; ties: first alphabetically; "" when unknown)
	Last    time.Time // when it was last asked
}

// GroupUnanswered groups questions asked in similar words (see the package
// comment), the most asked first, then the most recently asked, then by
// example. Texts are compared with surrounding spaces trimmed.
func GroupUnanswered(qs []bot.Unanswered) []Group {
	// Questions with the same significant words are one wording.
	byKey := make(map[string]*wording)
	for _, q := range qs {
		words := significantWords(q.Text)
		key := strings.Join(words, " ")
		if len(words) == 0 {
			// Nothing but punctuation or emoji: only the same text matches.
			key = "\x00" + strings.ToLower(strings.TrimSpace(q.Text))
		}
		w := byKey[key]
		if w == nil {
			w = &wording{key: key, words: words}
			byKey[key] = w
		}
		w.qs = append(w.qs, q)
		if q.At.After(w.last) {
			w.last = q.At
		}
	}
	wordings := slices.SortedFunc(maps.Values(byKey), func(a, b *wording) int {
		return cmp.Or(
			cmp.Compare(len(b.qs), len(a.qs)),
			b.last.Compare(a.last),
			strings.Compare(a.key, b.key),
		)
	})

	clusters := cluster(wordings)
	groups := make([]Group, 0, len(clusters))
	for _, c := range clusters {
		groups = append(groups, newGroup(c))
	}
	slices.SortFunc(groups, func(a, b Group) int {
		return cmp.Or(
			cmp.Compare(b.Count, a.Count),
			b.Last.Compare(a.Last),
			strings.Compare(a.Example, b.Example),
		)
	})
	return groups
}

// cluster groups wordings, the most frequent first, by leader clustering:
// each wording joins the most similar cluster whose first wording (its
// leader) is similar enough, the earliest cluster among equals, or leads a
// new one. Comparing with the leader only keeps chains from drifting:
// "syarat ktp" may take "syarat ktp hilang", which may not then bring in
// "ktp hilang rusak".
func cluster(wordings []*wording) [][]*wording {
	var vocab []string
	for _, w := range wordings {
		vocab = append(vocab, w.words...)
	}
	slices.Sort(vocab)
	voc := newVocabulary(slices.Compact(vocab))
	var (
		clusters [][]*wording
		leaders  [][]int32 // by cluster: the word set of its first wording
		postings [][]int32 // by word: the clusters whose leader has it
		hits     []int     // by cluster: words of the current set that may match its leader
		counted  []int     // by cluster: 1 + the wording that counted hits
		lastWord []int     // by cluster: the word (serial) that counted last
		touched  []int32   // clusters with hits for the current set
		serial   int
	)
	postings = make([][]int32, len(voc.neighbours))
	count := func(wi int, c int32) {
		if counted[c] != wi+1 {
			counted[c], hits[c] = wi+1, 0
			touched = append(touched, c)
		}
		if lastWord[c] != serial {
			lastWord[c] = serial
			hits[c]++
		}
	}
	for wi, w := range wordings {
		set := voc.set(w.words)
		// Only leaders that share a word, exactly or one typo apart, can
		// be similar; and only those with enough such words are compared.
		touched = touched[:0]
		for _, x := range set {
			serial++
			for _, c := range postings[x] {
				count(wi, c)
			}
			for _, n := range voc.neighbours[x] {
				for _, c := range postings[n] {
					count(wi, c)
				}
			}
		}
		best, bestSim := int32(-1), 0.0
		for _, c := range touched {
			// Jaccard m/(a+b-m) ≥ t needs m ≥ t(a+b)/(1+t) matched words.
			if float64(hits[c])*(1+MinSimilarity) < MinSimilarity*float64(len(set)+len(leaders[c])) {
				continue
			}
			s := voc.similarity(set, leaders[c])
			if s >= MinSimilarity && (s > bestSim || s == bestSim && c < best) {
				best, bestSim = c, s
			}
		}
		if best >= 0 {
			clusters[best] = append(clusters[best], w)
			continue
		}
		c := int32(len(clusters))
		clusters = append(clusters, []*wording{w})
		leaders = append(leaders, set)
		hits, counted, lastWord = append(hits, 0), append(counted, 0), append(lastWord, 0)
		for _, x := range set {
			postings[x] = append(postings[x], c)
		}
	}
	return clusters
}

// wording is the questions that have the same significant words.
type wording struct {
	key   string   // the words joined, or the text when there are none
	words []string // sorted, each once
	qs    []bot.Unanswered
	last  time.Time
}

// significantWords returns the sorted distinct words of text without the
// fillers, or with them when nothing else is left ("apa?" is then still
// comparable with "apa").
func significantWords(text string) []string {
	all := analysis.Tokenize(text)
	isFiller := fillers()
	words := make([]string, 0, len(all))
	for _, w := range all {
		if !isFiller[w] {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		words = append(words, all...)
	}
	slices.Sort(words)
	return slices.Compact(words)
}

// vocabulary numbers the words of a batch of questions, in sorted order,
// and knows which of them are one typo apart.
type vocabulary struct {
	ids        map[string]int32
	neighbours [][]int32 // by id: the other words one typo apart, sorted
}

// newVocabulary numbers words, which must be sorted and distinct.
func newVocabulary(words []string) *vocabulary {
	v := &vocabulary{ids: make(map[string]int32, len(words)), neighbours: make([][]int32, len(words))}
	// Two words one typo apart have a form with one letter dropped (or the
	// word itself) in common: the "symmetric delete" of spelling
	// correctors. Words with a form in common are then checked.
	byForm := make(map[string][]int32)
	for i, w := range words {
		v.ids[w] = int32(i)
		if !typoComparable(w) {
			continue
		}
		rs := []rune(w)
		forms := []string{w}
		for j := range rs {
			forms = append(forms, string(rs[:j])+string(rs[j+1:]))
		}
		slices.Sort(forms)
		for _, f := range slices.Compact(forms) {
			byForm[f] = append(byForm[f], int32(i))
		}
	}
	for _, ids := range byForm {
		for i, a := range ids {
			for _, b := range ids[i+1:] {
				if withinOneEdit(words[a], words[b]) {
					v.neighbours[a] = append(v.neighbours[a], b)
					v.neighbours[b] = append(v.neighbours[b], a)
				}
			}
		}
	}
	for i, ns := range v.neighbours {
		slices.Sort(ns)
		v.neighbours[i] = slices.Compact(ns)
	}
	return v
}

// set returns the ids of sorted, distinct words of the vocabulary, sorted.
func (v *vocabulary) set(words []string) []int32 {
	ids := make([]int32, len(words))
	for i, w := range words {
		ids[i] = v.ids[w]
	}
	return ids
}

// similarity is the Jaccard similarity of two sorted word sets, a word of
// one matching at most one word of the other, exactly or one typo apart.
func (v *vocabulary) similarity(a, b []int32) float64 {
	var usedBuf [32]bool
	var used []bool
	if len(b) <= len(usedBuf) {
		used = usedBuf[:len(b)]
	} else {
		used = make([]bool, len(b))
	}
	var restBuf [32]int32
	rest := restBuf[:0]
	matched := 0
	for i, j := 0, 0; i < len(a); {
		switch {
		case j == len(b) || a[i] < b[j]:
			rest = append(rest, a[i])
			i++
		case a[i] > b[j]:
			j++
		default:
			used[j] = true
			matched++
			i, j = i+1, j+1
		}
	}
	for _, x := range rest {
		for _, n := range v.neighbours[x] {
			if k, ok := slices.BinarySearch(b, n); ok && !used[k] {
				used[k] = true
				matched++
				break
			}
		}
	}
	union := len(a) + len(b) - matched
	if union == 0 {
		return 0
	}
	return float64(matched) / float64(union)
}

// typoComparable reports whether a word is long enough, and a word at all,
// to match another one typo apart.
func typoComparable(w string) bool {
	if utf8.RuneCountInString(w) < fuzzyMinLetters {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// withinOneEdit reports whether a and b differ by at most one letter
// added, dropped or changed, or two neighbouring letters swapped.
func withinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if len(ra) < len(rb) {
		return slices.Equal(ra[i:], rb[i+1:]) // rb has one more letter at i
	}
	if slices.Equal(ra[i+1:], rb[i+1:]) {
		return true // changed at i
	}
	return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && slices.Equal(ra[i+2:], rb[i+2:])
}

// newGroup sums up a cluster of wordings.
func newGroup(ws []*wording) Group {
	type text struct {
		count int
		last  time.Time
	}
	texts := make(map[string]*text)
	langs := make(map[string]int)
	var g Group
	for _, w := range ws {
		for _, q := range w.qs {
			s := strings.TrimSpace(q.Text)
			t := texts[s]
			if t == nil {
				t = &text{}
				texts[s] = t
			}
			t.count++
			if q.At.After(t.last) {
				t.last = q.At
			}
			if q.At.After(g.Last) {
				g.Last = q.At
			}
			if q.Lang != "" {
				langs[q.Lang]++
			}
			g.Count++
		}
	}
	g.Texts = slices.SortedFunc(maps.Keys(texts), func(a, b string) int {
		return cmp.Or(
			cmp.Compare(texts[b].count, texts[a].count),
			texts[b].last.Compare(texts[a].last),
			strings.Compare(a, b),
		)
	})
	g.Example = g.Texts[0]
	for _, l := range slices.Sorted(maps.Keys(langs)) {
		if langs[l] > langs[g.Lang] { // ties: the first in alphabetical order
			g.Lang = l
		}
	}
	return g
}

// EntryFeedback is the votes on one entry.
type EntryFeedback struct {
	EntryID, Title      string  // Title is "" when the entry is no longer in the content
	Helpful, NotHelpful int     // 👍 and 👎
	Share               float64 // helpful share of the votes, 0 to 1; 0 without votes
}

// Feedback lists the votes per entry, the most 👎 first, then the fewest
// 👍, then by entry id. titles maps entry ids to titles; an entry missing
// from it gets an empty Title.
func Feedback(votes map[string]bot.Votes, titles map[string]string) []EntryFeedback {
	out := make([]EntryFeedback, 0, len(votes))
	for id, v := range votes {
		f := EntryFeedback{EntryID: id, Title: titles[id], Helpful: v.Helpful, NotHelpful: v.NotHelpful}
		if n := v.Helpful + v.NotHelpful; n > 0 {
			f.Share = float64(v.Helpful) / float64(n)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b EntryFeedback) int {
		return cmp.Or(
			cmp.Compare(b.NotHelpful, a.NotHelpful),
			cmp.Compare(a.Helpful, b.Helpful),
			strings.Compare(a.EntryID, b.EntryID),
		)
	})
	return out
}

// WriteUnansweredTable writes the groups as a table for a terminal, the
// example shortened to one line. It returns the writer's error, wrapped.
func WriteUnansweredTable(w io.Writer, groups []Group) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rows := [][]string{{"JUMLAH", "TERAKHIR", "BAHASA", "RAGAM", "CONTOH PERTANYAAN"}}
	for _, g := range groups {
		rows = append(rows, []string{
			strconv.Itoa(g.Count), tableTime(g.Last), orDash(g.Lang),
			strconv.Itoa(len(g.Texts)), oneLine(g.Example, exampleWidth),
		})
	}
	return writeTable(tw, rows)
}

// WriteFeedbackTable writes the votes as a table for a terminal. It
// returns the writer's error, wrapped.
func WriteFeedbackTable(w io.Writer, fs []EntryFeedback) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rows := [][]string{{"TIDAK MEMBANTU", "MEMBANTU", "% MEMBANTU", "ENTRI", "JUDUL"}}
	for _, f := range fs {
		share := "-"
		if f.Helpful+f.NotHelpful > 0 {
			share = strconv.Itoa(int(f.Share*100+0.5)) + "%"
		}
		title := oneLine(f.Title, exampleWidth)
		if f.Title == "" {
			title = "(tidak ada di konten)"
		}
		rows = append(rows, []string{
			strconv.Itoa(f.NotHelpful), strconv.Itoa(f.Helpful), share, oneLine(f.EntryID, exampleWidth), title,
		})
	}
	return writeTable(tw, rows)
}

func writeTable(tw *tabwriter.Writer, rows [][]string) error {
	for _, row := range rows {
		if _, err := io.WriteString(tw, strings.Join(row, "\t")+"\n"); err != nil {
			return fmt.Errorf("report: write table: %w", err)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("report: write table: %w", err)
	}
	return nil
}

// WriteUnansweredCSV writes the groups as CSV with a header row: count,
// example, last_asked (RFC 3339, empty when unknown), language and
// variants (the other wordings, most frequent first, joined with " | ").
// Citizen text that a spreadsheet would take for a formula gets a leading
// apostrophe. It returns the writer's error, wrapped.
func WriteUnansweredCSV(w io.Writer, groups []Group) error {
	rows := [][]string{{"count", "example", "last_asked", "language", "variants"}}
	for _, g := range groups {
		last := ""
		if !g.Last.IsZero() {
			last = g.Last.Format(time.RFC3339)
		}
		variants := g.Texts[min(1, len(g.Texts)):]
		rows = append(rows, []string{
			strconv.Itoa(g.Count), noFormula(g.Example), last, g.Lang, noFormula(strings.Join(variants, " | ")),
		})
	}
	return writeCSV(w, rows)
}

// WriteFeedbackCSV writes the votes as CSV with a header row: entry_id,
// title, helpful, not_helpful and helpful_share (0 to 1, three decimals;
// empty without votes). It returns the writer's error, wrapped.
func WriteFeedbackCSV(w io.Writer, fs []EntryFeedback) error {
	rows := [][]string{{"entry_id", "title", "helpful", "not_helpful", "helpful_share"}}
	for _, f := range fs {
		share := ""
		if f.Helpful+f.NotHelpful > 0 {
			share = strconv.FormatFloat(f.Share, 'f', 3, 64)
		}
		rows = append(rows, []string{
			f.EntryID, f.Title, strconv.Itoa(f.Helpful), strconv.Itoa(f.NotHelpful), share,
		})
	}
	return writeCSV(w, rows)
}

// Comment is a citizen's note on an answer they marked 👎, or (from
// Examples) a citizen's question that staff suggested as an example
// question of the entry.
type Comment struct {
	At             time.Time
	EntryID, Title string // Title is "" when the entry is no longer in the content
	Text, Lang     string
}

// Comments picks the comments out of the unanswered log, newest first.
// titles maps entry ids to titles.
func Comments(qs []bot.Unanswered, titles map[string]string) []Comment {
	return notes(qs, titles, false)
}

// Examples picks the example questions staff suggested (/contoh in a
// handoff) out of the unanswered log, newest first.
func Examples(qs []bot.Unanswered, titles map[string]string) []Comment {
	return notes(qs, titles, true)
}

func notes(qs []bot.Unanswered, titles map[string]string, examples bool) []Comment {
	var out []Comment
	for _, q := range qs {
		if q.EntryID != "" && q.Example == examples {
			out = append(out, Comment{At: q.At, EntryID: q.EntryID, Title: titles[q.EntryID], Text: q.Text, Lang: q.Lang})
		}
	}
	slices.SortStableFunc(out, func(a, b Comment) int { return b.At.Compare(a.At) })
	return out
}

// Questions leaves the comments out of the unanswered log.
func Questions(qs []bot.Unanswered) []bot.Unanswered {
	return slices.DeleteFunc(slices.Clone(qs), func(q bot.Unanswered) bool { return q.EntryID != "" })
}

// WriteCommentsTable writes the comments as a table for a terminal. It
// returns the writer's error, wrapped.
func WriteCommentsTable(w io.Writer, cs []Comment) error { return writeNotesTable(w, cs, "KOMENTAR") }

// WriteExamplesTable writes suggested example questions as a table.
func WriteExamplesTable(w io.Writer, cs []Comment) error {
	return writeNotesTable(w, cs, "CONTOH PERTANYAAN")
}

func writeNotesTable(w io.Writer, cs []Comment, column string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rows := [][]string{{"WAKTU", "ENTRI", "BAHASA", column}}
	for _, c := range cs {
		rows = append(rows, []string{tableTime(c.At), oneLine(c.EntryID, 30), orDash(c.Lang), oneLine(c.Text, exampleWidth)})
	}
	return writeTable(tw, rows)
}

// WriteCommentsCSV writes the comments as CSV with a header row: at (RFC
// 3339), entry_id, title, language and comment; citizen text that a
// spreadsheet would take for a formula gets a leading apostrophe.
func WriteCommentsCSV(w io.Writer, cs []Comment) error { return writeNotesCSV(w, cs, "comment") }

// WriteExamplesCSV writes suggested example questions as CSV, like
// WriteCommentsCSV with the column "question".
func WriteExamplesCSV(w io.Writer, cs []Comment) error { return writeNotesCSV(w, cs, "question") }

func writeNotesCSV(w io.Writer, cs []Comment, column string) error {
	rows := [][]string{{"at", "entry_id", "title", "language", column}}
	for _, c := range cs {
		rows = append(rows, []string{c.At.Format(time.RFC3339), c.EntryID, c.Title, c.Lang, noFormula(c.Text)})
	}
	return writeCSV(w, rows)
}

func writeCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

// noFormula keeps a spreadsheet from running citizen text as a formula
// (CSV injection): a cell starting with = + - @ or a tab or carriage
// return gets a leading apostrophe, which spreadsheets show as text.
func noFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// oneLine makes s fit one table cell: control characters and runs of
// spaces become one space, and a text longer than width runes is cut with
// an ellipsis.
func oneLine(s string, width int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	rs := []rune(s)
	return strings.TrimRight(string(rs[:width-1]), " ") + "…"
}

func tableTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02 15:04")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
