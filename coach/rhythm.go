package coach

import (
	"fmt"
	"time"
)

// CadencePlanInvite invites someone without a development plan to write
// one. It takes the place of the monthly check-in, at most once a
// quarter, and is never counted as unanswered.
const CadencePlanInvite Cadence = "planinvite"

// The rhythm's spacing rules. docs/cadence.md explains them.
const (
	// FirstCheckinAfter: a new plan's first colour check-in comes no
	// sooner than this after the plan was written.
	FirstCheckinAfter = 21 * 24 * time.Hour
	// FirstRefreshAfter: a plan's first refresh comes no sooner than a
	// quarter after it was written, unless its own horizon comes first.
	FirstRefreshAfter = 13 * 7 * 24 * time.Hour
	// PlanInviteEvery: someone without a plan is invited to write one at
	// most this often.
	PlanInviteEvery = 13 * 7 * 24 * time.Hour
	// QuietAfterPlanEdit: no weekly nudge within this time of writing or
	// editing the plan; the person was just thinking about it.
	QuietAfterPlanEdit = 3 * 24 * time.Hour
	// BudgetWindow and BudgetMessages: at most BudgetMessages unrequested
	// messages in any BudgetWindow.
	BudgetWindow   = 7 * 24 * time.Hour
	BudgetMessages = 2
)

// Unrequested reports whether a cadence is a message the person did not
// ask for and the budget counts. A question asked with /coach question was
// asked for; a manager's digest is the report of a team they chose to
// coach, posted where they chose.
func (c Cadence) Unrequested() bool {
	switch c {
	case CadenceNudge, CadenceCheckin, CadenceRefresh, CadenceReminder, CadencePlanInvite:
		return true
	}
	return false
}

// GetsCoacheeCadence reports whether nudges, check-ins and refreshes are
// for this person at all. Someone who coaches others (manages) but has no
// manager of record is not being coached: they get none unless they opt
// in with /coach nudges on.
func GetsCoacheeCadence(p Person, manages bool) bool {
	return p.Manager != "" || !manages || p.CoacheeOptIn
}

// CheckinOwed decides what the monthly check-in occurrence at brings a
// person: the check-in (CadenceCheckin), an invitation to write a plan
// (CadencePlanInvite), or nothing (""), with the reason. plan is nil when
// the person has none; past is their ledger (any order).
func CheckinOwed(plan *Plan, at time.Time, past []Delivery) (Cadence, string) {
	if plan == nil {
		for _, d := range past {
			if d.Cadence == CadencePlanInvite && d.State != DeliverySkipped && at.Sub(d.Due) < PlanInviteEvery {
				return "", "no plan; invited to write one on " + d.Due.Format(time.DateOnly) + ", at most once a quarter"
			}
		}
		return CadencePlanInvite, ""
	}
	if at.Sub(plan.CreatedAt) < FirstCheckinAfter {
		return "", "the plan is less than three weeks old"
	}
	return CadenceCheckin, ""
}

// RefreshOwed decides whether a quarterly refresh occurrence at is owed for
// plan: no sooner than a quarter after it was written, or once its own
// horizon has come.
func RefreshOwed(plan *Plan, at time.Time) (bool, string) {
	if plan == nil {
		return false, "no plan to refresh"
	}
	if at.Sub(plan.CreatedAt) >= FirstRefreshAfter || (!plan.Horizon.IsZero() && !at.Before(plan.Horizon)) {
		return true, ""
	}
	return false, "the plan is less than a quarter old and its horizon is " + plan.Horizon.Format(time.DateOnly)
}

// NudgeOwed decides whether the weekly nudge at is sent: the nudge is the
// message that gives way. It is skipped when
//   - the plan was written or edited within QuietAfterPlanEdit, or
//   - with it, the person's load would exceed BudgetMessages: the
//     unrequested messages sent in the BudgetWindow before it, plus
//     those due in the BudgetWindow after it (ahead: the check-ins,
//     refreshes and invitations the schedule will bring, a check-in
//     counting two because it may bring its reminder), plus one for a
//     sent, unanswered check-in whose reminder may still come.
//
// A skipped nudge's action is carried by the check-in of that week. With
// check-ins and refreshes at least a BudgetWindow apart (the default
// schedules), every BudgetWindow then holds at most BudgetMessages.
func NudgeOwed(plan *Plan, at time.Time, past []Delivery, ahead []Cadence) (bool, string) {
	if plan != nil && at.Sub(plan.UpdatedAt) < QuietAfterPlanEdit && !plan.UpdatedAt.After(at) {
		return false, "the plan was written or edited less than three days ago"
	}
	load := 0
	for _, c := range ahead {
		switch c {
		case CadenceCheckin:
			load += 2
		case CadencePlanInvite, CadenceRefresh:
			load++
		}
	}
	for _, d := range past {
		if !d.Cadence.Unrequested() || d.State != DeliverySent {
			continue
		}
		if sent := d.SentAt; sent.Before(at) && at.Sub(sent) < BudgetWindow {
			load++
		}
		if d.Cadence == CadenceCheckin && !d.Answered && at.Sub(d.SentAt) < BudgetWindow && !reminded(past, d) {
			load++
		}
	}
	if load+1 > BudgetMessages {
		return false, fmt.Sprintf("message budget: %d other messages within a week of it", load)
	}
	return true, ""
}

func reminded(past []Delivery, checkin Delivery) bool {
	for _, d := range past {
		if d.Cadence == CadenceReminder && d.Period == checkin.Period {
			return true
		}
	}
	return false
}
