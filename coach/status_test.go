package coach

import (
	"testing"
	"time"
)

// TestReportStatusOf: what a manager sees of a report is made from the
// records alone: colours per theme, the flagged gap, the challenge, the
// answer rate and unanswered check-ins, pause and away.
func TestReportStatusOf(t *testing.T) {
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	m := PMwheel()
	plan := Plan{Horizon: now.AddDate(0, 5, 0), Themes: []Theme{{ID: "t1", Area: "planning", Title: "Roadmap"}, {ID: "t2", Area: "team", Title: "Talks"}}}
	in := ReportInputs{
		Person: Person{ID: "ana", Manager: "maya"},
		Plan:   &plan,
		Colours: []ColourChoice{
			{Person: "ana", Month: "2026-10", Theme: "t1", Colour: Green, At: now.AddDate(0, -1, 0)},
			{Person: "ana", Month: "2026-11", Theme: "t1", Colour: Red, At: now.AddDate(0, 0, -20)},
		},
		Ratings: []Rating{
			{Subject: "ana", Rater: "ana", Area: "planning", Score: 8, At: now.AddDate(0, 0, -10)},
			{Subject: "ana", Rater: "maya", Area: "planning", Score: 5, At: now.AddDate(0, 0, -9)},
		},
		Challenges: []Challenge{{ID: 1, Subject: "ana", Text: "Lead H2", By: "ana", Status: ChallengeSet, At: now.AddDate(0, -2, 0)}},
		Deliveries: []Delivery{
			{Person: "ana", Cadence: CadenceCheckin, Period: "a", State: DeliverySent, SentAt: now.AddDate(0, 0, -26)},
			{Person: "ana", Cadence: CadenceNudge, Period: "b", State: DeliverySent, SentAt: now.AddDate(0, 0, -5), Answered: true, AnsweredAt: now.AddDate(0, 0, -5)},
		},
		Away: true,
	}
	st := ReportStatusOf(m, in, now, 6)
	if !st.HasPlan || len(st.Colours) != 2 || st.Colours[0] != Red || st.Colours[1] != "" || st.RedThemes != 1 {
		t.Errorf("colours %v, red %d", st.Colours, st.RedThemes)
	}
	if st.FlaggedGaps != 1 || st.Biggest == nil || st.Biggest.Area.ID != "planning" || st.Biggest.Gap != 3 {
		t.Errorf("gap: flagged %d, biggest %+v", st.FlaggedGaps, st.Biggest)
	}
	if st.Challenge == nil || st.Challenge.Text != "Lead H2" {
		t.Errorf("challenge %+v", st.Challenge)
	}
	if st.AnswerRate != 0.5 || st.Unanswered != 1 || !st.Away || st.Paused {
		t.Errorf("answer rate %v, unanswered %d, away %v, paused %v", st.AnswerRate, st.Unanswered, st.Away, st.Paused)
	}
	in.Person.PausedUntil = now.Add(time.Hour)
	if st := ReportStatusOf(m, in, now, 6); !st.Paused || st.Away {
		t.Errorf("paused: paused %v, away %v (a pause wins)", st.Paused, st.Away)
	}
	if st := ReportStatusOf(m, ReportInputs{Person: Person{ID: "bob"}}, now, 6); st.HasPlan || st.AnswerRate != -1 || st.Biggest != nil {
		t.Errorf("nothing yet: %+v", st)
	}
}
