package coach

import (
	"testing"
	"time"
)

// TestNudgeSpecRoundTrip: what /coach nudges stores is read back as the
// time that was typed; anything else is not a person's own time.
func TestNudgeSpecRoundTrip(t *testing.T) {
	for _, tc := range []struct{ day, clock, says string }{
		{"tue", "14:00", "on Tuesdays at 14:00"},
		{"Sunday", "7:05", "on Sundays at 07:05"},
		{"sat", "23:59", "on Saturdays at 23:59"},
		{"mon", "0:00", "on Mondays at 00:00"},
	} {
		spec, err := ParseNudgeTime(tc.day, tc.clock)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ParseNudgeSpec(spec)
		if !ok || got.String() != tc.says || got.Spec() != spec {
			t.Errorf("%s %s: stored %q, read back %v %q", tc.day, tc.clock, spec, ok, got)
		}
	}
	for _, spec := range []string{"", "tue 10:00", "0 14 * * MON", "0 14 1 * 2", "60 14 * * 2", "0 24 * * 2", "0 14 * * 8", "@every 1m", "0 14 * *"} {
		if got, ok := ParseNudgeSpec(spec); ok {
			t.Errorf("ParseNudgeSpec(%q) = %v, want not a person's own time", spec, got)
		}
	}
	if got, ok := ParseNudgeSpec("30 9 * * 7"); !ok || got.Day != time.Sunday {
		t.Errorf("cron's 7 is Sunday too: %v %v", got, ok)
	}
}
