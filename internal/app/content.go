package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/layanan-id/layanan/faq"
	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/knowledge"
)

// Content is where the FAQ content comes from: a folder, or the bundle.
type Content struct {
	FS   fs.FS
	Name string // shown before file names in problems
	Dir  string // the folder given, "" for the bundled content
}

// ErrBadFolder is returned (wrapped) for a content folder that cannot be
// read.
var ErrBadFolder = errors.New("app: bad content folder")

// ResolveContent is the folder dir, or the bundled content when dir is "".
func ResolveContent(dir string) (Content, error) {
	if dir == "" {
		return Content{FS: faq.Files, Name: "faq"}, nil
	}
	if msg := config.FolderProblem(dir); msg != "" {
		return Content{}, fmt.Errorf("%w: %s", ErrBadFolder, msg)
	}
	return Content{FS: os.DirFS(dir), Name: strings.TrimSuffix(dir, "/"), Dir: dir}, nil
}

// ProblemLine prints a problem with the content folder's name before the
// file.
func (c Content) ProblemLine(p knowledge.Problem) string {
	p.File = c.Name + "/" + p.File
	return p.String()
}

// LintCommand is the command that checks this content.
func (c Content) LintCommand() string {
	if c.Dir == "" {
		return "layanan lint"
	}
	return "layanan lint --faq " + shellQuote(c.Dir)
}

// shellQuote quotes a path for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
