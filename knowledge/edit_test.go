package knowledge

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/layanan-id/layanan/faq"
)

func TestAddExampleQuestion(t *testing.T) {
	tests := []struct {
		name, in, question, want string
		err                      bool
	}{
		{"block list", "---\nid: skck\ntitle: SKCK\nquestions:\n  - Cara membuat SKCK?\n  - Syarat SKCK?\n  - Biaya SKCK?\nkeywords: [skck]\n---\nIsi.\n",
			"skck buat kerja di luar negeri gmn",
			"---\nid: skck\ntitle: SKCK\nquestions:\n  - Cara membuat SKCK?\n  - Syarat SKCK?\n  - Biaya SKCK?\n  - \"skck buat kerja di luar negeri gmn\"\nkeywords: [skck]\n---\nIsi.\n", false},
		{"items at the key's column, comments, last key", "---\nid: a\ntitle: A\nquestions: # contoh\n- satu\n# dua dicoret\n- 'dua: x'\n- tiga\n---\nIsi.\n",
			`kata "kutip" & titik: dua`,
			"---\nid: a\ntitle: A\nquestions: # contoh\n- satu\n# dua dicoret\n- 'dua: x'\n- tiga\n- \"kata \\\"kutip\\\" & titik: dua\"\n---\nIsi.\n", false},
		{"flow list", "---\nid: a\ntitle: A\nquestions: [satu, dua, tiga]\n---\nIsi.\n", "empat",
			"---\nid: a\ntitle: A\nquestions: [satu, dua, tiga, \"empat\"]\n---\nIsi.\n", false},
		{"CRLF", "---\r\nid: a\r\ntitle: A\r\nquestions:\r\n  - satu\r\n  - dua\r\n  - tiga\r\n---\r\nIsi.\r\n", "empat",
			"---\r\nid: a\r\ntitle: A\r\nquestions:\r\n  - satu\r\n  - dua\r\n  - tiga\r\n  - \"empat\"\r\n---\r\nIsi.\r\n", false},
		{"multi-line item", "---\nid: a\ntitle: A\nquestions:\n  - satu\n  - >\n    dua yang\n    panjang\n  - tiga\nfee: gratis\n---\nIsi.\n", "empat",
			"---\nid: a\ntitle: A\nquestions:\n  - satu\n  - >\n    dua yang\n    panjang\n  - tiga\n  - \"empat\"\nfee: gratis\n---\nIsi.\n", false},
		{"spaces and newlines squeezed", "---\nid: a\ntitle: A\nquestions: [satu]\n---\n", "  empat\n lima ", "---\nid: a\ntitle: A\nquestions: [satu, \"empat lima\"]\n---\n", false},
		{"no questions", "---\nid: a\ntitle: A\n---\nIsi.\n", "x", "", true},
		{"questions not a list", "---\nid: a\ntitle: A\nquestions: satu\n---\n", "x", "", true},
		{"no front matter", "Isi saja.\n", "x", "", true},
		{"empty question", "---\nid: a\ntitle: A\nquestions: [satu]\n---\n", "  ", "", true},
		{"unterminated", "---\nid: a\nquestions: [satu]\n", "x", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AddExampleQuestion([]byte(tt.in), tt.question)
			if tt.err {
				if !errors.Is(err, ErrCannotEdit) {
					t.Errorf("err = %v, want ErrCannotEdit", err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

// Every bundled file takes a new question and keeps everything else.
func TestAddExampleQuestionToBundledFiles(t *testing.T) {
	for _, e := range bundledIndex(t).Content().Entries {
		data, err := fs.ReadFile(faq.Files, e.File)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AddExampleQuestion(data, "pertanyaan baru dari warga")
		if err != nil {
			t.Errorf("%s: %v", e.File, err)
			continue
		}
		if strings.Count(string(got), "\n") != strings.Count(string(data), "\n")+1 {
			t.Errorf("%s: more than one line changed", e.File)
		}
	}
}

func FuzzAddExampleQuestion(f *testing.F) {
	f.Add("---\nid: a\ntitle: A\nquestions:\n  - satu\n---\n", "dua")
	f.Add("---\nid: a\ntitle: A\nquestions: [satu]\n---\n", "dua]")
	f.Add("---\nquestions:\n- a\n- b\n---", "#c")
	f.Fuzz(func(t *testing.T, in, question string) {
		got, err := AddExampleQuestion([]byte(in), question)
		if err != nil {
			return
		}
		// A success is always checked by parsing: the question is last.
		e, _ := parseEntry("x.md", got, nil)
		want := strings.Join(strings.Fields(question), " ")
		if e == nil || e.Questions[len(e.Questions)-1] != want {
			t.Errorf("AddExampleQuestion(%q, %q) = %q", in, question, got)
		}
	})
}
