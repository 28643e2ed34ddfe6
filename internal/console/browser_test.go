package console

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/layanan-id/layanan/knowledge"
)

// The console in a real browser: headless Chromium driven by chromedp.
// The test is skipped, with a message, where no Chromium is installed,
// unless LAYANAN_REQUIRE_BROWSER is set (CI installs Debian's chromium and
// sets it). With LAYANAN_UPDATE_SCREENSHOTS=1 it writes the README's
// screenshots to docs/konsol/.

// chromium returns the browser's path, or "" when there is none.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("LAYANAN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium with a profile of its own; the
// flags keep it from reaching for the network at start.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	if path == "" {
		if os.Getenv("LAYANAN_REQUIRE_BROWSER") != "" {
			t.Fatal("no Chromium found (install Debian's chromium, or set LAYANAN_CHROMIUM)")
		}
		t.Skip("no Chromium on this machine: the browser test needs Debian's chromium (CI installs it)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// screenshot saves the page for the README when asked to.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("LAYANAN_UPDATE_SCREENSHOTS") == "" {
		return
	}
	// A capture right after a navigation can hang now and then: bound
	// each try and try again.
	var png []byte
	var err error
	for try := 0; try < 3; try++ {
		shotCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		png, err = chromedp.Run(shotCtx, chromedp.FullScreenshot(100)) // quality 100: PNG
		cancel()
		if err == nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "konsol")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConsoleInBrowser(t *testing.T) {
	tc := newTestConsole(t)
	ctx := browser(t)
	const question = "surat kelakuan baik buat jadi kru kapal pesiar"
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return got
	}
	do := func(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Log in through a link and see the summary's chart.
	do(ctx, "login and summary",
		chromedp.Navigate(tc.link(t, admin, time.Now())),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart rect`)),
	)
	if got := text(ctx, "main"); !strings.Contains(got, "Pertanyaan per hari") {
		t.Errorf("summary text: %q", got)
	}
	screenshot(t, ctx, "ringkasan")

	// Add an unanswered question to the SKCK entry.
	do(ctx, "unanswered page",
		chromedp.Navigate(tc.http.URL+"/tak-terjawab"),
		chromedp.WaitVisible(chromedp.CSS(`ul.groups`)),
	)
	screenshot(t, ctx, "tak-terjawab")
	form := `//li[.//b[text()="` + question + `"]]//form`
	do(ctx, "add as example",
		chromedp.SetValue(chromedp.Search(form+`//select`), "skck"),
		chromedp.Click(chromedp.Search(form+`//button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	)
	if got := text(ctx, "p.ok"); !strings.Contains(got, "SKCK") {
		t.Errorf("after adding: %q", got)
	}
	// `layanan ask --faq DIR` on the folder now answers it with SKCK.
	c, err := knowledge.Load(os.DirFS(tc.dir))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := knowledge.Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(context.Background(), question, 3)
	if err != nil || !res.Answered || res.Hits[0].Entry.ID != "skck" {
		t.Errorf("ask after adding: answered %v, %+v, %v", res.Answered, res.Hits, err)
	}

	// Break an entry's YAML in the editor: refused, the problem shown.
	do(ctx, "editor",
		chromedp.Navigate(tc.http.URL+"/konten/paspor"),
		chromedp.WaitVisible(chromedp.ID("text")),
	)
	before, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("text")))
	if err != nil {
		t.Fatal(err)
	}
	// The preview follows the text as it is typed, nothing saved.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const t = document.getElementById("text"); t.focus(); t.selectionStart = t.selectionEnd = t.value.length; return true; })()`)); err != nil {
		t.Fatal(err) // the caret at the end, where staff add a line
	}
	do(ctx, "live preview",
		chromedp.KeyEvent("\nKalimat baru dari konsol."),
		chromedp.WaitVisible(chromedp.Search(`//section[@id="preview"]//div[contains(., "Kalimat baru dari konsol.")]`)),
	)
	if now, _ := os.ReadFile(filepath.Join(tc.dir, "paspor.md")); string(now) != before {
		t.Error("the live preview saved the entry")
	}
	screenshot(t, ctx, "konten")
	do(ctx, "save a broken entry",
		chromedp.SetValue(chromedp.ID("text"), strings.Replace(before, "questions:", "questions: [", 1)),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`div.error`)),
	)
	if got := text(ctx, "main"); !strings.Contains(got, "Tidak disimpan") || !strings.Contains(got, "baris") {
		t.Errorf("refused save: %q", got)
	}
	if now, _ := os.ReadFile(filepath.Join(tc.dir, "paspor.md")); string(now) != before {
		t.Error("the broken entry was written")
	}

	// Test a question.
	do(ctx, "test a question",
		chromedp.Navigate(tc.http.URL+"/uji"),
		chromedp.SendKeys(chromedp.ID("q"), "syarat perpanjang sim"),
		chromedp.Click(chromedp.CSS(`form.try button`)),
		chromedp.WaitVisible(chromedp.CSS(`div.card strong`)),
	)
	if got := text(ctx, "main"); !strings.Contains(got, "Dijawab") || !strings.Contains(got, "SIM") {
		t.Errorf("test a question: %q", got)
	}
	screenshot(t, ctx, "uji")

	// Talk to the conversation in the chat pane: a question, a follow-up.
	do(ctx, "chat",
		chromedp.SendKeys(chromedp.ID("chat-text"), "syarat bikin skck"),
		chromedp.Submit(chromedp.ID("chat-text")),
		chromedp.WaitVisible(chromedp.CSS(`li.bot strong`)),
		chromedp.SendKeys(chromedp.ID("chat-text"), "biayanya berapa?"),
		chromedp.Submit(chromedp.ID("chat-text")),
		chromedp.WaitVisible(chromedp.Search(`//li[contains(@class,"bot")][contains(., "Rp30.000")]`)),
	)
	screenshot(t, ctx, "percakapan")

	// An editor who logs in (in a tab of their own) is refused the
	// broadcast page.
	edCtx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	do(edCtx, "editor on the broadcast page",
		chromedp.Navigate(tc.link(t, editor, time.Now())),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
		chromedp.Navigate(tc.http.URL+"/siaran"),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
	)
	if got := text(edCtx, "main"); !strings.Contains(got, "Khusus admin") {
		t.Errorf("editor on the broadcast page: %q", got)
	}
}
