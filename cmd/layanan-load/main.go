// Command layanan-load measures `layanan serve` from outside, as Telegram
// meets it: a separate process posts webhook updates from distinct chats,
// a fixed number at a time, to a real `layanan serve` process on a real
// Redis, while a Bot API stand-in answers every call at once. It measures
// an echo bot built on the same Telegram library the same way, so the
// figures say how much of the machine Layanan's own work takes, and reads
// Redis's own counters for the commands and socket reads per update.
//
//	go run ./cmd/layanan-load [-updates 5000] [-concurrency 32]
//
// It builds layanan from this module unless -layanan names a binary, and
// starts its own redis-server on a free loopback port unless -redis-url
// names one (which it then flushes: never point it at a Redis in use).
// Run it from the repository's root (it reads the question set
// knowledge/testdata/questions.tsv).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == echoCommand {
		// The echo bot runs as a process of its own, like layanan.
		if err := runEcho(ctx, os.Getenv); err != nil {
			fmt.Fprintln(os.Stderr, "echo bot:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "layanan-load:", err)
		os.Exit(1)
	}
}
