package bot

import (
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/layanan-id/layanan/bot/render"
	"github.com/layanan-id/layanan/faq"
	"github.com/layanan-id/layanan/knowledge"
)

// withLocal is the bundled content with examples/lokal.yaml (Kabupaten
// Contoh, WITA: Disdukcapil Mon-Thu 08-15, Fri 08-11:30 and 13:30-15,
// Sat 08-12; MPP Mon-Fri 08-16; Samsat Mon-Fri 08-14, Sat 08-11).
var withLocal = sync.OnceValues(func() (*knowledge.Index, error) {
	files := fstest.MapFS{}
	err := fs.WalkDir(faq.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(faq.Files, p)
		files[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		return nil, err
	}
	lokal, err := os.ReadFile("../examples/lokal.yaml")
	if err != nil {
		return nil, err
	}
	files["lokal.yaml"] = &fstest.MapFile{Data: lokal}
	return buildIndex(files)
})

func localIndex(t *testing.T) *knowledge.Index {
	t.Helper()
	ix := mustIndex(t, withLocal)
	if len(ix.Content().Local.Offices) != 3 {
		t.Fatalf("example offices not loaded: %+v", ix.Content().Problems)
	}
	return ix
}

// wita parses a local clock time in the example's timezone.
func wita(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("WITA", 8*3600))
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC()
}

func newLocalConv(t *testing.T, ix *knowledge.Index, now time.Time) (*Conversation, *recorder) {
	t.Helper()
	rec := &recorder{}
	c, err := New(DefaultConfig(), ix, &memStore{}, rec, slog.New(slog.DiscardHandler), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return now }
	return c, rec
}

// Opening-hours questions are answered from lokal.yaml, the clock in the
// deployment's timezone and the holiday calendar.
func TestOpeningHours(t *testing.T) {
	tests := []struct {
		name, now string
		before    string // a question that sets the topic first
		question  string
		want      []string
		not       []string
	}{
		{"weekday open", "2026-12-07 09:00", "", "jam buka dukcapil",
			[]string{"Disdukcapil Kabupaten Contoh</b> buka sekarang, sampai pukul 15:00", "Senin–Kamis 08:00–15:00; Jumat 08:00–11:30, 13:30–15:00; Sabtu 08:00–12:00"},
			[]string{"Samsat", "Catatan"}},
		{"before opening", "2026-12-07 07:15", "", "dukcapil udah buka?",
			[]string{"belum buka; buka hari ini pukul 08:00"}, nil},
		{"friday prayer break", "2026-12-11 12:10", "", "disdukcapil buka sekarang?",
			[]string{"belum buka; buka hari ini pukul 13:30"}, nil},
		{"named saturday", "2026-12-08 10:00", "", "dukcapil buka sabtu?",
			[]string{"buka Sabtu, 12 Desember 2026, pukul 08:00–12:00"}, nil},
		{"sunday closed", "2026-12-08 10:00", "", "samsat buka hari minggu ga",
			[]string{"Kantor Bersama Samsat Contoh</b> tutup Minggu, 13 Desember 2026"}, nil},
		{"saturday afternoon", "2026-12-12 13:00", "", "dukcapil buka ga",
			[]string{"sudah tutup; buka lagi Senin, 14 Desember 2026 pukul 08:00"}, nil},
		{"tomorrow after a topic", "2026-12-11 10:00", "syarat bikin ktp pertama kali", "besok buka ga?",
			[]string{"Disdukcapil Kabupaten Contoh</b> buka besok (Sabtu, 12 Desember 2026), pukul 08:00–12:00", "Mal Pelayanan Publik Kabupaten Contoh</b> tutup besok (Sabtu, 12 Desember 2026)"},
			[]string{"Samsat"}},
		{"now after a topic", "2026-12-07 10:00", "pajak motor", "buka sekarang?",
			[]string{"Kantor Bersama Samsat Contoh</b> buka sekarang, sampai pukul 14:00"}, []string{"Disdukcapil"}},
		// "buka sekarang?" after a topic on a Saturday, a holiday and a cuti
		// bersama day (the weekday is "now after a topic" above).
		{"saturday now after a topic", "2026-12-12 09:30", "syarat bikin ktp pertama kali", "buka sekarang?",
			[]string{"Disdukcapil Kabupaten Contoh</b> buka sekarang, sampai pukul 12:00", "Mal Pelayanan Publik Kabupaten Contoh</b> sudah tutup; buka lagi Senin, 14 Desember 2026 pukul 08:00"}, nil},
		{"holiday now after a topic", "2026-06-01 10:00", "syarat bikin ktp pertama kali", "buka sekarang?",
			[]string{"Disdukcapil Kabupaten Contoh</b> tutup hari ini (Hari Lahir Pancasila); buka lagi besok (Selasa, 2 Juni 2026) pukul 08:00"}, nil},
		{"cuti bersama now after a topic", "2026-05-15 10:00", "pajak motor", "buka sekarang?",
			[]string{"Kantor Bersama Samsat Contoh</b> tutup hari ini (Cuti bersama Kenaikan Yesus Kristus); buka lagi besok (Sabtu, 16 Mei 2026) pukul 08:00"}, nil},
		{"national holiday", "2026-08-17 09:00", "", "jam buka dukcapil",
			[]string{"tutup hari ini (Hari Proklamasi Kemerdekaan RI); buka lagi besok (Selasa, 18 Agustus 2026) pukul 08:00"}, nil},
		{"cuti bersama", "2026-12-24 09:00", "", "dukcapil buka sekarang",
			[]string{"tutup hari ini (Cuti bersama Hari Raya Natal); buka lagi Sabtu, 26 Desember 2026 pukul 08:00"}, nil},
		{"holiday tomorrow", "2026-12-23 10:00", "", "besok dukcapil buka?",
			[]string{"tutup besok (Kamis, 24 Desember 2026): Cuti bersama Hari Raya Natal"}, nil},
		{"year without a calendar", "2026-12-31 16:00", "", "jam buka dukcapil",
			[]string{"buka lagi besok (Jumat, 1 Januari 2027) pukul 08:00", "hari libur tahun 2027 belum tercatat"}, nil},
		{"english", "2026-12-07 09:00", "", "is dukcapil open now",
			[]string{"Disdukcapil Kabupaten Contoh</b> is open now, until 15:00", "Opening hours: Monday–Thursday 08:00–15:00"}, nil},
		{"all offices without a topic", "2026-12-07 09:00", "", "buka sekarang?",
			[]string{"Disdukcapil", "Mal Pelayanan Publik", "Samsat"}, nil},
		// Words of the phrases and filler never name an office:
		// "layanan" is not "Mal Pelayanan", "kantor" not "Kantor Bersama Samsat".
		{"jam layanan names no office", "2026-12-07 09:00", "", "jam layanan",
			[]string{"Disdukcapil", "Mal Pelayanan Publik", "Samsat"}, nil},
		{"kantor names no office", "2026-12-07 09:00", "syarat bikin ktp pertama kali", "kantor buka jam berapa",
			[]string{"Disdukcapil", "Mal Pelayanan Publik"}, []string{"Samsat"}},
		{"this week is not sunday", "2026-12-07 09:00", "", "dukcapil buka minggu ini?",
			[]string{"Disdukcapil Kabupaten Contoh</b> buka sekarang"}, []string{"Minggu, 13"}},
		{"open in a year without a calendar", "2027-01-04 09:00", "", "jam buka dukcapil",
			[]string{"buka sekarang, sampai pukul 15:00", "hari libur tahun 2027 belum tercatat"}, []string{"tahun 1,"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newLocalConv(t, localIndex(t), wita(t, tt.now))
			if tt.before != "" {
				out, err := c.Handle(t.Context(), textUpdate(1, tt.before))
				if err != nil || out.Kind != OutcomeAnswered {
					t.Fatalf("%q: %v %v", tt.before, out.Kind, err)
				}
			}
			u := textUpdate(2, tt.question)
			if tt.name == "english" {
				u.Message.From.LanguageCode = "en"
			}
			out, err := c.Handle(t.Context(), u)
			if err != nil {
				t.Fatal(err)
			}
			got := rec.last().Text
			if out.Kind != OutcomeOffices {
				t.Fatalf("outcome %q, want offices; reply:\n%s", out.Kind, got)
			}
			if err := render.Valid(got); err != nil {
				t.Errorf("invalid HTML: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("reply has %q:\n%s", w, got)
				}
			}
		})
	}
}

// Messages that are not about hours, or content without offices, go to
// the search as before.
func TestNotOpeningHours(t *testing.T) {
	now := wita(t, "2026-12-07 09:00")
	for _, tt := range []struct {
		name     string
		local    bool
		question string
	}{
		{"other question with buka", true, "cara buka blokir npwp"},
		{"duration", true, "berapa hari kerja bikin ktp"},
		{"without lokal.yaml", false, "jam buka dukcapil"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ix := index(t)
			if tt.local {
				ix = localIndex(t)
			}
			c, rec := newLocalConv(t, ix, now)
			out, err := c.Handle(t.Context(), textUpdate(1, tt.question))
			if err != nil {
				t.Fatal(err)
			}
			if out.Kind == OutcomeOffices || strings.Contains(rec.last().Text, "[[") {
				t.Errorf("%q: outcome %q, reply:\n%s", tt.question, out.Kind, rec.last().Text)
			}
		})
	}
}

func locationUpdate(id int, lat, lon float64, venue bool) Update {
	u := textUpdate(id, "")
	u.Message.Location = &Location{Lat: lat, Lon: lon}
	if venue {
		u.Message.Location.Venue = "Warung"
	}
	return u
}

// A shared location gets the nearest offices, sorted by distance, that
// serve the current topic (all without one).
func TestNearestOffices(t *testing.T) {
	now := wita(t, "2026-12-07 09:00")
	tests := []struct {
		name     string
		before   string
		lat, lon float64
		venue    bool
		want     []string // in order
		not      []string
	}{
		// Beside the MPP (-1.2550, 116.8400): MPP ~0 m, Disdukcapil ~1.2
		// km, Samsat ~16.3 km.
		{"all offices", "", -1.2550, 116.8400, false, []string{"1. 0 m", "Mal Pelayanan Publik", "2. 1,2 km", "Disdukcapil", "3. 16,3 km", "Samsat"}, nil},
		{"venue", "", -1.3000, 116.7000, true, []string{"1. 0 m", "Samsat"}, nil},
		{"topic filters", "pajak motor", -1.2550, 116.8400, false, []string{"untuk Bayar Pajak Kendaraan", "1. 16,3 km", "Samsat"}, []string{"Disdukcapil"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newLocalConv(t, localIndex(t), now)
			if tt.before != "" {
				if _, err := c.Handle(t.Context(), textUpdate(1, tt.before)); err != nil {
					t.Fatal(err)
				}
			}
			out, err := c.Handle(t.Context(), locationUpdate(2, tt.lat, tt.lon, tt.venue))
			if err != nil || out.Kind != OutcomeOffices {
				t.Fatalf("outcome %q, err %v", out.Kind, err)
			}
			got := rec.last().Text
			if err := render.Valid(got); err != nil {
				t.Errorf("invalid HTML: %v", err)
			}
			at := 0
			for _, w := range tt.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("reply lacks %q after position %d:\n%s", w, at, got)
				}
				at += i + len(w)
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("reply has %q:\n%s", w, got)
				}
			}
		})
	}
	// Without lokal.yaml a location is answered, not ignored.
	c, rec := newLocalConv(t, index(t), now)
	if out, err := c.Handle(t.Context(), locationUpdate(3, -1.25, 116.84, false)); err != nil || out.Kind != OutcomeOffices || !strings.Contains(rec.last().Text, "belum diisi") {
		t.Errorf("no offices: outcome %q err %v reply %q", out.Kind, err, rec.last().Text)
	}
}

// "di mana?" after a topic shows the offices that serve it.
func TestWhereFollowUpShowsOffices(t *testing.T) {
	c, rec := newLocalConv(t, localIndex(t), wita(t, "2026-12-07 09:00"))
	for i, q := range []string{"pajak motor", "dimana?"} {
		if _, err := c.Handle(t.Context(), textUpdate(i+1, q)); err != nil {
			t.Fatal(err)
		}
	}
	if got := rec.last().Text; !strings.Contains(got, "Kantor Bersama Samsat Contoh</b>\n📍 Jl. Samsat No. 3, Kecamatan Lain\n🕘 Hari ini: 08:00–14:00") {
		t.Errorf("follow-up:\n%s", got)
	}
}

func TestOfficesCommand(t *testing.T) {
	now := wita(t, "2026-12-12 09:00")
	c, rec := newLocalConv(t, localIndex(t), now)
	if _, err := c.Handle(t.Context(), textUpdate(1, "/kantor")); err != nil {
		t.Fatal(err)
	}
	got := rec.last().Text
	for _, w := range []string{"Kantor layanan Kabupaten Contoh", "Disdukcapil Kabupaten Contoh", "Hari ini: 08:00–12:00", "Mal Pelayanan Publik Kabupaten Contoh</b>\n📍 Jl. Contoh Raya No. 10, Kecamatan Contoh\n🕘 Hari ini: tutup", "Kirim lokasi Anda"} {
		if !strings.Contains(got, w) {
			t.Errorf("/kantor lacks %q:\n%s", w, got)
		}
	}
	c, rec = newLocalConv(t, index(t), now)
	if _, err := c.Handle(t.Context(), textUpdate(1, "/kantor")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.last().Text, "belum diisi") {
		t.Errorf("/kantor without offices: %q", rec.last().Text)
	}
}

// The card lists the offices that serve the entry with today's hours.
func TestAnswerCardWithOfficesGolden(t *testing.T) {
	c, _ := newLocalConv(t, localIndex(t), wita(t, "2026-12-11 09:00"))
	e, err := c.know.Entry("ktp-el-baru")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "ktp-el-baru-lokal-id", c.cards.HTML(LangID, c.know.Content().Local, e, c.now()))
}

// No reply to any bundled entry's title shows a placeholder's brackets,
// with or without lokal.yaml.
func TestNoBracketsInReplies(t *testing.T) {
	for _, ix := range []*knowledge.Index{index(t), localIndex(t)} {
		c, rec := newLocalConv(t, ix, wita(t, "2026-12-07 09:00"))
		for i, e := range ix.Content().Entries {
			if _, err := c.Handle(t.Context(), textUpdate(i+1, e.Title)); err != nil {
				t.Fatal(err)
			}
			for _, r := range rec.replies {
				if strings.Contains(r.Text, "[[") || strings.Contains(r.Text, "]]") {
					t.Errorf("%q: reply shows brackets:\n%s", e.Title, r.Text)
				}
			}
			rec.replies = nil
		}
	}
}

func FuzzHoursQuestion(f *testing.F) {
	for _, s := range []string{"jam buka dukcapil", "besok buka ga?", "dukcapil buka sabtu?", "cara buka blokir", "what time does samsat open", "buka 24 jam", ""} {
		f.Add(s)
	}
	words, err := loadHoursWords()
	if err != nil {
		f.Fatal(err)
	}
	ix, err := withLocal()
	if err != nil {
		f.Fatal(err)
	}
	loc := ix.Content().Local
	f.Fuzz(func(t *testing.T, text string) {
		q, ok := words.parse(text, loc)
		if !ok {
			return
		}
		for _, id := range q.offices {
			if _, found := loc.Office(id); !found {
				t.Fatalf("%q: unknown office %q", text, id)
			}
		}
		if q.day.offset < 0 || q.day.offset > 2 || q.day.weekday < 0 || q.day.weekday > 6 {
			t.Fatalf("%q: day %+v", text, q.day)
		}
	})
}

// Hours answers carry buttons that copy an office's address and phone.
func TestCopyButtons(t *testing.T) {
	c, rec := newLocalConv(t, localIndex(t), wita(t, "2026-12-07 09:00"))
	if _, err := c.Handle(t.Context(), textUpdate(1, "jam buka dukcapil")); err != nil {
		t.Fatal(err)
	}
	rows := rec.last().Buttons
	if len(rows) < 2 || len(rows[0]) != 2 {
		t.Fatalf("buttons %+v", rows)
	}
	if b := rows[0][0]; b.CopyText != "Disdukcapil Kabupaten Contoh, Jl. Contoh Raya No. 1, Kecamatan Contoh" || b.Data != "" || !strings.HasPrefix(b.Text, "📋 Salin alamat") {
		t.Errorf("address button %+v", b)
	}
	if b := rows[0][1]; b.CopyText != "0542 000001" {
		t.Errorf("phone button %+v", b)
	}
}

// A map link with a quote in it still makes valid HTML.
func TestOfficeMapLinkEscaped(t *testing.T) {
	ix := localIndex(t)
	o, _ := ix.Content().Local.Office("disdukcapil")
	saved := o.MapURL
	o.MapURL = `https://maps.example/?q="x"&y=<z>`
	defer func() { o.MapURL = saved }()
	c, rec := newLocalConv(t, ix, wita(t, "2026-12-07 09:00"))
	if _, err := c.Handle(t.Context(), textUpdate(1, "jam buka dukcapil")); err != nil {
		t.Fatal(err)
	}
	if err := render.Valid(rec.last().Text); err != nil || !strings.Contains(rec.last().Text, `href="https://maps.example/?q=&quot;x&quot;&amp;y=&lt;z&gt;"`) {
		t.Errorf("invalid or unescaped link (%v):\n%s", err, rec.last().Text)
	}
}
