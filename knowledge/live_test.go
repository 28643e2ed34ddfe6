package knowledge

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func writeEntry(t *testing.T, dir, id, title string) {
	t.Helper()
	text := strings.NewReplacer("ktp-el-baru", id, "Membuat KTP-el Baru", title).Replace(goodEntry)
	if err := os.WriteFile(filepath.Join(dir, id+".md"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLiveReload(t *testing.T) {
	dir := t.TempDir()
	writeEntry(t, dir, "ktp-el-baru", "Membuat KTP-el Baru")
	c, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	live := NewLive(ix)
	ctx := context.Background()

	// A new entry becomes searchable after a reload.
	writeEntry(t, dir, "paspor-baru", "Membuat Paspor Baru")
	if _, err := live.Reload(ctx, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if _, err := live.Entry("paspor-baru"); err != nil {
		t.Errorf("new entry missing after reload: %v", err)
	}

	// A broken file: the reload is refused and the last good content stays.
	if err := os.WriteFile(filepath.Join(dir, "rusak.md"), []byte("---\nid: [\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = live.Reload(ctx, os.DirFS(dir))
	var rerr *ReloadError
	if !errors.As(err, &rerr) || !errors.Is(err, ErrContentRejected) || len(rerr.Problems) == 0 || rerr.Problems[0].File != "rusak.md" {
		t.Fatalf("reload of broken content: %v", err)
	}
	if n := len(live.Content().Entries); n != 2 {
		t.Errorf("%d entries live after a refused reload, want the last good 2", n)
	}

	// Everything deleted: refused too.
	os.Remove(filepath.Join(dir, "rusak.md"))
	os.Remove(filepath.Join(dir, "ktp-el-baru.md"))
	os.Remove(filepath.Join(dir, "paspor-baru.md"))
	if _, err := live.Reload(ctx, os.DirFS(dir)); !errors.Is(err, ErrNoEntries) {
		t.Errorf("reload of an empty folder: %v", err)
	}
	if n := len(live.Content().Entries); n != 2 {
		t.Errorf("%d entries live after an empty folder, want 2", n)
	}
}

func TestLiveSearchDuringReloads(t *testing.T) {
	dir := t.TempDir()
	writeEntry(t, dir, "ktp-el-baru", "Membuat KTP-el Baru")
	c, _ := Load(os.DirFS(dir))
	ix, err := Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	live := NewLive(ix)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var searches atomic.Int64
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				res, err := live.Search(context.Background(), "cara membuat ktp", 3)
				if err != nil || !res.Answered {
					t.Errorf("search during reload: %+v %v", res.Hits, err)
					return
				}
				searches.Add(1)
			}
		}()
	}
	for i := 0; i < 20 && ctx.Err() == nil; i++ {
		if _, err := live.Reload(context.Background(), os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
	if searches.Load() == 0 {
		t.Error("no search ran")
	}
}

func TestWatchDebounces(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, dir, 300*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)), func() { calls.Add(1) })
	}()
	time.Sleep(100 * time.Millisecond) // let the watcher start
	for i := 0; i < 10; i++ {
		writeEntry(t, dir, "ktp-el-baru", "Membuat KTP-el Baru")
		time.Sleep(20 * time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(400 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Normally 1; a very busy machine may pause the writer past the quiet
	// period once or twice, never ten times.
	if n := calls.Load(); n < 1 || n > 3 {
		t.Errorf("10 quick writes gave %d reloads, want 1 (at most 3)", n)
	}
}

// Changes to dot-names (the console's previous versions, audit log and
// temporary files) do not reload: the loader skips them anyway.
func TestWatchIgnoresHiddenNames(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, dir, 100*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)), func() { calls.Add(1) })
	}()
	time.Sleep(100 * time.Millisecond) // let the watcher start
	if err := os.WriteFile(filepath.Join(dir, ".audit.jsonl"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".riwayat"), 0o755); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the new folder is watched
	if err := os.WriteFile(filepath.Join(dir, ".riwayat", "a.md.1"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The watch reloads at least the quiet period after a change; a
	// change that counted would have reloaded by now.
	time.Sleep(600 * time.Millisecond)
	n := calls.Load()
	writeEntry(t, dir, "ktp-el-baru", "Membuat KTP-el Baru")
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() == n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n != 0 || calls.Load() == 0 {
		t.Errorf("hidden changes gave %d reloads (want 0), an entry %d (want 1)", n, calls.Load()-n)
	}
}
