package scheduler

import (
	"time"

	"github.com/microcoach/microcoach/coach"
)

// shape applies the rhythm's rules (coach.GetsCoacheeCadence,
// CheckinOwed, RefreshOwed, NudgeOwed) to an occurrence found due and not
// yet in the ledger. It returns what to record: the delivery, the same
// marked skipped with the reason (so it is decided once), or, for a
// check-in of someone without a plan, a skipped check-in and an
// invitation to write one. It reads storage only for occurrences that are
// due, which are rare.
//
// The spacing rules are calendar rules: occurrences of @every schedules
// (tests, trials) skip the newness and budget rules.
func (e *Engine) shape(p coach.Person, d coach.Delivery, s Schedule) ([]coach.Delivery, error) {
	if d.State == coach.DeliverySkipped {
		return []coach.Delivery{d}, nil
	}
	switch d.Cadence {
	case coach.CadenceNudge, coach.CadenceCheckin, coach.CadenceRefresh:
	default:
		return []coach.Delivery{d}, nil
	}
	skip := func(why string) []coach.Delivery {
		d.State, d.Note = coach.DeliverySkipped, why
		return []coach.Delivery{d}
	}
	reports, err := e.cfg.Store.Reports(p.ID)
	if err != nil {
		return nil, err
	}
	if !coach.GetsCoacheeCadence(p, len(reports) > 0) {
		return skip("coaches others and is not coached; /coach nudges on opts in"), nil
	}
	var plan *coach.Plan
	if pl, found, err := e.cfg.Store.Plan(p.ID); err != nil {
		return nil, err
	} else if found {
		plan = &pl
	}
	past, err := e.cfg.Store.Deliveries(p.ID, "")
	if err != nil {
		return nil, err
	}
	calendar := s.Every() == 0
	switch d.Cadence {
	case coach.CadenceCheckin:
		c, why := coach.CheckinOwed(plan, d.Due, past)
		if !calendar && plan != nil {
			c = coach.CadenceCheckin
		}
		switch c {
		case "":
			return skip(why), nil
		case coach.CadencePlanInvite:
			inv := d
			inv.Cadence = coach.CadencePlanInvite
			return append(skip("no plan: invited to write one instead"), inv), nil
		}
	case coach.CadenceRefresh:
		if ok, why := coach.RefreshOwed(plan, d.Due); !ok && calendar {
			return skip(why), nil
		}
	case coach.CadenceNudge:
		if !calendar {
			break
		}
		if ok, why := coach.NudgeOwed(plan, d.Due, past, e.ahead(p, plan, d.Due, past)); !ok {
			return skip(why), nil
		}
	}
	return []coach.Delivery{d}, nil
}

// ahead lists what the check-in and refresh schedules bring the person in
// the budget window after at.
func (e *Engine) ahead(p coach.Person, plan *coach.Plan, at time.Time, past []coach.Delivery) []coach.Cadence {
	loc := p.Location()
	var out []coach.Cadence
	for _, s := range []struct {
		sch     Schedule
		refresh bool
	}{{e.cfg.Checkin, false}, {e.cfg.Refresh, true}} {
		if s.sch.Spec == "" || s.sch.Every() > 0 {
			continue
		}
		// Monthly and quarterly: at most two occurrences in a week.
		t := at
		for range 2 {
			t = s.sch.Next(t, loc)
			if t.IsZero() || t.Sub(at) >= coach.BudgetWindow || !t.After(p.PausedUntil) {
				break
			}
			if s.refresh {
				if ok, _ := coach.RefreshOwed(plan, t); ok {
					out = append(out, coach.CadenceRefresh)
				}
			} else if c, _ := coach.CheckinOwed(plan, t, past); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}
