package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
)

// Live holds the index in use and swaps in a new one on reload. A question
// in flight keeps the index it started with; the next one gets the new
// index. It is safe for concurrent use.
type Live struct {
	current atomic.Pointer[Index]
	reload  sync.Mutex // one reload at a time
}

// NewLive starts with ix.
func NewLive(ix *Index) *Live {
	l := &Live{}
	l.current.Store(ix)
	return l
}

// Current returns the index in use.
func (l *Live) Current() *Index { return l.current.Load() }

// Search asks the current index.
func (l *Live) Search(ctx context.Context, question string, top int) (Result, error) {
	return l.Current().Search(ctx, question, top)
}

// Entry looks up an entry in the current index.
func (l *Live) Entry(id string) (*Entry, error) { return l.Current().Entry(id) }

// Content returns the current content.
func (l *Live) Content() *Content { return l.Current().Content() }

// ErrContentRejected is returned by Reload when the new content has fatal
// problems; the last good content stays live.
var ErrContentRejected = errors.New("content has problems that leave entries out; the previous content stays live")

// ReloadError carries the problems that made a reload fail.
type ReloadError struct {
	Problems []Problem
	Err      error
}

func (e *ReloadError) Error() string { return e.Err.Error() }
func (e *ReloadError) Unwrap() error { return e.Err }

// Reload loads fsys, builds a new index beside the current one and swaps it
// in. The content is refused, and the current index kept, when it cannot
// be read or has fatal problems (an entry left out); the error is then a
// *ReloadError listing them. On success it returns the new content, whose
// non-fatal problems the caller may report.
func (l *Live) Reload(ctx context.Context, fsys fs.FS) (*Content, error) {
	l.reload.Lock()
	defer l.reload.Unlock()
	c, err := Load(fsys)
	if err != nil {
		var problems []Problem
		if c != nil {
			problems = c.Problems
		}
		return nil, &ReloadError{Problems: problems, Err: fmt.Errorf("knowledge: reload: %w", err)}
	}
	if fatal := c.Fatal(); len(fatal) > 0 {
		return nil, &ReloadError{Problems: fatal, Err: fmt.Errorf("knowledge: reload: %w", ErrContentRejected)}
	}
	ix, err := Build(ctx, c)
	if err != nil {
		return nil, &ReloadError{Err: fmt.Errorf("knowledge: reload: %w", err)}
	}
	// The old index is not closed: questions may still be searching it.
	// An in-memory index holds no files; the garbage collector frees it
	// once the last search is done.
	l.current.Store(ix)
	return c, nil
}
