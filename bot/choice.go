package bot

import (
	"strings"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

// ordinalWords are the ways a citizen names one of the offered
// suggestions by its place ("yg pertama", "nomor 2", "the second").
var ordinalWords = map[string]int{
	"1": 1, "satu": 1, "pertama": 1, "first": 1, "one": 1,
	"2": 2, "dua": 2, "kedua": 2, "second": 2, "two": 2,
	"3": 3, "tiga": 3, "ketiga": 3, "third": 3, "three": 3,
}

// choiceFillers may stand around the ordinal ("yang pertama aja min").
var choiceFillers = map[string]bool{
	"yg": true, "yang": true, "nomor": true, "no": true, "nmr": true, "pilih": true, "pilihan": true,
	"aja": true, "saja": true, "deh": true, "dong": true, "ya": true, "min": true, "kak": true,
	"the": true, "number": true, "option": true, "itu": true,
}

// ordinalChoice reads a message that only picks the n-th suggestion.
func ordinalChoice(text string) (int, bool) {
	tokens := analysis.Tokenize(text)
	if len(tokens) == 0 || len(tokens) > 5 {
		return 0, false
	}
	n := 0
	for _, t := range tokens {
		if k, ok := ordinalWords[t]; ok {
			if n != 0 && n != k {
				return 0, false
			}
			n = k
			continue
		}
		if !choiceFillers[t] {
			return 0, false
		}
	}
	return n, n > 0
}

// languageArg reads "/bahasa english", "/bahasa en", "/bahasa indonesia".
func languageArg(args string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(args)) {
	case "en", "english", "inggris", "bahasa inggris":
		return LangEN, true
	case "id", "indonesia", "indonesian", "bahasa indonesia":
		return LangID, true
	}
	return "", false
}
