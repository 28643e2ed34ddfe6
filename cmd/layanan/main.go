// Command layanan is Layanan's one binary: the Telegram bot (serve), the
// same conversation in a terminal (chat), and the staff tools (ask, lint,
// eval). main only wires: the real entry point is run,
// which the tests call with their own arguments and streams.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
