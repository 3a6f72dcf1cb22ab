package bot

import (
	"testing"

	"github.com/microcoach/microcoach/storage"
)

// oneView reads a screen from one storage transaction, as serve wires it.
func oneView(db *storage.DB) func(fn func(ScreenReader) error) error {
	return func(fn func(ScreenReader) error) error {
		return db.View(func(s *storage.DB) error { return fn(s) })
	}
}

// TestScreenIsOneReadTransaction: a manager's Home with 5 reports, their
// digest and a 1:1 agenda each cost one read transaction (they cost over
// 30 each when every read was its own).
func TestScreenIsOneReadTransaction(t *testing.T) {
	db, b := yearOfHistory(t, 5, gNow)
	subject, _, _ := db.Person("UR001")
	for _, tc := range []struct {
		name  string
		build func() error
	}{
		{"manager's Home", func() error { _, _, err := b.homeData("UBOSS"); return err }},
		{"report's Home", func() error { _, _, err := b.homeData("UR001"); return err }},
		{"digest", func() error { _, err := b.teamStatuses("UBOSS"); return err }},
		{"1:1 agenda", func() error { _, err := b.buildAgenda("UBOSS", subject, gNow.AddDate(0, -1, 0), gNow); return err }},
	} {
		before := db.ReadTransactions()
		if err := tc.build(); err != nil {
			t.Fatal(err)
		}
		if n := db.ReadTransactions() - before; n != 1 {
			t.Errorf("%s: %d read transactions, want 1", tc.name, n)
		}
		b.screenReads = nil
		before = db.ReadTransactions()
		tc.build()
		t.Logf("%s: %d read transactions without one view", tc.name, db.ReadTransactions()-before)
		b.screenReads = oneView(db)
	}
}
