package bot

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/faq"
	"github.com/layanan-id/layanan/knowledge"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var bundled = sync.OnceValues(func() (*knowledge.Index, error) { return buildIndex(faq.Files) })

// buildIndex loads and indexes a content folder.
func buildIndex(fsys fs.FS) (*knowledge.Index, error) {
	c, err := knowledge.Load(fsys)
	if err != nil {
		return nil, err
	}
	return knowledge.Build(context.Background(), c)
}

func index(t *testing.T) *knowledge.Index {
	t.Helper()
	return mustIndex(t, bundled)
}

// mustIndex returns a shared index, failing the test when it could not
// be built.
func mustIndex(t *testing.T, build func() (*knowledge.Index, error)) *knowledge.Index {
	t.Helper()
	ix, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// recorder is a Sender that keeps what it was asked to send.
type recorder struct {
	mu      sync.Mutex
	replies []Reply
	notices []string
	typing  int
}

func (r *recorder) Send(_ context.Context, m Reply) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replies = append(r.replies, m)
	return len(r.replies), nil
}

func (r *recorder) AnswerCallback(_ context.Context, _ string, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, text)
	return nil
}

func (r *recorder) Typing(context.Context, int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.typing++
	return nil
}

func (r *recorder) typed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.typing
}

// "typing…" goes out only when an answer takes longer than the delay.
func TestTypingOnlyWhenSlow(t *testing.T) {
	rec := &recorder{}
	conv, err := New(DefaultConfig(), index(t), &memStore{}, rec, slog.New(slog.DiscardHandler), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conv.Handle(t.Context(), textUpdate(1, "syarat bikin skck")); err != nil {
		t.Fatal(err)
	}
	if n := rec.typed(); n != 0 {
		t.Errorf("a fast answer sent %d typing actions, want 0", n)
	}
	stop := conv.typingAfter(t.Context(), 7, time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for rec.typed() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	stop()
	if n := rec.typed(); n != 1 {
		t.Errorf("a slow answer sent %d typing actions, want 1", n)
	}
}

func (r *recorder) last() Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.replies) == 0 {
		return Reply{}
	}
	return r.replies[len(r.replies)-1]
}

// downStore is a Store whose backend is unreachable.
type downStore struct{ calls int }

var errDown = errors.New("dial tcp 127.0.0.1:6379: connection refused")

func (s *downStore) LoadSession(context.Context, int64) (Session, bool, error) {
	s.calls++
	return Session{}, false, errDown
}
func (s *downStore) SaveSession(context.Context, int64, Session, time.Duration) error {
	s.calls++
	return errDown
}
func (s *downStore) Admit(context.Context, Arrival) (Admission, error) {
	s.calls++
	return Admission{}, errDown
}
func (s *downStore) Finish(context.Context, Completion) error {
	s.calls++
	return errDown
}
func (s *downStore) RecordFeedback(context.Context, Feedback) (bool, error) { return false, errDown }
func (s *downStore) FeedbackCounts(context.Context) (map[string]Votes, error) {
	return nil, errDown
}
func (s *downStore) LogUnanswered(context.Context, Unanswered, time.Duration, int) error {
	return errDown
}
func (s *downStore) ListUnanswered(context.Context, time.Time) ([]Unanswered, error) {
	return nil, errDown
}
func (s *downStore) Ping(context.Context) error              { return errDown }
func (s *downStore) ForgetUser(context.Context, int64) error { return errDown }
func (s *downStore) Close() error                            { return nil }

func textUpdate(id int, text string) Update {
	return Update{ID: id, Message: &Message{
		ID: id, From: &User{ID: 7}, Chat: Chat{ID: 7, Type: ChatPrivate}, Text: text,
	}}
}

func TestAnswersWhileStoreIsDown(t *testing.T) {
	var logs bytes.Buffer
	rec := &recorder{}
	conv, err := New(DefaultConfig(), index(t), &downStore{}, rec, slog.New(slog.NewTextHandler(&logs, nil)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	conv.now = func() time.Time { return clock }
	for i := 1; i <= 30; i++ {
		out, err := conv.Handle(context.Background(), textUpdate(i, "syarat bikin skck"))
		if err != nil || out.Kind != "answered" {
			t.Fatalf("update %d: outcome %q, err %v", i, out.Kind, err)
		}
	}
	if n := strings.Count(logs.String(), "store unavailable"); n != 1 {
		t.Errorf("store failure logged %d times in one minute, want 1:\n%s", n, logs.String())
	}
	clock = clock.Add(61 * time.Second)
	if _, err := conv.Handle(context.Background(), textUpdate(31, "skck")); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "store unavailable"); n != 2 {
		t.Errorf("after a minute the failure must be logged again; logged %d times", n)
	}
	if !strings.Contains(rec.last().Text, "SKCK") {
		t.Errorf("last reply = %q", rec.last().Text)
	}
	if strings.Contains(rec.last().Text, "connection refused") {
		t.Error("internal error text shown to the citizen")
	}
}

func TestAnswerCardGolden(t *testing.T) {
	c, err := New(DefaultConfig(), index(t), &downStore{}, &recorder{}, slog.New(slog.DiscardHandler), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ id, lang string }{{"ktp-el-baru", LangID}, {"paspor", LangID}, {"skck", LangEN}} {
		t.Run(tt.id+"-"+tt.lang, func(t *testing.T) {
			e, err := index(t).Entry(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			got := c.cards.HTML(tt.lang, c.know.Content().Local, e, time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
			checkGolden(t, tt.id+"-"+tt.lang, got)
		})
	}
}

// checkGolden compares a rendered card, which must be valid Telegram
// HTML, with testdata/<name>.golden (rewritten with -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	if err := render.Valid(got); err != nil {
		t.Errorf("invalid HTML: %v", err)
	}
	golden := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run Golden -update)", err)
	}
	if got != string(want) {
		t.Errorf("answer card differs from %s:\n%s", golden, got)
	}
}

func TestSmalltalk(t *testing.T) {
	st, err := loadSmalltalk()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ text, want string }{
		{"halo", "greeting"},
		{"Assalamualaikum min", "greeting"},
		{"selamat pagi kak", "greeting"},
		{"makasih banyak min", "thanks"},
		{"terima kasih ya", "thanks"},
		{"thank you very much", "thanks"},
		{"kamu siapa?", "identity"},
		{"who are you", "identity"},
		{"halo min mau tanya cara bikin ktp", ""},
		{"ktp", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := st.kind(tt.text); got != tt.want {
			t.Errorf("kind(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestMaskPersonalData(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nik saya 3201234567890001 hilang", "nik saya [nomor] hilang"},
		{"kk 3201 2345 6789 0001", "kk [nomor]"},
		{"hubungi 0812-3456-7890 ya", "hubungi [telepon] ya"},
		{"wa +62 812 3456 7890", "wa [telepon]"},
		{"email siti.aminah@gmail.com", "email [email]"},
		{"umur 17 tahun, tahun 2026", "umur 17 tahun, tahun 2026"},
		{"nik3201234567890123 ditolak", "nik[nomor] ditolak"},
		{"kantor (021) 555-1234 tutup", "kantor [telepon] tutup"},
		{"telp 081234567890, nik 3201234567890001.", "telp [telepon], nik [nomor]."},
		{"nomor antrean 12345678901234567890", "nomor antrean 12345678901234567890"},
	}
	for _, tt := range tests {
		if got := MaskPersonalData(tt.in); got != tt.want {
			t.Errorf("MaskPersonalData(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSection(t *testing.T) {
	body := "Ringkas.\n\n## Persyaratan\n- KK\n- KTP\n\n### Tambahan\n- foto\n\n## Langkah\n1. Datang\n\n## Catatan\n- gratis"
	tests := []struct {
		keywords []string
		want     string
	}{
		{[]string{"syarat"}, "- KK\n- KTP\n\n### Tambahan\n- foto"},
		{[]string{"langkah"}, "1. Datang"},
		{[]string{"catatan"}, "- gratis"},
		{[]string{"biaya"}, ""},
	}
	for _, tt := range tests {
		if got := section(body, tt.keywords...); got != tt.want {
			t.Errorf("section(%v) = %q, want %q", tt.keywords, got, tt.want)
		}
	}
}

func TestParseCallback(t *testing.T) {
	tests := []struct {
		data  string
		valid bool
		kind  string
	}{
		{"m", true, cbMenu},
		{"k", true, cbContact},
		{"e:ktp-el-baru", true, cbEntry},
		{"c:kependudukan:2", true, cbCategory},
		{"f:1:paspor", true, cbFeedback},
		{"l:en", true, cbLanguage},
		{"l:fr", false, ""},
		{"e:KTP", false, ""},
		{"e:", false, ""},
		{"c:x:-1", false, ""},
		{"c:x:abc", false, ""},
		{"f:2:paspor", false, ""},
		{"m:extra", false, ""},
		{"", false, ""},
		{strings.Repeat("e", 65), false, ""},
		{"e:a\x00b", false, ""},
	}
	for _, tt := range tests {
		c := parseCallback(tt.data)
		if c.valid != tt.valid || (tt.valid && c.kind != tt.kind) {
			t.Errorf("parseCallback(%q) = %+v", tt.data, c)
		}
	}
}

func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"m", "e:ktp-el-baru", "c:umum:0", "f:1:skck", "l:id", "::", "e:\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		c := parseCallback(data)
		if !c.valid {
			return
		}
		if len(data) > maxCallbackData {
			t.Fatalf("accepted %d bytes", len(data))
		}
		if c.id != "" && c.kind != cbLanguage && !isSlug(c.id) {
			t.Fatalf("accepted id %q", c.id)
		}
	})
}

func TestTextsComplete(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for lang, texts := range c {
		for key, text := range texts {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s is empty", lang, key)
				continue
			}
			if key == "months" {
				continue
			}
			// Fill the placeholders the code fills, then check Telegram accepts it.
			filled := strings.NewReplacer("{category}", "X", "{contact}", "Y", "{aspect}", "biaya", "{title}", "T", "{date}", "1 Mei 2026").Replace(text)
			if err := render.Valid(filled); err != nil {
				t.Errorf("%s: %s is not valid Telegram HTML: %v", lang, key, err)
			}
		}
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text      string
		ok        bool
		name, bot string
		args      string
		entityLen int
	}{
		{"/start", true, "start", "", "", 6},
		{"/start ktp-el-baru", true, "start", "", "ktp-el-baru", 6},
		{"/Menu@Layanan_Bot", true, "menu", "Layanan_Bot", "", 99},
		{"/broadcast #umum teks\ndua baris", true, "broadcast", "", "#umum teks\ndua baris", 10},
		{"/broadcast\nteks", true, "broadcast", "", "teks", 10},
		{"/", false, "", "", "", 1},
		{"/@bot", false, "", "", "", 5},
		{"bukan perintah", false, "", "", "", 0},
	}
	for _, tt := range tests {
		c, ok := parseCommand(&Message{Text: tt.text})
		if ok != tt.ok || c.name != tt.name || c.bot != tt.bot || c.args != tt.args {
			t.Errorf("parseCommand(%q) = %+v, %v", tt.text, c, ok)
		}
	}
}

// Small talk the search recognises gets a short reply, never a card or
// "not found"; a second topic in a question is offered as the first button.
func TestSmallTalkAndSecondTopic(t *testing.T) {
	rec := &recorder{}
	conv, err := New(DefaultConfig(), index(t), &downStore{}, rec, slog.New(slog.DiscardHandler), Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text     string
		kind     OutcomeKind
		replyKey string
	}{
		{"wkwkwk", "smalltalk", "smalltalk_other"},
		{"mau tanya", "smalltalk", "smalltalk_ask"},
		{"ok makasih infonya, sangat membantu", "smalltalk", "thanks"},
		{"bot goblok", "smalltalk", "smalltalk_other"},
	}
	for i, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			out, err := conv.Handle(context.Background(), textUpdate(100+i, tt.text))
			if err != nil || out.Kind != tt.kind {
				t.Fatalf("outcome %q, err %v; want %q", out.Kind, err, tt.kind)
			}
			if got, want := rec.last().Text, texts.get(LangID, tt.replyKey); got != want {
				t.Errorf("reply %q, want %q", got, want)
			}
		})
	}
	out, err := conv.Handle(context.Background(), textUpdate(200, "perpanjang paspor sama sim dimana"))
	if err != nil || out.Kind != "answered" || out.EntryID != "sim-perpanjang" {
		t.Fatalf("outcome %+v, err %v", out, err)
	}
	var labels []string
	for _, row := range rec.last().Buttons {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	paspor, _ := index(t).Entry("paspor")
	if len(labels) < 3 || !strings.Contains(labels[2], buttonLabel(paspor.Title)) {
		t.Errorf("buttons %q: want the passport entry first after the feedback pair", labels)
	}
}

type fakeStats struct{}

func (fakeStats) CountQuestion(context.Context, time.Time, int64, string, string) error { return nil }
func (fakeStats) Stats(_ context.Context, from, to time.Time) ([]DayStats, error) {
	return []DayStats{{Day: to, Outcomes: map[string]int{"answered": 2}, Entries: map[string]int{"lama": 2}}}, nil
}
func (fakeStats) CountUsers(context.Context) (int, error) { return 1, nil }

// /stats lists the entries nobody has reviewed for a year.
func TestStatsListsStaleEntries(t *testing.T) {
	entry := func(id, updated string) string {
		return "---\nid: " + id + "\ntitle: " + id + "\ncategory: umum\nquestions: [q1, q2, q3]\nsource: https://x.go.id/\nupdated: " + updated + "\n---\nIsi.\n"
	}
	c, err := knowledge.Load(fstest.MapFS{
		"lama.md": {Data: []byte(entry("lama", "2025-06-01"))},
		"baru.md": {Data: []byte(entry("baru", "2026-11-01"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := knowledge.Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	conv, err := New(DefaultConfig(), ix, &downStore{}, rec, slog.New(slog.DiscardHandler), Options{Admins: []int64{7}, Stats: fakeStats{}})
	if err != nil {
		t.Fatal(err)
	}
	conv.now = func() time.Time { return time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC) }
	if _, err := conv.Handle(context.Background(), textUpdate(1, "/stats")); err != nil {
		t.Fatal(err)
	}
	text := rec.last().Text
	if !strings.Contains(text, "Perlu ditinjau") || !strings.Contains(text, "• lama (2025-06-01)") || strings.Contains(text, "• baru (") {
		t.Errorf("stats = %q", text)
	}
}

func TestOrdinalChoiceAndLanguageArg(t *testing.T) {
	for in, want := range map[string]int{"yg pertama": 1, "yang kedua aja min": 2, "nomor 3": 3, "2": 2, "the first one": 1, "pertama kali bikin ktp": 0, "satu dua": 0, "": 0} {
		if got, _ := ordinalChoice(in); got != want {
			t.Errorf("ordinalChoice(%q) = %d, want %d", in, got, want)
		}
	}
	for in, want := range map[string]string{"english": LangEN, "EN": LangEN, "indonesia": LangID, " id ": LangID, "jawa": ""} {
		if got, _ := languageArg(in); got != want {
			t.Errorf("languageArg(%q) = %q, want %q", in, got, want)
		}
	}
}

// Papercuts citizens hit: an aspect with no topic yet, picking a
// suggestion by its place, switching language in one command.
func TestCitizenPapercuts(t *testing.T) {
	rec := &recorder{}
	conv, err := New(DefaultConfig(), index(t), &memStore{}, rec, slog.New(slog.DiscardHandler), Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conv.Handle(context.Background(), textUpdate(1, "biayanya berapa?")); err != nil {
		t.Fatal(err)
	}
	if got := rec.last().Text; got != texts.get(LangID, "which_service") {
		t.Errorf("first message 'biayanya berapa?' = %q", got)
	}
	out, err := conv.Handle(context.Background(), textUpdate(2, "gmn cara bikin ktp baru?"))
	if err != nil || out.Kind != "suggested" {
		t.Fatalf("outcome %+v, err %v; want suggestions", out, err)
	}
	out, err = conv.Handle(context.Background(), textUpdate(3, "yg pertama"))
	if err != nil || out.Kind != "answered" || out.EntryID != "ktp-el-baru" {
		t.Fatalf("'yg pertama' after suggestions: %+v, err %v", out, err)
	}
	if _, err := conv.Handle(context.Background(), textUpdate(4, "/bahasa english")); err != nil {
		t.Fatal(err)
	}
	if got := rec.last().Text; got != texts.get(LangEN, "language_set") {
		t.Errorf("/bahasa english = %q", got)
	}
}

// memStore keeps sessions in memory; everything else is unreachable.
type memStore struct {
	downStore
	sessions map[int64]Session
}

func (s *memStore) LoadSession(_ context.Context, chat int64) (Session, bool, error) {
	sess, ok := s.sessions[chat]
	return sess, ok, nil
}

func (s *memStore) SaveSession(_ context.Context, chat int64, sess Session, _ time.Duration) error {
	if s.sessions == nil {
		s.sessions = map[int64]Session{}
	}
	s.sessions[chat] = sess
	return nil
}

func (s *memStore) Admit(_ context.Context, a Arrival) (Admission, error) {
	sess, ok := s.sessions[a.UserID]
	return Admission{Claim: Claimed, Messages: 1, Session: sess, Found: ok}, nil
}

func (s *memStore) Finish(ctx context.Context, c Completion) error {
	if c.Session != nil {
		return s.SaveSession(ctx, c.UserID, *c.Session, c.SessionTTL)
	}
	return nil
}

// A citizen who writes English gets English replies without /bahasa,
// unless a language was chosen.
func TestEnglishQuestionGetsEnglishReply(t *testing.T) {
	g, err := loadLanguageGuesser()
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]bool{
		"how do i renew my driving license": true, "where can i get a passport": true,
		"gmn cara bikin ktp": false, "syarat skck apa aja min": false, "ktp": false, "ktp hilang how": false,
	} {
		if got := g.english(text); got != want {
			t.Errorf("english(%q) = %v, want %v", text, got, want)
		}
	}
	rec := &recorder{}
	conv, err := New(DefaultConfig(), index(t), &memStore{}, rec, slog.New(slog.DiscardHandler), Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := loadCatalog()
	if _, err := conv.Handle(context.Background(), textUpdate(1, "resep rendang please, how do i cook it")); err != nil {
		t.Fatal(err)
	}
	if got := rec.last().Text; got != texts.get(LangEN, "not_found") {
		t.Errorf("English question: reply %q, want the English not-found", got)
	}
	if _, err := conv.Handle(context.Background(), textUpdate(2, "/bahasa indonesia")); err != nil {
		t.Fatal(err)
	}
	if _, err := conv.Handle(context.Background(), textUpdate(3, "resep rendang please, how do i cook it")); err != nil {
		t.Fatal(err)
	}
	if got := rec.last().Text; got != texts.get(LangID, "not_found") {
		t.Errorf("after /bahasa indonesia: reply %q, want Indonesian", got)
	}
}

// No answer card shows a placeholder's brackets: unfilled local data
// reads as a neutral phrase.
func TestCardsHaveNoPlaceholderBrackets(t *testing.T) {
	c, err := New(DefaultConfig(), index(t), &memStore{}, &recorder{}, slog.New(slog.DiscardHandler), Options{})
	if err != nil {
		t.Fatal(err)
	}
	content := c.know.Content()
	for _, lang := range []string{LangID, LangEN} {
		v := &conv{lang: lang}
		for i := range content.Entries {
			if html := c.cards.HTML(v.lang, content.Local, &content.Entries[i], time.Now()); strings.Contains(html, "[[") {
				t.Errorf("%s (%s) shows brackets:\n%s", content.Entries[i].ID, lang, html)
			}
		}
	}
}
