package coach

import (
	"testing"
	"time"
)

func TestAwayStatus(t *testing.T) {
	now := time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC)
	later := now.Add(72 * time.Hour).Unix()
	for _, tc := range []struct {
		emoji, text string
		exp         int64
		want        bool
	}{
		{":palm_tree:", "", 0, true},
		{":face_with_thermometer:", "Out sick", later, true},
		{"", "OOO until Monday", 0, true},
		{"", "Out of office — back 4 Jan", 0, true},
		{":spiral_calendar_pad:", "In a meeting", 0, false},
		{"", "Booking my vacation", 0, true},
		{"", "zoom", 0, false},
		{"", "Snoozing", 0, false}, // "ooo" inside a word is not OOO
		{":palm_tree:", "", now.Add(-time.Minute).Unix(), false},
	} {
		if got := AwayStatus(tc.emoji, tc.text, tc.exp, now); got != tc.want {
			t.Errorf("AwayStatus(%q, %q, %d) = %v, want %v", tc.emoji, tc.text, tc.exp, got, tc.want)
		}
	}
}

func TestPauseUntilIsInclusiveInOwnZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, ny)
	end, err := ParsePause("until 2026-12-24", now, ny)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 25, 0, 0, 0, 0, ny); !end.Equal(want) {
		t.Fatalf("pause until 24 Dec in New York ends %v, want %v (the whole of the 24th, New York time)", end, want)
	}
}
