package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// TestResetDueMarksEveryone, across more people than one of its
// transactions marks, once; the same rules again mark nobody.
func TestResetDueMarksEveryone(t *testing.T) {
	db := openTest(t)
	n := resetChunk + 123
	ps := make([]coach.Person, n)
	for i := range ps {
		ps[i] = coach.Person{ID: fmt.Sprintf("U%05d", i)}
	}
	if err := db.EnrollAll(ps); err != nil {
		t.Fatal(err)
	}
	if err := db.SetNextDue(^uint64(0), map[string]map[coach.Cadence]time.Time{"U00001": {coach.CadenceNudge: t0}}); err != nil {
		t.Fatal(err)
	}
	if reset, err := db.ResetDue("a"); err != nil || !reset {
		t.Fatalf("ResetDue = %v, %v", reset, err)
	}
	due, _, err := db.DueBefore(time.Unix(1, 0), 0) // marks only: they sort before any real time
	if err != nil || len(due) != n {
		t.Fatalf("%d people marked (%v), want %d", len(due), err, n)
	}
	if reset, err := db.ResetDue("a"); err != nil || reset {
		t.Fatalf("ResetDue with the same rules = %v, %v", reset, err)
	}
	if got, _, _ := db.DueBefore(time.Now(), 10); len(got) != 10 {
		t.Errorf("DueBefore with a limit of 10 gave %d", len(got))
	}
}
