package render

import (
	"strings"
	"testing"
	"unicode/utf16"
)

// fuzzSeeds are the inputs most likely to break the renderer; the corpus
// in testdata/fuzz adds whole FAQ bodies and past crashers.
var fuzzSeeds = []string{
	"",
	"**tebal** *miring* __tebal__ _miring_ `kode` [Lapor](https://www.lapor.go.id/)",
	"## Persyaratan\n- KTP\n- KK\n  1. asli\n\n1. satu\n1. dua",
	"stray * star ** and *** and _ and __ and `",
	"<script>alert(1)</script> & < > \" '",
	"[klik](javascript:alert(1)) [q](https://x.id/?q=\"a\"&b=<c>)",
	"[[LOKAL: alamat kantor]] [[ [ ]] ]] [[",
	"bad \xff\xfe\xc3 utf \xed\xa0\x80",
	"😀👨\u200d👩\u200d👧🇮🇩👍🏽 é",
	"***a** b* _a __b__ c_ **a *b* c** ****x****",
	"https://contoh.go.id/a_(b)_c.) <https://x.id> <tg://resolve?domain=x>",
	"[a [b](https://b.id) c](https://c.id) [](https://d.id) [`x`](https://e.id)",
	"a\\\nb  \nc\r\nd\re\x00f",
	strings.Repeat("kata **tebal** ", 300), // over MaxMessage once rendered
	"**" + strings.Repeat("x ", 2100) + "**",
}

// FuzzRender checks the promise the bot relies on: whatever staff write,
// the parts it sends are valid, within Telegram's limit and not blank.
func FuzzRender(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, markdown string) {
		out := HTML(markdown)
		if err := Valid(out); err != nil {
			t.Fatalf("HTML(%q) = %q: %v", markdown, out, err)
		}
		for i, part := range Split(out, MaxMessage) {
			checkFuzzPart(t, out, i, part, MaxMessage)
		}
	})
}

// FuzzSplit splits rendered HTML with small limits, where every cut is
// forced into tags, entities and emoji.
func FuzzSplit(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint8(i*13))
	}
	f.Fuzz(func(t *testing.T, markdown string, n uint8) {
		limit := 16 + int(n)%185 // 16..200
		out := HTML(markdown)
		parts := Split(out, limit)
		for i, part := range parts {
			checkFuzzPart(t, out, i, part, limit)
		}
		if got, want := squeeze(textOf(strings.Join(parts, ""))), squeeze(textOf(out)); got != want {
			t.Fatalf("Split(%q, %d) changed the text:\n got %q\nwant %q", out, limit, got, want)
		}
	})
}

func checkFuzzPart(t *testing.T, html string, i int, part string, limit int) {
	t.Helper()
	if n := len(utf16.Encode([]rune(part))); n > limit {
		t.Fatalf("part %d of %q is %d UTF-16 units, over %d: %q", i, html, n, limit, part)
	}
	if err := Valid(part); err != nil {
		t.Fatalf("part %d of %q: %v: %q", i, html, err, part)
	}
	if strings.TrimSpace(textOf(part)) == "" {
		t.Fatalf("part %d of %q is blank: %q", i, html, part)
	}
}
