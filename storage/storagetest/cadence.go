package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

func testLedgerStates(t *testing.T, s Store) {
	nudge := coach.Delivery{Person: "U1", Cadence: coach.CadenceNudge, Period: "2026-11-02T09:30", Due: t0}
	checkin := coach.Delivery{Person: "U1", Cadence: coach.CadenceCheckin, Period: "2026-11-03T10:00", Due: t0.Add(24 * time.Hour)}
	other := coach.Delivery{Person: "U0", Cadence: coach.CadenceDigest, Period: "2026-11-06T16:00", Due: t0, State: coach.DeliverySkipped, Note: "no reports"}
	got := must1[[]coach.Delivery](t)(s.QueueDeliveries([]coach.Delivery{nudge, checkin, other}))
	if got[0].State != coach.DeliveryQueued || got[2].State != coach.DeliverySkipped || got[2].Note != "no reports" {
		t.Fatalf("queued = %+v", got)
	}
	// Attempt, then queue the same period again: the entry is kept as it is.
	att := must1[coach.Delivery](t)(s.UpdateDelivery("U1", coach.CadenceNudge, nudge.Period, func(d *coach.Delivery) error {
		d.State, d.Attempt = coach.DeliveryAttempted, t0.Add(time.Second)
		return nil
	}))
	if att.State != coach.DeliveryAttempted {
		t.Fatalf("attempted = %+v", att)
	}
	again := nudge
	again.QuestionID = "q-other"
	got = must1[[]coach.Delivery](t)(s.QueueDeliveries([]coach.Delivery{again}))
	if got[0].State != coach.DeliveryAttempted || got[0].QuestionID != "" || !got[0].Attempt.Equal(t0.Add(time.Second)) {
		t.Fatalf("queueing an owed period again = %+v, want the stored entry", got[0])
	}
	open := must1[[]coach.Delivery](t)(s.OpenDeliveries())
	if len(open) != 2 || open[0].Cadence != coach.CadenceCheckin || open[1].Cadence != coach.CadenceNudge {
		t.Fatalf("open = %+v, want U1's check-in then nudge", open)
	}
	must1[coach.Delivery](t)(s.UpdateDelivery("U1", coach.CadenceNudge, nudge.Period, func(d *coach.Delivery) error {
		d.State, d.Channel, d.TS, d.SentAt = coach.DeliverySent, "D1", "1.1", t0.Add(2*time.Second)
		return nil
	}))
	refused := errors.New("not now")
	if _, err := s.UpdateDelivery("U1", coach.CadenceCheckin, checkin.Period, func(d *coach.Delivery) error {
		d.State = coach.DeliverySent
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("refused update = %v", err)
	}
	open = must1[[]coach.Delivery](t)(s.OpenDeliveries())
	if len(open) != 1 || open[0].Cadence != coach.CadenceCheckin || open[0].State != coach.DeliveryQueued {
		t.Fatalf("open after sending = %+v", open)
	}
	if _, err := s.UpdateDelivery("U1", coach.CadenceNudge, "1999-01-01T00:00", func(*coach.Delivery) error { return nil }); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Fatalf("updating a missing entry = %v, want not found", err)
	}
	d, found, err := s.Delivery("U1", coach.CadenceNudge, nudge.Period)
	if err != nil || !found || d.State != coach.DeliverySent || d.TS != "1.1" || !d.Due.Equal(t0) || d.Key() != "U1/nudge/2026-11-02T09:30" {
		t.Fatalf("Delivery = %+v %v %v", d, found, err)
	}
	if _, found, _ := s.Delivery("U1", coach.CadenceNudge, "nope"); found {
		t.Error("found a delivery never queued")
	}
	all := must1[[]coach.Delivery](t)(s.Deliveries("U1", ""))
	if len(all) != 2 || all[0].Cadence != coach.CadenceCheckin {
		t.Errorf("Deliveries(U1, all) = %+v", all)
	}
	if ns := must1[[]coach.Delivery](t)(s.Deliveries("U1", coach.CadenceNudge)); len(ns) != 1 || ns[0].Period != nudge.Period {
		t.Errorf("Deliveries(U1, nudge) = %+v", ns)
	}
}

func testDeliveriesSince(t *testing.T, s Store) {
	var ds []coach.Delivery
	for w := range 10 {
		at := t0.AddDate(0, 0, 7*w)
		ds = append(ds, coach.Delivery{Person: "U1", Cadence: coach.CadenceNudge, Period: at.UTC().Format("2006-01-02T15:04"), Due: at})
		if w%4 == 0 {
			ds = append(ds, coach.Delivery{Person: "U1", Cadence: coach.CadenceCheckin, Period: at.UTC().Format("2006-01-02T15:04"), Due: at})
		}
	}
	ds = append(ds, coach.Delivery{Person: "U10", Cadence: coach.CadenceNudge, Period: t0.AddDate(0, 0, 70).Format("2006-01-02T15:04")})
	must1[[]coach.Delivery](t)(s.QueueDeliveries(ds))
	got := must1[[]coach.Delivery](t)(s.DeliveriesSince("U1", t0.AddDate(0, 0, 49)))
	// The check-in of week 8, then the nudges of weeks 7, 8, 9; nothing of U10.
	if len(got) != 4 || got[0].Cadence != coach.CadenceCheckin || !got[1].Due.Equal(t0.AddDate(0, 0, 49)) || !got[3].Due.Equal(t0.AddDate(0, 0, 63)) {
		t.Fatalf("got %d entries: %+v", len(got), got)
	}
	for _, d := range got {
		if d.Person != "U1" {
			t.Errorf("unexpected entry %+v", d)
		}
	}
}

func testColours(t *testing.T, s Store) {
	ds := must1[[]coach.Delivery](t)(s.QueueDeliveries([]coach.Delivery{{Person: "U1", Cadence: coach.CadenceCheckin, Period: "2026-12-01T10:00", Due: t0}}))
	must(t, s.SetColour(coach.ColourChoice{Person: "U1", Month: "2026-11", Theme: "t2", Colour: coach.Red, Note: "stuck", At: t0}, nil))
	must(t, s.SetColour(coach.ColourChoice{Person: "U1", Month: "2026-11", Theme: "t1", Colour: coach.Yellow, At: t0}, nil))
	must(t, s.SetColour(coach.ColourChoice{Person: "U1", Month: "2026-12", Theme: "t1", Colour: coach.Red, At: t0.AddDate(0, 1, 0)}, &ds[0]))
	// A later choice in the same month replaces the earlier.
	must(t, s.SetColour(coach.ColourChoice{Person: "U1", Month: "2026-12", Theme: "t1", Colour: coach.Green, At: t0.AddDate(0, 1, 1)}, &ds[0]))
	if err := s.SetColour(coach.ColourChoice{Person: "U1", Month: "2026-12", Theme: "t1", Colour: "blue", At: t0}, nil); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("blue = %v", err)
	}
	cs := must1[[]coach.ColourChoice](t)(s.Colours("U1"))
	if len(cs) != 3 || cs[0].Theme != "t1" || cs[1].Theme != "t2" || cs[1].Note != "stuck" || cs[2].Month != "2026-12" || cs[2].Colour != coach.Green {
		t.Fatalf("colours = %+v", cs)
	}
	latest := must1[map[string]coach.Colour](t)(s.LatestColours("U1"))
	if len(latest) != 2 || latest["t1"] != coach.Green || latest["t2"] != coach.Red {
		t.Errorf("latest = %v", latest)
	}
	d, _, _ := s.Delivery("U1", coach.CadenceCheckin, "2026-12-01T10:00")
	if !d.Answered || !d.AnsweredAt.Equal(t0.AddDate(0, 1, 0)) {
		t.Errorf("check-in = %+v, want answered by the first colour", d)
	}
}

func testPreps(t *testing.T, s Store) {
	if _, found, err := s.LastPrep("UBOSS", "UANA"); found || err != nil {
		t.Fatalf("LastPrep before any = %v, %v", found, err)
	}
	must(t, s.RecordPrep("UBOSS", "UANA", t0))
	must(t, s.RecordPrep("UBOSS", "UANA", t0.Add(time.Hour)))
	must(t, s.RecordPrep("UBOSS", "UBOB", t0))
	at, found, err := s.LastPrep("UBOSS", "UANA")
	if err != nil || !found || !at.Equal(t0.Add(time.Hour)) || at.Location() != time.UTC {
		t.Fatalf("LastPrep = %v, %v, %v", at, found, err)
	}
	if _, found, _ := s.LastPrep("UANA", "UBOSS"); found {
		t.Error("a prep in the other direction")
	}
}

// testUpdateAndDeleteAnswer: an edit replaces the stored answer; an error
// from the edit changes nothing; an answer left empty is deleted.
func testUpdateAndDeleteAnswer(t *testing.T, s Store) {
	must1[coach.Person](t)(s.Enroll(coach.Person{ID: "UANA", EnrolledAt: t0}))
	a := must1[coach.Answer](t)(s.AddAnswer(coach.Answer{Person: "UANA", QuestionID: "q", Text: "first", At: t0}, nil))
	edited := must1[coach.Answer](t)(s.UpdateAnswer("UANA", a.ID, func(x *coach.Answer) error { x.Text = "first, edited"; return nil }))
	if edited.Text != "first, edited" || edited.ID != a.ID {
		t.Fatalf("edited = %+v", edited)
	}
	refused := errors.New("no")
	if _, err := s.UpdateAnswer("UANA", a.ID, func(x *coach.Answer) error { x.Text = "lost"; return refused }); !errors.Is(err, refused) {
		t.Fatalf("a refused edit: %v", err)
	}
	if as := must1[[]coach.Answer](t)(s.Answers("UANA")); len(as) != 1 || as[0].Text != "first, edited" {
		t.Fatalf("answers after a refused edit: %+v", as)
	}
	gone := must1[coach.Answer](t)(s.UpdateAnswer("UANA", a.ID, func(x *coach.Answer) error { x.Text = ""; return nil }))
	if gone.ID != 0 {
		t.Fatalf("an emptied answer came back as %+v", gone)
	}
	if as := must1[[]coach.Answer](t)(s.Answers("UANA")); len(as) != 0 {
		t.Fatalf("an emptied answer is still stored: %+v", as)
	}
	if _, err := s.UpdateAnswer("UANA", a.ID, func(x *coach.Answer) error { return nil }); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Fatalf("editing a deleted answer: %v", err)
	}
}

// testClaimEventOnce: an event id is new once; the empty id always is.
func testClaimEventOnce(t *testing.T, s Store) {
	if first := must1[bool](t)(s.ClaimEvent("Ev1", t0)); !first {
		t.Fatal("a new event was taken for a repeat")
	}
	if again := must1[bool](t)(s.ClaimEvent("Ev1", t0.Add(time.Minute))); again {
		t.Fatal("a repeated event was taken for a new one")
	}
	if empty := must1[bool](t)(s.ClaimEvent("", t0)); !empty {
		t.Fatal("an event without an id was taken for a repeat")
	}
}
