package coach

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Flag is one reason a report needs their manager's attention, in words a
// manager scans and a screen reader speaks, with its weight in the one
// scoring that ranks a team (see Attention and docs/cadence.md).
type Flag struct {
	Score int
	Text  string
}

// Weights of the attention scoring.
const (
	scoreRed         = 100 // per red theme
	scoreGapWidened  = 60  // a flagged gap that grew, plus its size
	scoreSilentBase  = 40  // no answer to the last two check-ins or more,
	scoreSilentWeek  = 5   // plus this per week of silence
	scoreSilentOne   = 20  // the last check-in unanswered, none answered lately
	scoreOverdue     = 30  // the plan is past its horizon
	scoreNoPlan      = 25  // no plan after the first NoPlanGrace
	scoreWideGap     = 10  // a gap of AttentionGap or more, plus 5 per point
	scoreYellow      = 5   // per yellow theme: orders, never flags
	AttentionGap     = 3   // a gap this wide is a reason on its own
	NoPlanGrace      = 30 * 24 * time.Hour
	attentionGapStep = 5
)

// Flags are the reasons a report needs attention, most important first.
// A paused or away person has none: quiet is what they asked for.
func (s ReportStatus) Flags(now time.Time) []Flag {
	if s.Paused || s.Away {
		return nil
	}
	var out []Flag
	if s.RedThemes > 0 {
		var titles []string
		if s.Plan != nil {
			for i, t := range s.Plan.Themes {
				if i < len(s.Colours) && s.Colours[i] == Red {
					titles = append(titles, t.Title)
				}
			}
		}
		text := "red: " + strings.Join(titles, ", ")
		if len(titles) == 0 {
			text = "a red theme"
		}
		out = append(out, Flag{scoreRed * s.RedThemes, text})
	}
	if b := s.Biggest; b != nil && b.Flagged() {
		gap := abs(b.Gap)
		switch {
		case s.GapWidened:
			out = append(out, Flag{scoreGapWidened + gap, fmt.Sprintf("gap of %d on %s, widened from %d", gap, b.Area.Name, abs(b.PrevGap))})
		case gap >= AttentionGap:
			out = append(out, Flag{scoreWideGap + attentionGapStep*gap, fmt.Sprintf("gap of %d on %s", gap, b.Area.Name)})
		}
	}
	switch {
	case s.Unanswered >= 2:
		weeks := 0
		if !s.SilentSince.IsZero() {
			weeks = int(now.Sub(s.SilentSince) / (7 * 24 * time.Hour))
		}
		text := fmt.Sprintf("no answers for %d weeks", weeks)
		if weeks < 2 {
			text = fmt.Sprintf("no answer to the last %d check-ins", s.Unanswered)
		}
		out = append(out, Flag{scoreSilentBase + scoreSilentWeek*weeks, text})
	case s.AnswerRate == 0 && s.Unanswered == 1:
		out = append(out, Flag{scoreSilentOne, "no answer to the last check-in"})
	}
	if s.PlanOverdue && s.Plan != nil {
		out = append(out, Flag{scoreOverdue, "plan past its horizon (" + s.Plan.Horizon.Format("2 Jan") + ")"})
	} else if s.PlanOverdue {
		out = append(out, Flag{scoreOverdue, "plan past its horizon"})
	}
	if !s.HasPlan && now.Sub(s.Since()) >= NoPlanGrace {
		out = append(out, Flag{scoreNoPlan, fmt.Sprintf("no plan after %d weeks", int(now.Sub(s.Since())/(7*24*time.Hour)))})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// Since is when the person started with microcoach under their manager:
// the later of enrolling and joining the team.
func (s ReportStatus) Since() time.Time {
	if s.Person.ManagerSince.After(s.Person.EnrolledAt) {
		return s.Person.ManagerSince
	}
	return s.Person.EnrolledAt
}
