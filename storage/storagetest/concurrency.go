package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// The tests below start writers together, as replicas (or handlers of one
// process) do, and check what a single writer at a time would leave.

const writers = 8

// together runs fn(i) for each writer at once and returns their errors.
func together(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// count returns how many errors are nil and how many match target.
func count(errs []error, target error) (ok, matching int) {
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, target):
			matching++
		}
	}
	return ok, matching
}

func testConcurrentQueue(t *testing.T, s Store) {
	got := make([]coach.Delivery, writers)
	errs := together(writers, func(i int) error {
		ds, err := s.QueueDeliveries([]coach.Delivery{{Person: "U1", Cadence: coach.CadenceNudge, Period: "2026-11-02T09:30", Due: t0, QuestionID: fmt.Sprint("q", i)}})
		if err == nil {
			got[i] = ds[0]
		}
		return err
	})
	if ok, _ := count(errs, nil); ok != writers {
		t.Fatalf("errors: %v", errs)
	}
	stored := must1[[]coach.Delivery](t)(s.Deliveries("U1", ""))
	if len(stored) != 1 {
		t.Fatalf("%d entries for one period: %+v", len(stored), stored)
	}
	for i, d := range got {
		if d.QuestionID != stored[0].QuestionID {
			t.Errorf("writer %d was told %q is owed, but %q is stored", i, d.QuestionID, stored[0].QuestionID)
		}
	}
}

var errTaken = errors.New("someone else is sending it")

func testConcurrentClaim(t *testing.T, s Store) {
	must1[[]coach.Delivery](t)(s.QueueDeliveries([]coach.Delivery{{Person: "U1", Cadence: coach.CadenceCheckin, Period: "p", Due: t0}}))
	errs := together(writers, func(i int) error {
		_, err := s.UpdateDelivery("U1", coach.CadenceCheckin, "p", func(d *coach.Delivery) error {
			if d.State != coach.DeliveryQueued {
				return errTaken
			}
			d.State, d.Attempt, d.Note = coach.DeliveryAttempted, t0.Add(time.Duration(i)), fmt.Sprint("writer ", i)
			return nil
		})
		return err
	})
	if ok, taken := count(errs, errTaken); ok != 1 || taken != writers-1 {
		t.Fatalf("%d writers moved it from queued, %d were refused: %v", ok, taken, errs)
	}
	for i, err := range errs {
		if err == nil {
			if d, _, _ := s.Delivery("U1", coach.CadenceCheckin, "p"); d.Note != fmt.Sprint("writer ", i) {
				t.Errorf("writer %d claimed it, but the entry says %q", i, d.Note)
			}
		}
	}
}

func testConcurrentSubmissions(t *testing.T, s Store) {
	errs := together(writers, func(i int) error {
		_, err := s.AddRatings(coach.Person{ID: "U1"}, []coach.Rating{rating("U1", "U1", "planning", 1+i, t0)}, "view-1")
		return err
	})
	if ok, dup := count(errs, coach.ErrDuplicate); ok != 1 || dup != writers-1 {
		t.Fatalf("%d saved, %d duplicates: %v", ok, dup, errs)
	}
	if rs, _ := s.Ratings("U1", ""); len(rs) != 1 {
		t.Fatalf("%d ratings saved from one submission", len(rs))
	}
}

func testConcurrentPlanEdits(t *testing.T, s Store) {
	// Forms opened on the same version: one is saved, the others are told
	// the plan changed.
	errs := together(writers, func(i int) error {
		_, err := s.UpdatePlan("U1", fmt.Sprint("view-", i), editFrom(coach.Plan{Headline: fmt.Sprint(i)}, 0, t0))
		return err
	})
	if ok, stale := count(errs, coach.ErrPlanChanged); ok != 1 || stale != writers-1 {
		t.Fatalf("%d saved, %d stale: %v", ok, stale, errs)
	}
	// Edits that build on whatever is stored (ticking an action): none is lost.
	errs = together(writers, func(i int) error {
		_, err := s.UpdatePlan("U1", "", func(old coach.Plan) (coach.Plan, coach.PlanChange, error) {
			p := old
			p.Themes = append(append([]coach.Theme(nil), old.Themes...), coach.Theme{ID: fmt.Sprint("t", i)})
			return p, coach.PlanChange{By: "U1", At: t0}, nil
		})
		return err
	})
	if ok, _ := count(errs, nil); ok != writers {
		t.Fatalf("errors: %v", errs)
	}
	p, _, _ := s.Plan("U1")
	h := must1[[]coach.PlanChange](t)(s.PlanHistory("U1"))
	if p.Version != writers+1 || len(p.Themes) != writers || len(h) != writers+1 {
		t.Fatalf("plan v%d with %d themes and %d changes; want v%d, %d, %d", p.Version, len(p.Themes), len(h), writers+1, writers, writers+1)
	}
	for i, c := range h {
		if c.Version != i+1 {
			t.Errorf("change %d has version %d", i, c.Version)
		}
	}
}

func testConcurrentOppositeAssignments(t *testing.T, s Store) {
	// Pairs of people assigned to each other at the same moment: one
	// assignment wins, the other would make a cycle.
	const pairs = writers / 2
	var people []coach.Person
	for p := range pairs {
		people = append(people, coach.Person{ID: fmt.Sprint("UA", p)}, coach.Person{ID: fmt.Sprint("UB", p)})
	}
	must(t, s.EnrollAll(people)) // known already, so only the cycle check stands between them
	errs := together(2*pairs, func(i int) error {
		a, b := coach.Person{ID: fmt.Sprint("UA", i/2)}, coach.Person{ID: fmt.Sprint("UB", i/2)}
		if i%2 == 1 {
			a, b = b, a
		}
		_, err := s.AssignManager(a, b, t0)
		return err
	})
	for p := range pairs {
		var te *coach.TeamError
		ok, cycles := 0, 0
		for _, err := range errs[2*p : 2*p+2] {
			switch {
			case err == nil:
				ok++
			case errors.As(err, &te) && te.Reason == coach.RefuseCycle:
				cycles++
			}
		}
		if ok != 1 || cycles != 1 {
			t.Errorf("pair %d: %v", p, errs[2*p:2*p+2])
		}
		a, _, _ := s.Person(fmt.Sprint("UA", p))
		b, _, _ := s.Person(fmt.Sprint("UB", p))
		if (a.Manager == b.ID) == (b.Manager == a.ID) {
			t.Errorf("pair %d: %+v and %+v", p, a, b)
		}
	}
}

func testConcurrentInvitationAnswers(t *testing.T, s Store) {
	ana := coach.Person{ID: "UANA"}
	managers := []string{"UM0", "UM1", "UM2", "UM3"}
	for _, m := range managers {
		must1[coach.Invitation](t)(s.Invite(coach.Person{ID: m}, coach.NewInvitation(m, ana.ID, t0)))
	}
	// Every invitation accepted at once, each twice (a double click).
	changes := make([]coach.ManagerChange, 2*len(managers))
	errs := together(len(changes), func(i int) error {
		var err error
		changes[i], _, err = s.AnswerInvitation(ana, managers[i/2], true, t0.Add(time.Hour))
		return err
	})
	p, _, _ := s.Person(ana.ID)
	teams := 0
	for _, m := range managers {
		rs, _ := s.Reports(m)
		teams += len(rs)
		if len(rs) == 1 && m != p.Manager {
			t.Errorf("%s has ana, whose manager is %q", m, p.Manager)
		}
	}
	if teams != 1 {
		t.Errorf("ana is in %d teams", teams)
	}
	for m := range managers {
		var fresh, already int
		for i := 2 * m; i < 2*m+2; i++ {
			switch {
			case errs[i] != nil && !errors.Is(errs[i], coach.ErrInvitationGone):
				t.Errorf("accepting %s: %v", managers[m], errs[i])
			case errs[i] == nil && changes[i].Already:
				already++
			case errs[i] == nil:
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%s's invitation was accepted %d times (and %d times already)", managers[m], fresh, already)
		}
	}
	if invs, _ := s.InvitationsTo(ana.ID); len(invs) != 0 {
		t.Errorf("invitations left: %+v", invs)
	}
}
