package bot

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

//go:embed language.txt
var languageData string

// languageGuesser tells an English message from an Indonesian one by its
// function words (language.txt).
type languageGuesser struct {
	en, id map[string]bool
}

func loadLanguageGuesser() (*languageGuesser, error) {
	g := &languageGuesser{en: map[string]bool{}, id: map[string]bool{}}
	for i, line := range strings.Split(languageData, "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		lang, words, ok := strings.Cut(line, ":")
		set := map[string]map[string]bool{"en": g.en, "id": g.id}[strings.TrimSpace(lang)]
		if !ok || set == nil {
			return nil, fmt.Errorf("bot: language.txt line %d: want \"en: words\" or \"id: words\"", i+1)
		}
		for _, w := range analysis.Tokenize(words) {
			set[w] = true
		}
	}
	return g, nil
}

// english reports whether text is written in English.
func (g *languageGuesser) english(text string) bool {
	var en, id int
	for _, w := range analysis.Tokenize(text) {
		switch {
		case g.en[w]:
			en++
		case g.id[w]:
			id++
		}
	}
	return en >= 2 && en > id
}
