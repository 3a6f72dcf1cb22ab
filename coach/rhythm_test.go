package coach

import (
	"testing"
	"time"
)

func TestRhythmRules(t *testing.T) {
	written := time.Date(2026, 11, 30, 8, 35, 0, 0, time.UTC) // a Monday
	plan := &Plan{CreatedAt: written, UpdatedAt: written, Horizon: written.AddDate(0, 6, 0)}
	day := 24 * time.Hour

	if c, _ := CheckinOwed(plan, written.Add(day), nil); c != "" {
		t.Error("a one-day-old plan got a check-in")
	}
	if c, _ := CheckinOwed(plan, written.Add(21*day), nil); c != CadenceCheckin {
		t.Error("a three-week-old plan got no check-in")
	}
	if ok, _ := RefreshOwed(plan, written.Add(35*day)); ok {
		t.Error("a five-week-old plan with a six-month horizon got a refresh")
	}
	if ok, _ := RefreshOwed(plan, written.Add(13*7*day)); !ok {
		t.Error("no refresh after a quarter")
	}
	short := &Plan{CreatedAt: written, Horizon: written.Add(40 * day)}
	if ok, _ := RefreshOwed(short, written.Add(41*day)); !ok {
		t.Error("no refresh at a plan's own (short) horizon")
	}

	// Without a plan: an invitation, then none for a quarter.
	c, _ := CheckinOwed(nil, written, nil)
	inv := Delivery{Cadence: CadencePlanInvite, Due: written, State: DeliverySent}
	again, why := CheckinOwed(nil, written.AddDate(0, 1, 0), []Delivery{inv})
	later, _ := CheckinOwed(nil, written.Add(PlanInviteEvery), []Delivery{inv})
	if c != CadencePlanInvite || again != "" || why == "" || later != CadencePlanInvite {
		t.Errorf("plan invitations: %q, then %q (%s), then %q", c, again, why, later)
	}

	// The nudge gives way.
	mon := written.Add(7 * day).Add(55 * time.Minute) // next Monday 09:30
	if ok, _ := NudgeOwed(plan, written.Add(55*time.Minute), nil, nil); ok {
		t.Error("nudged an hour after the plan was written")
	}
	if ok, _ := NudgeOwed(plan, mon, nil, nil); !ok {
		t.Error("no nudge in a quiet week")
	}
	if ok, _ := NudgeOwed(plan, mon, nil, []Cadence{CadenceCheckin}); ok {
		t.Error("nudged the day before a check-in (which may bring a reminder)")
	}
	if ok, _ := NudgeOwed(plan, mon, nil, []Cadence{CadenceRefresh}); !ok {
		t.Error("a refresh alone in the week leaves room for the nudge")
	}
	checkin := Delivery{Cadence: CadenceCheckin, Period: "p", State: DeliverySent, SentAt: mon.Add(-6 * day)}
	if ok, _ := NudgeOwed(plan, mon, []Delivery{checkin}, nil); ok {
		t.Error("nudged while an unanswered check-in's reminder may still come")
	}
	checkin.Answered = true
	if ok, _ := NudgeOwed(plan, mon, []Delivery{checkin}, nil); !ok {
		t.Error("no nudge after an answered check-in")
	}
	asked := Delivery{Cadence: CadenceQuestion, State: DeliverySent, SentAt: mon.Add(-day)}
	if ok, _ := NudgeOwed(plan, mon, []Delivery{checkin, asked, asked}, nil); !ok {
		t.Error("questions the person asked for count against the budget")
	}

	manager := Person{ID: "UMAYA"}
	if GetsCoacheeCadence(manager, true) || !GetsCoacheeCadence(Person{}, false) ||
		!GetsCoacheeCadence(Person{Manager: "UBOSS"}, true) || !GetsCoacheeCadence(Person{CoacheeOptIn: true}, true) {
		t.Error("coachee cadence: only a manager nobody coaches goes without, unless they opt in")
	}
}
