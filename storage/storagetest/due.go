package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// The due index: every change that can move someone's due times marks
// them due at once, in the same transaction; the scheduler reads who is
// due (DueBefore) and replaces the marks with real times (SetNextDue).

// later is past every test's "now" (t0): a real due time not yet due.
var later = t0.AddDate(1, 0, 0)

// expectDue checks who is due at t0, in order, and returns the sequence
// DueBefore gave.
func expectDue(t *testing.T, s Store, want string) uint64 {
	t.Helper()
	people, seen, err := s.DueBefore(t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(people); got != want {
		t.Fatalf("due at t0: %s, want %s", got, want)
	}
	return seen
}

// settle does what a tick does: everyone due gets a real time, later.
func settle(t *testing.T, s Store) {
	t.Helper()
	people, seen, err := s.DueBefore(t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]map[coach.Cadence]time.Time{}
	for _, p := range people {
		next[p] = map[coach.Cadence]time.Time{coach.CadenceNudge: later}
	}
	must(t, s.SetNextDue(seen, next))
	expectDue(t, s, "[]")
}

func testDueMarks(t *testing.T, s Store) {
	if at, found, err := s.NextDue(); found || err != nil {
		t.Fatalf("NextDue of an empty index = %s, %v, %v", at, found, err)
	}
	must1[coach.Person](t)(s.Enroll(coach.Person{ID: "U1", EnrolledAt: t0}))
	expectDue(t, s, "[U1]")
	if at, found, err := s.NextDue(); !found || err != nil || !at.Before(t0) {
		t.Fatalf("NextDue with a mark = %s, %v, %v; want long past", at, found, err)
	}
	settle(t, s)
	if at, found, err := s.NextDue(); !found || err != nil || !at.Equal(later) {
		t.Fatalf("NextDue = %s, %v, %v; want %s", at, found, err, later)
	}
	// Enrolling again, or changing what does not move due times, marks nobody.
	must1[coach.Person](t)(s.Enroll(coach.Person{ID: "U1", Name: "ana"}))
	must1[coach.Person](t)(s.UpdatePerson(coach.Person{ID: "U1"}, func(p *coach.Person) error {
		p.DMChannel, p.Name = "D1", "Ana"
		return nil
	}))
	must(t, s.SetDMChannel("U1", "D2"))
	expectDue(t, s, "[]")

	for _, change := range []func(p *coach.Person){
		func(p *coach.Person) { p.TZ = "Europe/Berlin" },
		func(p *coach.Person) { p.PausedUntil = later },
		func(p *coach.Person) { p.NudgeSpec = "tue 10:00" },
		func(p *coach.Person) { p.NudgesOff = true },
		func(p *coach.Person) { p.SnoozedUntil = later },
	} {
		must1[coach.Person](t)(s.UpdatePerson(coach.Person{ID: "U1"}, func(p *coach.Person) error {
			change(p)
			return nil
		}))
		expectDue(t, s, "[U1]")
		settle(t, s)
	}

	plan := coach.Plan{Headline: "Grow", Horizon: t0.AddDate(0, 6, 0)}
	must1[coach.Plan](t)(s.UpdatePlan("U1", "", editFrom(plan, 0, t0)))
	expectDue(t, s, "[U1]")
	settle(t, s)

	// Team changes mark the managers: having reports decides a digest.
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "M1"}, coach.Person{ID: "U1"}, t0))
	expectDue(t, s, "[M1]")
	settle(t, s)
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "M2"}, coach.Person{ID: "U1"}, t0))
	expectDue(t, s, "[M1 M2]")
	settle(t, s)
	if m, err := s.LeaveTeam("U1"); err != nil || m != "M2" {
		t.Fatalf("LeaveTeam = %s, %v", m, err)
	}
	expectDue(t, s, "[M2]")
	settle(t, s)

	// A sent check-in may owe a reminder; a sent nudge moves nothing.
	must1[[]coach.Delivery](t)(s.QueueDeliveries([]coach.Delivery{
		{Person: "U1", Cadence: coach.CadenceNudge, Period: "2026-11-02T09:30", Due: t0},
		{Person: "U1", Cadence: coach.CadenceCheckin, Period: "2026-11-02T10:00", Due: t0},
	}))
	expectDue(t, s, "[]")
	for _, c := range []coach.Cadence{coach.CadenceNudge, coach.CadenceCheckin} {
		period := map[coach.Cadence]string{coach.CadenceNudge: "2026-11-02T09:30", coach.CadenceCheckin: "2026-11-02T10:00"}[c]
		must1[coach.Delivery](t)(s.UpdateDelivery("U1", c, period, func(d *coach.Delivery) error {
			d.State, d.SentAt = coach.DeliveryAttempted, t0
			return nil
		}))
		must1[coach.Delivery](t)(s.UpdateDelivery("U1", c, period, func(d *coach.Delivery) error {
			d.State = coach.DeliverySent
			return nil
		}))
	}
	expectDue(t, s, "[U1]")
	settle(t, s)

	// A forgotten report: their manager has one report fewer.
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "M1"}, coach.Person{ID: "U2"}, t0))
	settle(t, s)
	must1[coach.Forgotten](t)(s.ForgetPerson("U2"))
	expectDue(t, s, "[M1]")

	// Nothing given for someone: due for nothing until something changes.
	_, seen, err := s.DueBefore(t0, 0)
	must(t, err)
	must(t, s.SetNextDue(seen, map[string]map[coach.Cadence]time.Time{"M1": nil, "M2": nil, "U1": nil}))
	expectDue(t, s, "[]")
	if at, found, err := s.NextDue(); found || err != nil {
		t.Fatalf("NextDue of an emptied index = %s, %v, %v", at, found, err)
	}
	must(t, s.ReleaseMapped())
}

// A mark made while a tick works on the person (after its DueBefore) is
// kept by that tick's SetNextDue, so the next tick looks again.
func testDueSeenKeepsLaterMarks(t *testing.T, s Store) {
	must(t, s.EnrollAll([]coach.Person{{ID: "U1"}, {ID: "U2"}}))
	seen := expectDue(t, s, "[U1 U2]")
	must1[coach.Person](t)(s.UpdatePerson(coach.Person{ID: "U1"}, func(p *coach.Person) error {
		p.TZ = "Asia/Tokyo"
		return nil
	}))
	soon := t0.Add(time.Hour)
	must(t, s.SetNextDue(seen, map[string]map[coach.Cadence]time.Time{
		"U1": {coach.CadenceNudge: later},
		"U2": {coach.CadenceNudge: soon, coach.CadenceCheckin: later, "": t0, coach.CadenceDigest: {}},
	}))
	seen2 := expectDue(t, s, "[U1]")
	if seen2 <= seen {
		t.Errorf("sequence %d after a new mark, was %d", seen2, seen)
	}
	must(t, s.SetNextDue(seen2, map[string]map[coach.Cadence]time.Time{"U1": {coach.CadenceNudge: later}}))
	expectDue(t, s, "[]")
	if at, found, err := s.NextDue(); !found || err != nil || !at.Equal(soon) {
		t.Fatalf("NextDue = %s, %v, %v; want %s", at, found, err, soon)
	}
	// Each person once, earliest first, at most limit of them.
	if people, _, err := s.DueBefore(later, 0); err != nil || fmt.Sprint(people) != "[U2 U1]" {
		t.Errorf("DueBefore(later) = %v, %v; want [U2 U1]", people, err)
	}
	if people, _, err := s.DueBefore(later, 1); err != nil || fmt.Sprint(people) != "[U2]" {
		t.Errorf("DueBefore(later, 1) = %v, %v; want [U2]", people, err)
	}
}

// ResetDue marks everyone when the schedule rules change, once.
func testResetDue(t *testing.T, s Store) {
	var ps []coach.Person
	for i := range 30 {
		ps = append(ps, coach.Person{ID: fmt.Sprintf("U%02d", i)})
	}
	must(t, s.EnrollAll(ps))
	settle(t, s)
	if reset, err := s.ResetDue("a"); err != nil || !reset {
		t.Fatalf("ResetDue(a) = %v, %v", reset, err)
	}
	people, _, err := s.DueBefore(time.Unix(1, 0), 0) // marks only: they sort before any real time
	if err != nil || len(people) != len(ps) {
		t.Fatalf("%d people marked (%v), want %d", len(people), err, len(ps))
	}
	if reset, err := s.ResetDue("a"); err != nil || reset {
		t.Fatalf("ResetDue with the same rules = %v, %v", reset, err)
	}
	if got, _, _ := s.DueBefore(t0, 10); len(got) != 10 {
		t.Errorf("DueBefore with a limit of 10 gave %d", len(got))
	}
	settle(t, s)
	if reset, err := s.ResetDue("b"); err != nil || !reset {
		t.Fatalf("ResetDue(b) = %v, %v", reset, err)
	}
	if got, _, _ := s.DueBefore(t0, 0); len(got) != len(ps) {
		t.Errorf("after new rules %d due, want %d", len(got), len(ps))
	}
}

// DueChanged is signalled after a commit that marked someone.
func testDueChanged(t *testing.T, s Store) {
	must1[coach.Person](t)(s.Enroll(coach.Person{ID: "U1"}))
	awaitDueChanged(t, s.DueChanged())
	settle(t, s)
	must1[coach.Person](t)(s.UpdatePerson(coach.Person{ID: "U1"}, func(p *coach.Person) error {
		p.PausedUntil = later
		return nil
	}))
	awaitDueChanged(t, s.DueChanged())
}

// awaitDueChanged waits for a signal on ch, failing after a generous
// while (a signal that never comes).
func awaitDueChanged(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("DueChanged was not signalled")
	}
}

// A tick racing with changes never loses a mark: whatever a tick read,
// each person ends either marked or with the due time worked out from
// their last change.
func testDueMarksRaceTicks(t *testing.T, s Store) {
	const people, changes = 6, 15
	version := func(k int) time.Time { return t0.Add(time.Duration(k) * time.Minute) }
	var ids []string
	for i := range people {
		ids = append(ids, fmt.Sprintf("U%d", i))
	}
	done := make(chan struct{})
	errs := make(chan error, people+1)
	go func() { // the scheduler
		for {
			select {
			case <-done:
				errs <- nil
				return
			default:
			}
			due, seen, err := s.DueBefore(t0, 0)
			if err != nil {
				errs <- err
				return
			}
			next := map[string]map[coach.Cadence]time.Time{}
			for _, id := range due {
				p, _, err := s.Person(id)
				if err != nil {
					errs <- err
					return
				}
				at := later.Add(time.Hour) // worked out from a change that is not the last
				if p.PausedUntil.Equal(version(changes)) {
					at = later
				}
				next[id] = map[coach.Cadence]time.Time{coach.CadenceNudge: at}
			}
			if err := s.SetNextDue(seen, next); err != nil {
				errs <- err
				return
			}
		}
	}()
	for _, id := range ids {
		go func() {
			for k := 1; k <= changes; k++ {
				if _, err := s.UpdatePerson(coach.Person{ID: id}, func(p *coach.Person) error {
					p.PausedUntil = version(k)
					return nil
				}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range ids {
		must(t, <-errs)
	}
	close(done)
	must(t, <-errs)
	due, _, err := s.DueBefore(later, 0)
	must(t, err)
	if len(due) != people {
		t.Fatalf("due by %s: %v; want all %d people (a mark was lost)", later, due, people)
	}
}
