// Package scheduler decides when microcoach speaks first: weekly nudges,
// monthly colour check-ins, quarterly refreshes, reminders and digests, each
// in the recipient's own time zone, each (person, cadence, period) at most
// once and, while due, at least once.
//
// Its work is a function of the current time: Tick(ctx, now) finds what is
// due and hands it to the sender. A driver loop calls Tick when the next
// occurrence comes; tests call it with the times they want.
package scheduler

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/microcoach/microcoach/coach"
)

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// starBit is robfig/cron's mark of an unrestricted field ("*" or "?").
const starBit = 1 << 63

// Schedule is a cron spec with microcoach's semantics: evaluated in the
// recipient's time zone unless the spec names one (CRON_TZ=…), and, when
// both day-of-month and day-of-week are restricted, matching only days that
// satisfy both ("0 10 1-7 * TUE" is the first Tuesday of the month).
type Schedule struct {
	Spec  string
	spec  *cron.SpecSchedule
	every time.Duration // for @every
	fixed bool          // the spec carries its own zone
}

// Parse reads a spec as robfig/cron's standard parser does.
func Parse(spec string) (Schedule, error) {
	s, err := parser.Parse(spec)
	if err != nil {
		return Schedule{}, err
	}
	out := Schedule{Spec: spec}
	switch s := s.(type) {
	case *cron.SpecSchedule:
		out.spec = s
		out.fixed = strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=")
	case cron.ConstantDelaySchedule:
		out.every = s.Delay
	default:
		return Schedule{}, fmt.Errorf("unsupported schedule %T", s)
	}
	// A fixed reference time, so the answer never depends on the clock:
	// robfig/cron looks five years ahead, and so does Next below.
	if out.every == 0 && out.Next(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC).IsZero() {
		return Schedule{}, ErrNeverFires
	}
	return out, nil
}

// ErrNeverFires is returned by Parse for a spec that is valid but matches
// no time at all, like "0 0 30 2 *" (30 February), or "0 10 31 * MON"
// when day-of-month and day-of-week must both match and never do within
// years.
var ErrNeverFires = errors.New("it never fires: no date matches it")

// MustParse is Parse for specs known to be valid (defaults, tests).
func MustParse(spec string) Schedule {
	s, err := Parse(spec)
	if err != nil {
		panic(err)
	}
	return s
}

// NudgeFor is the schedule of p's weekly nudge: their own time
// (coach.ParseNudgeSpec) if they chose one, else def. The scheduler and
// the Home tab's "next nudge" both ask it.
func NudgeFor(p coach.Person, def Schedule) Schedule {
	t, ok := coach.ParseNudgeSpec(p.NudgeSpec)
	if !ok {
		return def
	}
	own, err := Parse(t.Spec())
	if err != nil { // cannot happen: ParseNudgeSpec checked every field
		return def
	}
	return own
}

// Every reports the interval of an @every schedule, or 0.
func (s Schedule) Every() time.Duration { return s.every }

// Next returns the first occurrence strictly after t, for a recipient in loc.
func (s Schedule) Next(t time.Time, loc *time.Location) time.Time {
	if s.every > 0 {
		return slotStart(t, s.every).Add(s.every)
	}
	spec := *s.spec
	if !s.fixed && loc != nil {
		spec.Location = loc
	}
	both := spec.Dom&starBit == 0 && spec.Dow&starBit == 0
	for range 5000 {
		t = spec.Next(t)
		if t.IsZero() || !both {
			return t
		}
		local := t.In(spec.Location)
		if spec.Dom&(1<<uint(local.Day())) != 0 && spec.Dow&(1<<uint(local.Weekday())) != 0 {
			return t
		}
	}
	return time.Time{}
}

// Last returns the latest occurrence in (since, now], for a recipient in loc.
func (s Schedule) Last(now, since time.Time, loc *time.Location) (time.Time, bool) {
	if s.every > 0 {
		t := slotStart(now, s.every)
		return t, t.After(since)
	}
	var last time.Time
	for t := s.Next(since, loc); !t.IsZero() && !t.After(now); t = s.Next(t, loc) {
		last = t
	}
	return last, !last.IsZero()
}

// Period names the occurrence at t for the ledger: the same occurrence
// always gets the same name, in whatever zone or after whatever restart.
// For cron specs it is the local wall-clock time (so a fall-back hour that
// repeats 02:30 still names one occurrence); for @every, the slot number.
func (s Schedule) Period(t time.Time, loc *time.Location) string {
	if s.every > 0 {
		return fmt.Sprintf("every%s:%d", s.every, t.Unix()/int64(s.every/time.Second))
	}
	if s.fixed || loc == nil {
		loc = s.spec.Location
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

func slotStart(t time.Time, every time.Duration) time.Time {
	sec := int64(every / time.Second)
	if sec <= 0 {
		sec = 1
	}
	return time.Unix(t.Unix()/sec*sec, 0).In(t.Location())
}
