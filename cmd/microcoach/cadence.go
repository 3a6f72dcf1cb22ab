package main

import (
	"fmt"
	"time"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/scheduler"
	"github.com/microcoach/microcoach/storage"
)

// schedules are the four cadences parsed from the configuration.
type schedules struct {
	nudge, checkin, refresh, digest scheduler.Schedule
}

func parseSchedules(cfg Config) (schedules, error) {
	var s schedules
	for _, x := range []struct {
		name string
		spec string
		into *scheduler.Schedule
	}{
		{"NUDGE_SCHEDULE", cfg.NudgeSchedule, &s.nudge},
		{"CHECKIN_SCHEDULE", cfg.CheckinSchedule, &s.checkin},
		{"REFRESH_SCHEDULE", cfg.RefreshSchedule, &s.refresh},
		{"DIGEST_SCHEDULE", cfg.DigestSchedule, &s.digest},
	} {
		sch, err := scheduler.Parse(x.spec)
		if err != nil {
			return s, &configError{Var: envPrefix + "_" + x.name, Problem: fmt.Sprintf("%q is not a valid cron spec: %v", x.spec, err)}
		}
		*x.into = sch
	}
	return s, nil
}

// upcoming phrases the next cadence dates for a person's Home tab.
func (s schedules) upcoming(p coach.Person, now time.Time) []string {
	loc := p.Location()
	if p.Paused(now) {
		return []string{"Paused until " + p.PausedUntil.In(loc).Format("Mon 2 Jan")}
	}
	var out []string
	if !p.NudgesOff {
		out = append(out, "Weekly nudge: "+when(scheduler.NudgeFor(p, s.nudge).Next(now, loc), loc))
	}
	out = append(out, "Colour check-in: "+when(s.checkin.Next(now, loc), loc), "Plan refresh: "+when(s.refresh.Next(now, loc), loc))
	return out
}

func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "not scheduled"
	}
	return t.In(loc).Format("Mon 2 Jan, 15:04")
}

// screenReads lets the bot read a screen from one transaction.
func screenReads(db *storage.DB) func(fn func(bot.ScreenReader) error) error {
	return func(fn func(bot.ScreenReader) error) error {
		return db.View(func(s *storage.DB) error { return fn(s) })
	}
}
