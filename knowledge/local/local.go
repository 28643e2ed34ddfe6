package local

import (
	"errors"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/layanan-id/layanan/knowledge/analysis"
)

// FileName is the local data's file in the content folder.
const FileName = "lokal.yaml"

// Data is a deployment's local data. The zero value (no lokal.yaml) is
// usable: no offices, no values, the national calendar, Asia/Jakarta.
type Data struct {
	Region   string
	Timezone *time.Location
	Offices  []Office
	Values   map[string]string
	// Holidays are the file's own dates (regional holidays, later years'
	// national lists), merged with the national calendar in the calendar.
	Holidays []Holiday

	calendar *Calendar
	// commonWords are name words most offices share ("kabupaten",
	// "kantor", the region's name): they name none of them.
	commonWords map[string]bool
}

// Office is one place citizens go to.
type Office struct {
	ID       string
	Name     string
	Address  string
	Phone    string
	WhatsApp string
	Email    string
	MapURL   string
	Location *Point // nil when not given
	Hours    Week
	// Services are entry ids or category ids the office serves.
	Services []string
	Notes    string
	// NameWords are the name's words as questions are read (analysis.
	// Tokenize), for recognising an office a question names.
	NameWords []string
	// Line is where the office starts in lokal.yaml.
	Line int
	// ServicesLine is where its services are listed.
	ServicesLine int
}

// Point is a place on the earth in degrees.
type Point struct{ Lat, Lon float64 }

// Problem is something wrong in lokal.yaml. Fatal problems left something
// out (the file could not be read, an office was dropped): a reload keeps
// the last good content.
type Problem struct {
	Line    int
	Message string
	Fatal   bool
}

// Timezones citizens' clocks can be in: Indonesia's three zones, which
// keep no daylight saving time, so fixed offsets are exact and need no
// time zone database on the server.
var Timezones = map[string]*time.Location{
	"Asia/Jakarta":  time.FixedZone("WIB", 7*3600),
	"Asia/Makassar": time.FixedZone("WITA", 8*3600),
	"Asia/Jayapura": time.FixedZone("WIT", 9*3600),
}

// DefaultTimezone is the timezone when lokal.yaml names none.
const DefaultTimezone = "Asia/Jakarta"

// TimezoneName returns the IANA name of d's timezone.
func (d *Data) TimezoneName() string {
	for name, loc := range Timezones {
		if loc == d.location() {
			return name
		}
	}
	return DefaultTimezone
}

func (d *Data) location() *time.Location {
	if d == nil || d.Timezone == nil {
		return Timezones[DefaultTimezone]
	}
	return d.Timezone
}

// Calendar returns the holidays that close offices: the national calendar
// and the file's own dates.
func (d *Data) Calendar() *Calendar {
	if d == nil || d.calendar == nil {
		return national
	}
	return d.calendar
}

// Office returns the office with id.
func (d *Data) Office(id string) (*Office, bool) {
	if d == nil {
		return nil, false
	}
	for i := range d.Offices {
		if d.Offices[i].ID == id {
			return &d.Offices[i], true
		}
	}
	return nil, false
}

// indexNames reads every office's name words once, and which words most
// offices share.
func (d *Data) indexNames() {
	count := map[string]int{}
	for i := range d.Offices {
		o := &d.Offices[i]
		o.NameWords = slices.Compact(slices.Sorted(slices.Values(analysis.Tokenize(o.Name))))
		for _, w := range o.NameWords {
			count[w]++
		}
	}
	d.commonWords = map[string]bool{}
	if len(d.Offices) < 2 {
		return
	}
	for w, n := range count {
		if n*2 > len(d.Offices) {
			d.commonWords[w] = true
		}
	}
}

// CommonNameWord tells whether w is in the names of most offices, so that
// it names none of them.
func (d *Data) CommonNameWord(w string) bool { return d != nil && d.commonWords[w] }

// Serving returns the offices that list entryID or categoryID among their
// services, in file order.
func (d *Data) Serving(entryID, categoryID string) []*Office {
	if d == nil {
		return nil
	}
	var out []*Office
	for i := range d.Offices {
		o := &d.Offices[i]
		if slices.Contains(o.Services, entryID) || (categoryID != "" && slices.Contains(o.Services, categoryID)) {
			out = append(out, o)
		}
	}
	return out
}

var (
	idRE   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	keyRE  = regexp.MustCompile(`^[a-z0-9]+([-_][a-z0-9]+)*$`)
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

var (
	topKeys    = []string{"region", "timezone", "offices", "values", "holidays"}
	officeKeys = []string{"id", "name", "address", "phone", "whatsapp", "email", "map_url", "location", "hours", "services", "notes"}
)

// MaxFileSize bounds lokal.yaml: a district's offices fit in far less, and
// a larger file is a mistake.
const MaxFileSize = 1 << 20

// Parse reads lokal.yaml. It never fails: what cannot be used is left out
// and described in the problems, with lines. A file that cannot be read
// at all gives an empty Data and a fatal problem.
func Parse(data []byte) (*Data, []Problem) {
	d := &Data{Timezone: Timezones[DefaultTimezone], Values: map[string]string{}}
	var problems []Problem
	report := func(line int, fatal bool, format string, args ...any) {
		problems = append(problems, Problem{Line: max(line, 1), Message: fmt.Sprintf(format, args...), Fatal: fatal})
	}
	defer func() {
		d.calendar = national.with(d.Holidays)
		d.indexNames()
	}()
	if len(data) > MaxFileSize {
		report(1, true, "berkas terlalu besar (%d byte, paling banyak %d); data lokal diabaikan", len(data), MaxFileSize)
		return d, problems
	}
	if !utf8.Valid(data) {
		report(1, true, "bukan teks UTF-8 yang sah; simpan berkas sebagai UTF-8; data lokal diabaikan")
		return d, problems
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(err)
		report(line, true, "YAML rusak: %s; data lokal diabaikan", msg)
		return d, problems
	}
	if len(doc.Content) == 0 {
		return d, problems
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		report(root.Line, true, "lokal.yaml harus berupa kolom (region, timezone, offices, values, holidays); data lokal diabaikan")
		return d, problems
	}
	eachKey(root, func(k, v *yaml.Node, dup bool) {
		if dup {
			report(k.Line, true, "kolom %q muncul dua kali", k.Value)
			return
		}
		switch k.Value {
		case "region":
			s, err := scalar(v)
			if err != nil {
				report(v.Line, false, "region: %v", err)
			}
			d.Region = s
		case "timezone":
			s, err := scalar(v)
			loc, ok := Timezones[s]
			switch {
			case err != nil:
				report(v.Line, true, "timezone: %v", err)
			case !ok:
				report(v.Line, true, "timezone %q tidak dikenal; pilih Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT)", s)
			default:
				d.Timezone = loc
			}
		case "offices":
			d.Offices = parseOffices(v, report)
		case "values":
			parseValues(v, d.Values, report)
		case "holidays":
			d.Holidays = parseHolidays(v, report)
		default:
			report(k.Line, false, "kolom %q tidak dikenal (yang dikenal: %s)", k.Value, strings.Join(topKeys, ", "))
		}
	})
	return d, problems
}

type reporter func(line int, fatal bool, format string, args ...any)

// eachKey calls fn for every key of a mapping node, telling repeated keys.
func eachKey(m *yaml.Node, fn func(k, v *yaml.Node, dup bool)) {
	seen := make(map[string]bool)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		fn(k, v, seen[k.Value])
		seen[k.Value] = true
	}
}

func parseOffices(n *yaml.Node, report reporter) []Office {
	if n.Kind != yaml.SequenceNode {
		report(n.Line, true, "offices harus daftar kantor, masing-masing diawali \"- id: ...\"")
		return nil
	}
	var out []Office
	seen := make(map[string]int)
	for _, item := range n.Content {
		o, ok := parseOffice(item, report)
		if !ok {
			continue
		}
		if first, dup := seen[o.ID]; dup {
			report(item.Line, true, "id kantor %q ganda, sudah dipakai di baris %d; kantor ini diabaikan", o.ID, first)
			continue
		}
		seen[o.ID] = item.Line
		out = append(out, o)
	}
	return out
}

func parseOffice(n *yaml.Node, report reporter) (Office, bool) {
	o := Office{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		report(n.Line, true, "kantor harus berupa kolom (id, name, address, ...); butir ini diabaikan")
		return o, false
	}
	ok := true
	eachKey(n, func(k, v *yaml.Node, dup bool) {
		if dup {
			report(k.Line, false, "kolom %q muncul dua kali; yang pertama dipakai", k.Value)
			return
		}
		var err error
		switch k.Value {
		case "id":
			o.ID, err = scalar(v)
		case "name":
			o.Name, err = scalar(v)
		case "address":
			o.Address, err = scalar(v)
		case "phone":
			o.Phone, err = scalar(v)
		case "whatsapp":
			o.WhatsApp, err = scalar(v)
		case "email":
			if o.Email, err = scalar(v); err == nil && o.Email != "" {
				if a, perr := mail.ParseAddress(o.Email); perr != nil || a.Address != o.Email {
					err = fmt.Errorf("%q bukan alamat email", o.Email)
					o.Email = ""
				}
			}
		case "map_url":
			if o.MapURL, err = scalar(v); err == nil && o.MapURL != "" && !strings.HasPrefix(o.MapURL, "https://") && !strings.HasPrefix(o.MapURL, "http://") {
				err = fmt.Errorf("%q bukan alamat web (http:// atau https://)", o.MapURL)
				o.MapURL = ""
			}
		case "location":
			o.Location, err = parsePoint(v)
		case "hours":
			var problems []Problem
			o.Hours, problems = ParseWeek(v)
			for _, p := range problems {
				report(p.Line, true, "hours: %s; kantor ini diabaikan sampai jamnya benar", p.Message)
				ok = false
			}
			return
		case "services":
			o.Services, err = stringList(v)
			o.ServicesLine = v.Line
		case "notes":
			o.Notes, err = scalar(v)
		default:
			report(k.Line, false, "kolom kantor %q tidak dikenal (yang dikenal: %s)", k.Value, strings.Join(officeKeys, ", "))
			return
		}
		if err != nil {
			report(v.Line, false, "%s: %v", k.Value, err)
		}
	})
	if hasBrackets(o.Name) || hasBrackets(o.Address) || hasBrackets(o.Notes) {
		report(n.Line, false, "kantor %q: name, address dan notes tidak boleh memuat [[ atau ]]", o.ID)
	}
	switch {
	case o.ID == "":
		report(n.Line, true, "kantor tanpa id; tambahkan \"id: nama-kantor\"; kantor ini diabaikan")
		return o, false
	case !idRE.MatchString(o.ID):
		report(n.Line, true, "id kantor %q hanya boleh huruf kecil, angka, dan tanda hubung tunggal (seperti disdukcapil); kantor ini diabaikan", o.ID)
		return o, false
	case o.Name == "":
		report(n.Line, true, "kantor %q tidak punya name; kantor ini diabaikan", o.ID)
		return o, false
	}
	return o, ok
}

// hasBrackets tells whether s holds a placeholder's brackets.
func hasBrackets(s string) bool { return strings.Contains(s, "[[") || strings.Contains(s, "]]") }

func parsePoint(n *yaml.Node) (*Point, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errors.New("harus berupa {lat: -1.26, lon: 116.83}")
	}
	var p Point
	var haveLat, haveLon bool
	var bad error
	eachKey(n, func(k, v *yaml.Node, _ bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64)
		if v.Kind != yaml.ScalarNode || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			bad = fmt.Errorf("%s %q bukan angka", k.Value, v.Value)
			return
		}
		switch k.Value {
		case "lat":
			p.Lat, haveLat = f, true
		case "lon":
			p.Lon, haveLon = f, true
		default:
			bad = fmt.Errorf("kolom %q tidak dikenal (lat, lon)", k.Value)
		}
	})
	switch {
	case bad != nil:
		return nil, bad
	case !haveLat || !haveLon:
		return nil, errors.New("perlu lat dan lon, misalnya {lat: -1.26, lon: 116.83}")
	case p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180:
		return nil, fmt.Errorf("lat %v, lon %v di luar bumi (lat -90..90, lon -180..180)", p.Lat, p.Lon)
	}
	return &p, nil
}

func parseValues(n *yaml.Node, into map[string]string, report reporter) {
	if n.Kind != yaml.MappingNode {
		report(n.Line, false, "values harus berupa kolom nama: isi")
		return
	}
	eachKey(n, func(k, v *yaml.Node, dup bool) {
		switch s, err := scalar(v); {
		case dup:
			report(k.Line, false, "nilai %q muncul dua kali; yang pertama dipakai", k.Value)
		case !keyRE.MatchString(k.Value):
			report(k.Line, false, "nama nilai %q hanya boleh huruf kecil, angka, tanda hubung dan garis bawah", k.Value)
		case err != nil:
			report(v.Line, false, "nilai %q: %v", k.Value, err)
		case s == "":
			report(v.Line, false, "nilai %q kosong", k.Value)
		case hasBrackets(s):
			report(v.Line, false, "nilai %q tidak boleh memuat [[ atau ]] (isi lokal.yaml tidak bisa merujuk data lain)", k.Value)
			into[k.Value] = s
		default:
			into[k.Value] = s
		}
	})
}

func parseHolidays(n *yaml.Node, report reporter) []Holiday {
	if n.Kind != yaml.SequenceNode {
		report(n.Line, false, "holidays harus daftar, masing-masing {date: 2027-01-01, name: ...}")
		return nil
	}
	var out []Holiday
	for _, item := range n.Content {
		if item.Kind != yaml.MappingNode {
			report(item.Line, false, "hari libur harus berupa {date: 2027-01-01, name: ...}")
			continue
		}
		var h Holiday
		var dateText string
		good := true
		eachKey(item, func(k, v *yaml.Node, _ bool) {
			s, err := scalar(v)
			if err != nil {
				report(v.Line, false, "%s: %v", k.Value, err)
				good = false
				return
			}
			switch k.Value {
			case "date":
				dateText = s
			case "name":
				h.Name = s
			case "leave":
				// Collective leave (cuti bersama) rather than a holiday.
				h.Leave = s == "true" || s == "yes"
			default:
				report(k.Line, false, "kolom hari libur %q tidak dikenal (date, name, leave)", k.Value)
			}
		})
		date, err := parseDate(dateText)
		switch {
		case !good:
		case err != nil:
			report(item.Line, false, "hari libur: %v", err)
		case h.Name == "":
			report(item.Line, false, "hari libur %s tidak punya name", dateText)
		default:
			h.Date = date
			out = append(out, h)
		}
	}
	return out
}

func parseDate(s string) (Date, error) {
	if !dateRE.MatchString(s) {
		return Date{}, fmt.Errorf("tanggal %q harus seperti 2027-01-01", s)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("tanggal %q tidak ada", s)
	}
	return DateOf(t), nil
}

func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errors.New("harus satu nilai, bukan daftar atau peta")
	}
	return strings.TrimSpace(n.Value), nil
}

func stringList(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errors.New("harus daftar, misalnya [ktp-el-baru, kependudukan]")
	}
	var out []string
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			return out, errors.New("setiap butir harus satu id")
		}
		if s := strings.TrimSpace(item.Value); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(err error) (int, string) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 1, strings.TrimPrefix(msg, "yaml: ")
}
