package render

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestHTML(t *testing.T) {
	tests := []struct {
		name, markdown, want string
	}{
		// Blocks.
		{"empty", "", ""},
		{"blank lines only", "\n \n\t\n", ""},
		{"paragraph", "Satu paragraf.", "Satu paragraf."},
		{"paragraphs", "Satu.\n\n\nDua.", "Satu.\n\nDua."},
		{"soft line break is a space", "baris satu\nbaris dua", "baris satu baris dua"},
		{"hard line breaks", "dua spasi  \nbackslash\\\nakhir", "dua spasi\nbackslash\nakhir"},
		{"heading", "## Persyaratan", "<b>Persyaratan</b>"},
		{"heading levels", "# Satu\n### Tiga\n###### Enam", "<b>Satu</b>\n\n<b>Tiga</b>\n\n<b>Enam</b>"},
		{"heading keeps its content close", "## Langkah\nDatang ke kantor.\n\nSelesai.", "<b>Langkah</b>\nDatang ke kantor.\n\nSelesai."},
		{"heading closing hashes", "## Catatan ##", "<b>Catatan</b>"},
		{"heading with bold inside", "## Syarat **wajib**", "<b>Syarat wajib</b>"},
		{"hash without space is text", "#tagar dan ##judul", "#tagar dan ##judul"},
		{"seven hashes is text", "####### tujuh", "####### tujuh"},
		{"empty heading dropped", "##\nteks", "teks"},
		{"setext heading", "Judul\n=====\nisi", "<b>Judul</b>\nisi"},
		{"thematic break ends a block", "satu\n\n---\n\ndua", "satu\n\ndua"},
		{"bullets", "- KTP\n* KK\n+ Akta", "• KTP\n• KK\n• Akta"},
		{"numbered list renumbers", "1. satu\n1. dua\n1. tiga", "1. satu\n2. dua\n3. tiga"},
		{"numbered list keeps its start", "3. tiga\n4. empat", "3. tiga\n4. empat"},
		{"numbered with parenthesis", "1) satu\n2) dua", "1. satu\n2. dua"},
		{"nested bullets", "1. Siapkan:\n   - KTP\n   - KK\n2. Datang", "1. Siapkan:\n    • KTP\n    • KK\n2. Datang"},
		{"nested numbers restart per parent", "- a\n  1. x\n  1. y\n- b\n  1. z", "• a\n    1. x\n    2. y\n• b\n    1. z"},
		{"deeper nesting shown at one level", "- a\n  - b\n    - c", "• a\n    • b\n    • c"},
		{"list item wraps", "- KTP asli\n  dan fotokopi\nsebanyak dua", "• KTP asli dan fotokopi sebanyak dua"},
		{"loose list keeps numbering and spacing", "1. satu\n\n2. dua", "1. satu\n\n2. dua"},
		{"paragraph after list", "- a\n\nteks", "• a\n\nteks"},
		{"list after paragraph line", "Syaratnya:\n- KTP", "Syaratnya:\n\n• KTP"},
		{"only 1. interrupts a paragraph", "Pada tahun\n2024. Setelah itu", "Pada tahun 2024. Setelah itu"},
		{"dash without space is text", "-tanpa spasi", "-tanpa spasi"},
		{"empty item dropped", "- \n- isi", "• isi"},
		{"indented list at start", "  - a\n  - b", "• a\n• b"},
		{"heading then list", "## Persyaratan\n- KTP\n- KK", "<b>Persyaratan</b>\n• KTP\n• KK"},

		// Inline.
		{"bold stars", "**tebal**", "<b>tebal</b>"},
		{"bold underscores", "__tebal__", "<b>tebal</b>"},
		{"italic star", "*miring*", "<i>miring</i>"},
		{"italic underscore", "_miring_", "<i>miring</i>"},
		{"bold inside a sentence", "Biaya **gratis** untuk semua.", "Biaya <b>gratis</b> untuk semua."},
		{"bold with colon", "**Catatan:** bawa KK.", "<b>Catatan:</b> bawa KK."},
		{"nested emphasis", "**tebal *miring* tebal**", "<b>tebal <i>miring</i> tebal</b>"},
		{"italic around bold", "*miring **tebal** miring*", "<i>miring <b>tebal</b> miring</i>"},
		{"triple", "***keduanya***", "<i><b>keduanya</b></i>"},
		{"same kind nested is dropped", "**a **b** c**", "<b>a b c</b>"},
		{"quadruple", "****empat****", "<b>empat</b>"},
		{"code", "ketik `*123#` lalu", "ketik <code>*123#</code> lalu"},
		{"code escapes", "`<b>&</b>`", "<code>&lt;b&gt;&amp;&lt;/b&gt;</code>"},
		{"double backtick code", "`` a`b ``", "<code>a`b</code>"},
		{"unclosed backtick", "harga `10", "harga `10"},
		{"link", "[Lapor](https://www.lapor.go.id/)", `<a href="https://www.lapor.go.id/">Lapor</a>`},
		{"link with title", `[Lapor](https://www.lapor.go.id/ "SP4N")`, `<a href="https://www.lapor.go.id/">Lapor</a>`},
		{"link in angle brackets", "[formulir](<https://contoh.go.id/a b.pdf>)", `<a href="https://contoh.go.id/a%20b.pdf">formulir</a>`},
		{"link with parentheses", "[wiki](https://id.wikipedia.org/wiki/KTP_(Indonesia))", `<a href="https://id.wikipedia.org/wiki/KTP_(Indonesia)">wiki</a>`},
		{"link with ampersand", "[cari](https://contoh.go.id/?a=1&b=2)", `<a href="https://contoh.go.id/?a=1&amp;b=2">cari</a>`},
		{"tg link", "[kanal](tg://resolve?domain=layanan)", `<a href="tg://resolve?domain=layanan">kanal</a>`},
		{"emphasis in link", "[**Lapor**](https://www.lapor.go.id/)", `<a href="https://www.lapor.go.id/"><b>Lapor</b></a>`},
		{"link in emphasis", "**[Lapor](https://www.lapor.go.id/)**", `<b><a href="https://www.lapor.go.id/">Lapor</a></b>`},
		{"code in link is plain", "[`kode`](https://contoh.go.id/)", `<a href="https://contoh.go.id/">kode</a>`},
		{"empty link text shows the URL", "[](https://contoh.go.id/)", `<a href="https://contoh.go.id/">https://contoh.go.id/</a>`},
		{"bare URL", "Lihat https://www.lapor.go.id/ ya", `Lihat <a href="https://www.lapor.go.id/">https://www.lapor.go.id/</a> ya`},
		{"bare URL without trailing punctuation", "(https://www.lapor.go.id/, SMS 1708).", `(<a href="https://www.lapor.go.id/">https://www.lapor.go.id/</a>, SMS 1708).`},
		{"bare URL with underscores", "https://contoh.go.id/a_b_c.", `<a href="https://contoh.go.id/a_b_c">https://contoh.go.id/a_b_c</a>.`},
		{"bare URL in bold", "**https://contoh.go.id**", `<b><a href="https://contoh.go.id">https://contoh.go.id</a></b>`},
		{"autolink", "<https://contoh.go.id/>", `<a href="https://contoh.go.id/">https://contoh.go.id/</a>`},
		{"URL inside a word is text", "xhttps://contoh.go.id", "xhttps://contoh.go.id"},
		{"placeholder", "Alamat: [[LOKAL: alamat kantor]].", "Alamat: [[LOKAL: alamat kantor]]."},
		{"placeholder is literal", "[[LOKAL: **jam** <buka> & tutup]]", "[[LOKAL: **jam** &lt;buka&gt; &amp; tutup]]"},
		{"backslash escapes", `\*bukan miring\* dan C:\Users`, `*bukan miring* dan C:\Users`},
		{"snake case stays text", "nama_berkas_final.pdf", "nama_berkas_final.pdf"},

		// CommonMark's emphasis examples (spec 0.31), <em> as <i> and
		// <strong> as <b>, a tag inside one of its kind dropped.
		{"spec: nested in italic", "*foo**bar**baz*", "<i>foo<b>bar</b>baz</i>"},
		{"spec: unmatched inner", "*foo**bar*", "<i>foo**bar</i>"},
		{"spec: intraword triple", "foo***bar***baz", "foo<i><b>bar</b></i>baz"},
		{"spec: long runs", "foo******bar*********baz", "foo<b>bar</b>***baz"},
		{"spec: italic in italic", "*foo *bar**", "<i>foo bar</i>"},
		{"spec: left over opener", "**foo*", "*<i>foo</i>"},
		{"spec: left over closer", "*foo**", "<i>foo</i>*"},
		{"spec: bold then italic", "***foo** bar*", "<i><b>foo</b> bar</i>"},
		{"spec: italic then bold", "*foo**bar***", "<i>foo<b>bar</b></i>"},
		{"spec: underscores inside words", "_foo_bar_baz_", "<i>foo_bar_baz</i>"},
		{"spec: punctuation", "*(*foo*)*", "<i>(foo)</i>"},
		{"spec: quotes", `**foo "*bar*" foo**`, `<b>foo "<i>bar</i>" foo</b>`},
		{"spec: code wins", "*a `*`*", "<i>a <code>*</code></i>"},
		{"spec: autolink wins", "**a<http://foo.bar/?q=**>", `**a<a href="http://foo.bar/?q=**">http://foo.bar/?q=**</a>`},

		// What staff get wrong.
		{"stray star", "Rp10.000 * 2 = Rp20.000", "Rp10.000 * 2 = Rp20.000"},
		{"star alone is an empty item", "*", ""},
		{"star at the end", "harga*", "harga*"},
		{"unclosed bold", "**tebal tanpa penutup", "**tebal tanpa penutup"},
		{"unclosed italic", "_miring tanpa penutup", "_miring tanpa penutup"},
		{"star before space does not open", "** bukan tebal**", "** bukan tebal**"},
		{"script tag", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"html bold is escaped", "<b>asli</b>", "&lt;b&gt;asli&lt;/b&gt;"},
		{"ampersand and angles", "A & B < C > D", "A &amp; B &lt; C &gt; D"},
		{"entity is shown as written", "&amp; &nbsp;", "&amp;amp; &amp;nbsp;"},
		{"javascript link", "[klik](javascript:alert(1))", "[klik](javascript:alert(1))"},
		{"javascript link with markup", "[**klik**](javascript:alert('<x>'))", "[**klik**](javascript:alert('&lt;x&gt;'))"},
		{"mailto link is text", "[surel](mailto:a@contoh.go.id)", "[surel](mailto:a@contoh.go.id)"},
		{"relative link is text", "[syarat](/faq/ktp)", "[syarat](/faq/ktp)"},
		{"link with quotes in URL", `[q](https://contoh.go.id/?q="x")`, `<a href="https://contoh.go.id/?q=&quot;x&quot;">q</a>`},
		{"link with quote breaking out", `[q](https://contoh.go.id/"onclick="x)`, `<a href="https://contoh.go.id/&quot;onclick=&quot;x">q</a>`},
		{"link without host", "[x](https://)", "[x](https://)"},
		{"unbalanced brackets", "[lihat sini(https://contoh.go.id", `[lihat sini(<a href="https://contoh.go.id">https://contoh.go.id</a>`},
		{"closing bracket only", "a] b) c", "a] b) c"},
		{"nested link is text", "[a [b](https://b.id) c](https://c.id)", `<a href="https://c.id">a [b](https://b.id) c</a>`},
		{"unclosed placeholder", "[[LOKAL: alamat", "[[LOKAL: alamat"},
		{"invalid UTF-8 replaced", "bad \xff\xfe utf", "bad \uFFFD utf"},
		{"control characters dropped", "a\x00b\x07c\x1bd", "abcd"},
		{"CRLF", "satu\r\n\r\ndua\r\n", "satu\n\ndua"},
		{"byte order mark", "\uFEFF## Judul", "<b>Judul</b>"},
		{"emoji", "Selesai ✅ 👨\u200d👩\u200d👧 🇮🇩", "Selesai ✅ 👨\u200d👩\u200d👧 🇮🇩"},
		{"whitespace-only code is dropped", "` `", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.markdown)
			if got != tt.want {
				t.Errorf("HTML(%q)\n got %q\nwant %q", tt.markdown, got, tt.want)
			}
			assertValid(t, got)
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"biasa", "biasa"},
		{`<a href="x">&</a>`, `&lt;a href="x"&gt;&amp;&lt;/a&gt;`},
		{"rusak \xff", "rusak \uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Escape(tt.in)
			if got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			assertValid(t, got)
		})
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		name, html string
		ok         bool
	}{
		{"empty", "", true},
		{"text", "teks biasa", true},
		{"all tags", `<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del><code>c</code><pre>p</pre><a href="https://x.id">a</a><tg-spoiler>t</tg-spoiler><span class="tg-spoiler">s</span><blockquote>q</blockquote><blockquote expandable>q</blockquote>`, true},
		{"pre with language", `<pre><code class="language-go">x := 1</code></pre>`, true},
		{"nested formatting", "<b>a <i>b <u>c</u></i></b>", true},
		{"link with formatting", `<a href="https://x.id"><b>x</b></a>`, true},
		{"upper-case tags", "<B>x</B>", true},
		{"single-quoted attribute", "<a href='https://x.id'>x</a>", true},
		{"entities", "&amp; &lt; &gt; &quot; &#65; &#x1F600;", true},
		{"entity in href", `<a href="https://x.id/?a=1&amp;b=2">x</a>`, true},
		{"emoji", "👨\u200d👩\u200d👧", true},
		{"unknown tag", "<div>x</div>", false},
		{"br", "a<br>b", false},
		{"unclosed", "<b>x", false},
		{"closes nothing", "x</b>", false},
		{"misnested", "<b><i>x</b></i>", false},
		{"raw less-than", "a < b", false},
		{"raw greater-than", "a > b", false},
		{"bare ampersand", "A & B", false},
		{"named entity Telegram lacks", "&nbsp;", false},
		{"entity without semicolon", "&amp", false},
		{"zero entity", "&#0;", false},
		{"surrogate entity", "&#xD800;", false},
		{"too large entity", "&#x110000;", false},
		{"a without href", "<a>x</a>", false},
		{"a with empty href", `<a href="">x</a>`, false},
		{"unknown attribute", `<b class="x">x</b>`, false},
		{"unquoted attribute", "<a href=https://x.id>x</a>", false},
		{"raw quote breaking out", `<a href="x"y">z</a>`, false},
		{"span without class", "<span>x</span>", false},
		{"span with other class", `<span class="x">x</span>`, false},
		{"code class outside pre", `<code class="language-go">x</code>`, false},
		{"tag inside code", "<code><b>x</b></code>", false},
		{"bold inside pre", "<pre><b>x</b></pre>", false},
		{"link inside link", `<a href="https://x.id"><a href="https://y.id">y</a></a>`, false},
		{"code inside link", `<a href="https://x.id"><code>y</code></a>`, false},
		{"nested blockquote", "<blockquote><blockquote>x</blockquote></blockquote>", false},
		{"invalid UTF-8", "a\xffb", false},
		{"comment", "<!-- x -->", false},
		{"unterminated tag", "<b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Valid(tt.html)
			if tt.ok && err != nil {
				t.Errorf("Valid(%q) = %v, want nil", tt.html, err)
			}
			if !tt.ok {
				if err == nil {
					t.Errorf("Valid(%q) = nil, want an error", tt.html)
				} else if !errors.Is(err, ErrInvalid) {
					t.Errorf("Valid(%q) = %v, does not wrap ErrInvalid", tt.html, err)
				}
			}
		})
	}
}

// TestLargeInputsStayLinear guards against the quadratic paths fuzzing
// found (each minimisation of a large input took minutes): unmatched
// placeholders, backticks and brackets, deeply nested emphasis, chains of
// URLs. Linear code renders each in well under a second; the quadratic
// versions took tens of seconds.
func TestLargeInputsStayLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	const n = 100_000
	var backticks strings.Builder
	for i := 1; backticks.Len() < n; i++ {
		backticks.WriteString(strings.Repeat("`", i%300+1) + " x ")
	}
	inputs := map[string]string{
		"unclosed placeholders": strings.Repeat("[[", n/2),
		"unmatched backticks":   backticks.String(),
		"unclosed brackets":     strings.Repeat("[", n),
		"unclosed destinations": strings.Repeat("[a](<", n/5),
		"nested italics":        strings.Repeat("*a ", n/6) + strings.Repeat("a* ", n/6),
		"nested bold":           strings.Repeat("**a ", n/8) + strings.Repeat(" a**", n/8),
		"URL chain":             strings.Repeat("http://", n/7),
		"closing parentheses":   "https://a.id/" + strings.Repeat(")", n),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			out := HTML(in)
			parts := Split(out, MaxMessage)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v for %d bytes", d, len(in))
			}
			assertValid(t, out)
			for i, p := range parts {
				assertPart(t, i, p, MaxMessage)
			}
		})
	}
}

// assertValid fails the test if html is not Telegram HTML.
func assertValid(t *testing.T, html string) {
	t.Helper()
	if err := Valid(html); err != nil {
		t.Errorf("%v in %q", err, html)
	}
}

func BenchmarkHTML(b *testing.B) {
	body, err := os.ReadFile("testdata/paspor-baru.md")
	if err != nil {
		b.Fatal(err)
	}
	if n := len([]rune(string(body))); n < 2800 || n > 3200 {
		b.Fatalf("benchmark body is %d characters, want about 3,000", n)
	}
	markdown := string(body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if strings.TrimSpace(HTML(markdown)) == "" {
			b.Fatal("empty output")
		}
	}
}
