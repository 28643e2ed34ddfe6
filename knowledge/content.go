package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/layanan-id/layanan/knowledge/analysis"
	"github.com/layanan-id/layanan/knowledge/local"
)

// File names inside a content folder.
const (
	CategoriesFile = "categories.yaml"
	SynonymsFile   = "synonyms.txt"
)

// DefaultCategoryID is the category of entries whose category is not
// declared, so a bare folder of entries still loads and answers.
const DefaultCategoryID = "lainnya"

// MinQuestions is how many example questions an entry needs.
const MinQuestions = 3

// Entry is one FAQ answer: a public-service procedure.
type Entry struct {
	ID         string
	Title      string
	Category   string // a declared category id, or DefaultCategoryID
	Questions  []string
	Keywords   []string
	Fee        string
	Duration   string
	Where      string
	LegalBasis string
	Source     string
	Updated    time.Time
	Body       string // Markdown
	File       string // path inside the content folder
	// Offices are the office ids the entry refers to ([[kantor: id]]),
	// in order; the deployment's lokal.yaml says where they are.
	Offices []string

	updatedLine int // where updated is written, for problems about it
}

// Category groups entries in menus.
type Category struct {
	ID     string
	Name   string
	NameEn string
	Order  int
}

// Problem is something wrong in the content, at a file and line (line 0
// when it concerns the whole file).
type Problem struct {
	File    string
	Line    int
	Message string
	// Fatal is true when the problem left an entry out: the file could not
	// be read as an entry, or its id was taken. A reload refuses content
	// with fatal problems and keeps the last good content live.
	Fatal bool
	// Warning is true for something staff should look at that is not an
	// error (an entry not reviewed for a year); lint still exits 0.
	Warning bool
}

func (p Problem) String() string {
	msg := p.Message
	if p.Warning {
		msg = "peringatan: " + msg
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, msg)
	}
	return fmt.Sprintf("%s: %s", p.File, msg)
}

// StaleAfter is how long an entry may go without review: one whose
// updated date is older is listed as "perlu ditinjau".
const StaleAfter = 365 * 24 * time.Hour

// CheckDates returns the problems of the entries' updated dates on day
// now: a date in the future is an error, a date older than StaleAfter a
// warning.
func (c *Content) CheckDates(now time.Time) []Problem {
	var out []Problem
	today := now.Truncate(24 * time.Hour)
	for _, e := range c.Entries {
		switch {
		case e.Updated.IsZero():
		case e.Updated.After(today.Add(24 * time.Hour)):
			out = append(out, Problem{File: e.File, Line: e.updatedLine, Message: fmt.Sprintf("tanggal updated %s ada di masa depan", e.Updated.Format(time.DateOnly))})
		case now.Sub(e.Updated) > StaleAfter:
			out = append(out, Problem{File: e.File, Line: e.updatedLine, Warning: true, Message: fmt.Sprintf("perlu ditinjau: terakhir diperbarui %s, lebih dari setahun lalu", e.Updated.Format(time.DateOnly))})
		}
	}
	return out
}

// Stale returns the entries whose updated date is older than StaleAfter on
// day now.
func (c *Content) Stale(now time.Time) []*Entry {
	var out []*Entry
	for i := range c.Entries {
		if e := &c.Entries[i]; !e.Updated.IsZero() && now.Sub(e.Updated) > StaleAfter {
			out = append(out, e)
		}
	}
	return out
}

// Content is everything loaded from a content folder.
type Content struct {
	Entries    []Entry    // sorted by ID; only entries that could be read
	Categories []Category // declared ones by Order, then DefaultCategoryID if used
	Synonyms   [][]string // the folder's synonym groups, canonical term first
	Problems   []Problem  // every problem found, by file and line
	// Placeholders are the local data the content leaves unfilled, by
	// file and line; the entries show them as a neutral phrase.
	Placeholders []Placeholder
	// Local is the deployment's own data from lokal.yaml; without the
	// file it has no offices and the national calendar.
	Local *local.Data
}

// Fatal returns the problems that left an entry out.
func (c *Content) Fatal() []Problem {
	var out []Problem
	for _, p := range c.Problems {
		if p.Fatal {
			out = append(out, p)
		}
	}
	return out
}

// Entry returns the entry with the given id.
func (c *Content) Entry(id string) (*Entry, bool) {
	i, ok := slices.BinarySearchFunc(c.Entries, id, func(e Entry, id string) int { return strings.Compare(e.ID, id) })
	if !ok {
		return nil, false
	}
	return &c.Entries[i], true
}

// WithExamples returns a copy of the content in which every entry keeps
// at most its first n example questions (all when n ≤ 0): to see how the
// content does with fewer examples.
func (c *Content) WithExamples(n int) *Content {
	out := *c
	out.Entries = slices.Clone(c.Entries)
	if n <= 0 {
		return &out
	}
	for i := range out.Entries {
		qs := out.Entries[i].Questions
		out.Entries[i].Questions = slices.Clone(qs[:min(n, len(qs))])
	}
	return &out
}

// Category returns the category with the given id.
func (c *Content) Category(id string) (Category, bool) {
	for _, cat := range c.Categories {
		if cat.ID == id {
			return cat, true
		}
	}
	return Category{}, false
}

// ErrNoEntries is returned by Load when a folder holds no readable entry.
var ErrNoEntries = errors.New("no FAQ entries")

// Load reads a content folder: every *.md file (README.md excepted, in any
// folder below the root) is an entry; categories.yaml and synonyms.txt at the
// root are optional. A broken file never stops the load: it is left out and
// described in Content.Problems with its file and line. Load returns an
// error only when the folder cannot be read, or ErrNoEntries (wrapped) when
// not one entry could be read.
func Load(fsys fs.FS) (*Content, error) {
	c := &Content{}
	declared, err := loadCategories(fsys, c)
	if err != nil {
		return nil, err
	}
	if err := loadLocal(fsys, c); err != nil {
		return nil, err
	}
	if err := loadSynonyms(fsys, c); err != nil {
		return nil, err
	}
	var files []string
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.EqualFold(path.Ext(p), ".md") && !strings.EqualFold(d.Name(), "README.md") && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("knowledge: list content: %w", err)
	}
	slices.Sort(files)
	seen := make(map[string]string) // id → file
	usedDefault := false
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("knowledge: read %s: %w", name, err)
		}
		e, problems := parseEntry(name, data, c.Local)
		if e == nil && len(problems) > 0 {
			problems[len(problems)-1].Fatal = true
		}
		c.Problems = append(c.Problems, problems...)
		if e == nil {
			continue
		}
		if first, dup := seen[e.ID]; dup {
			c.Problems = append(c.Problems, Problem{File: name, Line: e.line("id"), Message: fmt.Sprintf("id %q ganda, sudah dipakai %s; berkas ini diabaikan", e.ID, first), Fatal: true})
			continue
		}
		seen[e.ID] = name
		if _, ok := declared[e.Category]; !ok {
			msg := fmt.Sprintf("kategori %q tidak dikenal", e.Category)
			if e.Category == "" {
				msg = "category belum diisi"
			}
			if len(declared) == 0 {
				msg += fmt.Sprintf(" (tidak ada %s yang mendaftarkan kategori)", CategoriesFile)
			} else {
				if near := nearestID(e.Category, sortedKeys(declared)); near != "" {
					msg += fmt.Sprintf("; mungkin maksudnya %q", near)
				}
				msg += fmt.Sprintf("; yang terdaftar di %s: %s", CategoriesFile, strings.Join(sortedKeys(declared), ", "))
			}
			c.Problems = append(c.Problems, Problem{File: name, Line: e.line("category"), Message: msg + "; entri ditampilkan di kategori " + DefaultCategoryID})
			e.Category = DefaultCategoryID
			usedDefault = true
		}
		e.Entry.updatedLine = e.line("updated")
		c.Entries = append(c.Entries, e.Entry)
		for _, p := range e.placeholders {
			if !p.Known {
				c.Placeholders = append(c.Placeholders, p)
			}
		}
	}
	c.checkServices(declared)
	if usedDefault {
		c.Categories = append(c.Categories, Category{ID: DefaultCategoryID, Name: "Lainnya", NameEn: "Other", Order: 1 << 30})
	}
	slices.SortFunc(c.Entries, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	// In file and line order, as staff read them; side files (categories,
	// synonyms) first.
	c.Problems = SortProblems(c.Problems)
	if len(c.Entries) == 0 {
		return c, fmt.Errorf("knowledge: load: %w (%d problems)", ErrNoEntries, len(c.Problems))
	}
	return c, nil
}

// SortProblems orders problems as staff read them: the side files
// (categories, synonyms) first, then by file and line.
func SortProblems(ps []Problem) []Problem {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.File != b.File {
			return compareFiles(a.File, b.File)
		}
		return a.Line - b.Line
	})
	return ps
}

// compareFiles orders the side files before the entries, then by path.
func compareFiles(a, b string) int {
	side := func(f string) int {
		if f == CategoriesFile || f == SynonymsFile || f == local.FileName {
			return 0
		}
		return 1
	}
	if d := side(a) - side(b); d != 0 {
		return d
	}
	return strings.Compare(a, b)
}

// nearestID returns the id in ids closest to s in edit distance, when it
// is close enough to be a slip (at most a third of its letters), or "".
func nearestID(s string, ids []string) string {
	best, bestDist := "", len(s)/3+1
	for _, id := range ids {
		if d := analysis.EditDistance(s, id, bestDist); d < bestDist {
			best, bestDist = id, d
		}
	}
	return best
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// parsedEntry is an Entry with the front-matter line of each field, for
// problems found after parsing.
type parsedEntry struct {
	Entry
	lines        map[string]int
	placeholders []Placeholder
}

func (e *parsedEntry) line(field string) int { return e.lines[field] }

// parseEntry parses one entry file. It returns nil when the file cannot be
// used at all (no front matter, YAML syntax error, no id), and the problems
// found either way. Problems that do not prevent answering (too few
// questions, a missing source) come with a usable entry.
func parseEntry(name string, data []byte, loc *local.Data) (*parsedEntry, []Problem) {
	var problems []Problem
	report := func(line int, format string, args ...any) {
		problems = append(problems, Problem{File: name, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if !utf8.Valid(data) {
		report(firstInvalidUTF8Line(data), "bukan teks UTF-8 yang sah; simpan berkas sebagai UTF-8")
		return nil, problems
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	front, body, bodyLine, ok := splitFrontMatter(text)
	if !ok {
		report(1, "front matter tidak ada: berkas harus diawali baris \"---\", lalu kolom YAML, lalu baris \"---\"")
		return nil, problems
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(front), &doc); err != nil {
		line, msg := yamlErrorLine(err)
		report(line+1, "YAML rusak: %s", msg)
		return nil, problems
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		report(2, "front matter harus berupa kolom YAML (nama: isi)")
		return nil, problems
	}
	e := &parsedEntry{lines: make(map[string]int)}
	e.File = name
	e.Body = strings.TrimSpace(body)
	m := doc.Content[0]
	seenKeys := make(map[string]bool)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := k.Line + 1 // front matter starts on the file's second line
		if seenKeys[k.Value] {
			report(line, "kolom %q muncul dua kali", k.Value)
			continue
		}
		seenKeys[k.Value] = true
		e.lines[k.Value] = line
		var err error
		switch k.Value {
		case "id":
			e.ID, err = scalar(v)
		case "title":
			e.Title, err = scalar(v)
		case "category":
			e.Category, err = scalar(v)
		case "questions":
			e.Questions, err = stringList(v)
		case "keywords":
			e.Keywords, err = stringList(v)
		case "fee":
			e.Fee, err = scalar(v)
		case "duration":
			e.Duration, err = scalar(v)
		case "where":
			e.Where, err = scalar(v)
		case "legal_basis":
			e.LegalBasis, err = scalar(v)
		case "source":
			e.Source, err = scalar(v)
		case "updated":
			var s string
			if s, err = scalar(v); err == nil {
				if e.Updated, err = time.Parse(time.DateOnly, s); err != nil {
					err = fmt.Errorf("%q bukan tanggal seperti 2026-11-01", s)
				}
			}
		default:
			report(line, "kolom %q tidak dikenal (yang dikenal: id, title, category, questions, keywords, fee, duration, where, legal_basis, source, updated)", k.Value)
		}
		if err != nil {
			report(v.Line+1, "kolom %q: %v", k.Value, err)
		}
	}
	switch {
	case e.ID == "":
		report(1, "id tidak ada: tambahkan baris \"id: nama-entri\" di front matter; berkas ini diabaikan")
		return nil, problems
	case !slugRE.MatchString(e.ID):
		report(e.line("id"), "id %q hanya boleh huruf kecil, angka, dan tanda hubung tunggal (seperti ktp-el-baru); berkas ini diabaikan", e.ID)
		return nil, problems
	}
	if e.Title == "" {
		report(1, "title tidak ada")
		e.Title = e.ID
	}
	if n := len(e.Questions); n < MinQuestions {
		report(lineOr(e.line("questions"), 1), "baru %d contoh pertanyaan; minimal %d", n, MinQuestions)
	}
	if e.Updated.IsZero() && e.line("updated") == 0 {
		report(1, "tanggal updated tidak ada (contoh: updated: 2026-11-01)")
	}
	if e.Source == "" {
		report(lineOr(e.line("source"), 1), "source tidak ada (alamat web resmi)")
	} else if !strings.HasPrefix(e.Source, "https://") && !strings.HasPrefix(e.Source, "http://") {
		report(e.line("source"), "source %q bukan alamat web (http:// atau https://)", e.Source)
	}
	if e.Body == "" {
		report(bodyLine, "isi kosong: tulis persyaratan dan langkah di bawah front matter")
	}
	// Unfilled local data: citizens read a neutral phrase, never brackets.
	e.placeholders = findPlaceholders(name, text, loc)
	for _, p := range e.placeholders {
		if (p.Kind == PlaceholderOffice || p.Kind == PlaceholderHours) && p.Name != "" && !slices.Contains(e.Offices, p.Name) {
			e.Offices = append(e.Offices, p.Name)
		}
	}
	for _, f := range []*string{&e.Title, &e.Fee, &e.Duration, &e.Where, &e.LegalBasis, &e.Body} {
		*f = FillPlaceholders(*f, loc)
	}
	return e, problems
}

func lineOr(line, fallback int) int {
	if line > 0 {
		return line
	}
	return fallback
}

// splitFrontMatter separates "---\nYAML\n---\nbody". bodyLine is the file
// line on which the body starts.
func splitFrontMatter(text string) (front, body string, bodyLine int, ok bool) {
	if !strings.HasPrefix(text, "---\n") && text != "---" {
		return "", "", 0, false
	}
	rest := strings.TrimPrefix(text, "---\n")
	lines := strings.SplitAfter(rest, "\n")
	for i, l := range lines {
		if strings.TrimRight(l, " \t\n") == "---" {
			front = strings.Join(lines[:i], "")
			body = strings.Join(lines[i+1:], "")
			return front, body, i + 3, true
		}
	}
	return "", "", 0, false
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorLine extracts the 1-based line from a yaml.v3 syntax error, and
// its message with what staff should do about it.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	for _, h := range yamlHints {
		if strings.Contains(msg, h.contains) {
			return line, h.hint + " (" + msg + ")"
		}
	}
	return line, msg
}

// yamlHints explain the YAML errors staff meet most, in their words. An
// unquoted ": " is the commonest: every [[LOKAL: ...]] placeholder has one.
var yamlHints = []struct{ contains, hint string }{
	{"mapping values are not allowed", `ada ": " di dalam isi kolom; apit seluruh isinya dengan tanda kutip ganda, misalnya where: "Kantor camat. [[LOKAL: alamat]]"`},
	{"did not find expected key", `susunan kolom tidak terbaca; periksa indentasi, atau apit isi yang memuat ": " atau "#" dengan tanda kutip ganda`},
	{"tab character", "indentasi memakai tab; pakai spasi"},
	{"found character that cannot start any token", "ada karakter yang tidak boleh mengawali isi (misalnya tab, @ atau `); apit isinya dengan tanda kutip ganda"},
	{"did not find expected '-' indicator", `butir daftar tidak sejajar; setiap butir diawali "  - " dengan indentasi yang sama`},
	{"could not find expected ':'", `ada baris tanpa ": "; setiap kolom ditulis nama: isi`},
	{"found unknown escape character", `ada garis miring terbalik (\) di dalam tanda kutip ganda; tulis \\ atau pakai tanda kutip tunggal`},
}

func firstInvalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errors.New("harus satu nilai, bukan daftar atau peta")
	}
	return strings.TrimSpace(n.Value), nil
}

func stringList(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		if strings.TrimSpace(n.Value) == "" {
			return nil, nil
		}
		return nil, errors.New("harus daftar: satu \"- butir\" per baris, atau [a, b]")
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errors.New("harus daftar teks")
	}
	var out []string
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("baris %d: harus teks, bukan daftar atau peta", item.Line+1)
		}
		if s := strings.TrimSpace(item.Value); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// categoryFile is the YAML shape of one category.
type categoryFile struct {
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	NameEn string `yaml:"name_en"`
	Order  int    `yaml:"order"`
}

func loadCategories(fsys fs.FS, c *Content) (map[string]Category, error) {
	declared := make(map[string]Category)
	data, err := fs.ReadFile(fsys, CategoriesFile)
	if errors.Is(err, fs.ErrNotExist) {
		return declared, nil
	}
	if err != nil {
		return nil, fmt.Errorf("knowledge: read %s: %w", CategoriesFile, err)
	}
	report := func(line int, format string, args ...any) {
		c.Problems = append(c.Problems, Problem{File: CategoriesFile, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		report(line, "YAML rusak: %s; tidak ada kategori yang terdaftar", msg)
		return declared, nil
	}
	if len(doc.Content) == 0 {
		return declared, nil
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		report(list.Line, "harus daftar kategori, masing-masing dengan id, name, name_en, dan order")
		return declared, nil
	}
	for _, item := range list.Content {
		var cf categoryFile
		dec := item.Decode(&cf)
		switch {
		case dec != nil:
			report(item.Line, "kategori: %v", dec)
		case !slugRE.MatchString(cf.ID):
			report(item.Line, "id kategori %q hanya boleh huruf kecil, angka, dan tanda hubung tunggal", cf.ID)
		case cf.Name == "":
			report(item.Line, "kategori %q tidak punya name", cf.ID)
		default:
			if _, dup := declared[cf.ID]; dup {
				report(item.Line, "id kategori %q ganda", cf.ID)
				continue
			}
			cat := Category{ID: cf.ID, Name: cf.Name, NameEn: cf.NameEn, Order: cf.Order}
			if cat.NameEn == "" {
				cat.NameEn = cat.Name
			}
			declared[cf.ID] = cat
			c.Categories = append(c.Categories, cat)
		}
	}
	slices.SortStableFunc(c.Categories, func(a, b Category) int { return a.Order - b.Order })
	return declared, nil
}

func loadSynonyms(fsys fs.FS, c *Content) error {
	data, err := fs.ReadFile(fsys, SynonymsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("knowledge: read %s: %w", SynonymsFile, err)
	}
	if !utf8.Valid(data) {
		c.Problems = append(c.Problems, Problem{File: SynonymsFile, Line: firstInvalidUTF8Line(data), Message: "bukan teks UTF-8 yang sah; sinonim diabaikan"})
		return nil
	}
	for i, line := range strings.Split(string(data), "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		group := analysis.ParseSynonymGroup(line)
		if len(group) < 2 {
			c.Problems = append(c.Problems, Problem{File: SynonymsFile, Line: i + 1, Message: "satu baris sinonim perlu minimal dua istilah dipisah koma (istilah utama di depan)"})
			continue
		}
		c.Synonyms = append(c.Synonyms, group)
	}
	return nil
}

// loadLocal reads lokal.yaml, when the folder has one.
func loadLocal(fsys fs.FS, c *Content) error {
	data, err := fs.ReadFile(fsys, local.FileName)
	if errors.Is(err, fs.ErrNotExist) {
		c.Local, _ = local.Parse(nil)
		return nil
	}
	if err != nil {
		return fmt.Errorf("knowledge: read %s: %w", local.FileName, err)
	}
	loc, problems := local.Parse(data)
	c.Local = loc
	for _, p := range problems {
		c.Problems = append(c.Problems, Problem{File: local.FileName, Line: p.Line, Message: p.Message, Fatal: p.Fatal})
	}
	return nil
}

// checkServices reports office services that name no entry and no
// category.
func (c *Content) checkServices(declared map[string]Category) {
	known := make(map[string]bool, len(c.Entries)+len(declared))
	for _, e := range c.Entries {
		known[e.ID] = true
	}
	for id := range declared {
		known[id] = true
	}
	for _, o := range c.Local.Offices {
		for _, s := range o.Services {
			if known[s] {
				continue
			}
			msg := fmt.Sprintf("kantor %q: layanan %q bukan id entri atau kategori", o.ID, s)
			if near := nearestID(s, sortedKeys(known)); near != "" {
				msg += fmt.Sprintf("; mungkin maksudnya %q", near)
			}
			c.Problems = append(c.Problems, Problem{File: local.FileName, Line: max(o.ServicesLine, o.Line), Message: msg})
		}
	}
}
