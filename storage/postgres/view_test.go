package postgres

import (
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// TestViewIsOneSnapshot: a rating stored by someone else while a screen
// is being read does not show up half-way through it; the next screen
// sees it.
func TestViewIsOneSnapshot(t *testing.T) {
	t.Parallel()
	db := openTest(t, pgtest.URL(t))
	ana := coach.Person{ID: "UANA", Name: "ana"}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	rate := func(score int, sub string) {
		t.Helper()
		if _, err := db.AddRatings(ana, []coach.Rating{{Subject: ana.ID, Rater: ana.ID, Area: "planning", Score: score, At: at}}, sub); err != nil {
			t.Fatal(err)
		}
	}
	rate(6, "s1")
	var before, during []coach.Rating
	err := db.View(func(s *DB) error {
		var err error
		if before, err = s.Ratings(ana.ID, ""); err != nil {
			return err
		}
		rate(8, "s2") // another replica's write, committed meanwhile
		if _, found, err := s.Person(ana.ID); err != nil || !found {
			t.Errorf("Person in the view: found %v, %v", found, err)
		}
		during, err = s.Ratings(ana.ID, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || len(during) != 1 {
		t.Errorf("in one view: %d ratings, then %d; want 1 and 1", len(before), len(during))
	}
	after, err := db.Ratings(ana.ID, "")
	if err != nil || len(after) != 2 {
		t.Errorf("after the view: %d ratings (%v), want 2", len(after), err)
	}
}
