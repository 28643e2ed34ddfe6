package local

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Span is an opening span within a day, in minutes after midnight.
type Span struct{ Open, Close int }

// Clock formats minutes after midnight as "08:00".
func Clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func (s Span) String() string { return Clock(s.Open) + "-" + Clock(s.Close) }

// Week is an office's opening spans per weekday (time.Sunday = 0); a day
// without spans is closed.
type Week [7][]Span

// Open tells whether the office has any hours at all.
func (w Week) Open() bool {
	for _, d := range w {
		if len(d) > 0 {
			return true
		}
	}
	return false
}

var dayKeys = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// dayOrder is the week as citizens read it, Monday first.
var dayOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// ParseWeek reads hours: a mapping of days ("mon", or a range "mon-thu")
// to spans ("08:00-15:00", or several: "08:00-11:30,13:30-15:00"; "closed"
// for none). A day not given is closed; a day given twice is a problem.
func ParseWeek(n *yaml.Node) (Week, []Problem) {
	var w Week
	var problems []Problem
	bad := func(line int, format string, args ...any) {
		problems = append(problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if n.Kind != yaml.MappingNode {
		bad(n.Line, `harus berupa hari: jam, misalnya mon-thu: "08:00-15:00"`)
		return w, problems
	}
	var given [7]bool
	eachKey(n, func(k, v *yaml.Node, _ bool) {
		days, err := parseDays(k.Value)
		if err != nil {
			bad(k.Line, "%v", err)
			return
		}
		s, err := scalar(v)
		if err != nil {
			bad(v.Line, "%s: %v", k.Value, err)
			return
		}
		spans, err := ParseSpans(s)
		if err != nil {
			bad(v.Line, "%s: %v", k.Value, err)
			return
		}
		for _, d := range days {
			if given[d] {
				bad(k.Line, "%s: hari %s sudah diberi jam di baris lain", k.Value, dayName(d))
				continue
			}
			given[d] = true
			w[d] = spans
		}
	})
	return w, problems
}

func dayName(d time.Weekday) string {
	for k, v := range dayKeys {
		if v == d {
			return k
		}
	}
	return d.String()
}

// parseDays reads "mon" or "mon-fri".
func parseDays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	from, to, isRange := strings.Cut(s, "-")
	a, okA := dayKeys[strings.TrimSpace(from)]
	b, okB := a, okA
	if isRange {
		b, okB = dayKeys[strings.TrimSpace(to)]
	}
	if !okA || !okB {
		return nil, fmt.Errorf("hari %q tidak dikenal; pakai mon, tue, wed, thu, fri, sat, sun atau rentang seperti mon-thu", s)
	}
	ia, ib := slices.Index(dayOrder, a), slices.Index(dayOrder, b)
	if ib < ia {
		return nil, fmt.Errorf("rentang hari %q terbalik; tulis dari Senin ke Minggu, seperti mon-thu", s)
	}
	return dayOrder[ia : ib+1], nil
}

// ParseSpans reads "08:00-11:30,13:30-15:00" (or "closed"/"tutup").
func ParseSpans(s string) ([]Span, error) {
	s = strings.TrimSpace(s)
	if l := strings.ToLower(s); l == "closed" || l == "tutup" {
		return nil, nil
	}
	var out []Span
	for _, part := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, fmt.Errorf("%q harus seperti 08:00-15:00", part)
		}
		a, err := parseClock(from)
		if err != nil {
			return nil, err
		}
		b, err := parseClock(to)
		if err != nil {
			return nil, err
		}
		if b <= a {
			return nil, fmt.Errorf("%q: jam tutup harus setelah jam buka", strings.TrimSpace(part))
		}
		if len(out) > 0 && a < out[len(out)-1].Close {
			return nil, fmt.Errorf("%q tumpang tindih atau tidak urut dengan rentang sebelumnya", strings.TrimSpace(part))
		}
		out = append(out, Span{a, b})
	}
	return out, nil
}

// parseClock reads "08:00" (or "8:00"); "24:00" is the end of the day.
func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || len(h) == 0 || len(h) > 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("jam %q harus seperti 08:00 (00:00 sampai 24:00)", s)
	}
	return hh*60 + mm, nil
}

// dayNames are the weekdays in Indonesian, by time.Weekday.
var dayNames = [7]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}

// DayName is d's name in Indonesian.
func DayName(d time.Weekday) string { return dayNames[d] }

// SpansText formats spans as "08:00–11:30, 13:30–15:00".
func SpansText(spans []Span) string {
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = Clock(s.Open) + "–" + Clock(s.Close)
	}
	return strings.Join(parts, ", ")
}

// Summary is the week in Indonesian, days with the same hours joined:
// "Senin–Kamis 08:00–15:00; Jumat 08:00–11:30, 13:30–15:00". Closed days
// are left out.
func (w Week) Summary() string { return w.SummaryIn(dayNames) }

// SummaryIn is Summary with other day names, by time.Weekday.
func (w Week) SummaryIn(names [7]string) string {
	var parts []string
	for i := 0; i < len(dayOrder); {
		d := dayOrder[i]
		j := i
		for j+1 < len(dayOrder) && slices.Equal(w[dayOrder[j+1]], w[d]) {
			j++
		}
		if len(w[d]) > 0 {
			days := names[d]
			if j > i {
				days += "–" + names[dayOrder[j]]
			}
			parts = append(parts, days+" "+SpansText(w[d]))
		}
		i = j + 1
	}
	return strings.Join(parts, "; ")
}

// Day is what an office does on one date.
type Day struct {
	Date    Date
	Spans   []Span   // the weekly hours, or none on a holiday
	Holiday *Holiday // the holiday that closes it, if any
	// CalendarKnown is false when the date's year has no holiday list:
	// the spans are the weekly hours and a holiday may close it.
	CalendarKnown bool
}

// Closed tells whether the office does not open that day.
func (d Day) Closed() bool { return len(d.Spans) == 0 }

// On returns what o does on date.
func (d *Data) On(o *Office, date Date) Day {
	cal := d.Calendar()
	day := Day{Date: date, CalendarKnown: cal.Known(date.Year)}
	if h, ok := cal.Holiday(date); ok {
		day.Holiday = &h
		return day
	}
	day.Spans = o.Hours[date.Weekday()]
	return day
}

// Status is whether an office is open at a moment, and until or from when.
type Status struct {
	Open bool
	// Until is when it closes, when open.
	Until time.Time
	// Today is what the office does today.
	Today Day
	// Next is the day and time it opens next, when closed; NextOK is false
	// when it does not open within two weeks (or has no hours).
	Next   time.Time
	NextOK bool
	// CalendarKnown is false when a year involved has no holiday list.
	CalendarKnown bool
}

// lookahead is how far ahead the next opening is looked for.
const lookahead = 14

// StatusAt returns o's status at now, in the deployment's timezone.
func (d *Data) StatusAt(o *Office, now time.Time) Status {
	loc := d.location()
	now = now.In(loc)
	today := DateOf(now)
	minute := now.Hour()*60 + now.Minute()
	st := Status{Today: d.On(o, today)}
	st.CalendarKnown = st.Today.CalendarKnown
	for _, s := range st.Today.Spans {
		if minute >= s.Open && minute < s.Close {
			st.Open = true
			st.Until = at(today, s.Close, loc)
			return st
		}
		if minute < s.Open {
			st.Next, st.NextOK = at(today, s.Open, loc), true
			return st
		}
	}
	for i := 1; i <= lookahead; i++ {
		day := d.On(o, today.AddDays(i))
		st.CalendarKnown = st.CalendarKnown && day.CalendarKnown
		if len(day.Spans) > 0 {
			st.Next, st.NextOK = at(day.Date, day.Spans[0].Open, loc), true
			return st
		}
	}
	return st
}

func at(d Date, minute int, loc *time.Location) time.Time {
	return d.Time(loc).Add(time.Duration(minute) * time.Minute)
}

// Today is the date at now in the deployment's timezone.
func (d *Data) Today(now time.Time) Date { return DateOf(now.In(d.location())) }

// Distance is an office with how far it is from a point.
type Distance struct {
	Office *Office
	Meters float64
}

// Nearest returns up to n offices that have a location and pass keep
// (nil keeps all), nearest first; ties keep file order.
func (d *Data) Nearest(p Point, keep func(*Office) bool, n int) []Distance {
	if d == nil {
		return nil
	}
	var out []Distance
	for i := range d.Offices {
		o := &d.Offices[i]
		if o.Location == nil || (keep != nil && !keep(o)) {
			continue
		}
		out = append(out, Distance{o, Haversine(p, *o.Location)})
	}
	slices.SortStableFunc(out, func(a, b Distance) int {
		switch {
		case a.Meters < b.Meters:
			return -1
		case a.Meters > b.Meters:
			return 1
		}
		return 0
	})
	return out[:min(n, len(out))]
}

// earthRadius is the mean radius of the earth in metres.
const earthRadius = 6_371_008.8

// Haversine is the great-circle distance between a and b in metres.
func Haversine(a, b Point) float64 {
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}
