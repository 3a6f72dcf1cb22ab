package coach_test

// Native fuzz tests for the parsers of the coaching domain: everything a
// person types that the coach package reads. Seeds live in
// testdata/fuzz/<FuzzName>/ and run with every `go test`; to explore, run
// one target at a time, e.g.
//
//	go test -run='^$' -fuzz='^FuzzParsePause$' -fuzztime=30s ./coach

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/microcoach/microcoach/coach"
)

// wantInvalid checks that err is a person-facing EINVALID error with a message.
func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	var ce *coach.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%s: error %T %v, want *coach.Error", what, err, err)
	}
	if ce.Code != coach.EINVALID || ce.Message == "" {
		t.Fatalf("%s: error %+v, want an EINVALID with a message", what, ce)
	}
	if coach.ErrorMessage(err) != ce.Message {
		t.Fatalf("%s: ErrorMessage = %q, want %q", what, coach.ErrorMessage(err), ce.Message)
	}
}

// FuzzParseScore: a score is 1..10 or an EINVALID error, never a panic.
func FuzzParseScore(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		n, err := coach.ParseScore(s)
		if err != nil {
			wantInvalid(t, fmt.Sprintf("ParseScore(%q)", s), err)
			if n != 0 {
				t.Fatalf("ParseScore(%q) = %d with an error", s, n)
			}
			return
		}
		if n < coach.MinScore || n > coach.MaxScore {
			t.Fatalf("ParseScore(%q) = %d, outside %d..%d", s, n, coach.MinScore, coach.MaxScore)
		}
		// What was accepted is a plain decimal number, maybe with "/10".
		core := strings.TrimSuffix(strings.TrimSpace(s), "/10")
		if v, err := strconv.Atoi(core); err != nil || v != n {
			t.Fatalf("ParseScore(%q) = %d, but %q reads as %d, %v", s, n, core, v, err)
		}
	})
}

// FuzzCheckNote: a note that passes fits the length limit and carries no
// control character other than line breaks and tabs.
func FuzzCheckNote(f *testing.F) {
	f.Fuzz(func(t *testing.T, note string) {
		err := coach.CheckNote(note)
		if err != nil {
			wantInvalid(t, fmt.Sprintf("CheckNote(%.60q)", note), err)
			return
		}
		if n := utf8.RuneCountInString(note); n > coach.MaxNoteLen {
			t.Fatalf("CheckNote accepted a note of %d characters", n)
		}
		for _, r := range note {
			if r == '\n' || r == '\t' {
				continue
			}
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("CheckNote accepted a note with %U", r)
			}
		}
		// A rating with this note validates too.
		r := coach.Rating{Subject: "U1", Rater: "U1", Area: "planning", Score: 5, Note: note, At: time.Unix(1, 0)}
		if err := r.Validate(); err != nil {
			t.Fatalf("CheckNote accepted %.60q but Rating.Validate says %v", note, err)
		}
	})
}

// FuzzMatch: Match finds an area of the model or says why not, with
// suggestions and candidates from the model. The model is PMwheel plus one
// fuzzed area when that area is valid.
func FuzzMatch(f *testing.F) {
	base := coach.PMwheel()
	f.Fuzz(func(t *testing.T, query, extraID, extraName string) {
		m := coach.Model{Name: base.Name, Areas: append([]coach.Area(nil), base.Areas...)}
		if extraID != "" || extraName != "" {
			withExtra := coach.Model{Name: m.Name, Areas: append(m.Areas, coach.Area{ID: extraID, Name: extraName})}
			if withExtra.Validate() == nil {
				m = withExtra
			}
		}
		inModel := func(a coach.Area) bool {
			got, ok := m.Area(a.ID)
			return ok && got == a
		}
		a, err := m.Match(query)
		if err == nil {
			if !inModel(a) {
				t.Fatalf("Match(%q) = %+v, not an area of the model", query, a)
			}
			if coach.Normalize(query) == "" {
				t.Fatalf("Match(%q) matched %s from a query that normalizes to nothing", query, a.ID)
			}
			return
		}
		var me *coach.MatchError
		if !errors.As(err, &me) {
			t.Fatalf("Match(%q) error %T, want *coach.MatchError", query, err)
		}
		if me.Query != query || err.Error() == "" {
			t.Fatalf("Match(%q): MatchError %+v", query, me)
		}
		if coach.ErrorCode(err) != coach.EINVALID || coach.ErrorMessage(err) == "" {
			t.Fatalf("Match(%q): code %q message %q", query, coach.ErrorCode(err), coach.ErrorMessage(err))
		}
		if len(me.Candidates) == 1 {
			t.Fatalf("Match(%q): one candidate %s should have matched", query, me.Candidates[0].ID)
		}
		for _, c := range append(append([]coach.Area(nil), me.Suggestions...), me.Candidates...) {
			if !inModel(c) {
				t.Fatalf("Match(%q) suggests %+v, not an area of the model", query, c)
			}
		}
		// Normalize is idempotent, and every area is found by its id.
		if n := coach.Normalize(query); coach.Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q, but Normalize of that is %q", query, n, coach.Normalize(n))
		}
		for _, area := range m.Areas {
			if got, err := m.Match(area.ID); err != nil || got.ID != area.ID {
				t.Fatalf("Match(%q) = %s, %v", area.ID, got.ID, err)
			}
		}
	})
}

// pauseZones are the recipient time zones FuzzParsePause picks from,
// including the extreme offsets and a zone with a 45-minute offset.
var pauseZones = []*time.Location{
	time.UTC,
	time.FixedZone("UTC+14", 14*3600),
	time.FixedZone("UTC-12", -12*3600),
	time.FixedZone("UTC+5:45", 5*3600+45*60),
	time.FixedZone("UTC-3:30", -(3*3600 + 30*60)),
}

// FuzzParsePause: a pause ends after now and at most a year (366 days)
// later, whatever the person typed, wherever they are.
func FuzzParsePause(f *testing.F) {
	zones := slices.Clone(pauseZones)
	for _, name := range []string{"Australia/Lord_Howe", "Europe/Berlin"} { // half-hour and one-hour DST shifts
		if l, err := time.LoadLocation(name); err == nil {
			zones = append(zones, l)
		}
	}
	const lo, hi = 946684800, 4102444800 // 2000-01-01 .. 2100-01-01: a plausible clock
	f.Fuzz(func(t *testing.T, args string, nowUnix int64, zone uint8) {
		if nowUnix < lo || nowUnix >= hi {
			nowUnix = lo + (nowUnix%(hi-lo)+(hi-lo))%(hi-lo)
		}
		now := time.Unix(nowUnix, 0).UTC()
		loc := zones[int(zone)%len(zones)]
		end, err := coach.ParsePause(args, now, loc)
		if err != nil {
			wantInvalid(t, fmt.Sprintf("ParsePause(%q)", args), err)
			return
		}
		if !end.After(now) {
			t.Fatalf("ParsePause(%q, %s, %s) = %s, not after now", args, now.Format(time.RFC3339), loc, end)
			return
		}
		if d := end.Sub(now); d > 366*24*time.Hour {
			t.Fatalf("ParsePause(%q, %s, %s) = %s, %s from now: more than a year", args, now.Format(time.RFC3339), loc, end, d)
		}
	})
}

var nudgeSpec = regexp.MustCompile(`^([0-9]{1,2}) ([0-9]{1,2}) \* \* ([0-6])$`)

// FuzzParseNudgeTime: a weekday and a 24-hour time become a five-field cron
// spec with the minute, hour and weekday in range. (bot's
// FuzzNudgeTimeSchedule checks that the scheduler accepts it.)
func FuzzParseNudgeTime(f *testing.F) {
	f.Fuzz(func(t *testing.T, day, clock string) {
		spec, err := coach.ParseNudgeTime(day, clock)
		if err != nil {
			wantInvalid(t, fmt.Sprintf("ParseNudgeTime(%q, %q)", day, clock), err)
			return
		}
		m := nudgeSpec.FindStringSubmatch(spec)
		if m == nil {
			t.Fatalf("ParseNudgeTime(%q, %q) = %q, not \"M H * * D\"", day, clock, spec)
		}
		minute, _ := strconv.Atoi(m[1])
		hour, _ := strconv.Atoi(m[2])
		if minute > 59 || hour > 23 {
			t.Fatalf("ParseNudgeTime(%q, %q) = %q: minute or hour out of range", day, clock, spec)
		}
		// The spec is the time that was typed.
		typed, err := time.Parse("15:04", strings.TrimSpace(clock))
		if err != nil || typed.Hour() != hour || typed.Minute() != minute {
			t.Fatalf("ParseNudgeTime(%q, %q) = %q, but the clock reads %v, %v", day, clock, spec, typed, err)
		}
	})
}
