package storagetest

import (
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// Expire removes dedupe records and ad-hoc question entries past their
// keep, and nothing else.
func testExpire(t *testing.T, db Store) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	rate := func(sub string, at time.Time) {
		t.Helper()
		r := coach.Rating{Subject: "UANA", Rater: "UANA", Area: "planning", Score: 5, At: at, Via: coach.SurfaceCommand}
		if _, err := db.AddRatings(coach.Person{ID: "UANA", EnrolledAt: at}, []coach.Rating{r}, sub); err != nil {
			t.Fatal(err)
		}
	}
	rate("cmd:old", now.Add(-storage.DedupeKeep-time.Hour))
	rate("cmd:new", now.Add(-time.Hour))
	ask := func(at time.Time) {
		t.Helper()
		d := coach.Delivery{Person: "UANA", Cadence: coach.CadenceQuestion, Period: at.Format("2006-01-02T15:04:05.000"), Due: at, State: coach.DeliveryAttempted, Attempt: at}
		if _, err := db.QueueDeliveries([]coach.Delivery{d}); err != nil {
			t.Fatal(err)
		}
	}
	ask(now.Add(-storage.QuestionKeep - time.Hour).In(t0.Location())) // kept with another offset
	ask(now.Add(-24 * time.Hour))
	nudge := coach.Delivery{Person: "UANA", Cadence: coach.CadenceNudge, Period: "2020-01-06T09:30", Due: now.AddDate(-5, 0, 0)}
	if _, err := db.QueueDeliveries([]coach.Delivery{nudge}); err != nil {
		t.Fatal(err)
	}

	x, err := db.Expire(now, storage.DedupeKeep, storage.QuestionKeep)
	if err != nil {
		t.Fatal(err)
	}
	if x.Dedupe != 1 || x.Questions != 1 {
		t.Errorf("expired %+v, want one of each", x)
	}
	if ok, _ := db.Submitted("cmd:old"); ok {
		t.Error("old dedupe record kept")
	}
	if ok, _ := db.Submitted("cmd:new"); !ok {
		t.Error("recent dedupe record removed")
	}
	qs, _ := db.Deliveries("UANA", coach.CadenceQuestion)
	ns, _ := db.Deliveries("UANA", coach.CadenceNudge)
	if len(qs) != 1 || len(ns) != 1 {
		t.Errorf("left %d questions (want 1) and %d nudges (want 1)", len(qs), len(ns))
	}
	if open, _ := db.OpenDeliveries(); len(open) != 2 {
		t.Errorf("%d open deliveries, want the recent question and the nudge", len(open))
	}
	if rs, _ := db.Ratings("UANA", ""); len(rs) != 2 {
		t.Errorf("ratings touched: %d", len(rs))
	}
	// Again: nothing left to remove.
	if x, err := db.Expire(now, storage.DedupeKeep, storage.QuestionKeep); err != nil || x != (storage.Expired{}) {
		t.Errorf("second Expire = %+v, %v", x, err)
	}
}

// The write probe of /readyz passes on a store that takes writes, and
// counts no failure.
func testProbe(t *testing.T, db Store) {
	for range 2 {
		if err := db.Probe(t0); err != nil {
			t.Fatalf("probe of a healthy store: %v", err)
		}
	}
	if n := db.WriteFailures(); n != 0 {
		t.Errorf("%d write failures on a healthy store", n)
	}
}
