package storage

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

func TestClaimEventAndUpdateAnswer(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "a.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if first, err := db.ClaimEvent("Ev1", at); !first || err != nil {
		t.Fatalf("first claim = %v %v", first, err)
	}
	if first, err := db.ClaimEvent("Ev1", at); first || err != nil {
		t.Fatalf("repeat claim = %v %v, want false", first, err)
	}
	a, err := db.AddAnswer(coach.Answer{Person: "UANA", Text: "one", At: at, EventID: "Ev2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.UpdateAnswer("UANA", a.ID, func(x *coach.Answer) error { x.Text = "two"; return nil })
	if err != nil || got.Text != "two" {
		t.Fatalf("update = %+v %v", got, err)
	}
	if _, err := db.UpdateAnswer("UBOB", a.ID, func(x *coach.Answer) error { return nil }); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Fatalf("someone else's answer: %v", err)
	}
	if _, err := db.UpdateAnswer("UANA", a.ID, func(x *coach.Answer) error { x.Text = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	if all, _ := db.Answers("UANA"); len(all) != 0 {
		t.Fatalf("an emptied answer is kept: %+v", all)
	}
}
