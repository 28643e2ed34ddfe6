package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The load command runs end to end on a small load: both bots start,
// every update is answered exactly once, and the table names them.
func TestLoadCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds layanan and starts redis-server and two bots; skipped with -short")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	// The echo bot is this binary run with echo-bot: build the command.
	bin := filepath.Join(t.TempDir(), "layanan-load")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-updates", "300", "-warmup", "20", "-concurrency", "8",
		"-questions", filepath.Join("..", "..", "knowledge", "testdata", "questions.tsv"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if err := cmd.Run(); err != nil {
		t.Fatalf("layanan-load: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	t.Log("\n" + out)
	for _, want := range []string{"echo bot", "layanan serve (Redis)", "300/300"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(out, "300/300"); n != 2 {
		t.Errorf("%d bots answered every update once, want 2", n)
	}
}

// Bad flags are refused before anything starts.
func TestLoadCommandFlags(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{{"-updates", "0"}, {"-concurrency", "-1"}, {"-env", "NOEQUALS"}, {"-questions", "/does/not/exist"}} {
		if err := run(t.Context(), args, &out, &out); err == nil {
			t.Errorf("run %v: no error", args)
		}
	}
}
