package console

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/layanan-id/layanan/knowledge"
)

// The content files in FAQ_DIR stay the one source of truth: a change from
// the console is written into the entry's Markdown file (atomically, the
// previous version kept under .riwayat/), checked by loading the whole
// folder with it first, recorded in .audit.jsonl, and then reloaded on
// every replica. With several replicas FAQ_DIR must be a shared volume.

// Folder is the content folder the console changes.
type Folder struct {
	Dir string // FAQ_DIR; "" for the bundled content, which cannot change
	// Files is the content as the server loaded it, for reading an entry's
	// file when Dir is "" (the bundled content); nil: Dir.
	Files fs.FS
	// Reload loads the folder again on every replica, after a change.
	Reload func(ctx context.Context) (entries int, problems []knowledge.Problem, err error)

	mu sync.Mutex // one change at a time in this process

	probeMu   sync.Mutex
	probedAt  time.Time
	probeNote string
}

// probeEvery bounds how often Writable tries a write in FAQ_DIR.
const probeEvery = time.Minute

// Errors of a change, for the page's message.
var (
	ErrReadOnly = errors.New("console: the content cannot be changed here")
	ErrRefused  = errors.New("console: the change would break the content")
)

// historyDir and auditFile live in FAQ_DIR; the content loader skips
// both (a hidden folder, a file that is not Markdown).
const (
	historyDir = ".riwayat"
	auditFile  = ".audit.jsonl"
)

// Writable says why the folder cannot be changed, or "" when it can. It
// tries a write at most once a minute.
func (f *Folder) Writable() string {
	if f == nil || f.Dir == "" {
		return "bundled"
	}
	f.probeMu.Lock()
	defer f.probeMu.Unlock()
	if !f.probedAt.IsZero() && time.Since(f.probedAt) < probeEvery {
		return f.probeNote
	}
	f.probedAt, f.probeNote = time.Now(), ""
	probe, err := os.CreateTemp(f.Dir, ".konsol-probe-*")
	if err != nil {
		f.probeNote = "not_writable"
		return f.probeNote
	}
	probe.Close()
	os.Remove(probe.Name())
	return ""
}

// AuditRecord is one change made from the console.
type AuditRecord struct {
	At     time.Time `json:"at"`
	UserID int64     `json:"user"`
	Role   string    `json:"role"`
	Action string    `json:"action"` // add_example
	Entry  string    `json:"entry"`
	File   string    `json:"file"`
	Detail string    `json:"detail"` // the question added
}

// AddExample adds question to entry's example questions in its file and
// reloads the content. The change is refused (ErrRefused, with the
// problems) when the folder would no longer load with the entry in it.
func (f *Folder) AddExample(ctx context.Context, content *knowledge.Content, entryID, question string, who AuditRecord) ([]knowledge.Problem, error) {
	if f.Writable() != "" {
		return nil, ErrReadOnly
	}
	e, ok := content.Entry(entryID)
	if !ok {
		return nil, fmt.Errorf("%w: no entry %q", ErrRefused, entryID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, err := os.ReadFile(filepath.Join(f.Dir, filepath.FromSlash(e.File)))
	if err != nil {
		return nil, fmt.Errorf("console: read %s: %w", e.File, err)
	}
	changed, err := knowledge.AddExampleQuestion(old, question)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if _, problems, err := f.check(e.File, changed, entryID); err != nil {
		return problems, err
	}
	who.Action, who.Entry, who.Detail = "add_example", entryID, strings.Join(strings.Fields(question), " ")
	return nil, f.replaceLocked(ctx, e.File, old, changed, who)
}

// ErrConflict is returned when the file changed since the editor read it.
var ErrConflict = errors.New("console: the file changed meanwhile")

// Version identifies a file's content, for the editor to save only over
// the version it showed.
func Version(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Replace writes an entry file's new content when the file is still the
// version the editor showed (base; "" skips the check), checked with
// check, the previous version kept, the change logged and reloaded.
func (f *Folder) Replace(ctx context.Context, file string, data []byte, base, entryID string, who AuditRecord) ([]knowledge.Problem, error) {
	if f.Writable() != "" {
		return nil, ErrReadOnly
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, err := os.ReadFile(filepath.Join(f.Dir, filepath.FromSlash(file)))
	if err != nil {
		return nil, fmt.Errorf("console: read %s: %w", file, err)
	}
	if base != "" && Version(old) != base {
		return nil, ErrConflict
	}
	if _, problems, err := f.check(file, data, entryID); err != nil {
		return problems, err
	}
	return nil, f.replaceLocked(ctx, file, old, data, who)
}

// ErrExists is returned when a new entry's file is there already.
var ErrExists = errors.New("console: the entry's file exists already")

// Create writes a new entry's file, checked with check first; the change
// is logged and reloaded.
func (f *Folder) Create(ctx context.Context, file string, data []byte, who AuditRecord) error {
	if f.Writable() != "" {
		return ErrReadOnly
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	path := filepath.Join(f.Dir, filepath.FromSlash(file))
	if _, err := os.Stat(path); err == nil {
		return ErrExists
	}
	if _, _, err := f.check(file, data, strings.TrimSuffix(file, ".md")); err != nil {
		return err
	}
	return f.replaceLocked(ctx, file, nil, data, who)
}

// replaceLocked keeps old, writes data, logs and reloads; f.mu is held.
func (f *Folder) replaceLocked(ctx context.Context, file string, old, data []byte, who AuditRecord) error {
	if old != nil {
		if err := f.keep(file, old); err != nil {
			return err
		}
	}
	write := writeAtomic
	if old == nil {
		write = writeNew
	}
	if err := write(filepath.Join(f.Dir, filepath.FromSlash(file)), data); err != nil {
		return err
	}
	if f.Reload != nil {
		// The change must reach the live content, or not happen: a reload
		// refused puts the previous file back. It runs to its end even
		// when the page's request is gone.
		if _, _, err := f.Reload(context.WithoutCancel(ctx)); err != nil {
			path := filepath.Join(f.Dir, filepath.FromSlash(file))
			if old != nil {
				_ = writeAtomic(path, old)
			} else {
				_ = os.Remove(path)
			}
			return fmt.Errorf("console: reload: %w", err)
		}
	}
	who.File = file
	return f.audit(who)
}

// check loads the folder with file's new data and returns the content
// and the file's problems; an error when the entry would be left out,
// renamed, or have fatal problems.
func (f *Folder) check(file string, data []byte, entryID string) (*knowledge.Content, []knowledge.Problem, error) {
	c, err := knowledge.Load(overlay{base: os.DirFS(f.Dir), name: file, data: data})
	if err != nil {
		return nil, nil, fmt.Errorf("console: check the folder: %w", err)
	}
	// Like lint: any problem that is not a warning refuses the change.
	var problems []knowledge.Problem
	fatal := false
	for _, p := range c.Problems {
		if p.File == file {
			problems = append(problems, p)
			fatal = fatal || !p.Warning
		}
	}
	// A folder that would not load as a whole (another file is broken)
	// cannot take the change either: the reload would refuse it.
	for _, p := range c.Fatal() {
		if p.File != file {
			problems = append(problems, p)
			fatal = true
		}
	}
	e, ok := c.Entry(entryID)
	switch {
	case fatal:
		return nil, problems, fmt.Errorf("%w: %s", ErrRefused, file)
	case !ok || e.File != file:
		problems = append(problems, knowledge.Problem{File: file, Message: "id entri harus tetap " + entryID + " (the entry id cannot change here)"})
		return nil, problems, fmt.Errorf("%w: the id changed", ErrRefused)
	}
	return c, problems, nil
}

// readEntry reads an entry's file as written.
func (f *Folder) readEntry(e *knowledge.Entry) ([]byte, error) {
	switch {
	case f != nil && f.Dir != "":
		return os.ReadFile(filepath.Join(f.Dir, filepath.FromSlash(e.File)))
	case f != nil && f.Files != nil:
		return fs.ReadFile(f.Files, e.File)
	}
	return nil, errors.New("console: no content files")
}

// overlay is a folder with one file's content replaced.
type overlay struct {
	base fs.FS
	name string
	data []byte
}

func (o overlay) Open(name string) (fs.File, error) {
	if name == o.name {
		return fstest.MapFS{name: {Data: o.data, Mode: 0o644}}.Open(name)
	}
	return o.base.Open(name)
}

// ReadDir lists the base folder, with the file added when it is new.
func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.base, name)
	if err != nil || path.Dir(o.name) != name {
		return entries, err
	}
	for _, e := range entries {
		if e.Name() == path.Base(o.name) {
			return entries, nil
		}
	}
	info, err := fstest.MapFS{o.name: {Data: o.data, Mode: 0o644}}.Stat(o.name)
	if err != nil {
		return nil, err
	}
	entries = append(entries, fs.FileInfoToDirEntry(info))
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

func (o overlay) ReadFile(name string) ([]byte, error) {
	if name == o.name {
		return bytes.Clone(o.data), nil
	}
	return fs.ReadFile(o.base, name)
}

// keep saves the previous version of file under .riwayat/.
func (f *Folder) keep(file string, old []byte) error {
	dir := filepath.Join(f.Dir, historyDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("console: keep the previous version: %w", err)
	}
	name := strings.ReplaceAll(file, "/", "__") + "." + time.Now().UTC().Format("20060102T150405.000000000Z")
	if err := os.WriteFile(filepath.Join(dir, name), old, 0o644); err != nil {
		return fmt.Errorf("console: keep the previous version: %w", err)
	}
	return nil
}

// writeAtomic replaces path with data so that readers (the watcher, other
// replicas) never see half a file; the file's mode is kept.
func writeAtomic(path string, data []byte) error {
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".konsol-*.tmp")
	if err != nil {
		return fmt.Errorf("console: write: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("console: write: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("console: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("console: write: %w", err)
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return fmt.Errorf("console: write: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("console: write: %w", err)
	}
	return nil
}

// writeNew writes a new file whole, failing with ErrExists when the file
// is there (made meanwhile by another replica on the shared volume): the
// data goes to a temporary file that is then hard-linked, which, unlike a
// rename, never replaces.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".konsol-*.tmp")
	if err != nil {
		return fmt.Errorf("console: write: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("console: write: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return ErrExists
		}
		return fmt.Errorf("console: write: %w", err)
	}
	return nil
}

// audit appends one record to the audit log.
func (f *Folder) audit(r AuditRecord) error {
	if r.At.IsZero() {
		r.At = time.Now()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("console: audit: %w", err)
	}
	file, err := os.OpenFile(filepath.Join(f.Dir, auditFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("console: audit: %w", err)
	}
	if _, err := file.Write(append(line, '\n')); err != nil {
		file.Close()
		return fmt.Errorf("console: audit: %w", err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("console: audit: %w", err)
	}
	return nil
}

// Audit returns the newest n records of the audit log, newest first; a
// folder without changes has none.
func (f *Folder) Audit(n int) ([]AuditRecord, error) {
	if f == nil || f.Dir == "" {
		return nil, nil
	}
	file, err := os.Open(filepath.Join(f.Dir, auditFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("console: audit: %w", err)
	}
	defer file.Close()
	var out []AuditRecord
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		var r AuditRecord
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			out = append(out, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("console: audit: %w", err)
	}
	slices.Reverse(out)
	return out[:min(n, len(out))], nil
}
