package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/internal/app"
	"github.com/layanan-id/layanan/internal/config"
)

const chatHelp = `layanan chat

Menjalankan percakapan bot di terminal, tanpa token Telegram: ketik
pertanyaan, atau nomor tombol [n] untuk menekannya. /start, /menu, /kantor,
/bahasa dan /bantuan bekerja seperti di Telegram (tombol salin menampilkan
teksnya). Keluar dengan Ctrl-D atau /keluar.
Status percakapan disimpan di DATA_DIR/chat.db (bawaan ./data). FAQ_DIR,
LOG_LEVEL dan pengaturan percakapan lain dibaca seperti pada serve.

English: talk to the bot in the terminal, no Telegram token needed; type a question, or a button number [n] to press it; Ctrl-D or /keluar ends.`

// The terminal user, as the conversation sees them.
const (
	chatUserID = 1
	chatChatID = 1
)

// runChat is `layanan chat`: the real conversation with the embedded store,
// a terminal for a transport.
func runChat(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("chat", stderr, chatHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	}
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if !cfg.LogLevelSet {
		cfg.LogLevel = slog.LevelWarn // keep the terminal for the conversation
	}
	log := config.NewLogger(cfg, stderr)
	ix, err := buildIndexAt(ctx, cfg.FAQDir, log)
	if err != nil {
		return err
	}
	defer ix.Close()
	cfg.RedisURL = "" // the terminal conversation always uses the embedded store
	st, err := app.OpenStore(ctx, cfg, config.ChatStoreFile, log)
	if err != nil {
		return err
	}
	defer st.Close()
	term := &terminal{out: stdout}
	conv, err := bot.New(cfg.Bot, ix, st, term, log, bot.Options{Subscriptions: st, Stats: st})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Layanan — percakapan di terminal. Ketik pertanyaan, nomor tombol, atau /keluar.")
	return chatLoop(ctx, bot.Recovered(conv, log), term, readLines(stdin), stdout)
}

// readLines reads stdin's lines in their own goroutine, so that Ctrl-C
// (the context) ends the conversation even while waiting for input.
func readLines(stdin io.Reader) <-chan lineOrErr {
	lines := make(chan lineOrErr)
	go func() {
		in := bufio.NewReaderSize(stdin, 64*1024)
		defer close(lines) // after the last line, or an error
		for {
			line, err := readLine(in)
			lines <- lineOrErr{line, err}
			if err != nil {
				return
			}
		}
	}()
	return lines
}

// chatLoop sends /start, then each line as a message, or a button press
// when it is a button's number, until /keluar, the end of input or ctx.
func chatLoop(ctx context.Context, handler bot.Handler, term *terminal, lines <-chan lineOrErr, stdout io.Writer) error {
	// Update ids go into the store's duplicate check for a day, so each run
	// starts from the clock, not from 1.
	updateID := int(time.Now().UnixMilli() % (1 << 40))
	for u := textUpdate("/start"); ; {
		updateID++
		u.ID = updateID
		if _, err := handler.Handle(ctx, u); err != nil || ctx.Err() != nil {
			return err
		}
		var done bool
		var err error
		if u, done, err = nextUpdate(ctx, term, lines, stdout); done || err != nil {
			return err
		}
	}
}

// nextUpdate asks for the next line until one is not empty; done is true
// at /keluar, the end of input or when ctx ends.
func nextUpdate(ctx context.Context, term *terminal, lines <-chan lineOrErr, stdout io.Writer) (u bot.Update, done bool, err error) {
	for {
		fmt.Fprint(stdout, "\nAnda> ")
		var next lineOrErr
		var open bool
		select {
		case <-ctx.Done():
			fmt.Fprintln(stdout)
			return u, true, nil
		case next, open = <-lines:
		}
		if !open || errors.Is(next.err, io.EOF) && next.line == "" {
			fmt.Fprintln(stdout)
			return u, true, nil
		}
		if next.err != nil && !errors.Is(next.err, io.EOF) {
			return u, true, fmt.Errorf("baca stdin: %w", next.err)
		}
		switch line := strings.TrimSpace(next.line); line {
		case "":
			continue
		case "/keluar", "/exit", "/quit":
			return u, true, nil
		default:
			if n, err := strconv.Atoi(line); err == nil {
				if data, ok := term.button(n); ok {
					return callbackUpdate(data, term.lastMessageID()), false, nil
				}
			}
			return textUpdate(line), false, nil
		}
	}
}

type lineOrErr struct {
	line string
	err  error
}

func textUpdate(text string) bot.Update {
	return bot.Update{Message: &bot.Message{
		ID:   1,
		From: &bot.User{ID: chatUserID, FirstName: "Warga", LanguageCode: "id"},
		Chat: bot.Chat{ID: chatChatID, Type: bot.ChatPrivate},
		Text: text,
	}}
}

func callbackUpdate(data string, messageID int) bot.Update {
	return bot.Update{Callback: &bot.Callback{
		ID:      "terminal",
		From:    bot.User{ID: chatUserID, FirstName: "Warga", LanguageCode: "id"},
		Message: &bot.Message{ID: messageID, Chat: bot.Chat{ID: chatChatID, Type: bot.ChatPrivate}},
		Data:    data,
	}}
}

// terminal is a bot.Sender that prints replies as plain text with the
// buttons numbered; typing a number presses the button.
type terminal struct {
	mu      sync.Mutex
	out     io.Writer
	buttons []string // callback data of the numbered buttons, from 1
	msgID   int
}

var _ bot.Sender = (*terminal)(nil)

func (t *terminal) Send(_ context.Context, r bot.Reply) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.msgID++
	fmt.Fprintf(t.out, "\n%s\n", render.PlainText(r.Text))
	if len(r.Buttons) > 0 {
		t.buttons = t.buttons[:0]
		for _, row := range r.Buttons {
			var cells []string
			for _, b := range row {
				if b.URL != "" {
					cells = append(cells, fmt.Sprintf("%s (%s)", b.Text, b.URL))
					continue
				}
				if b.CopyText != "" {
					// Telegram copies it; here it is shown to copy by hand.
					cells = append(cells, fmt.Sprintf("%s: %s", b.Text, b.CopyText))
					continue
				}
				t.buttons = append(t.buttons, b.Data)
				cells = append(cells, fmt.Sprintf("[%d] %s", len(t.buttons), b.Text))
			}
			fmt.Fprintf(t.out, "  %s\n", strings.Join(cells, "   "))
		}
	}
	return t.msgID, nil
}

func (t *terminal) AnswerCallback(_ context.Context, _ string, text string) error {
	if text != "" {
		t.mu.Lock()
		fmt.Fprintf(t.out, "\n(%s)\n", text)
		t.mu.Unlock()
	}
	return nil
}

func (t *terminal) Typing(context.Context, int64) error { return nil }

func (t *terminal) button(n int) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n < 1 || n > len(t.buttons) {
		return "", false
	}
	return t.buttons[n-1], true
}

func (t *terminal) lastMessageID() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.msgID
}
