package render

import (
	"html"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
)

func TestSplit(t *testing.T) {
	para := func(words int) string {
		return strings.TrimSpace(strings.Repeat("kata ", words))
	}
	tests := []struct {
		name  string
		html  string
		limit int
		want  []string // nil: only the properties are checked
	}{
		{name: "empty", html: "", limit: MaxMessage, want: []string{}},
		{name: "whitespace only", html: " \n\n\t", limit: MaxMessage, want: []string{}},
		{name: "tags and whitespace only", html: "<b> </b>\n", limit: MaxMessage, want: []string{}},
		{name: "short text is one part", html: "<b>Persyaratan</b>\n• KTP", limit: MaxMessage, want: []string{"<b>Persyaratan</b>\n• KTP"}},
		{name: "exactly the limit", html: "abcde", limit: 5, want: []string{"abcde"}},
		{
			name:  "at blank lines",
			html:  "satu satu\n\ndua dua\n\ntiga",
			limit: 12,
			want:  []string{"satu satu\n\n", "dua dua\n\n", "tiga"},
		},
		{
			name:  "blank line preferred to a later line end",
			html:  "aa\n\nbb\ncc\ndd",
			limit: 11,
			want:  []string{"aa\n\n", "bb\ncc\ndd"},
		},
		{
			name:  "at line ends",
			html:  "• satu\n• dua\n• tiga",
			limit: 14,
			want:  []string{"• satu\n• dua\n", "• tiga"},
		},
		{
			name:  "at spaces",
			html:  "satu dua tiga empat lima",
			limit: 10,
			want:  []string{"satu dua ", "tiga empat", " lima"},
		},
		{
			name:  "anywhere in a long word",
			html:  "abcdefghij",
			limit: 4,
			want:  []string{"abcd", "efgh", "ij"},
		},
		{
			name:  "tags closed and reopened",
			html:  "<b>satu dua tiga</b>",
			limit: 16,
			want:  []string{"<b>satu dua </b>", "<b>tiga</b>"},
		},
		{
			name:  "closing tags stay with their text",
			html:  "<b>satu</b> <i>dua</i>",
			limit: 12,
			want:  []string{"<b>satu</b> ", "<i>dua</i>"},
		},
		{
			name:  "link reopened",
			html:  `<a href="https://x.id">satu dua</a>`,
			limit: 33,
			want:  []string{`<a href="https://x.id">satu </a>`, `<a href="https://x.id">dua</a>`},
		},
		{
			name:  "entity never cut",
			html:  "a&amp;&amp;&amp;",
			limit: 7,
			want:  []string{"a&amp;", "&amp;", "&amp;"},
		},
		{
			name:  "surrogate pairs never cut",
			html:  "😀😀😀",
			limit: 3,
			want:  []string{"😀", "😀", "😀"},
		},
		{
			name:  "emoji sequence kept together",
			html:  "ab👍🏽",
			limit: 5,
			want:  []string{"ab", "👍🏽"},
		},
		{
			name:  "flags kept whole",
			html:  "🇮🇩🇮🇩",
			limit: 6,
			want:  []string{"🇮🇩", "🇮🇩"},
		},
		{
			name:  "whitespace longer than a part is dropped",
			html:  "a" + strings.Repeat(" ", 30) + "b",
			limit: 10,
			want:  []string{"a", "b"},
		},
		{
			name:  "link too long for the limit loses its tag",
			html:  `<a href="https://contoh.go.id/sangat/panjang">Lapor</a> <b>ya</b>`,
			limit: 16,
			want:  []string{"Lapor", " <b>ya</b>"},
		},
		{name: "long paragraphs", html: strings.Repeat(para(300)+"\n\n", 5) + para(300), limit: MaxMessage},
		{name: "one long bold paragraph", html: "<b>" + para(2000) + "</b>", limit: MaxMessage},
		{name: "long bold paragraph with italics and links", html: "<b>" + strings.Repeat(`kata <i>miring</i> <a href="https://x.id/?a=1&amp;b=2">tautan &amp; teks</a> `, 400) + "</b>", limit: MaxMessage},
		{name: "one long word", html: "<i>" + strings.Repeat("x", 10000) + "</i>", limit: MaxMessage},
		{name: "emoji everywhere", html: strings.Repeat("😀👨\u200d👩\u200d👧🇮🇩 ", 2000), limit: MaxMessage},
		{name: "tricky input, small limit", html: `<b>Persyaratan</b>` + "\n" + `• KTP &amp; KK &lt;asli&gt; 😀😀 <a href="https://www.lapor.go.id/">SP4N-LAPOR!</a> <code>*123#</code>` + "\n\n" + `<b><i>tebal miring</i></b> 👨‍👩‍👧 🇮🇩 akhir`, limit: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertValid(t, tt.html)
			parts := Split(tt.html, tt.limit)
			if tt.want != nil && !equalParts(parts, tt.want) {
				t.Errorf("Split(%q, %d)\n got %q\nwant %q", tt.html, tt.limit, parts, tt.want)
			}
			for i, p := range parts {
				assertPart(t, i, p, tt.limit)
			}
			if tt.want == nil && len(parts) < 2 {
				t.Errorf("got %d parts, want the text split", len(parts))
			}
			// Nothing is lost or added: the text of the parts, joined,
			// is the text of the input, whitespace at the cuts aside.
			if got, want := textOf(strings.Join(parts, "")), textOf(tt.html); got != want && squeeze(got) != squeeze(want) {
				t.Errorf("text changed:\n got %.200q\nwant %.200q", got, want)
			}
		})
	}
}

// TestSplitLongBoldParagraph is the case the bot meets most: a single
// long bold paragraph, which must come back as several parts that each
// open and close the bold and together hold exactly the same text.
func TestSplitLongBoldParagraph(t *testing.T) {
	var words []string
	for i := 0; len(strings.Join(words, " ")) < 10000; i++ {
		words = append(words, "kata"+strconv.Itoa(i))
	}
	text := strings.Join(words, " ")[:10000]
	in := "<b>" + text + "</b>"
	parts := Split(in, MaxMessage)
	if len(parts) != 3 {
		t.Errorf("got %d parts, want 3", len(parts))
	}
	for i, p := range parts {
		assertPart(t, i, p, MaxMessage)
		if !strings.HasPrefix(p, "<b>") || !strings.HasSuffix(p, "</b>") || strings.Count(p, "<b>") != 1 || strings.Count(p, "</b>") != 1 {
			t.Errorf("part %d is not one bold run: %.40q...%.40q", i, p, p[max(0, len(p)-40):])
		}
	}
	if got := textOf(strings.Join(parts, "")); got != text {
		t.Errorf("joined text differs from the original (got %d bytes, want %d)", len(got), len(text))
	}
}

func TestSplitPanicsOnNonPositiveLimit(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Split with limit 0 did not panic")
		}
	}()
	Split("x", 0)
}

// assertPart checks what every part must be: within the limit, valid,
// not blank.
func assertPart(t *testing.T, i int, part string, limit int) {
	t.Helper()
	if n := len(utf16.Encode([]rune(part))); n > limit {
		t.Errorf("part %d is %d UTF-16 units, over the limit %d", i, n, limit)
	}
	if err := Valid(part); err != nil {
		t.Errorf("part %d: %v in %.300q", i, err, part)
	}
	if strings.TrimSpace(textOf(part)) == "" {
		t.Errorf("part %d has no text: %q", i, part)
	}
}

// textOf is the text Telegram shows for HTML: tags removed, entities
// decoded. It is written independently of the package's own scanner.
func textOf(s string) string {
	var b strings.Builder
	inTag, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inTag && quote != 0:
			if c == quote {
				quote = 0
			}
		case inTag && (c == '"' || c == '\''):
			quote = c
		case inTag:
			inTag = c != '>'
		case c == '<':
			inTag = true
		default:
			b.WriteByte(c)
		}
	}
	return html.UnescapeString(b.String())
}

// squeeze drops whitespace, which Split may drop at a cut.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func equalParts(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

func BenchmarkSplit(b *testing.B) {
	body, err := os.ReadFile("testdata/paspor-baru.md")
	if err != nil {
		b.Fatal(err)
	}
	html := HTML(strings.Repeat(string(body)+"\n\n", 4)) // about 12,000 characters
	b.SetBytes(int64(len(html)))
	b.ReportAllocs()
	for b.Loop() {
		if len(Split(html, MaxMessage)) < 3 {
			b.Fatal("not split")
		}
	}
}

func TestOneMessage(t *testing.T) {
	if html, fits := OneMessage("**Perekaman KTP-el** hari Sabtu"); !fits || html != "<b>Perekaman KTP-el</b> hari Sabtu" {
		t.Errorf("short: %q %v", html, fits)
	}
	if _, fits := OneMessage(strings.Repeat("Teks pengumuman yang panjang. ", 200)); fits {
		t.Error("6,000 characters fit in one message")
	}
}
