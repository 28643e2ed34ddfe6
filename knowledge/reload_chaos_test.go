package knowledge_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/layanan-id/layanan/knowledge"
)

// chaosEntry is a valid entry file about topic.
func chaosEntry(id, title, topic string) string {
	return fmt.Sprintf(`---
id: %s
title: %s
category: %s
questions:
  - Bagaimana cara mengurus %s?
  - Apa syarat %s?
  - Di mana mengurus %s?
keywords: [%s]
fee: Gratis
source: https://example.go.id/%s
updated: 2026-11-01
---
## Persyaratan
- Formulir permohonan %s
- Fotokopi dokumen pendukung

## Langkah
1. Datang ke kantor layanan.
2. Serahkan berkas %s.
`, id, title, "kependudukan", topic, topic, topic, topic, id, topic, topic)
}

const chaosCategories = `- id: kependudukan
  name: Kependudukan
  name_en: Civil registration
  order: 1
`

// chaosGood is the good content: file name → text. ktp-el-baru.md is the
// stable entry whose question must be answered throughout.
var chaosGood = map[string]string{
	"categories.yaml":    chaosCategories,
	"ktp-el-baru.md":     chaosEntry("ktp-el-baru", "Membuat KTP-el Baru", "ktp elektronik"),
	"paspor-baru.md":     chaosEntry("paspor-baru", "Membuat Paspor Baru", "paspor"),
	"sim-perpanjang.md":  chaosEntry("sim-perpanjang", "Memperpanjang SIM", "perpanjangan sim"),
	"akta-kelahiran.md":  chaosEntry("akta-kelahiran", "Akta Kelahiran", "akta kelahiran"),
	"kartu-keluarga.md":  chaosEntry("kartu-keluarga", "Kartu Keluarga Baru", "kartu keluarga"),
	"pindah-domisili.md": chaosEntry("pindah-domisili", "Pindah Domisili", "surat pindah"),
}

const chaosQuestion = "cara membuat ktp elektronik"

// TestReloadChaos reloads ten times a second for 3 s, and the folder
// watcher reloads too, while another goroutine writes broken files,
// deletes and re-creates files, truncates one, adds a duplicate id, breaks
// categories.yaml and removes a subfolder mid-walk. Searches run all the
// while: every one is answered with the stable entry, reloads either
// succeed or are refused with a *ReloadError (never a panic or another
// error), and once the folder is good again the watcher brings in exactly
// the final content.
func TestReloadChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("3 s of reloads under chaos; skipped with -short")
	}
	dir := t.TempDir()
	write := func(name, text string) {
		// Errors are ignored on purpose: a subfolder may be removed under
		// a writer; the final state is written and checked afterwards.
		_ = os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	// replace writes the way careful editors do: a hidden temporary file
	// (Load skips dot files) renamed over the old one.
	replace := func(name, text string) {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if os.WriteFile(tmp, []byte(text), 0o644) == nil {
			_ = os.Rename(tmp, filepath.Join(dir, name))
		}
	}
	for name, text := range chaosGood {
		write(name, text)
	}
	c, err := knowledge.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := knowledge.Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	live := knowledge.NewLive(ix)

	var (
		searches, searchFailures atomic.Int64
		reloadsOK, refused       atomic.Int64
		watchReloads             atomic.Int64
		wg                       sync.WaitGroup
	)
	reload := func() {
		_, err := live.Reload(context.Background(), os.DirFS(dir))
		var rerr *knowledge.ReloadError
		switch {
		case err == nil:
			reloadsOK.Add(1)
		case errors.As(err, &rerr):
			refused.Add(1)
		default:
			t.Errorf("reload failed with %T %v, want nil or a *ReloadError", err, err)
		}
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	// Citizens: four of them ask all the time.
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				res, err := live.Search(context.Background(), chaosQuestion, 3)
				searches.Add(1)
				// Whether it is answered with confidence depends on what the
				// content version calibrated; the right entry must come
				// first in every version.
				if err != nil || len(res.Hits) == 0 || res.Hits[0].Entry.ID != "ktp-el-baru" {
					if searchFailures.Add(1) <= 3 {
						t.Errorf("search during reloads: err %v, answered %v, hits %d", err, res.Answered, len(res.Hits))
					}
					continue
				}
				// The duplicate's content never goes live.
				if e, err := live.Entry("ktp-el-baru"); err != nil || e.Title != "Membuat KTP-el Baru" {
					if searchFailures.Add(1) <= 3 {
						t.Errorf("entry lookup during reloads: %v %v", e, err)
					}
				}
			}
		}()
	}

	// The folder watcher, as serve runs it with FAQ_DIR.
	watchCtx, stopWatch := context.WithCancel(context.Background())
	watched := make(chan error, 1)
	go func() {
		watched <- knowledge.Watch(watchCtx, dir, 100*time.Millisecond, slog.New(slog.DiscardHandler), func() {
			watchReloads.Add(1)
			reload()
		})
	}()

	// /reload pressed ten times a second; each in its own goroutine, so
	// slow reloads queue behind Live's lock as they would in the bot. Live
	// runs them one after another (it does not coalesce them), so on a slow
	// machine (-race) the queue is capped to keep the test short.
	var pending, skipped atomic.Int64
	chaosCtx, stopChaos := context.WithTimeout(ctx, 3*time.Second)
	defer stopChaos()
	var reloads sync.WaitGroup
	reloads.Add(1)
	go func() {
		defer reloads.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-chaosCtx.Done():
				return
			case <-tick.C:
				if pending.Load() >= 4 {
					skipped.Add(1)
					continue
				}
				pending.Add(1)
				reloads.Add(1)
				go func() { defer reloads.Done(); defer pending.Add(-1); reload() }()
			}
		}
	}()

	// Staff having a very bad day: each mishap is undone a moment later,
	// so the folder keeps changing between broken and good.
	rng := rand.New(rand.NewPCG(7, 11))
	paspor := chaosGood["paspor-baru.md"]
	remove := func(name string) func() { return func() { os.Remove(filepath.Join(dir, name)) } }
	restore := func(name string) func() { return func() { write(name, chaosGood[name]) } }
	mishaps := []struct{ do, undo func() }{
		{func() { write("rusak.md", "---\nid: [\ntitle: rusak\n---\n") }, remove("rusak.md")},                      // YAML error
		{remove("paspor-baru.md"), restore("paspor-baru.md")},                                                      // deleted, re-created
		{func() { write("paspor-baru.md", paspor[:len(paspor)/3]) }, restore("paspor-baru.md")},                    // half written
		{func() { write("dup.md", chaosEntry("ktp-el-baru", "Salinan KTP", "ktp elektronik")) }, remove("dup.md")}, // duplicate id
		{func() { write("categories.yaml", "- id: [\n") }, restore("categories.yaml")},                             // broken categories
		{func() { write("kosong.md", "") }, remove("kosong.md")},                                                   // an empty file
		{func() { // a subfolder appears and vanishes, perhaps mid-walk
			sub := filepath.Join(dir, "baru")
			if os.MkdirAll(sub, 0o755) == nil {
				_ = os.WriteFile(filepath.Join(sub, "antrean.md"), []byte(chaosEntry("antrean", "Antrean Online", "antrean online")), 0o644)
			}
		}, func() { os.RemoveAll(filepath.Join(dir, "baru")) }},
		{func() { replace("ktp-el-baru.md", chaosGood["ktp-el-baru.md"]) }, func() {}}, // saved again, atomically
		{remove("sim-perpanjang.md"), restore("sim-perpanjang.md")},
	}
	pause := func() { time.Sleep(time.Duration(10+rng.IntN(60)) * time.Millisecond) }
	for chaosCtx.Err() == nil {
		m := mishaps[rng.IntN(len(mishaps))]
		m.do()
		pause()
		m.undo()
		pause()
	}
	reloads.Wait()

	// The folder made good again, with one new entry: the watcher must
	// bring in exactly this content.
	os.Remove(filepath.Join(dir, "rusak.md"))
	os.Remove(filepath.Join(dir, "dup.md"))
	os.Remove(filepath.Join(dir, "kosong.md"))
	os.RemoveAll(filepath.Join(dir, "baru"))
	for name, text := range chaosGood {
		write(name, text)
	}
	write("antrean.md", chaosEntry("antrean", "Antrean Online", "antrean online"))
	var want []string
	for name := range chaosGood {
		if id, ok := strings.CutSuffix(name, ".md"); ok {
			want = append(want, id)
		}
	}
	want = append(want, "antrean")
	slices.Sort(want)
	ids := func() []string {
		var out []string
		for _, e := range live.Content().Entries {
			out = append(out, e.ID)
		}
		return out
	}
	// The watcher may have read a file while it was being written and
	// reload again once the write settles: wait for the final content,
	// its new entry answered, rather than for the first reload that has
	// the right ids.
	answered := func() bool {
		res, err := live.Search(context.Background(), "antrean online", 3)
		return err == nil && res.Answered && res.Hits[0].Entry.ID == "antrean"
	}
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(ids(), want) || len(live.Content().Categories) != 1 || !answered() {
		if time.Now().After(deadline) {
			t.Fatalf("after the chaos the watcher left entries %v, categories %+v; want %v in Kependudukan", ids(), live.Content().Categories, want)
		}
		time.Sleep(20 * time.Millisecond)
	}

	stop()
	wg.Wait()
	stopWatch()
	if err := <-watched; err != nil {
		t.Errorf("watch: %v", err)
	}

	t.Logf("%d searches, %d reloads succeeded, %d refused, %d by the watcher, %d ticks skipped with 4 reloads queued",
		searches.Load(), reloadsOK.Load(), refused.Load(), watchReloads.Load(), skipped.Load())
	if searches.Load() == 0 {
		t.Error("no search ran")
	}
	if reloadsOK.Load() == 0 || refused.Load() == 0 {
		t.Errorf("%d reloads succeeded and %d were refused; the chaos should give both", reloadsOK.Load(), refused.Load())
	}
	if res, err := live.Search(context.Background(), "antrean online", 3); err != nil || !res.Answered || res.Hits[0].Entry.ID != "antrean" {
		t.Errorf("the final content's new entry is not answered: %v %+v", err, res)
	}
}
