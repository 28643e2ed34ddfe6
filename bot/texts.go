package bot

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Languages the conversation speaks.
const (
	LangID = "id"
	LangEN = "en"
)

// textFiles holds the conversation's fixed texts, one JSON file per
// language, so translators edit data rather than code. Texts are Telegram
// HTML; {name} marks a value filled in at run time.
//
//go:embed texts/*.json
var textFiles embed.FS

// texts maps a key to a text, for one language.
type texts map[string]string

// catalog holds the texts of every language.
type catalog map[string]texts

func loadCatalog() (catalog, error) {
	c := make(catalog)
	var keys []string
	for _, lang := range []string{LangID, LangEN} {
		data, err := textFiles.ReadFile("texts/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("bot: read texts %s: %w", lang, err)
		}
		var t texts
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("bot: parse texts %s: %w", lang, err)
		}
		langKeys := make([]string, 0, len(t))
		for k := range t {
			langKeys = append(langKeys, k)
		}
		slices.Sort(langKeys)
		if keys == nil {
			keys = langKeys
		} else if !slices.Equal(keys, langKeys) {
			return nil, fmt.Errorf("bot: texts %s: keys differ from %s", lang, LangID)
		}
		c[lang] = t
	}
	return c, nil
}

// get returns the text for key in lang with {name} values filled in.
// Values are inserted as given: escape them first when they are user text.
func (c catalog) get(lang, key string, kv ...string) string {
	t, ok := c[lang]
	if !ok {
		t = c[LangID]
	}
	s := t[key]
	if len(kv) > 0 {
		pairs := make([]string, 0, len(kv))
		for i := 0; i+1 < len(kv); i += 2 {
			pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
		}
		s = strings.NewReplacer(pairs...).Replace(s)
	}
	return s
}

// date formats a date as "1 November 2026" in lang.
func (c catalog) date(lang string, d time.Time) string {
	months := strings.Fields(c.get(lang, "months"))
	if len(months) != 12 {
		return d.Format(time.DateOnly)
	}
	return fmt.Sprintf("%d %s %d", d.Day(), months[d.Month()-1], d.Year())
}

// Command is an entry of the bot's command list.
type Command struct{ Name, Description string }

// Commands returns the command list to register with Telegram for a
// language code ("" is the default, Indonesian).
func (c *Conversation) Commands(language string) []Command {
	lang := LangID
	if language == LangEN {
		lang = LangEN
	}
	var out []Command
	for _, name := range []string{"start", "menu", "kantor", "petugas", "selesai", "bahasa", "bantuan", "langganan", "berhenti", "hapusdata"} {
		if name == "selesai" && c.opts.Handoff == nil {
			continue // only a handoff ends
		}
		out = append(out, Command{name, c.texts.get(lang, "command_"+name)})
	}
	return out
}
