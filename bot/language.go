package bot

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

//go:embed language.txt
var languageData string

// languageGuesser tells an English message from an Indonesian one by its
// function words (language.txt).
type languageGuesser struct {
	en, id map[string]bool
}

func loadLanguageGuesser() (*languageGuesser, error) {
	lines, err := readKindLines(languageData, "language.txt")
	if err != nil {
		return nil, err
	}
	g := &languageGuesser{en: map[string]bool{}, id: map[string]bool{}}
	for _, l := range lines {
		set := map[string]map[string]bool{"en": g.en, "id": g.id}[l.kind]
		if set == nil {
			return nil, fmt.Errorf("bot: language.txt: kind %q: want en or id", l.kind)
		}
		for _, w := range l.words {
			set[w] = true
		}
	}
	return g, nil
}

// english reports whether text is written in English.
func (g *languageGuesser) english(text string) bool {
	var en, id int
	for _, w := range analysis.Tokenize(text) {
		switch {
		case g.en[w]:
			en++
		case g.id[w]:
			id++
		}
	}
	return en >= 2 && en > id
}

// registerLanguage registers /bahasa and the language buttons.
func (c *Conversation) registerLanguage(r *router) {
	r.command(func(ctx context.Context, v *conv, _ *Message, cmd command, _ *Outcome) error {
		if lang, ok := languageArg(cmd.args); ok {
			v.lang, v.session.Lang = lang, lang
			c.save(v)
			_, err := c.reply(ctx, v, c.t(v, "language_set"), c.menuRow(v))
			return err
		}
		_, err := c.reply(ctx, v, c.t(v, "language_prompt"), [][]Button{{
			{Text: "🇮🇩 Bahasa Indonesia", Data: callbackData(cbLanguage, LangID)},
			{Text: "🇬🇧 English", Data: callbackData(cbLanguage, LangEN)},
		}})
		return err
	}, "bahasa", "language")
	r.button(cbLanguage, func(ctx context.Context, v *conv, p *press) error {
		v.lang, v.session.Lang = p.cb.id, p.cb.id
		c.save(v)
		if err := p.answer(ctx); err != nil {
			return err
		}
		_, err := c.reply(ctx, v, c.t(v, "language_set"), c.menuRow(v))
		return err
	})
}
