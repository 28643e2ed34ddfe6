package render

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestScratch(t *testing.T) {
	in := os.Getenv("SCRATCH")
	if in == "" {
		t.Skip()
	}
	for _, a := range strings.Split(in, "\n====\n") {
		h := HTML(a)
		fmt.Printf("%q\n  -> %q  valid=%v\n", a, h, Valid(h))
	}
}
