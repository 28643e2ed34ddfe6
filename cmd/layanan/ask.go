package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/knowledge"
)

const askHelp = `layanan ask [--faq DIR] [--top N] [--json] [--explain] [PERTANYAAN...]

Menjawab satu pertanyaan dari argumen, atau satu pertanyaan per baris dari
stdin (indeks dibangun sekali). Dengan --json: satu objek JSON per baris
masukan: {"question":..., "answered":true|false, "confidence":0..1, "small_talk":...,
"also":{...}, "results":[{"id":..., "title":..., "score":...}]}.

English: answers one question given as arguments, or one per line on stdin (the index is built once); --json prints one JSON object per input line.`

// maxLineBytes bounds one stdin line; longer lines are cut (the engine
// reads only the first knowledge.MaxQuestionRunes characters anyway).
const maxLineBytes = 1 << 20

func runAsk(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("ask", stderr, askHelp)
	dir := fs.String("faq", "", "folder konten FAQ (bawaan: FAQ_DIR, lalu konten bawaan)")
	top := fs.Int("top", 3, "jumlah kandidat yang ditampilkan (1–50)")
	asJSON := fs.Bool("json", false, "keluaran JSON, satu objek per pertanyaan")
	explain := fs.Bool("explain", false, "tampilkan analisis: kata kunci, koreksi ejaan, skor")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *top < 1 || *top > 50 {
		return fmt.Errorf("%w: --top harus 1 sampai 50, bukan %d", errUsage, *top)
	}
	src, err := resolveContent(*dir, getenv)
	if err != nil {
		return err
	}
	ix, err := loadIndex(ctx, src, stderr)
	if err != nil {
		return err
	}
	defer ix.Close()
	cards, err := bot.NewCards()
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	a := asker{ix: ix, cards: cards, out: out, top: *top, json: *asJSON, explain: *explain}
	if fs.NArg() > 0 {
		return a.answer(ctx, strings.Join(fs.Args(), " "), true)
	}
	return a.answerLines(ctx, stdin)
}

// asker answers questions as `layanan ask` was told to.
type asker struct {
	ix            *knowledge.Index
	cards         *bot.Cards
	out           *bufio.Writer
	top           int
	json, explain bool
}

// answer prints one question's answer; first leaves out the separator.
func (a asker) answer(ctx context.Context, q string, first bool) error {
	res, err := a.ix.Search(ctx, q, a.top)
	if err != nil {
		return err
	}
	if a.json {
		return writeJSONResult(a.out, res)
	}
	if !first {
		fmt.Fprintln(a.out, "\n────────────────────────────────────────")
	}
	writeCitizenAnswer(a.out, res, func(e *knowledge.Entry) string {
		return a.cards.Text(bot.LangID, a.ix.Content().Local, e, time.Now())
	})
	if a.explain {
		writeExplanation(a.out, res)
	}
	return nil
}

// answerLines answers one question per line of stdin, flushing after each.
func (a asker) answerLines(ctx context.Context, stdin io.Reader) error {
	r := bufio.NewReaderSize(stdin, 64*1024)
	for first := true; ; first = false {
		line, err := readLine(r)
		if errors.Is(err, io.EOF) && line == "" {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("baca stdin: %w", err)
		}
		if err := a.answer(ctx, line, first); err != nil {
			return err
		}
		if err := a.out.Flush(); err != nil {
			return fmt.Errorf("tulis keluaran: %w", err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// readLine reads one line without its line ending, keeping at most
// maxLineBytes of it. It returns io.EOF with the last line when the input
// does not end with a newline.
func readLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, err := r.ReadSlice('\n')
		if b.Len() < maxLineBytes {
			b.Write(chunk[:min(len(chunk), maxLineBytes-b.Len())])
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line := strings.TrimRight(b.String(), "\r\n")
		if err != nil && b.Len() > 0 && errors.Is(err, io.EOF) {
			return line, nil
		}
		return line, err
	}
}

type jsonResult struct {
	Question   string    `json:"question"`
	Answered   bool      `json:"answered"`
	Confidence float64   `json:"confidence"`
	SmallTalk  string    `json:"small_talk,omitempty"`
	Also       *jsonHit  `json:"also,omitempty"`
	Results    []jsonHit `json:"results"`
}

type jsonHit struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

func writeJSONResult(w io.Writer, res knowledge.Result) error {
	jr := jsonResult{Question: res.Question, Answered: res.Answered, Confidence: res.Confidence, SmallTalk: res.SmallTalk, Results: []jsonHit{}}
	if res.Also != nil {
		jr.Also = &jsonHit{ID: res.Also.Entry.ID, Title: res.Also.Entry.Title, Score: res.Also.Score}
	}
	for _, h := range res.Hits {
		jr.Results = append(jr.Results, jsonHit{ID: h.Entry.ID, Title: h.Entry.Title, Score: h.Score})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jr); err != nil {
		return fmt.Errorf("tulis JSON: %w", err)
	}
	return nil
}

// writeCitizenAnswer prints what a citizen would read; card renders an
// entry's answer card as text (bot.Cards, the bot's one renderer).
func writeCitizenAnswer(w io.Writer, res knowledge.Result, card func(*knowledge.Entry) string) {
	switch {
	case res.Answered:
		fmt.Fprintln(w, card(res.Hits[0].Entry))
		switch {
		case res.Also != nil:
			fmt.Fprintf(w, "\nAnda juga bertanya tentang: %s\n", res.Also.Entry.Title)
		case res.Close && len(res.Hits) > 1:
			fmt.Fprintf(w, "\nMungkin juga yang Anda maksud: %s\n", res.Hits[1].Entry.Title)
		}
	case res.SmallTalk != "":
		fmt.Fprintf(w, "(Bukan pertanyaan tentang layanan, melainkan %s. Silakan tulis pertanyaan Anda.)\n", smallTalkNames[res.SmallTalk])
	case slices.ContainsFunc(res.Hits, func(h knowledge.Hit) bool { return h.TopicMatched }):
		// Like the bot, suggest only entries that share a topic word with
		// the question.
		fmt.Fprintln(w, "Maaf, saya belum yakin maksud pertanyaan Anda. Maksud Anda:")
		n := 0
		for _, h := range res.Hits {
			if h.TopicMatched && n < 3 {
				n++
				fmt.Fprintf(w, "  %d. %s\n", n, h.Entry.Title)
			}
		}
	default:
		fmt.Fprint(w, notFoundText)
	}
}

// smallTalkNames describes each kind of small talk in Indonesian.
var smallTalkNames = map[string]string{
	"thanks":   "ucapan terima kasih",
	"greeting": "salam",
	"farewell": "salam perpisahan",
	"ack":      "tanggapan singkat",
	"ask":      "pembuka pertanyaan",
	"insult":   "ungkapan kesal",
	"laughter": "tawa",
	"emoji":    "emoji",
}

const notFoundText = `Maaf, saya belum menemukan jawaban untuk pertanyaan itu.
Coba tulis dengan kata lain, misalnya "syarat membuat KTP-el" atau "cara perpanjang SIM".
Untuk hal lain, hubungi kantor pelayanan setempat atau sampaikan lewat SP4N-LAPOR! (https://www.lapor.go.id, SMS 1708).
`

func writeExplanation(w io.Writer, res knowledge.Result) {
	fmt.Fprintf(w, "\n[analisis] kata kunci: %s\n", strings.Join(res.Terms, " "))
	froms := make([]string, 0, len(res.Corrections))
	for from := range res.Corrections {
		froms = append(froms, from)
	}
	slices.Sort(froms)
	for _, from := range froms {
		fmt.Fprintf(w, "[analisis] koreksi ejaan: %s → %s\n", from, res.Corrections[from])
	}
	fmt.Fprintf(w, "[analisis] dijawab: %v (keyakinan %.2f), dua teratas berdekatan: %v\n", res.Answered, res.Confidence, res.Close)
	if res.Also != nil {
		fmt.Fprintf(w, "[analisis] topik kedua: %s\n", res.Also.Entry.ID)
	}
	for i, h := range res.Hits {
		fmt.Fprintf(w, "[analisis] %d. %-32s skor %.3f cakupan %.2f cocok: %s\n", i+1, h.Entry.ID, h.Score, h.Coverage, strings.Join(h.Matched, " "))
	}
}
