package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/layanan-id/layanan/internal/app"
	"github.com/layanan-id/layanan/internal/config"
	"github.com/layanan-id/layanan/knowledge"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and found problems, or failed
	exitUsage   = 2 // the command line or configuration is wrong
)

const usage = `layanan — asisten layanan publik (Layanan public-service assistant)

Pemakaian / usage:
  layanan chat
  layanan serve
  layanan broadcast --file PENGUMUMAN.md [--topic KATEGORI] [--follow]
  layanan report unanswered|feedback|comments|examples [--since 7d] [--format table|csv]
  layanan konsol-link --user ID
  layanan health
  layanan ask  [--faq DIR] [--top N] [--json] [--explain] [PERTANYAAN...]
  layanan lint [--faq DIR]
  layanan eval [--faq DIR] [--questions FILE] [--baseline] [--examples N]
  layanan eval --self [--faq DIR] [--examples N]
  layanan version

Perintah / commands:
  chat   coba bot di terminal (tanpa token Telegram)
  serve  jalankan bot Telegram (pengaturan dari variabel lingkungan)
  broadcast  antrekan siaran pengumuman untuk bot yang berjalan
  report     laporan untuk petugas: pertanyaan tak terjawab (dikelompokkan), suara 👍/👎 per entri
  konsol-link  cetak tautan masuk konsol staf (berlaku 10 menit, sekali pakai)
  health     periksa /healthz server yang berjalan (untuk HEALTHCHECK)
  ask    jawab pertanyaan (dari argumen, atau satu per baris dari stdin)
  lint   periksa semua konten FAQ
  eval   ukur ketepatan pencarian pada kumpulan pertanyaan, atau uji-diri konten (--self)
  version  cetak versi dan commit

--faq DIR: folder konten (bawaan: konten faq/ yang dibundel; juga FAQ_DIR).
Jalankan "layanan PERINTAH --help" untuk rinciannya.
`

// env looks up an environment variable; tests pass their own.
type env func(string) string

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

// run is the program: it returns the exit status.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "--version":
		name = "version"
	}
	cmd, ok := subcommands()[name]
	if !ok {
		fmt.Fprintf(stderr, "layanan: perintah tidak dikenal %q (unknown command)\n\n%s", name, usage)
		return exitUsage
	}
	return exitStatus(cmd(ctx, rest, getenv, stdin, stdout, stderr), name, stderr)
}

// subcommand runs one `layanan` command.
type subcommand func(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error

// subcommands are the commands by name.
func subcommands() map[string]subcommand {
	return map[string]subcommand{
		"ask": runAsk,
		"lint": func(_ context.Context, args []string, getenv env, _ io.Reader, stdout, stderr io.Writer) error {
			return runLint(args, getenv, time.Now, stdout, stderr)
		},
		"eval": func(ctx context.Context, args []string, getenv env, _ io.Reader, stdout, stderr io.Writer) error {
			return runEval(ctx, args, getenv, stdout, stderr)
		},
		"serve": func(ctx context.Context, args []string, getenv env, _ io.Reader, _, stderr io.Writer) error {
			return runServe(ctx, args, getenv, stderr)
		},
		"chat": runChat,
		"broadcast": func(ctx context.Context, args []string, getenv env, _ io.Reader, stdout, stderr io.Writer) error {
			return runBroadcast(ctx, args, getenv, stdout, stderr)
		},
		"report": func(ctx context.Context, args []string, getenv env, _ io.Reader, stdout, stderr io.Writer) error {
			return runReport(ctx, args, getenv, stdout, stderr)
		},
		"konsol-link": func(ctx context.Context, args []string, getenv env, _ io.Reader, stdout, stderr io.Writer) error {
			return runKonsolLink(ctx, args, getenv, stdout, stderr)
		},
		"health": func(ctx context.Context, args []string, getenv env, _ io.Reader, _, stderr io.Writer) error {
			return runHealth(ctx, args, getenv, stderr)
		},
		"version": func(_ context.Context, args []string, _ env, _ io.Reader, stdout, stderr io.Writer) error {
			return runVersion(args, stdout, stderr)
		},
	}
}

// exitStatus reports a command's error on stderr (once) and returns the
// exit status it means.
func exitStatus(err error, name string, stderr io.Writer) int {
	var cfgErr *config.Error
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		// The marker only selects the exit status; the message is the rest.
		fmt.Fprintf(stderr, "layanan %s: %s\n", name, strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return exitUsage
	case errors.As(err, &cfgErr):
		// Configuration found not to work while starting (a token
		// Telegram rejects): a usage error naming the variable.
		fmt.Fprintf(stderr, "layanan %s: %v\n", name, err)
		return exitUsage
	case errors.Is(err, errFound):
		return exitFailure // the command already printed what it found
	default:
		fmt.Fprintf(stderr, "layanan %s: %v\n", name, err)
		return exitFailure
	}
}

// errFound: the command printed problems and must exit 1.
var errFound = errors.New("problems found")

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer, help string) *flag.FlagSet {
	fs := flag.NewFlagSet("layanan "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n", help)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(stderr, "\nOpsi / flags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args, wrapping a bad flag as a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// resolveContent picks --faq, then FAQ_DIR, then the bundled content.
func resolveContent(flagDir string, getenv env) (app.Content, error) {
	dir := flagDir
	if dir == "" {
		dir = getenv("FAQ_DIR")
	}
	src, err := app.ResolveContent(dir)
	if err != nil {
		return src, fmt.Errorf("%w: %s", errUsage, strings.TrimPrefix(err.Error(), app.ErrBadFolder.Error()+": "))
	}
	return src, nil
}

// loadIndex loads content and builds its index, warning on stderr when the
// content has problems.
func loadIndex(ctx context.Context, src app.Content, stderr io.Writer) (*knowledge.Index, error) {
	return loadIndexWith(ctx, src, stderr, nil)
}

// loadIndexWith is loadIndex with the content changed by adapt (when not
// nil) before the index is built.
func loadIndexWith(ctx context.Context, src app.Content, stderr io.Writer, adapt func(*knowledge.Content) *knowledge.Content) (*knowledge.Index, error) {
	c, err := knowledge.Load(src.FS)
	if err != nil {
		if c != nil {
			for _, p := range c.Problems {
				fmt.Fprintln(stderr, src.ProblemLine(p))
			}
		}
		return nil, fmt.Errorf("muat konten %s: %w", src.Name, err)
	}
	if n := len(c.Problems); n > 0 {
		fmt.Fprintf(stderr, "peringatan: %d masalah di konten %s; jalankan \"%s\" untuk rinciannya\n", n, src.Name, src.LintCommand())
	}
	if adapt != nil {
		c = adapt(c)
	}
	ix, err := knowledge.Build(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("bangun indeks: %w", err)
	}
	return ix, nil
}

// buildIndexAt builds the index of FAQ_DIR (dir), or of the bundled
// content when dir is "".
func buildIndexAt(ctx context.Context, dir string, log *slog.Logger) (*knowledge.Index, error) {
	src, err := resolveContent(dir, func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	return app.BuildIndex(ctx, src, log)
}
