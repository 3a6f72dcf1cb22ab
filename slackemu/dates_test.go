package slackemu

import (
	"strconv"
	"testing"
	"time"
)

func TestRenderDateInViewersZone(t *testing.T) {
	at := time.Date(2026, 12, 25, 5, 0, 0, 0, time.UTC) // midnight in New York
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	target := "!date^" + itoa64(at.Unix()) + "^{date_long_pretty} at {time}"
	for _, tc := range []struct{ tz, want string }{
		{"America/New_York", "Friday, December 25th, 2026 at 00:00"},
		{"Europe/Berlin", "Friday, December 25th, 2026 at 06:00"},
		{"Asia/Tokyo", "Friday, December 25th, 2026 at 14:00"},
	} {
		if got, ok := renderDate(target, tc.tz, now); !ok || got != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.tz, got, ok, tc.want)
		}
	}
	if got, _ := renderDate("!date^"+itoa64(now.Unix())+"^{date_short_pretty}", "Europe/Berlin", now); got != "today" {
		t.Errorf("today: %q", got)
	}
	if _, ok := renderDate("!date^"+itoa64(now.Unix())+"^{ago}", "Europe/Berlin", now); ok {
		t.Error("an unknown token should fall back")
	}
	if got, _ := renderDate("!date^"+itoa64(now.Unix())+"^{date_short}", "", now); got != "Dec 1, 2026" {
		t.Errorf("date_short: %q", got)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
