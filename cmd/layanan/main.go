// Command layanan is Layanan's one binary: the Telegram bot (serve, wired
// by internal/app), the same conversation in a terminal (chat), the
// admins' and staff's tools (broadcast, report, ask, lint, eval) and the
// container's health check (health). main only wires: the real entry
// point is run, which the tests call with their own arguments and streams;
// every subcommand reads its settings through internal/config.
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
