package bot

import (
	"fmt"
	"strings"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

// kindLine is one "kind: words" line of an embedded word list, its words
// normalised.
type kindLine struct {
	kind  string
	words []string
}

// readKindLines reads a word list of "kind: words" lines; '#' starts a
// comment. file names it in errors.
func readKindLines(data, file string) ([]kindLine, error) {
	var out []kindLine
	for i, line := range strings.Split(data, "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		kind, words, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(kind) == "" {
			return nil, fmt.Errorf("bot: %s line %d: want \"kind: words\"", file, i+1)
		}
		out = append(out, kindLine{strings.TrimSpace(kind), analysis.Tokenize(words)})
	}
	return out, nil
}
