package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch calls onChange after files under dir change, once per burst of
// changes: a change followed by quiet for debounce. It watches dir and its
// subfolders (new subfolders too) and returns when ctx ends, or with an
// error when dir cannot be watched at all.
func Watch(ctx context.Context, dir string, debounce time.Duration, log *slog.Logger, onChange func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("knowledge: watch %s: %w", dir, err)
	}
	defer w.Close()
	add := func(root string) error {
		return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // a folder removed while walking
			}
			if d.IsDir() {
				if err := w.Add(p); err != nil {
					return fmt.Errorf("knowledge: watch %s: %w", p, err)
				}
			}
			return nil
		})
	}
	if err := add(dir); err != nil {
		return err
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if hidden(dir, ev.Name) {
				// The loader skips dot-names; so does the watch (the
				// console's previous versions, audit log and temp files).
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					if err := add(ev.Name); err != nil {
						log.Warn("content watch: cannot watch new folder", "err", err)
					}
				}
			}
			timer.Reset(debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			log.Warn("content watch error", "err", err)
		case <-timer.C:
			onChange()
		}
	}
}

// hidden reports whether a path below dir has a part starting with a dot.
func hidden(dir, name string) bool {
	rel, err := filepath.Rel(dir, name)
	if err != nil {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(part, ".") && part != "." && part != ".." {
			return true
		}
	}
	return false
}
