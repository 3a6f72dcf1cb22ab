package coach

import "time"

// Carry decides what a delivery is about, before it is posted, so that the
// choice goes into the ledger with the attempt (one writer, one update) and
// the buttons and replies of the message can refer to it:
//
//   - a weekly nudge carries the plan's next open action (Plan.NextAction,
//     the theme after the one the last nudge carried); with no plan, or
//     nothing left open, the next bank question;
//   - a question asked on request carries the next bank question;
//   - a check-in carries the week's action, shown instead of a nudge;
//   - anything else carries nothing.
//
// Questions come from the bank's coaching, check-in and mood questions (the
// whole bank if it has none of those), in the person's own order
// (QuestionBank.Next), never the one asked last. plan is nil when the
// person has none; past is their ledger in any order. What was sent, or
// may have been (attempted), counts as asked; d's own entry does not, so a
// retry decides the same again. p.LastTheme and p.LastQuestion, kept by
// versions before the ledger held the choice, are where a rotation starts
// while no ledger entry carries one.
//
// It returns d with QuestionID, ThemeID and ActionID set to the choice and
// everything else as it was.
func Carry(d Delivery, p Person, plan *Plan, bank QuestionBank, past []Delivery) Delivery {
	d.QuestionID, d.ThemeID, d.ActionID = "", "", ""
	action := func() bool {
		if plan == nil {
			return false
		}
		ta, ok := plan.NextAction(lastCarried(d, past, p.LastTheme, func(x Delivery) string {
			if x.Cadence != CadenceNudge {
				return ""
			}
			return x.ThemeID
		}))
		if ok {
			d.ThemeID, d.ActionID = ta.Theme.ID, ta.Action.ID
		}
		return ok
	}
	question := func() {
		weekly := bank.Only(CategoryCoaching, CategoryCheckin, CategoryMood)
		if len(weekly.Questions) == 0 {
			weekly = bank
		}
		d.QuestionID = weekly.Next(lastCarried(d, past, p.LastQuestion, func(x Delivery) string {
			if x.Cadence != CadenceNudge && x.Cadence != CadenceQuestion {
				return ""
			}
			return x.QuestionID
		}), QuestionSeed(d.Person)).ID
	}
	switch d.Cadence {
	case CadenceNudge:
		if !action() {
			question()
		}
	case CadenceQuestion:
		question()
	case CadenceCheckin:
		action()
	}
	return d
}

// Carries reports whether Carry may choose something for deliveries of c;
// for other cadences it needs no values at all.
func (c Cadence) Carries() bool {
	return c == CadenceNudge || c == CadenceQuestion || c == CadenceCheckin
}

// lastCarried is what the newest ledger entry other than d that carries
// something (by of) carried, or before when none does. Only entries sent,
// or attempted and perhaps sent, count.
func lastCarried(d Delivery, past []Delivery, before string, of func(Delivery) string) string {
	last, at, found := before, time.Time{}, false
	for _, x := range past {
		if x.Key() == d.Key() || x.State != DeliverySent && x.State != DeliveryAttempted {
			continue
		}
		id := of(x)
		if id == "" {
			continue
		}
		if t := carriedAt(x); !found || t.After(at) {
			last, at, found = id, t, true
		}
	}
	return last
}

// carriedAt orders ledger entries by when their message went out, or was
// to: periods of different cadences do not compare.
func carriedAt(x Delivery) time.Time {
	switch {
	case !x.Attempt.IsZero():
		return x.Attempt
	case !x.SentAt.IsZero():
		return x.SentAt
	}
	return x.Due
}
