package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/knowledge"
	"github.com/layanan-id/layanan/knowledge/local"
)

// Cards is the one renderer of what the bot shows: the answer card and
// the offices' blocks, as Telegram HTML in Indonesian or English. The
// conversation sends them; the terminal chat and "layanan ask" print their
// plain text (Text); "layanan lint" measures them.
type Cards struct {
	texts catalog
}

// NewCards loads the text catalogs. It fails only when the embedded texts
// are malformed.
func NewCards() (*Cards, error) {
	texts, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	return &Cards{texts: texts}, nil
}

func (k *Cards) t(lang, key string, kv ...string) string { return k.texts.get(lang, key, kv...) }

// Text is the answer card as plain text, for a terminal or a plain-text
// channel.
func (k *Cards) Text(lang string, loc *local.Data, e *knowledge.Entry, now time.Time) string {
	return render.PlainText(k.HTML(lang, loc, e, now))
}

func escape(s string) string { return render.Escape(s) }

// inlineHTML renders a one-line card value (it may hold Markdown links or
// emphasis).
func inlineHTML(s string) string { return strings.TrimSpace(render.HTML(s)) }

// HTML renders an entry's answer card as Telegram HTML in lang: title, the
// card fields in a fixed order, the offices that serve it (with loc's hours
// on now's day), the body, the source and the date.
func (k *Cards) HTML(lang string, loc *local.Data, e *knowledge.Entry, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<b>%s</b>\n", escape(e.Title))
	fields := []struct{ label, value string }{
		{"label_fee", e.Fee},
		{"label_duration", e.Duration},
		{"label_where", e.Where},
		{"label_legal", e.LegalBasis},
	}
	wrote := false
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		if !wrote {
			b.WriteString("\n")
			wrote = true
		}
		fmt.Fprintf(&b, "<b>%s:</b> %s\n", k.t(lang, f.label), inlineHTML(f.value))
	}
	if offices := k.officesHTML(lang, loc, e, now); offices != "" {
		b.WriteString("\n")
		b.WriteString(offices)
		b.WriteString("\n")
	}
	if body := strings.TrimSpace(render.HTML(e.Body)); body != "" {
		b.WriteString("\n")
		b.WriteString(body)
		b.WriteString("\n")
	}
	if e.Source != "" || !e.Updated.IsZero() {
		b.WriteString("\n")
	}
	if e.Source != "" {
		fmt.Fprintf(&b, "<b>%s:</b> %s\n", k.t(lang, "label_source"), sourceHTML(e.Source))
	}
	if !e.Updated.IsZero() {
		fmt.Fprintf(&b, "<i>%s</i>", k.t(lang, "updated", "date", k.texts.date(lang, e.Updated)))
	}
	return strings.TrimSpace(b.String())
}

func sourceHTML(url string) string {
	if strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://") {
		return fmt.Sprintf(`<a href="%s">%s</a>`, render.EscapeAttr(url), escape(url))
	}
	return escape(url)
}

// copyButtons are buttons that copy the offices' addresses and phone
// numbers, to paste into a map or dial.
func (k *Cards) copyButtons(lang string, offices []*local.Office) [][]Button {
	var rows [][]Button
	for _, o := range offices[:min(len(offices), maxCopyOffices)] {
		var row []Button
		name := truncateRunes(o.Name, 24)
		if o.Address != "" {
			row = append(row, Button{Text: k.t(lang, "button_copy_address", "office", name), CopyText: truncateUTF16(o.Name+", "+o.Address, maxCopyText)})
		}
		if o.Phone != "" {
			row = append(row, Button{Text: k.t(lang, "button_copy_phone", "office", name), CopyText: truncateUTF16(o.Phone, maxCopyText)})
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
	}
	return rows
}

// officeStatusHTML is one office's answer to "buka?" for the day asked.
// Years whose holidays are not known are added to unknown.
func (k *Cards) officeStatusHTML(lang string, loc *local.Data, o *local.Office, day dayRef, now time.Time, unknown map[int]bool) string {
	name := escape(o.Name)
	if !o.Hours.Open() {
		return k.t(lang, "office_no_hours", "office", name)
	}
	today := loc.Today(now)
	if !day.now {
		date := today.AddDays(day.offset)
		if day.named {
			date = today.AddDays((int(day.weekday) - int(today.Weekday()) + 7) % 7)
		}
		d := loc.On(o, date)
		if !d.CalendarKnown {
			unknown[date.Year] = true
		}

		label := k.dayLabel(lang, today, date)
		switch {
		case d.Holiday != nil:
			return k.t(lang, "office_day_holiday", "office", name, "day", label, "holiday", escape(d.Holiday.Name))
		case d.Closed():
			return k.t(lang, "office_day_closed", "office", name, "day", label)
		}
		return k.t(lang, "office_day_open", "office", name, "day", label, "hours", local.SpansText(d.Spans))
	}
	st := loc.StatusAt(o, now)
	if !st.CalendarKnown {
		years := []int{today.Year}
		if !st.Open && st.NextOK {
			years = append(years, loc.Today(st.Next).Year)
		}
		for _, y := range years {
			if !loc.Calendar().Known(y) {
				unknown[y] = true
			}
		}
	}
	clock := func(t time.Time) string { return t.Format("15:04") }
	switch {
	case st.Open:
		return k.t(lang, "office_open_now", "office", name, "until", clock(st.Until))
	case !st.NextOK:
		return k.t(lang, "office_closed_unknown", "office", name)
	case local.DateOf(st.Next) == today:
		return k.t(lang, "office_opens_today", "office", name, "time", clock(st.Next))
	case st.Today.Holiday != nil:
		return k.t(lang, "office_closed_holiday", "office", name, "holiday", escape(st.Today.Holiday.Name),
			"day", k.dayLabel(lang, today, local.DateOf(st.Next)), "time", clock(st.Next))
	}
	return k.t(lang, "office_closed_next", "office", name, "day", k.dayLabel(lang, today, local.DateOf(st.Next)), "time", clock(st.Next))
}

// dayLabel names date as citizens say it: "besok (Senin, 7 Desember)" or
// "Senin, 14 Desember".
func (k *Cards) dayLabel(lang string, today, date local.Date) string {
	s := k.dayName(lang, date.Weekday()) + ", " + k.texts.date(lang, date.Time(time.UTC))
	if date == today.AddDays(1) {
		if lang == LangEN {
			return "tomorrow (" + s + ")"
		}
		return "besok (" + s + ")"
	}
	if date == today {
		if lang == LangEN {
			return "today (" + s + ")"
		}
		return "hari ini (" + s + ")"
	}
	return s
}

func (k *Cards) dayName(lang string, d time.Weekday) string {
	names := strings.Fields(k.t(lang, "days"))
	if len(names) != 7 {
		return local.DayName(d)
	}
	return names[d]
}

func (k *Cards) dayNames(lang string) [7]string {
	var out [7]string
	for d := range out {
		out[d] = k.dayName(lang, time.Weekday(d))
	}
	return out
}

// officeDetailsHTML is an office's address, hours and contacts. With
// withName the office's name and its hours today come first (lists, cards);
// without it, it follows a status line that named it. full adds the weekly
// hours and the notes.
func (k *Cards) officeDetailsHTML(lang string, loc *local.Data, o *local.Office, now time.Time, withName, full bool) string {
	var lines []string
	if withName {
		lines = append(lines, "🏢 <b>"+escape(o.Name)+"</b>")
	}
	if o.Address != "" {
		lines = append(lines, "📍 "+escape(o.Address))
	}
	if o.Hours.Open() {
		if withName {
			lines = append(lines, "🕘 "+k.todayText(lang, loc, o, now))
		}
		if full {
			lines = append(lines, "🗓 "+k.t(lang, "office_week", "hours", o.Hours.SummaryIn(k.dayNames(lang))))
		}
	}
	var contact []string
	if o.Phone != "" {
		contact = append(contact, "☎️ "+escape(o.Phone))
	}
	if o.WhatsApp != "" {
		contact = append(contact, "WhatsApp "+escape(o.WhatsApp))
	}
	if o.Email != "" {
		contact = append(contact, "✉️ "+escape(o.Email))
	}
	if url := mapURL(o); url != "" {
		contact = append(contact, fmt.Sprintf(`🗺 <a href="%s">%s</a>`, render.EscapeAttr(url), k.t(lang, "office_map")))
	}
	if len(contact) > 0 {
		lines = append(lines, strings.Join(contact, " · "))
	}
	if full && o.Notes != "" {
		lines = append(lines, "<i>"+escape(o.Notes)+"</i>")
	}
	return strings.Join(lines, "\n")
}

// todayText is the office's hours today: "Hari ini: 08:00–15:00".
func (k *Cards) todayText(lang string, loc *local.Data, o *local.Office, now time.Time) string {
	d := loc.On(o, loc.Today(now))
	switch {
	case d.Holiday != nil:
		return k.t(lang, "office_today_holiday", "holiday", escape(d.Holiday.Name))
	case d.Closed():
		return k.t(lang, "office_today_closed")
	}
	return k.t(lang, "office_today", "hours", local.SpansText(d.Spans))
}

// mapURL is the office's map link, or one made from its location.
func mapURL(o *local.Office) string {
	if o.MapURL != "" {
		return o.MapURL
	}
	if o.Location == nil {
		return ""
	}
	return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=17/%.5f/%.5f", o.Location.Lat, o.Location.Lon, o.Location.Lat, o.Location.Lon)
}

// calendarNote says which years' holidays are not known, if any.
func (k *Cards) calendarNote(lang string, unknown map[int]bool) string {
	if len(unknown) == 0 {
		return ""
	}
	var years []string
	for y := range unknown {
		years = append(years, strconv.Itoa(y))
	}
	slices.Sort(years)
	return "\n\n" + k.t(lang, "calendar_unknown", "years", strings.Join(years, ", "))
}

// officesHTML is the card's office section: each office that serves the
// entry with its address, hours today and contacts. It is "" without
// lokal.yaml offices for the entry.
func (k *Cards) officesHTML(lang string, loc *local.Data, e *knowledge.Entry, now time.Time) string {
	if loc == nil {
		return ""
	}
	offices := entryOffices(loc, e)
	if len(offices) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<b>%s:</b>", k.t(lang, "label_offices"))
	for _, o := range offices[:min(len(offices), maxOfficesShown)] {
		b.WriteString("\n")
		b.WriteString(k.officeDetailsHTML(lang, loc, o, now, true, false))
	}
	return b.String()
}

// distanceText is "850 m" or "2,4 km" (a decimal point in English).
func distanceText(lang string, meters float64) string {
	if meters < 1000 {
		return fmt.Sprintf("%d m", int(meters/10+0.5)*10)
	}
	km := strconv.FormatFloat(meters/1000, 'f', 1, 64)
	if lang != LangEN {
		km = strings.Replace(km, ".", ",", 1)
	}
	return km + " km"
}
