package knowledge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Editing content files for staff (the console's "add as an example
// question"): a change touches only the lines it must, so the file stays
// as its author wrote it, and the result is checked by parsing it again.

// ErrCannotEdit is returned when a file's front matter is not in a shape
// the editor changes safely; staff then edit the file by hand.
var ErrCannotEdit = errors.New("knowledge: the file cannot be changed automatically")

var (
	questionsKeyRE = regexp.MustCompile(`^questions:\s*(#.*)?$`)
	questionsFlow  = regexp.MustCompile(`^questions:\s*\[(.*)\]\s*(#.*)?$`)
)

// AddExampleQuestion returns the entry file data with question added to
// the end of its front matter's questions, as a double-quoted YAML string
// on a line of its own (or inside a one-line flow list). Everything else
// stays byte for byte. It fails with ErrCannotEdit when the questions
// list is not found in a block or one-line flow form, and when the result
// does not parse back with the question as the list's last item.
func AddExampleQuestion(data []byte, question string) ([]byte, error) {
	question = strings.TrimSpace(strings.Join(strings.Fields(question), " "))
	if question == "" {
		return nil, fmt.Errorf("%w: the question is empty", ErrCannotEdit)
	}
	// A JSON string is a YAML double-quoted scalar.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(question); err != nil {
		return nil, fmt.Errorf("knowledge: quote question: %w", err)
	}
	quoted := bytes.TrimSpace(buf.Bytes())
	nl := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		nl = "\r\n"
	}
	lines := strings.Split(string(data), nl)
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return nil, fmt.Errorf("%w: no front matter", ErrCannotEdit)
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, fmt.Errorf("%w: the front matter does not end", ErrCannotEdit)
	}
	edited, err := addToQuestions(lines[:end], string(quoted))
	if err != nil {
		return nil, err
	}
	out := []byte(strings.Join(append(edited, lines[end:]...), nl))
	if err := checkAdded(out, question); err != nil {
		return nil, err
	}
	return out, nil
}

// addToQuestions adds the quoted question to the questions list of the
// front matter's lines.
func addToQuestions(front []string, quoted string) ([]string, error) {
	for i, line := range front {
		if m := questionsFlow.FindStringSubmatch(line); m != nil {
			items, comment := strings.TrimSpace(m[1]), m[2]
			if strings.Contains(items, "[") || strings.Contains(items, "]") {
				return nil, fmt.Errorf("%w: questions list with brackets inside", ErrCannotEdit)
			}
			if items != "" {
				items += ", "
			}
			out := append([]string(nil), front...)
			out[i] = "questions: [" + items + quoted + "]"
			if comment != "" {
				out[i] += " " + comment
			}
			return out, nil
		}
		if !questionsKeyRE.MatchString(line) {
			continue
		}
		// A block list: its items start with "-" on the lines after the
		// key, an item may continue on more indented lines, and the next
		// key ends it.
		last, indent, items := i, "", 0
		for j := i + 1; j < len(front); j++ {
			l := front[j]
			t := strings.TrimSpace(l)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			atKeyColumn := l[0] != ' ' && l[0] != '\t'
			if atKeyColumn && !strings.HasPrefix(l, "- ") {
				break
			}
			if strings.HasPrefix(t, "- ") {
				if items == 0 {
					indent = l[:len(l)-len(strings.TrimLeft(l, " \t"))]
				}
				items++
			}
			last = j
		}
		if items == 0 {
			return nil, fmt.Errorf("%w: the questions are not a block list", ErrCannotEdit)
		}
		item := indent + "- " + quoted
		out := make([]string, 0, len(front)+1)
		out = append(out, front[:last+1]...)
		out = append(out, item)
		return append(out, front[last+1:]...), nil
	}
	return nil, fmt.Errorf("%w: no questions list", ErrCannotEdit)
}

// checkAdded parses the edited file and checks that its questions end with
// the new one.
func checkAdded(data []byte, question string) error {
	e, problems := parseEntry("edited.md", data, nil)
	if e == nil {
		return fmt.Errorf("%w: the edited file does not parse: %v", ErrCannotEdit, problems)
	}
	if n := len(e.Questions); n == 0 || e.Questions[n-1] != question {
		return fmt.Errorf("%w: the question did not land at the end of the list", ErrCannotEdit)
	}
	return nil
}
