package render

import (
	"regexp"
	"strings"
	"testing"
)

func TestPageHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<b>Judul</b>\nBiaya: <i>gratis</i>", "<strong>Judul</strong>\nBiaya: <em>gratis</em>"},
		{`<a href="https://x.go.id/a?b=1&amp;c=2">sumber</a>`, `<a href="https://x.go.id/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">sumber</a>`},
		{`<a href="javascript:alert(1)">x</a>`, "x"},
		{`<a href="tg://resolve?domain=x">bot</a>`, `<a href="tg://resolve?domain=x" rel="noopener noreferrer" target="_blank">bot</a>`},
		{`<tg-spoiler>rahasia</tg-spoiler> <span class="tg-spoiler">s</span>`, `<span class="spoiler">rahasia</span> <span class="spoiler">s</span>`},
		{`<pre><code class="language-go">a &lt; b</code></pre>`, `<pre><code>a &lt; b</code></pre>`},
		{"<blockquote expandable>kutipan</blockquote>", "<blockquote>kutipan</blockquote>"},
		{"1 &lt; 2 &amp; 3", "1 &lt; 2 &amp; 3"},
	}
	for _, tt := range tests {
		got, err := PageHTML(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("PageHTML(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := PageHTML("<script>x</script>"); err == nil {
		t.Error("invalid Telegram HTML was accepted")
	}
}

var pageTagRE = regexp.MustCompile(`<(/?)([a-z]+)((?: [a-z]+="[^"<>]*")*)>`)

func FuzzPageHTML(f *testing.F) {
	f.Add(`<b>a</b><a href="https://x">y</a>`)
	f.Add(`<a href="javascript:x">y</a>`)
	f.Add("<pre><code class=\"language-x\">&lt;</code></pre>")
	allowed := map[string]bool{"strong": true, "em": true, "u": true, "s": true, "code": true, "pre": true, "blockquote": true, "span": true, "a": true}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := PageHTML(in)
		if err != nil {
			return
		}
		// Every tag is one of the page's, with only the attributes it may
		// carry, and nothing else looks like markup.
		for _, m := range pageTagRE.FindAllStringSubmatch(out, -1) {
			name, attrs := m[2], m[3]
			switch {
			case !allowed[name]:
				t.Fatalf("PageHTML(%q) = %q: tag %s", in, out, name)
			case name == "a" && m[1] == "" && !regexp.MustCompile(`^ href="(https?:|tg:|mailto:)[^"]*" rel="noopener noreferrer" target="_blank"$`).MatchString(attrs):
				t.Fatalf("PageHTML(%q) = %q: link %s", in, out, attrs)
			case name != "a" && attrs != "" && attrs != ` class="spoiler"`:
				t.Fatalf("PageHTML(%q) = %q: attributes %s", in, out, attrs)
			}
		}
		if rest := pageTagRE.ReplaceAllString(out, ""); strings.ContainsAny(rest, "<>") {
			t.Fatalf("PageHTML(%q) = %q: markup outside tags", in, out)
		}
	})
}
