package storage

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// TestReleaseMappedKeepsData: releasing the mapped pages while readers and
// a writer are at work loses nothing and disturbs nobody.
func TestReleaseMappedKeepsData(t *testing.T) {
	db := openTest(t)
	var ds []coach.Delivery
	for i := range 2000 {
		at := t0.Add(time.Duration(i) * time.Hour)
		ds = append(ds, coach.Delivery{Person: fmt.Sprintf("U%04d", i%50), Cadence: coach.CadenceNudge, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliverySent, Channel: "D1", TS: "1700000000.000100"})
	}
	if _, err := db.QueueDeliveries(ds); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := db.Deliveries(fmt.Sprintf("U%04d", r), coach.CadenceNudge)
				if err != nil || len(got) != 40 || got[0].TS != "1700000000.000100" {
					t.Errorf("reader saw %d entries (%v)", len(got), err)
					return
				}
			}
		}()
	}
	for i := range 50 {
		if err := db.ReleaseMapped(); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateDelivery(ds[i].Person, ds[i].Cadence, ds[i].Period, func(d *coach.Delivery) error { d.Answered = true; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}
