package local

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Date is a calendar day, without a clock or a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is t's day in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Time is midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays is the day n days after d.
func (d Date) AddDays(n int) Date { return DateOf(d.Time(time.UTC).AddDate(0, 0, n)) }

// Weekday is d's day of the week.
func (d Date) Weekday() time.Weekday { return d.Time(time.UTC).Weekday() }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func (d Date) compare(e Date) int {
	return d.Time(time.UTC).Compare(e.Time(time.UTC))
}

// Holiday is a day government offices are closed for.
type Holiday struct {
	Date  Date
	Name  string
	Leave bool // collective leave (cuti bersama), not a holiday by law
}

// Calendar is the holidays known, by date, and the years it covers.
type Calendar struct {
	days  map[Date]Holiday
	years map[int]bool
}

//go:embed holidays.txt
var nationalText string

// national is the embedded national calendar.
var national = mustParseCalendar(nationalText)

func mustParseCalendar(text string) *Calendar {
	c := &Calendar{days: map[Date]Holiday{}, years: map[int]bool{}}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || (f[1] != "libur" && f[1] != "cuti") {
			panic(fmt.Sprintf("local: holidays.txt line %d: want date<TAB>libur|cuti<TAB>name", i+1))
		}
		d, err := parseDate(f[0])
		if err != nil {
			panic(fmt.Sprintf("local: holidays.txt line %d: %v", i+1, err))
		}
		c.days[d] = Holiday{Date: d, Name: f[2], Leave: f[1] == "cuti"}
		c.years[d.Year] = true
	}
	return c
}

// with returns the calendar with extra dates added. A year counts as
// known when its list has 1 January, which every national list has: a
// regional anniversary alone does not make a year's calendar known.
func (c *Calendar) with(extra []Holiday) *Calendar {
	out := &Calendar{days: make(map[Date]Holiday, len(c.days)+len(extra)), years: make(map[int]bool)}
	for d, h := range c.days {
		out.days[d] = h
	}
	for y := range c.years {
		out.years[y] = true
	}
	for _, h := range extra {
		if _, taken := out.days[h.Date]; !taken {
			out.days[h.Date] = h
		}
		if h.Date.Month == time.January && h.Date.Day == 1 {
			out.years[h.Date.Year] = true
		}
	}
	return out
}

// Holiday returns the holiday on d, if any.
func (c *Calendar) Holiday(d Date) (Holiday, bool) {
	h, ok := c.days[d]
	return h, ok
}

// Known tells whether the national holidays of year are in the calendar.
func (c *Calendar) Known(year int) bool { return c.years[year] }

// Years returns the known years, in order.
func (c *Calendar) Years() []int {
	var out []int
	for y := range c.years {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// MissingYears returns which of the current and the next year (at now)
// have no known calendar: the bot then answers from weekly hours and says
// holidays are not known.
func (c *Calendar) MissingYears(now time.Time) []int {
	var out []int
	for _, y := range []int{now.Year(), now.Year() + 1} {
		if !c.Known(y) {
			out = append(out, y)
		}
	}
	return out
}

// MissingHolidayYears are the current and next year (at now) without a
// holiday list, when d has offices whose hours depend on it; nil without
// offices.
func (d *Data) MissingHolidayYears(now time.Time) []int {
	if d == nil || len(d.Offices) == 0 {
		return nil
	}
	return d.Calendar().MissingYears(now)
}
