package render

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func FuzzHang(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, markdown string) {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				os.WriteFile(fmt.Sprintf("/tmp/hang-%d.txt", time.Now().UnixNano()), []byte(markdown), 0o644)
				panic(fmt.Sprintf("hang on %q", markdown))
			}
		}()
		out := HTML(markdown)
		for range Split(out, MaxMessage) {
		}
		close(done)
	})
}
