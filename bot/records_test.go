package bot

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestStatsDays(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	day := func(s string) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return d
	}
	tests := []struct {
		name     string
		from, to time.Time
		first    time.Time
		n        int
		err      bool
	}{
		{"one day", day("2026-12-06").Add(3 * time.Hour), day("2026-12-06").Add(20 * time.Hour), day("2026-12-06"), 1, false},
		{"a week", day("2026-11-30"), day("2026-12-06"), day("2026-11-30"), 7, false},
		{"by the UTC day", time.Date(2026, 12, 6, 2, 0, 0, 0, wib), time.Date(2026, 12, 6, 8, 0, 0, 0, wib), day("2026-12-05"), 2, false},
		{"reversed", day("2026-12-06"), day("2026-12-01"), day("2026-12-06"), 0, false},
		{"too long", day("2000-01-01"), day("2026-12-06"), day("2000-01-01"), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, n, err := StatsDays(tt.from, tt.to)
			if !first.Equal(tt.first) || n != tt.n || (err != nil) != tt.err {
				t.Errorf("StatsDays = %v, %d, %v; want %v, %d, error %v", first, n, err, tt.first, tt.n, tt.err)
			}
		})
	}
}

func TestTopicSetAndVoteRecord(t *testing.T) {
	if got := TopicSet([]string{"pajak", "kependudukan", "pajak"}); !slices.Equal(got, []string{"kependudukan", "pajak"}) {
		t.Errorf("TopicSet = %v", got)
	}
	at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	data, err := Feedback{ChatID: 1, MessageID: 2, UserID: 3, EntryID: "skck", Helpful: true, At: at}.Record()
	if err != nil {
		t.Fatal(err)
	}
	var r VoteRecord
	if err := json.Unmarshal(data, &r); err != nil || r != (VoteRecord{UserID: 3, EntryID: "skck", Helpful: true, At: at}) {
		t.Errorf("record %s → %+v, %v", data, r, err)
	}
}
