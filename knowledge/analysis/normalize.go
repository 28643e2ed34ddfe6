package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tokenize normalises text and splits it into lowercase word tokens:
// invalid UTF-8 is dropped, Unicode is folded with NFKC and lowercased,
// anything that is not a letter or digit separates words (so "ktp-el"
// gives "ktp", "el"), apostrophes inside words vanish ("jum'at" → "jumat"),
// runs of three or more identical letters collapse to one ("syaraaat" →
// "syarat"), the "2" of written reduplication is dropped ("anak2" →
// "anak") and a word repeated back to back is kept once ("anak-anak" →
// "anak").
func Tokenize(text string) []string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, " ")
	}
	if !isASCII(text) {
		text = norm.NFKC.String(text)
	}
	var (
		tokens []string
		word   []rune
	)
	flush := func() {
		if len(word) == 0 {
			return
		}
		tok := finishWord(word)
		word = word[:0]
		if tok == "" {
			return
		}
		if n := len(tokens); n > 0 && tokens[n-1] == tok {
			return
		}
		tokens = append(tokens, tok)
	}
	runes := []rune(text)
	for i, r := range runes {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = append(word, unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r):
			// Combining marks left after NFKC belong to the letter before.
		case isApostrophe(r) && len(word) > 0 && i+1 < len(runes) && unicode.IsLetter(runes[i+1]):
			// Inside a word: "jum'at", "qur'an".
		default:
			flush()
		}
	}
	flush()
	return tokens
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == '`' || r == 'ʼ'
}

// finishWord applies the letter-level rules to one word.
func finishWord(word []rune) string {
	// Reduplication written with a trailing 2: "anak2", "syarat2".
	if n := len(word); n >= 4 && word[n-1] == '2' && allLetters(word[:n-1]) {
		word = word[:n-1]
	}
	out := make([]rune, 0, len(word))
	for i := 0; i < len(word); {
		j := i
		for j < len(word) && word[j] == word[i] {
			j++
		}
		run := j - i
		if run >= 3 && unicode.IsLetter(word[i]) {
			run = 1
		}
		for k := 0; k < run; k++ {
			out = append(out, word[i])
		}
		i = j
	}
	return string(out)
}

func allLetters(rs []rune) bool {
	for _, r := range rs {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
