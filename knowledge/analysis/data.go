package analysis

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// dataFS holds the word lists that linguists and staff edit as text files.
// They are compiled in so the binary needs nothing on disk to analyse text.
//
//go:embed data/*.txt
var dataFS embed.FS

// readWordList returns the non-empty, non-comment lines of an embedded data
// file, trimmed. A '#' starts a comment that runs to the end of the line.
func readWordList(name string) ([]string, error) {
	return readLines(dataFS, "data/"+name)
}

// readLines reads the non-empty, non-comment lines of a text file in fsys.
func readLines(fsys fs.FS, name string) ([]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("analysis: open %s: %w", name, err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("analysis: read %s: %w", name, err)
	}
	return lines, nil
}
