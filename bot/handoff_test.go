package bot

import (
	"strings"
	"testing"
	"time"
)

func TestHandoffWordsMatch(t *testing.T) {
	words, err := loadHandoffWords()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text   string
		ok     bool
		others int
	}{
		{"mau bicara dengan petugas", true, 1},
		{"Min, saya mau BICARA SAMA PETUGAS soal ktp hilang!", true, 6},
		{"can I talk to a human please", true, 3},
		{"hubungi petugas", true, 0},
		{"syarat bikin ktp", false, 0},
		{"petugas dukcapil jam berapa buka", false, 0},
		{"bicara", false, 0},
		{"", false, 0},
	}
	for _, tt := range tests {
		others, ok := words.match(tt.text)
		if ok != tt.ok || others != tt.others {
			t.Errorf("match(%q) = %d, %v; want %d, %v", tt.text, others, ok, tt.others, tt.ok)
		}
	}
}

func TestParseHandoffCallback(t *testing.T) {
	tests := []struct {
		data   string
		valid  bool
		ticket int64
		rating int
	}{
		{"p:send", true, 0, 0},
		{"p:full", true, 0, 0},
		{"p:no", true, 0, 0},
		{"p:all", false, 0, 0},
		{"n:12:5", true, 12, 5},
		{"n:12:6", false, 0, 0},
		{"n:0:3", false, 0, 0},
		{"n:-1:3", false, 0, 0},
		{"n:x:3", false, 0, 0},
		{"n:12", false, 0, 0},
	}
	for _, tt := range tests {
		cb := parseCallback(tt.data)
		if cb.valid != tt.valid || (tt.valid && (cb.ticket != tt.ticket || cb.page != tt.rating)) {
			t.Errorf("parseCallback(%q) = %+v", tt.data, cb)
		}
	}
}

// The citizen is told when staff answer: the hours of HANDOFF_OFFICE (the
// first office by default) and whether it is open now.
func TestStaffHours(t *testing.T) {
	tests := []struct {
		name, office, now string
		want              []string
	}{
		{"first office, open", "", "2026-12-07 09:00", []string{"Senin–Kamis 08:00–15:00", "buka", "15:00"}},
		{"named office, closed", "mpp", "2026-12-05 20:00", []string{"Senin–Jumat 08:00–16:00", "Senin"}},
		{"unknown office", "kantor-lain", "2026-12-07 09:00", []string{"Petugas menjawab pada jam kerja."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newLocalConv(t, localIndex(t), wita(t, tt.now))
			c.opts.Handoff = &Handoff{Office: tt.office}
			got := c.staffHours(&conv{lang: LangID})
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("staffHours = %q, want %q in it", got, w)
				}
			}
		})
	}
	c, _ := newLocalConv(t, mustIndex(t, bundled), time.Now())
	c.opts.Handoff = &Handoff{}
	if got := c.staffHours(&conv{lang: LangEN}); got != "Staff answer during office hours." {
		t.Errorf("without lokal.yaml: %q", got)
	}
}
