package local

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func parseExample(t *testing.T) *Data {
	t.Helper()
	data, err := os.ReadFile("../../examples/lokal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, problems := Parse(data)
	for _, p := range problems {
		t.Errorf("example line %d: %s", p.Line, p.Message)
	}
	return d
}

func TestParseExample(t *testing.T) {
	d := parseExample(t)
	if d.Region != "Kabupaten Contoh" || d.TimezoneName() != "Asia/Makassar" {
		t.Errorf("region %q timezone %q", d.Region, d.TimezoneName())
	}
	if len(d.Offices) != 3 {
		t.Fatalf("%d offices, want 3", len(d.Offices))
	}
	o, ok := d.Office("disdukcapil")
	if !ok {
		t.Fatal("no disdukcapil")
	}
	fri := o.Hours[time.Friday]
	if len(fri) != 2 || fri[0].String() != "08:00-11:30" || fri[1].String() != "13:30-15:00" {
		t.Errorf("friday %v", fri)
	}
	if len(o.Hours[time.Sunday]) != 0 || len(o.Hours[time.Wednesday]) != 1 {
		t.Errorf("hours %v", o.Hours)
	}
	if o.Location == nil || o.Location.Lat != -1.26 {
		t.Errorf("location %v", o.Location)
	}
	if got := d.Serving("akta-kematian", "kependudukan"); len(got) != 2 || got[0].ID != "disdukcapil" || got[1].ID != "mpp" {
		t.Errorf("serving akta-kematian: %v", got)
	}
	if !d.CommonNameWord("contoh") || d.CommonNameWord("disdukcapil") || !slices.Contains(o.NameWords, "disdukcapil") {
		t.Errorf("name words %v, common %v", o.NameWords, d.commonWords)
	}
	if d.Values["denda-akta-kematian"] == "" {
		t.Error("value missing")
	}
	if h, ok := d.Calendar().Holiday(Date{2026, time.July, 12}); !ok || h.Name != "Hari Jadi Kabupaten Contoh" {
		t.Errorf("regional holiday %v %v", h, ok)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string // in some problem's message
		line       int
		fatal      bool
	}{
		{"yaml syntax", "region: X\n\tname: y\n", "YAML rusak", 2, true},
		{"not a mapping", "- a\n- b\n", "harus berupa kolom", 1, true},
		{"unknown top key", "region: X\nofices: []\n", `kolom "ofices" tidak dikenal`, 2, false},
		{"bad timezone", "timezone: Asia/Singapore\n", "timezone \"Asia/Singapore\" tidak dikenal", 1, true},
		{"unknown office key", "offices:\n  - id: a\n    name: A\n    adress: x\n", `kolom kantor "adress" tidak dikenal`, 4, false},
		{"duplicate office", "offices:\n  - {id: a, name: A}\n  - {id: a, name: B}\n", `id kantor "a" ganda`, 3, true},
		{"office without id", "offices:\n  - name: A\n", "kantor tanpa id", 2, true},
		{"bad id", "offices:\n  - {id: Dinas A, name: A}\n", "hanya boleh huruf kecil", 2, true},
		{"no name", "offices:\n  - {id: a}\n", "tidak punya name", 2, true},
		{"bad time", "offices:\n  - id: a\n    name: A\n    hours:\n      mon: \"8-15\"\n", `jam "8" harus seperti 08:00`, 5, true},
		{"close before open", "offices:\n  - id: a\n    name: A\n    hours:\n      mon: \"15:00-08:00\"\n", "jam tutup harus setelah jam buka", 5, true},
		{"overlap", "offices:\n  - id: a\n    name: A\n    hours:\n      mon: \"08:00-12:00,11:00-15:00\"\n", "tumpang tindih", 5, true},
		{"bad day", "offices:\n  - id: a\n    name: A\n    hours:\n      senin: \"08:00-12:00\"\n", `hari "senin" tidak dikenal`, 5, true},
		{"reversed range", "offices:\n  - id: a\n    name: A\n    hours:\n      fri-mon: \"08:00-12:00\"\n", "terbalik", 5, true},
		{"day twice", "offices:\n  - id: a\n    name: A\n    hours:\n      mon-fri: \"08:00-12:00\"\n      fri: \"08:00-11:00\"\n", "sudah diberi jam", 6, true},
		{"minutes", "offices:\n  - id: a\n    name: A\n    hours:\n      mon: \"08:00-15:75\"\n", "15:75", 5, true},
		{"location", "offices:\n  - id: a\n    name: A\n    location: {lat: 95, lon: 10}\n", "di luar bumi", 4, false},
		{"location text", "offices:\n  - id: a\n    name: A\n    location: {lat: x, lon: 10}\n", "bukan angka", 4, false},
		{"email", "offices:\n  - id: a\n    name: A\n    email: nope\n", "bukan alamat email", 4, false},
		{"map url", "offices:\n  - id: a\n    name: A\n    map_url: maps/x\n", "bukan alamat web", 4, false},
		{"services scalar", "offices:\n  - id: a\n    name: A\n    services: ktp\n", "harus daftar", 4, false},
		{"holiday date", "holidays:\n  - {date: 2027-02-30, name: X}\n", "tidak ada", 2, false},
		{"holiday name", "holidays:\n  - {date: 2027-01-01}\n", "tidak punya name", 2, false},
		{"value name", "values:\n  Denda KTP: x\n", "nama nilai", 2, false},
		{"empty value", "values:\n  denda: \"\"\n", "kosong", 2, false},
		{"not utf8", "region: \xff\n", "UTF-8", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := Parse([]byte(tt.yaml))
			for _, p := range problems {
				if strings.Contains(p.Message, tt.want) {
					if p.Line != tt.line || p.Fatal != tt.fatal {
						t.Errorf("%q at line %d fatal %v, want line %d fatal %v", p.Message, p.Line, p.Fatal, tt.line, tt.fatal)
					}
					return
				}
			}
			t.Errorf("no problem containing %q in %+v", tt.want, problems)
		})
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# nothing\n", "region: X\n"} {
		d, problems := Parse([]byte(in))
		if len(problems) > 0 || d.TimezoneName() != DefaultTimezone || len(d.Offices) != 0 {
			t.Errorf("%q: %+v %+v", in, d, problems)
		}
	}
	var none *Data
	if none.Serving("x", "y") != nil || none.Calendar() != national || none.Nearest(Point{}, nil, 3) != nil {
		t.Error("nil Data is not empty")
	}
}

func TestStatusAt(t *testing.T) {
	d := parseExample(t)
	o, _ := d.Office("disdukcapil")
	wita := Timezones["Asia/Makassar"]
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, wita)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name, now  string
		open       bool
		edge       string // Until when open, Next when closed ("" = none)
		holiday    string
		calKnown   bool
		todayClose bool
	}{
		{"monday morning", "2026-12-07 09:00", true, "2026-12-07 15:00", "", true, false},
		{"monday before opening", "2026-12-07 07:30", false, "2026-12-07 08:00", "", true, false},
		{"monday after closing", "2026-12-07 15:00", false, "2026-12-08 08:00", "", true, false},
		{"friday prayer break", "2026-12-11 12:00", false, "2026-12-11 13:30", "", true, false},
		{"friday afternoon", "2026-12-11 14:00", true, "2026-12-11 15:00", "", true, false},
		{"saturday morning", "2026-12-05 10:00", true, "2026-12-05 12:00", "", true, false},
		{"sunday", "2026-12-06 10:00", false, "2026-12-07 08:00", "", true, true},
		{"national holiday", "2026-08-17 09:00", false, "2026-08-18 08:00", "Hari Proklamasi Kemerdekaan RI", true, true},
		{"cuti bersama", "2026-12-24 09:00", false, "2026-12-26 08:00", "Cuti bersama Hari Raya Natal", true, true},
		{"regional holiday", "2026-07-12 09:00", false, "2026-07-13 08:00", "Hari Jadi Kabupaten Contoh", true, true},
		// Idulfitri: cuti 20, libur 21-22 (weekend), cuti 23-24 March.
		{"lebaran week", "2026-03-20 09:00", false, "2026-03-25 08:00", "Cuti bersama Idulfitri", true, true},
		// 31 December 2026 is a Thursday; the next opening is 2027, whose
		// calendar is not known.
		{"new year unknown", "2026-12-31 16:00", false, "2027-01-01 08:00", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := d.StatusAt(o, at(tt.now).In(time.UTC))
			if st.Open != tt.open {
				t.Errorf("open %v, want %v", st.Open, tt.open)
			}
			edge := st.Next
			if st.Open {
				edge = st.Until
			}
			if got := edge.In(wita).Format("2006-01-02 15:04"); got != tt.edge {
				t.Errorf("edge %s, want %s", got, tt.edge)
			}
			if !st.Open && !st.NextOK {
				t.Error("no next opening")
			}
			name := ""
			if st.Today.Holiday != nil {
				name = st.Today.Holiday.Name
			}
			if name != tt.holiday {
				t.Errorf("holiday %q, want %q", name, tt.holiday)
			}
			if st.CalendarKnown != tt.calKnown {
				t.Errorf("calendar known %v, want %v", st.CalendarKnown, tt.calKnown)
			}
			if st.Today.Closed() != tt.todayClose {
				t.Errorf("closed today %v, want %v", st.Today.Closed(), tt.todayClose)
			}
		})
	}
}

func TestStatusNeverOpen(t *testing.T) {
	d, _ := Parse([]byte("offices:\n  - {id: a, name: A}\n"))
	st := d.StatusAt(&d.Offices[0], time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	if st.Open || st.NextOK {
		t.Errorf("office without hours: %+v", st)
	}
}

func TestCalendarYears(t *testing.T) {
	d := parseExample(t)
	cal := d.Calendar()
	if !cal.Known(2026) || cal.Known(2027) {
		t.Errorf("known years %v", cal.Years())
	}
	if got := cal.MissingYears(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)); len(got) != 1 || got[0] != 2027 {
		t.Errorf("missing %v", got)
	}
	next, _ := Parse([]byte("holidays:\n  - {date: 2027-01-01, name: Tahun Baru 2027 Masehi}\n  - {date: 2027-02-08, name: Cuti bersama, leave: true}\n"))
	if !next.Calendar().Known(2027) {
		t.Error("2027 with 1 January not known")
	}
	if h, _ := next.Calendar().Holiday(Date{2027, 2, 8}); !h.Leave {
		t.Error("leave not read")
	}
	if h, ok := national.Holiday(Date{2026, 3, 21}); !ok || h.Leave || h.Name != "Idulfitri" {
		t.Errorf("national 21 March: %+v", h)
	}
	n := 0
	for range national.days {
		n++
	}
	if n != 25 {
		t.Errorf("national 2026 has %d days, want 17 holidays and 8 cuti bersama", n)
	}
}

func TestNearest(t *testing.T) {
	// Three offices around Balikpapan/Penajam and a citizen's point; the
	// distances are great-circle ones, checked against a hand computation
	// (1 degree of latitude ≈ 111.2 km).
	d, problems := Parse([]byte(`offices:
  - {id: far, name: Far, location: {lat: -1.0, lon: 116.83}}
  - {id: near, name: Near, location: {lat: -1.26, lon: 116.84}, services: [ktp]}
  - {id: mid, name: Mid, location: {lat: -1.30, lon: 116.83}, services: [ktp]}
  - {id: nowhere, name: No location}
`))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	p := Point{-1.26, 116.83}
	tests := []struct {
		name string
		keep func(*Office) bool
		n    int
		want []string
	}{
		{"all", nil, 5, []string{"near", "mid", "far"}},
		{"two", nil, 2, []string{"near", "mid"}},
		{"serving ktp", func(o *Office) bool { return len(o.Services) > 0 }, 5, []string{"near", "mid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Nearest(p, tt.keep, tt.n)
			var ids []string
			for _, g := range got {
				ids = append(ids, g.Office.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
	got := d.Nearest(p, nil, 3)
	for _, c := range []struct {
		i      int
		meters float64
	}{{0, 1113}, {1, 4448}, {2, 28911}} {
		if m := got[c.i].Meters; m < c.meters*0.99 || m > c.meters*1.01 {
			t.Errorf("%s: %.0f m, want about %.0f", got[c.i].Office.ID, m, c.meters)
		}
	}
}

func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../../examples/lokal.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{"", "offices: [{id: a, name: A, hours: {mon-fri: \"08:00-12:00,13:00-24:00\"}}]", "holidays: [{date: 2027-01-01, name: x}]", "values: {a: b}", "timezone: Asia/Jayapura"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, problems := Parse(data)
		if d == nil || d.Calendar() == nil {
			t.Fatal("nil data")
		}
		for _, p := range problems {
			if p.Line < 1 || p.Message == "" {
				t.Fatalf("problem without line or message: %+v", p)
			}
		}
		seen := map[string]bool{}
		for i := range d.Offices {
			o := &d.Offices[i]
			if seen[o.ID] || o.ID == "" || o.Name == "" {
				t.Fatalf("office %+v kept", o)
			}
			seen[o.ID] = true
			for _, day := range o.Hours {
				for j, s := range day {
					if s.Open < 0 || s.Close > 24*60 || s.Close <= s.Open || (j > 0 && s.Open < day[j-1].Close) {
						t.Fatalf("bad span kept: %v", day)
					}
				}
			}
			d.StatusAt(o, time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC))
		}
	})
}

func TestWeekSummary(t *testing.T) {
	d := parseExample(t)
	for id, want := range map[string]string{
		"disdukcapil": "Senin–Kamis 08:00–15:00; Jumat 08:00–11:30, 13:30–15:00; Sabtu 08:00–12:00",
		"mpp":         "Senin–Jumat 08:00–16:00",
	} {
		o, _ := d.Office(id)
		if got := o.Hours.Summary(); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	var w Week
	w[time.Monday] = []Span{{480, 900}}
	w[time.Wednesday] = []Span{{480, 900}}
	if got := w.Summary(); got != "Senin 08:00–15:00; Rabu 08:00–15:00" {
		t.Errorf("gaps: %q", got)
	}
}
