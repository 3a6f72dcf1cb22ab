package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// The retention fold: old ledger entries become per-quarter counts.
func testFoldLedger(t *testing.T, db Store) {
	if _, err := db.Enroll(coach.Person{ID: "U1"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 1, 1, 9, 30, 0, 0, time.UTC) // a Monday
	var ds []coach.Delivery
	for w := range 104 { // two years of weekly nudges, every third unanswered
		at := start.AddDate(0, 0, 7*w)
		ds = append(ds, coach.Delivery{Person: "U1", Cadence: coach.CadenceNudge, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliverySent, SentAt: at, Answered: w%3 != 0})
	}
	old := start.AddDate(0, 0, 7)
	ds = append(ds,
		coach.Delivery{Person: "U1", Cadence: coach.CadenceCheckin, Period: "2024-01-02T10:00", Due: old, State: coach.DeliverySkipped},
		coach.Delivery{Person: "U1", Cadence: coach.CadenceQuestion, Period: "q-old", Due: old, State: coach.DeliveryQueued}, // open: kept
		coach.Delivery{Person: "U2", Cadence: coach.CadenceNudge, Period: "2024-01-01T09:30", Due: start, State: coach.DeliverySent},
	)
	if _, err := db.QueueDeliveries(ds); err != nil {
		t.Fatal(err)
	}
	before := start.AddDate(1, 0, 0) // everything of 2024
	n, err := db.FoldLedger([]string{"U1"}, before)
	if err != nil {
		t.Fatal(err)
	}
	if n != 54 { // 2024's 53 Monday nudges and the skipped check-in
		t.Errorf("folded %d entries, want 54", n)
	}
	left, _ := db.Deliveries("U1", "")
	for _, d := range left {
		if d.Due.Before(before) && d.State != coach.DeliveryQueued {
			t.Errorf("entry %s/%s due %s was not folded", d.Cadence, d.Period, d.Due)
		}
	}
	if len(left) != 104-53+1 {
		t.Errorf("%d entries left, want 52", len(left))
	}
	qs, err := db.LedgerQuarters("U1")
	if err != nil {
		t.Fatal(err)
	}
	sent, answered := 0, 0
	for _, q := range qs {
		if q.Cadence == coach.CadenceNudge {
			sent, answered = sent+q.Sent, answered+q.Answered
		}
	}
	if got := fmt.Sprintf("%d %d %d %s %d", len(qs), sent, answered, qs[0].Quarter, qs[0].Skipped); got != "5 53 35 2024-Q1 1" {
		t.Errorf("quarters %+v (count, nudges sent, answered, first quarter, its skips = %s)", qs, got)
	}
	// U2 was not asked about; a second fold finds nothing.
	if d, _ := db.Deliveries("U2", ""); len(d) != 1 {
		t.Errorf("U2 lost entries: %v", d)
	}
	if n, err := db.FoldLedger([]string{"U1"}, before.AddDate(0, 0, -1)); err != nil || n != 0 {
		t.Errorf("second fold: %d, %v", n, err)
	}
	e, _, _ := db.ExportPerson("U1", time.Now())
	if len(e.LedgerQuarters) != 5 {
		t.Errorf("export has %d quarter counts, want 5", len(e.LedgerQuarters))
	}
	if _, err := db.ForgetPerson("U1"); err != nil {
		t.Fatal(err)
	}
	if qs, _ := db.LedgerQuarters("U1"); len(qs) != 0 {
		t.Errorf("forgotten person still has %d quarter counts", len(qs))
	}
}
