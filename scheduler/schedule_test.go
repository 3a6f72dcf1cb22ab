package scheduler

import (
	"errors"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestFirstTuesday(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := MustParse("0 10 1-7 * TUE")
	got := []string{}
	at := time.Date(2026, 11, 21, 0, 0, 0, 0, berlin)
	for range 4 {
		at = s.Next(at, berlin)
		got = append(got, at.Format("Mon 2006-01-02 15:04 MST"))
	}
	want := []string{"Tue 2026-12-01 10:00 CET", "Tue 2027-01-05 10:00 CET", "Tue 2027-02-02 10:00 CET", "Tue 2027-03-02 10:00 CET"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("first Tuesdays = %v, want %v", got, want)
		}
	}
}

func TestQuarterlyFirstTuesday(t *testing.T) {
	utc := time.UTC
	s := MustParse("30 10 1-7 1,4,7,10 TUE")
	at := s.Next(time.Date(2026, 11, 21, 0, 0, 0, 0, utc), utc)
	if want := time.Date(2027, 1, 5, 10, 30, 0, 0, utc); !at.Equal(want) {
		t.Fatalf("next quarterly refresh %v, want %v", at, want)
	}
	if at = s.Next(at, utc); !at.Equal(time.Date(2027, 4, 6, 10, 30, 0, 0, utc)) {
		t.Fatalf("then %v, want 2027-04-06 10:30", at)
	}
}

func TestOwnTimeZone(t *testing.T) {
	s := MustParse("30 9 * * MON")
	from := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) // a Sunday
	tokyo, ny := mustLoad(t, "Asia/Tokyo"), mustLoad(t, "America/New_York")
	if got := s.Next(from, tokyo); got.In(tokyo).Format("Mon 15:04") != "Mon 09:30" || !got.Equal(time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)) {
		t.Errorf("Tokyo: %v", got.UTC())
	}
	if got := s.Next(from, ny); !got.Equal(time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)) {
		t.Errorf("New York: %v", got.UTC())
	}
	// A spec with its own zone ignores the recipient's.
	fixed := MustParse("CRON_TZ=Asia/Tokyo 30 9 * * MON")
	if got := fixed.Next(from, ny); !got.Equal(time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)) {
		t.Errorf("CRON_TZ: %v", got.UTC())
	}
}

func TestDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := MustParse("30 9 * * *")
	for _, day := range []time.Time{
		time.Date(2026, 3, 28, 12, 0, 0, 0, berlin),  // spring forward on the 29th
		time.Date(2026, 10, 24, 12, 0, 0, 0, berlin), // fall back on the 25th
	} {
		at := day
		seen := map[string]bool{}
		for range 3 {
			at = s.Next(at, berlin)
			if local := at.In(berlin).Format("15:04"); local != "09:30" {
				t.Errorf("%s: fired at %s local", at.In(berlin).Format(time.DateOnly), local)
			}
			p := s.Period(at, berlin)
			if seen[p] {
				t.Errorf("period %s twice", p)
			}
			seen[p] = true
		}
	}
	// 02:30 on fall-back day exists twice on the wall clock. Whether or not
	// cron fires twice, both name one period, so the ledger sends it once.
	early := MustParse("30 2 * * *")
	a := early.Next(time.Date(2026, 10, 25, 0, 0, 0, 0, berlin), berlin)
	b := early.Next(a, berlin)
	if b.Sub(a) < 2*time.Hour && early.Period(a, berlin) != early.Period(b, berlin) {
		t.Errorf("the repeated 02:30 got two periods: %s and %s", early.Period(a, berlin), early.Period(b, berlin))
	}
}

func TestLast(t *testing.T) {
	utc := time.UTC
	s := MustParse("30 9 * * MON")
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, utc) // Monday afternoon
	last, ok := s.Last(now, now.Add(-24*time.Hour), utc)
	if !ok || !last.Equal(time.Date(2026, 11, 23, 9, 30, 0, 0, utc)) {
		t.Fatalf("Last = %v %v", last, ok)
	}
	if _, ok := s.Last(now, last, utc); ok {
		t.Fatal("Last found an occurrence after the one already seen")
	}
	every := MustParse("@every 5s")
	l1, _ := every.Last(time.Unix(1000, 0), time.Unix(0, 0), utc)
	l2, _ := every.Last(time.Unix(1004, 0), time.Unix(0, 0), utc)
	l3, _ := every.Last(time.Unix(1005, 0), time.Unix(0, 0), utc)
	if !l1.Equal(l2) || every.Period(l1, utc) != every.Period(l2, utc) || every.Period(l2, utc) == every.Period(l3, utc) {
		t.Errorf("@every slots: %v %v %v", l1, l2, l3)
	}
}

func TestParseRefusesSpecsThatNeverFire(t *testing.T) {
	for _, spec := range []string{"0 0 30 2 *", "0 0 31 4 *", "0 10 31 2,4,6 MON"} {
		if _, err := Parse(spec); !errors.Is(err, ErrNeverFires) {
			t.Errorf("Parse(%q) = %v, want ErrNeverFires", spec, err)
		}
	}
	for _, spec := range []string{"0 0 29 2 *", "0 10 1-7 * TUE", "@every 5m", "CRON_TZ=Asia/Tokyo 0 9 * * MON"} {
		if _, err := Parse(spec); err != nil {
			t.Errorf("Parse(%q) = %v", spec, err)
		}
	}
}

// TestNudgeFor: a person's own nudge time replaces the default, in their
// zone; no time of their own, or one microcoach did not write, keeps it.
func TestNudgeFor(t *testing.T) {
	def := MustParse("30 9 * * MON")
	berlin := mustLoad(t, "Europe/Berlin")
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, berlin) // a Monday
	for _, tc := range []struct {
		spec string
		want time.Time
	}{
		{"0 14 * * 2", time.Date(2026, 11, 24, 14, 0, 0, 0, berlin)},
		{"", time.Date(2026, 11, 30, 9, 30, 0, 0, berlin)},
		{"not a spec", time.Date(2026, 11, 30, 9, 30, 0, 0, berlin)},
	} {
		got := NudgeFor(coach.Person{NudgeSpec: tc.spec}, def).Next(now, berlin)
		if !got.Equal(tc.want) {
			t.Errorf("NudgeSpec %q: next nudge %s, want %s", tc.spec, got, tc.want)
		}
	}
}
