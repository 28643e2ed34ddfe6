package console

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/store/boltstore"
	"github.com/layanan-id/layanan/faq"
	"github.com/layanan-id/layanan/knowledge"
)

const (
	admin  = int64(42)
	editor = int64(43)
	nobody = int64(44)
)

// copyBundled copies the bundled content into a folder of its own.
func copyBundled(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(faq.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(faq.Files, p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// testConsole is a console on an embedded store with a day of questions.
type testConsole struct {
	srv   *Server
	http  *httptest.Server
	store *boltstore.Store
	key   []byte
	base  *url.URL
	dir   string // the content folder
	live  *knowledge.Live
}

func newTestConsole(t *testing.T) *testConsole {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "layanan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := copyBundled(t)
	c, err := knowledge.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := knowledge.Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	live := knowledge.NewLive(ix)
	folder := &Folder{Dir: dir, Reload: func(ctx context.Context) (int, []knowledge.Problem, error) {
		c, err := live.Reload(ctx, os.DirFS(dir))
		if err != nil {
			return 0, nil, err
		}
		return len(c.Entries), c.Problems, nil
	}}
	key, err := LoadKey(context.Background(), nil, filepath.Join(t.TempDir(), KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	tc := &testConsole{store: st, key: key, dir: dir, live: live}
	tc.http = httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(tc.http.Close)
	tc.base, _ = url.Parse(tc.http.URL)
	srv, err := New(Config{Base: tc.base, Admins: []int64{admin}, Editors: []int64{editor}, Key: key, Folder: folder}, st, live, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tc.srv = srv
	tc.http.Config.Handler = srv.Handler()
	ctx := context.Background()
	now := time.Now()
	for i, outcome := range []string{"answered", "answered", "not_found", "followup"} {
		if err := st.CountQuestion(ctx, now, int64(100+i), outcome, map[bool]string{true: "skck"}[outcome == "answered"]); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []bot.Unanswered{
		{Text: "<script>alert(1)</script>", Lang: "id", At: now},
		{Text: "surat kelakuan baik buat jadi kru kapal pesiar", Lang: "id", At: now},
		{Text: "surat kelakuan baik buat jadi kru kapal pesiar", Lang: "id", At: now},
		{Text: "ktp ilang pas mudik ngurusnya gmn", Lang: "id", At: now, EntryID: "ktp-el-hilang-rusak", Example: true},
	} {
		if err := st.LogUnanswered(ctx, q, time.Hour, 100); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.RecordFeedback(ctx, bot.Feedback{ChatID: 1, MessageID: 1, UserID: 1, EntryID: "paspor", Helpful: false, At: now}); err != nil {
		t.Fatal(err)
	}
	return tc
}

// client is a browser: it keeps cookies and does not follow redirects.
func (tc *testConsole) client(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (tc *testConsole) link(t *testing.T, user int64, now time.Time) string {
	t.Helper()
	l, err := Links{Base: tc.base, Key: tc.key, Now: func() time.Time { return now }}.Link(user)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// login signs a browser in and returns its CSRF token.
func (tc *testConsole) login(t *testing.T, c *http.Client, user int64) string {
	t.Helper()
	status, body, _ := get(t, c, tc.link(t, user, time.Now()))
	if status != http.StatusOK || !strings.Contains(body, `http-equiv="refresh" content="0; url=/"`) {
		t.Fatalf("login: %d %s", status, body)
	}
	status, body, _ = get(t, c, tc.http.URL+"/")
	if status != http.StatusOK {
		t.Fatalf("summary after login: %d %s", status, body)
	}
	i := strings.Index(body, `name="csrf" value="`)
	if i < 0 {
		t.Fatalf("no CSRF token in %s", body)
	}
	rest := body[i+len(`name="csrf" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestLoginAndSummary(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)

	// No session: a page that says how to log in.
	status, body, h := get(t, c, tc.http.URL+"/")
	if status != http.StatusUnauthorized || !strings.Contains(body, "/konsol") {
		t.Errorf("without a session: %d %s", status, body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP = %q", csp)
	}
	if h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers = %v", h)
	}

	link := tc.link(t, admin, time.Now())
	status, _, h = get(t, c, link)
	if status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	cookie := h.Get("Set-Cookie")
	for _, want := range []string{"konsol=", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("cookie %q is Secure on a loopback http console", cookie)
	}
	status, body, _ = get(t, c, tc.http.URL+"/")
	for _, want := range []string{"<svg", "Pertanyaan per hari", "<b>4</b>", "75%", "skck", "paspor", "admin", "<b>3</b></div>"} {
		if !strings.Contains(body, want) {
			t.Errorf("summary (%d) lacks %q", status, want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("the summary holds unescaped citizen text")
	}

	// The link works once, from any browser.
	status, body, _ = get(t, tc.client(t), link)
	if status != http.StatusForbidden || !strings.Contains(body, "sekali") {
		t.Errorf("reused link: %d %s", status, body)
	}
	// English by a switch, kept by a cookie.
	_, body, _ = get(t, c, tc.http.URL+"/?lang=en")
	_, body2, _ := get(t, c, tc.http.URL+"/")
	if !strings.Contains(body, "Questions per day") || !strings.Contains(body2, "Questions per day") {
		t.Error("the English switch does not hold")
	}
}

func TestRefusedLinks(t *testing.T) {
	tc := newTestConsole(t)
	other, _ := LoadKey(context.Background(), nil, filepath.Join(t.TempDir(), KeyFile))
	forged, _ := Links{Base: tc.base, Key: other}.Link(admin)
	tests := []struct {
		name, link string
		status     int
		want       string
	}{
		{"expired", tc.link(t, admin, time.Now().Add(-LinkTTL-time.Second)), http.StatusForbidden, "10 menit"},
		{"signed with another key", forged, http.StatusForbidden, "tidak sah"},
		{"garbage", tc.http.URL + "/masuk?t=%3Cscript%3E", http.StatusForbidden, "tidak sah"},
		{"no token", tc.http.URL + "/masuk", http.StatusForbidden, "tidak sah"},
		{"not an admin or editor", tc.link(t, nobody, time.Now()), http.StatusForbidden, "EDITOR_IDS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tc.client(t)
			status, body, h := get(t, c, tt.link)
			if status != tt.status || !strings.Contains(body, tt.want) || h.Get("Set-Cookie") != "" {
				t.Errorf("%d %q %s", status, h.Get("Set-Cookie"), body)
			}
			if status, _, _ := get(t, c, tc.http.URL+"/"); status != http.StatusUnauthorized {
				t.Errorf("after a refused link the summary answers %d", status)
			}
		})
	}
}

func TestLoginRateLimited(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	for range loginLimit {
		get(t, c, tc.http.URL+"/masuk?t=x")
	}
	status, _, _ := get(t, c, tc.link(t, admin, time.Now()))
	if status != http.StatusTooManyRequests {
		t.Errorf("attempt %d: %d, want 429", loginLimit+1, status)
	}
}

func TestLogoutNeedsCSRF(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, editor)
	if status, body := post(t, c, tc.http.URL+"/keluar", nil); status != http.StatusForbidden || !strings.Contains(body, "Formulir") {
		t.Errorf("logout without CSRF: %d %s", status, body)
	}
	if status, _ := post(t, c, tc.http.URL+"/keluar", url.Values{"csrf": {csrf + "x"}}); status != http.StatusForbidden {
		t.Errorf("logout with a wrong CSRF token: %d", status)
	}
	if status, body := post(t, c, tc.http.URL+"/keluar", url.Values{"csrf": {csrf}}); status != http.StatusOK || !strings.Contains(body, "sudah keluar") {
		t.Errorf("logout: %d %s", status, body)
	}
	if status, _, _ := get(t, c, tc.http.URL+"/"); status != http.StatusUnauthorized {
		t.Errorf("after logout: %d", status)
	}
}

func TestSessionEndsWithTheRole(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	tc.login(t, c, editor)
	tc.srv.cfg.Editors = nil // EDITOR_IDS changed and serve restarted
	if status, body, _ := get(t, c, tc.http.URL+"/"); status != http.StatusForbidden || !strings.Contains(body, "bukan admin atau editor") {
		t.Errorf("after leaving EDITOR_IDS: %d %s", status, body)
	}
	tc.srv.cfg.Editors = []int64{editor}
	if status, _, _ := get(t, c, tc.http.URL+"/"); status != http.StatusUnauthorized {
		t.Errorf("the revoked session came back: %d", status)
	}
}

func TestUnknownPage(t *testing.T) {
	tc := newTestConsole(t)
	if status, _, _ := get(t, tc.client(t), tc.http.URL+"/tidak-ada"); status != http.StatusNotFound {
		t.Errorf("unknown page: %d", status)
	}
	if status, body, h := get(t, tc.client(t), tc.http.URL+"/static/konsol.css"); status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/css") || !strings.Contains(body, ".chart") {
		t.Errorf("stylesheet: %d %q", status, h.Get("Content-Type"))
	}
}

func TestTextsComplete(t *testing.T) {
	id, en := slices.Sorted(maps.Keys(texts["id"])), slices.Sorted(maps.Keys(texts["en"]))
	if !slices.Equal(id, en) {
		t.Errorf("the languages' keys differ:\nid %v\nen %v", id, en)
	}
}

func TestLoadKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", KeyFile)
	a, err := LoadKey(context.Background(), nil, path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadKey(context.Background(), nil, path)
	if err != nil || string(a) != string(b) || len(a) != keySize {
		t.Fatalf("second load: %v, same %v", err, string(a) == string(b))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, err %v", st.Mode(), err)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKey(context.Background(), nil, path); err == nil {
		t.Error("a damaged key file was accepted")
	}
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	x, err := LoadKey(context.Background(), st, "")
	y, err2 := LoadKey(context.Background(), st, "")
	if err != nil || err2 != nil || string(x) != string(y) || len(x) != keySize {
		t.Errorf("shared key: %v %v, same %v", err, err2, string(x) == string(y))
	}
}

func FuzzParseToken(f *testing.F) {
	key := make([]byte, keySize)
	tok, _ := NewToken(key, admin, time.Unix(1_800_000_000, 0))
	f.Add(tok)
	f.Add("")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseToken(key, s, time.Unix(1_800_000_000, 0))
		if err == nil && s != tok {
			t.Errorf("%q parsed as %+v", s, got)
		}
	})
}

// Adding an unanswered question as an example changes the entry's file,
// keeps the previous version, logs who did it, and reloads: the question
// is then answered.
func TestAddUnansweredAsExample(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, editor)
	const question = "surat kelakuan baik buat jadi kru kapal pesiar"
	status, body, _ := get(t, c, tc.http.URL+"/tak-terjawab")
	for _, want := range []string{question, "× 2", `name="entry"`, `<option value="skck">`, "ktp ilang pas mudik", "&lt;script&gt;"} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("unanswered page (%d) lacks %q", status, want)
		}
	}
	before, err := os.ReadFile(filepath.Join(tc.dir, "skck.md"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.PostForm(tc.http.URL+"/tak-terjawab/contoh", url.Values{"csrf": {csrf}, "question": {question}, "entry": {"skck"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tak-terjawab?ditambah=skck" {
		t.Fatalf("add: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	after, _ := os.ReadFile(filepath.Join(tc.dir, "skck.md"))
	if !strings.Contains(string(after), `  - "`+question+`"`) || len(after) <= len(before) {
		t.Errorf("skck.md after:\n%s", after)
	}
	kept, _ := filepath.Glob(filepath.Join(tc.dir, ".riwayat", "skck.md.*"))
	if len(kept) != 1 {
		t.Fatalf("previous versions kept: %v", kept)
	}
	if old, _ := os.ReadFile(kept[0]); string(old) != string(before) {
		t.Error("the kept version is not the previous file")
	}
	e, _ := tc.live.Content().Entry("skck")
	if !slices.Contains(e.Questions, question) {
		t.Error("the content was not reloaded")
	}
	_, body, _ = get(t, c, tc.http.URL+"/tak-terjawab?ditambah=skck")
	if !strings.Contains(body, "ditambahkan sebagai contoh untuk «SKCK") || !strings.Contains(body, "kini terjawab oleh «SKCK") {
		t.Errorf("after adding: %s", body)
	}
	_, body, _ = get(t, c, tc.http.URL+"/riwayat")
	if !strings.Contains(body, "43 (editor)") || !strings.Contains(body, "<code>skck</code>: "+question) {
		t.Errorf("change log: %s", body)
	}
}

func TestAddExampleRefused(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, admin)
	// The file changed on disk into a shape the editor does not touch.
	path := filepath.Join(tc.dir, "paspor.md")
	data, _ := os.ReadFile(path)
	odd := strings.Replace(string(data), "questions:\n", "questions: [\"[x]\"]\nold_questions:\n", 1)
	if err := os.WriteFile(path, []byte(odd), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, question, entry string
		status                int
		want                  string
	}{
		{"unsafe file", "paspor hilang di luar negeri", "paspor", http.StatusUnprocessableEntity, "Perubahan ditolak"},
		{"unknown entry", "apa saja", "tidak-ada", http.StatusUnprocessableEntity, "Perubahan ditolak"},
		{"empty question", " ", "skck", http.StatusUnprocessableEntity, "kosong atau terlalu panjang"},
		{"too long", strings.Repeat("a", 301), "skck", http.StatusUnprocessableEntity, "kosong atau terlalu panjang"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, c, tc.http.URL+"/tak-terjawab/contoh", url.Values{"csrf": {csrf}, "question": {tt.question}, "entry": {tt.entry}})
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d %s", status, body)
			}
		})
	}
	if now, _ := os.ReadFile(path); string(now) != odd {
		t.Error("a refused change touched the file")
	}
	if kept, _ := filepath.Glob(filepath.Join(tc.dir, ".riwayat", "*")); len(kept) != 0 {
		t.Errorf("a refused change kept versions: %v", kept)
	}
}

func TestBundledContentIsReadOnly(t *testing.T) {
	tc := newTestConsole(t)
	tc.srv.cfg.Folder = &Folder{}
	c := tc.client(t)
	csrf := tc.login(t, c, admin)
	_, body, _ := get(t, c, tc.http.URL+"/tak-terjawab")
	if !strings.Contains(body, "FAQ_DIR") || strings.Contains(body, `action="/tak-terjawab/contoh"`) {
		t.Errorf("read-only page: %s", body)
	}
	if status, _ := post(t, c, tc.http.URL+"/tak-terjawab/contoh", url.Values{"csrf": {csrf}, "question": {"x y"}, "entry": {"skck"}}); status != http.StatusConflict {
		t.Errorf("adding to the bundled content: %d", status)
	}
}

func TestTryQuestion(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	tc.login(t, c, editor)
	tests := []struct {
		q         string
		want, not []string
	}{
		{"syarat bikin skck", []string{"Dijawab", "<code>skck</code>", "Kartu jawaban", "Persyaratan", "keyakinan"}, []string{"Tidak dijawab"}},
		{"perpanjngan sim", []string{"koreksi ejaan", "perpanjngan → perpanjangan"}, nil},
		{"makasih ya min", []string{"basa-basi", "<code>thanks</code>"}, []string{"Kartu jawaban"}},
		{"xyzzy qwerty", []string{"Tidak dijawab"}, []string{"Kartu jawaban"}},
		{"<b>skck</b>", []string{"&lt;b&gt;skck&lt;/b&gt;"}, []string{"<b>skck</b>"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			status, body, _ := get(t, c, tc.http.URL+"/uji?q="+url.QueryEscape(tt.q))
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(body, w) {
					t.Errorf("page holds %q", w)
				}
			}
		})
	}
	if status, _, _ := get(t, tc.client(t), tc.http.URL+"/uji?q=skck"); status != http.StatusUnauthorized {
		t.Errorf("without a session: %d", status)
	}
}

// fakeBroadcasts records what the console asks of the broadcasts.
type fakeBroadcasts struct {
	started   []string // html|topic|admin
	cancelled []string
	latest    *bot.BroadcastStatus
}

func (f *fakeBroadcasts) Recipients(_ context.Context, topic string) (int, error) {
	if topic == "" {
		return 120, nil
	}
	return 7, nil
}

func (f *fakeBroadcasts) StartBroadcast(_ context.Context, html, topic string, adminID int64) (bot.BroadcastStatus, error) {
	f.started = append(f.started, html+"|"+topic+"|"+strconv.FormatInt(adminID, 10))
	f.latest = &bot.BroadcastStatus{ID: "job1", State: "running", Topic: topic, Total: 7}
	return *f.latest, nil
}

func (f *fakeBroadcasts) LatestBroadcast(context.Context) (bot.BroadcastStatus, bool, error) {
	if f.latest == nil {
		return bot.BroadcastStatus{}, false, nil
	}
	return *f.latest, true, nil
}

func (f *fakeBroadcasts) CancelBroadcast(_ context.Context, id string) error {
	f.cancelled = append(f.cancelled, id)
	f.latest.State = "cancelled"
	return nil
}

func TestBroadcastPage(t *testing.T) {
	tc := newTestConsole(t)
	fb := &fakeBroadcasts{}
	tc.srv.cfg.Broadcasts = fb

	// Editors may not broadcast, and see no link to it.
	ed := tc.client(t)
	edCSRF := tc.login(t, ed, editor)
	_, body, _ := get(t, ed, tc.http.URL+"/")
	if strings.Contains(body, `/siaran"`) {
		t.Error("an editor sees the broadcast link")
	}
	if status, body, _ := get(t, ed, tc.http.URL+"/siaran"); status != http.StatusForbidden || !strings.Contains(body, "Khusus admin") {
		t.Errorf("editor on the broadcast page: %d", status)
	}
	if status, _ := post(t, ed, tc.http.URL+"/siaran/kirim", url.Values{"csrf": {edCSRF}, "text": {"halo"}}); status != http.StatusForbidden || len(fb.started) != 0 {
		t.Errorf("editor sending: %d, started %v", status, fb.started)
	}

	c := tc.client(t)
	csrf := tc.login(t, c, admin)
	tests := []struct {
		name, text, topic string
		status            int
		want              string
	}{
		{"empty", " ", "", http.StatusUnprocessableEntity, "Tulis teks"},
		{"too long", strings.Repeat("kata ", 1000), "", http.StatusUnprocessableEntity, "terlalu panjang"},
		{"unknown topic", "halo", "tidak-ada", http.StatusUnprocessableEntity, "Topik itu tidak ada"},
		{"preview", "**Pelayanan KTP** libur tanggal 25 Desember.", "", http.StatusOK, "Penerima: <b>120</b>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, c, tc.http.URL+"/siaran/pratinjau", url.Values{"csrf": {csrf}, "text": {tt.text}, "topic": {tt.topic}})
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d, lacks %q", status, tt.want)
			}
		})
	}
	cat := tc.live.Content().Categories[0].ID
	_, preview := post(t, c, tc.http.URL+"/siaran/pratinjau", url.Values{"csrf": {csrf}, "text": {"**Pelayanan KTP** libur."}, "topic": {cat}})
	i := strings.Index(preview, `name="once" value="`)
	if i < 0 {
		t.Fatal("the preview has no one-time token")
	}
	once := preview[i+len(`name="once" value="`):]
	once = once[:strings.IndexByte(once, '"')]
	form := url.Values{"csrf": {csrf}, "once": {once}, "text": {"**Pelayanan KTP** libur."}, "topic": {cat}}
	if status, _ := post(t, c, tc.http.URL+"/siaran/kirim", url.Values{"csrf": {csrf}, "text": {"tanpa pratinjau"}}); status != http.StatusConflict || len(fb.started) != 0 {
		t.Errorf("send without a preview: %d, started %v", status, fb.started)
	}
	if status, _ := post(t, c, tc.http.URL+"/siaran/kirim", form); status != http.StatusSeeOther || len(fb.started) != 1 || fb.started[0] != "<b>Pelayanan KTP</b> libur.|"+cat+"|42" {
		t.Fatalf("send: %d, started %v", status, fb.started)
	}
	// The same form again (a double click, the browser's history): refused.
	if status, body := post(t, c, tc.http.URL+"/siaran/kirim", form); status != http.StatusConflict || len(fb.started) != 1 || !strings.Contains(body, "masih berjalan") {
		t.Errorf("send again while running: %d, started %v", status, fb.started)
	}
	fb.latest.State = "done"
	if status, body := post(t, c, tc.http.URL+"/siaran/kirim", form); status != http.StatusConflict || len(fb.started) != 1 || !strings.Contains(body, "sudah dikirim") {
		t.Errorf("send the same form again: %d, started %v", status, fb.started)
	}
	fb.latest.State = "running"
	_, body, _ = get(t, c, tc.http.URL+"/siaran?dikirim=job1")
	for _, want := range []string{"Siaran dimulai", "<code>job1</code>", "running", "Hentikan siaran"} {
		if !strings.Contains(body, want) {
			t.Errorf("after sending, the page lacks %q", want)
		}
	}
	if status, _ := post(t, c, tc.http.URL+"/siaran/batal", url.Values{"csrf": {csrf}}); status != http.StatusSeeOther || len(fb.cancelled) != 1 {
		t.Errorf("cancel: %d, cancelled %v", status, fb.cancelled)
	}
	_, body, _ = get(t, c, tc.http.URL+"/riwayat")
	if !strings.Contains(body, "siaran dimulai <code>job1</code>") || !strings.Contains(body, "siaran dihentikan") {
		t.Errorf("change log: %s", body)
	}
}

func TestEntryEditor(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, editor)
	_, body, _ := get(t, c, tc.http.URL+"/konten")
	if !strings.Contains(body, `<a href="/konten/skck">`) || !strings.Contains(body, "Kesehatan") {
		t.Errorf("entry list lacks skck or health")
	}
	path := filepath.Join(tc.dir, "skck.md")
	original, _ := os.ReadFile(path)
	status, body, _ := get(t, c, tc.http.URL+"/konten/skck")
	if status != http.StatusOK || !strings.Contains(body, "id: skck") || !strings.Contains(body, "Kartu jawaban seperti dibaca warga") {
		t.Fatalf("editor: %d", status)
	}
	edited := strings.Replace(string(original), "title: SKCK (Surat Keterangan Catatan Kepolisian)", "title: SKCK Online dan di Polres", 1)
	tests := []struct {
		name, text, action string
		status             int
		want               []string
	}{
		{"preview", edited, "preview", http.StatusOK, []string{"SKCK Online dan di Polres"}},
		{"broken yaml", strings.Replace(edited, "questions:", "questions: [", 1), "save", http.StatusUnprocessableEntity, []string{"Tidak disimpan", "baris"}},
		{"id changed", strings.Replace(edited, "id: skck", "id: skck-baru", 1), "save", http.StatusUnprocessableEntity, []string{"id entri harus tetap skck"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, c, tc.http.URL+"/konten/skck", url.Values{"csrf": {csrf}, "text": {tt.text}, "action": {tt.action}})
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if now, _ := os.ReadFile(path); string(now) != string(original) {
				t.Error("the file changed")
			}
		})
	}
	resp, err := c.PostForm(tc.http.URL+"/konten/skck", url.Values{"csrf": {csrf}, "text": {edited}, "action": {"save"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if now, _ := os.ReadFile(path); string(now) != edited {
		t.Error("the file was not saved as edited")
	}
	if e, _ := tc.live.Content().Entry("skck"); e.Title != "SKCK Online dan di Polres" {
		t.Errorf("not reloaded: %q", e.Title)
	}
	_, body, _ = get(t, c, tc.http.URL+"/riwayat")
	if !strings.Contains(body, "entri diubah <code>skck</code>") {
		t.Error("the change log lacks the edit")
	}
	if kept, _ := filepath.Glob(filepath.Join(tc.dir, ".riwayat", "skck.md.*")); len(kept) != 1 {
		t.Errorf("kept versions: %v", kept)
	}
	if status, _, _ := get(t, c, tc.http.URL+"/konten/tidak-ada"); status != http.StatusNotFound {
		t.Errorf("unknown entry: %d", status)
	}
}

func TestBundledEntryIsReadOnly(t *testing.T) {
	tc := newTestConsole(t)
	tc.srv.cfg.Folder = &Folder{Files: faq.Files}
	c := tc.client(t)
	csrf := tc.login(t, c, admin)
	_, body, _ := get(t, c, tc.http.URL+"/konten/skck")
	if !strings.Contains(body, "readonly") || !strings.Contains(body, "id: skck") || strings.Contains(body, `value="save"`) {
		t.Errorf("read-only editor: %s", body)
	}
	if status, _ := post(t, c, tc.http.URL+"/konten/skck", url.Values{"csrf": {csrf}, "text": {"x"}, "action": {"save"}}); status != http.StatusConflict {
		t.Errorf("saving the bundled content: %d", status)
	}
}

func TestNewEntryFromQuestion(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, editor)
	const q = "cara daftar kartu kuning pencari kerja"
	_, body, _ := get(t, c, tc.http.URL+"/tak-terjawab")
	if !strings.Contains(body, `/konten/baru?q=`) {
		t.Error("the unanswered page offers no new entry")
	}
	status, body, _ := get(t, c, tc.http.URL+"/konten/baru?q="+url.QueryEscape(q))
	if status != http.StatusOK || !strings.Contains(body, `value="cara-daftar-kartu-kuning-pencari-kerja"`) || !strings.Contains(body, `  - &#34;`+q+`&#34;`) {
		t.Fatalf("new entry form: %d %s", status, body)
	}
	complete := "---\nid: kartu-kuning\ntitle: Kartu Kuning (AK/1) untuk Pencari Kerja\ncategory: " + tc.live.Content().Categories[0].ID +
		"\nquestions:\n  - \"" + q + "\"\n  - Syarat bikin kartu kuning?\n  - Kartu AK1 diurus di mana?\nfee: Gratis\nsource: https://kemnaker.go.id/\nupdated: 2026-12-06\n---\nKartu kuning (AK/1) dibuat di Dinas Tenaga Kerja.\n"
	tests := []struct {
		name, id, text string
		status         int
		want           string
	}{
		{"the template as it is", "kartu-kuning", newEntryTemplate("kartu-kuning", q, "lainnya", "2026-12-06"), http.StatusUnprocessableEntity, "Tidak disimpan"},
		{"bad id", "Kartu Kuning", complete, http.StatusUnprocessableEntity, "huruf kecil"},
		{"id taken", "skck", strings.Replace(complete, "id: kartu-kuning", "id: skck", 1), http.StatusUnprocessableEntity, "sudah dipakai"},
		{"id differs from the file's", "kartu-kuning-2", complete, http.StatusUnprocessableEntity, "id entri harus tetap kartu-kuning-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, c, tc.http.URL+"/konten/baru", url.Values{"csrf": {csrf}, "id": {tt.id}, "text": {tt.text}})
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d, lacks %q", status, tt.want)
			}
		})
	}
	resp, err := c.PostForm(tc.http.URL+"/konten/baru", url.Values{"csrf": {csrf}, "id": {"kartu-kuning"}, "text": {complete}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	if data, _ := os.ReadFile(filepath.Join(tc.dir, "kartu-kuning.md")); string(data) != complete {
		t.Errorf("file = %q", data)
	}
	if _, ok := tc.live.Content().Entry("kartu-kuning"); !ok {
		t.Error("the new entry is not live")
	}
	_, body, _ = get(t, c, tc.http.URL+"/riwayat")
	if !strings.Contains(body, "entri baru <code>kartu-kuning</code>") {
		t.Error("the change log lacks the new entry")
	}
}

func TestChatPane(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, admin)
	ctx := context.Background()
	unansweredBefore, _ := tc.store.ListUnanswered(ctx, time.Time{})
	_, body, _ := get(t, c, tc.http.URL+"/uji")
	if !strings.Contains(body, "Belum ada pesan") {
		t.Fatal("no empty chat pane")
	}
	say := func(text string) string {
		t.Helper()
		if status, _ := post(t, c, tc.http.URL+"/uji/chat", url.Values{"csrf": {csrf}, "text": {text}}); status != http.StatusSeeOther {
			t.Fatalf("say %q: %d", text, status)
		}
		_, body, _ := get(t, c, tc.http.URL+"/uji")
		return body
	}
	body = say("syarat bikin skck")
	for _, want := range []string{`<li class="me">syarat bikin skck</li>`, "<strong>SKCK", `name="data" value="f:1:skck"`} {
		if !strings.Contains(body, want) {
			t.Errorf("after a question, the pane lacks %q", want)
		}
	}
	// A follow-up answers from the topic, as in Telegram.
	body = say("biayanya berapa?")
	if !strings.Contains(body, "Rp30.000") {
		t.Errorf("follow-up not answered from the topic")
	}
	// A button press: 👍 on the card.
	i := strings.Index(body, `name="data" value="f:1:skck"`)
	j := strings.LastIndex(body[:i], `name="message" value="`)
	msg := body[j+len(`name="message" value="`):]
	msg = msg[:strings.IndexByte(msg, '"')]
	if status, _ := post(t, c, tc.http.URL+"/uji/tombol", url.Values{"csrf": {csrf}, "message": {msg}, "data": {"f:1:skck"}}); status != http.StatusSeeOther {
		t.Fatalf("press: %d", status)
	}
	_, body, _ = get(t, c, tc.http.URL+"/uji")
	if !strings.Contains(body, `<li class="notice">Terima kasih atas penilaian`) {
		t.Error("the button's notice is missing")
	}
	// Nothing of it reaches the statistics, votes or reports.
	say("xyzzy qwerty plugh")
	days, _ := tc.store.Stats(ctx, time.Now(), time.Now())
	total := 0
	for _, n := range days[0].Outcomes {
		total += n
	}
	votes, _ := tc.store.FeedbackCounts(ctx)
	unansweredAfter, _ := tc.store.ListUnanswered(ctx, time.Time{})
	if total != 4 || votes["skck"].Helpful != 0 || len(unansweredAfter) != len(unansweredBefore) {
		t.Errorf("the test chat was counted: %d questions, votes %+v, %d unanswered", total, votes, len(unansweredAfter))
	}
	if status, _ := post(t, c, tc.http.URL+"/uji/chat", url.Values{"text": {"halo"}}); status != http.StatusForbidden {
		t.Errorf("without CSRF: %d", status)
	}
	if status, _ := post(t, c, tc.http.URL+"/uji/chat/hapus", url.Values{"csrf": {csrf}}); status != http.StatusSeeOther {
		t.Errorf("clear: %d", status)
	}
	_, body, _ = get(t, c, tc.http.URL+"/uji")
	if !strings.Contains(body, "Belum ada pesan") {
		t.Error("the pane was not cleared")
	}
	body = say("biayanya berapa?")
	if strings.Contains(body, "Rp30.000") {
		t.Error("the topic survived starting over")
	}
}

// The editor's script asks for the preview alone; the page loads it.
func TestEditorLivePreview(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, editor)
	_, body, _ := get(t, c, tc.http.URL+"/konten/skck")
	if !strings.Contains(body, `<script src="/static/konsol.js"></script>`) {
		t.Error("the editor does not load its script")
	}
	if status, js, h := get(t, c, tc.http.URL+"/static/konsol.js"); status != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "javascript") || !strings.Contains(js, "X-Preview") {
		t.Errorf("script: %d %q", status, h.Get("Content-Type"))
	}
	original, _ := os.ReadFile(filepath.Join(tc.dir, "skck.md"))
	req, _ := http.NewRequest(http.MethodPost, tc.http.URL+"/konten/skck", strings.NewReader(url.Values{"csrf": {csrf}, "action": {"preview"}, "text": {string(original) + "\nKalimat baru."}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Preview", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	frag, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(frag), "Kalimat baru.") || strings.Contains(string(frag), "<html") {
		t.Errorf("fragment: %d %s", resp.StatusCode, frag)
	}
}

// Two staff editing one entry: the second save, made over an older
// version, is refused instead of undoing the first.
func TestEditConflict(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, editor)
	_, body, _ := get(t, c, tc.http.URL+"/konten/skck")
	i := strings.Index(body, `name="version" value="`)
	version := body[i+len(`name="version" value="`):]
	version = version[:strings.IndexByte(version, '"')]
	// Meanwhile someone adds an example question.
	if status, _ := post(t, c, tc.http.URL+"/tak-terjawab/contoh", url.Values{"csrf": {csrf}, "question": {"skck buat daftar polisi"}, "entry": {"skck"}}); status != http.StatusSeeOther {
		t.Fatalf("add example: %d", status)
	}
	path := filepath.Join(tc.dir, "skck.md")
	withExample, _ := os.ReadFile(path)
	original, _ := fs.ReadFile(faq.Files, "skck.md")
	edited := strings.Replace(string(original), "title: SKCK (Surat Keterangan Catatan Kepolisian)", "title: SKCK", 1)
	status, body := post(t, c, tc.http.URL+"/konten/skck", url.Values{"csrf": {csrf}, "text": {edited}, "version": {version}, "action": {"save"}})
	if status != http.StatusConflict || !strings.Contains(body, "sudah diubah orang lain") {
		t.Errorf("save over an older version: %d", status)
	}
	if now, _ := os.ReadFile(path); string(now) != string(withExample) {
		t.Error("the older version overwrote the example question")
	}
}

// A change is refused while another file of the folder is broken: the
// reload would refuse the folder, and the page must not say saved.
func TestChangeRefusedWhileAnotherFileIsBroken(t *testing.T) {
	tc := newTestConsole(t)
	c := tc.client(t)
	csrf := tc.login(t, c, admin)
	if err := os.WriteFile(filepath.Join(tc.dir, "zz-rusak.md"), []byte("---\nid: [\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(tc.dir, "skck.md")
	before, _ := os.ReadFile(path)
	status, body := post(t, c, tc.http.URL+"/tak-terjawab/contoh", url.Values{"csrf": {csrf}, "question": {"skck buat daftar polisi"}, "entry": {"skck"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "zz-rusak.md") {
		t.Errorf("add example with a broken neighbour: %d", status)
	}
	if now, _ := os.ReadFile(path); string(now) != string(before) {
		t.Error("the file was written")
	}
	if entries, _ := os.ReadDir(filepath.Join(tc.dir, ".riwayat")); len(entries) != 0 {
		t.Error("a version was kept for a refused change")
	}
}

func TestLinkURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://www.lapor.go.id/":  "https://www.lapor.go.id/",
		"tg://resolve?domain=x":     "tg://resolve?domain=x",
		"javascript:alert(1)":       "",
		"data:text/html,<b>x</b>":   "",
		"//evil.example/x":          "",
		"http://127.0.0.1:8090/a b": "http://127.0.0.1:8090/a b",
	} {
		if got := string(linkURL(raw)); got != want {
			t.Errorf("linkURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestWriteNewNeverReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baru.md")
	if err := writeNew(path, []byte("satu")); err != nil {
		t.Fatal(err)
	}
	if err := writeNew(path, []byte("dua")); !errors.Is(err, ErrExists) {
		t.Errorf("second writeNew: %v, want ErrExists", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "satu" {
		t.Errorf("file = %q", data)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".konsol-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
