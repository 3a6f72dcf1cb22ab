package scheduler

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// rhythmFixture uses the default schedules: nudges Monday 09:30, check-ins
// the first Tuesday 10:00, refreshes the second Tuesday of a quarter's
// first month 10:30.
func rhythmFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.engine.cfg.Refresh = MustParse("30 10 8-14 1,4,7,10 TUE")
	return f
}

// sentTimes is when each person was sent what, from the ledger.
func sentTimes(t *testing.T, f *fixture, person string) []coach.Delivery {
	t.Helper()
	ds, err := f.db.Deliveries(person, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []coach.Delivery
	for _, d := range ds {
		if d.State == coach.DeliverySent {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SentAt.Before(out[j].SentAt) })
	return out
}

// maxInWindow is the most messages in any 7 days.
func maxInWindow(ds []coach.Delivery) int {
	most := 0
	for i := range ds {
		n := 0
		for j := i; j < len(ds) && ds[j].SentAt.Sub(ds[i].SentAt) < 7*24*time.Hour; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

func TestRhythmBudgetAndSpacing(t *testing.T) {
	f := rhythmFixture(t)
	// Ana writes her plan on Monday 28 Dec 2026 08:35 with a six-month
	// horizon and never answers anything: the worst case, a reminder
	// every month.
	written := time.Date(2026, 12, 28, 8, 35, 0, 0, time.UTC)
	f.person(t, coach.Person{ID: "UANA", EnrolledAt: written.Add(-time.Hour)})
	if _, err := f.db.UpdatePlan("UANA", "", func(coach.Plan) (coach.Plan, coach.PlanChange, error) {
		return coach.Plan{Owner: "UANA", Headline: "h", Version: 1, CreatedAt: written, UpdatedAt: written, Horizon: written.AddDate(0, 6, 0),
			Themes: []coach.Theme{{ID: "t1", Area: "planning", Title: "t", Actions: []coach.Action{{ID: "a1", Text: "a"}}}}}, coach.PlanChange{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	// Bob never writes a plan; Maya coaches and is not coached.
	f.person(t, coach.Person{ID: "UBOB", Manager: "UMAYA", EnrolledAt: written.Add(-time.Hour)})
	f.person(t, coach.Person{ID: "UMAYA", EnrolledAt: written.Add(-time.Hour)})
	if _, err := f.db.AssignManager(coach.Person{ID: "UMAYA"}, coach.Person{ID: "UANA", Manager: "UMAYA"}, written); err != nil {
		t.Fatal(err)
	}
	// Ticks every half hour of each morning, when the cadences come.
	for day := written; day.Before(written.AddDate(0, 7, 0)); day = day.AddDate(0, 0, 1) {
		for m := 0; m <= 4*60; m += 30 {
			if at := day.Add(time.Duration(m) * time.Minute); !at.Before(written) {
				f.tick(t, at)
			}
		}
	}
	ana := sentTimes(t, f, "UANA")
	if n := maxInWindow(ana); n > coach.BudgetMessages {
		t.Errorf("Ana got %d messages in one week", n)
	}
	var firstCheckin, firstRefresh time.Time
	for _, d := range ana {
		if d.Cadence == coach.CadenceNudge && d.SentAt.Sub(written) < coach.QuietAfterPlanEdit {
			t.Errorf("nudged %s after writing the plan", d.SentAt.Sub(written))
		}
		if d.Cadence == coach.CadenceCheckin && firstCheckin.IsZero() {
			firstCheckin = d.SentAt
		}
		if d.Cadence == coach.CadenceRefresh && firstRefresh.IsZero() {
			firstRefresh = d.SentAt
		}
	}
	if firstCheckin.Sub(written) < coach.FirstCheckinAfter {
		t.Errorf("first check-in %s after the plan", firstCheckin.Sub(written))
	}
	if firstRefresh.IsZero() || firstRefresh.Sub(written) < coach.FirstRefreshAfter {
		t.Errorf("first refresh at %v, %s after the plan", firstRefresh, firstRefresh.Sub(written))
	}
	var invites, nudges int
	for _, d := range sentTimes(t, f, "UBOB") {
		switch d.Cadence {
		case coach.CadenceCheckin, coach.CadenceReminder, coach.CadenceRefresh:
			t.Errorf("Bob, without a plan, got a %s", d.Cadence)
		case coach.CadencePlanInvite:
			invites++
		case coach.CadenceNudge:
			nudges++
		}
	}
	if invites != 3 || nudges < 20 {
		t.Errorf("Bob got %d plan invitations in 7 months (want 3, one a quarter) and %d nudges", invites, nudges)
	}
	if got := sentTimes(t, f, "UMAYA"); len(got) != 0 {
		t.Errorf("Maya, a manager nobody coaches, got %d coachee messages", len(got))
	}
	skipped, _ := f.db.Deliveries("UMAYA", coach.CadenceNudge)
	if len(skipped) == 0 || !strings.Contains(skipped[0].Note, "nudges on") {
		t.Errorf("Maya's skipped nudges don't say why: %+v", skipped)
	}
}

func TestManagerOptsIn(t *testing.T) {
	f := rhythmFixture(t)
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	f.person(t, coach.Person{ID: "UMAYA", CoacheeOptIn: true})
	f.person(t, coach.Person{ID: "UANA"})
	if _, err := f.db.AssignManager(coach.Person{ID: "UMAYA"}, coach.Person{ID: "UANA", Manager: "UMAYA"}, at.AddDate(0, 0, -30)); err != nil {
		t.Fatal(err)
	}
	f.tick(t, at)
	if f.out.count("UMAYA/nudge/2026-11-23T09:30") != 1 {
		t.Fatalf("a manager who opted in got no nudge: %v", f.out.order)
	}
}
