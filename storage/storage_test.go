package storage

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// openTest opens a database in a temporary directory and checks its
// consistency when the test ends.
func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "test.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil {
			t.Errorf("consistency check: %v", err)
		}
		db.Close()
	})
	return db
}

var t0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.FixedZone("CET", 3600))

func rating(subject, rater, area string, score int, at time.Time) coach.Rating {
	return coach.Rating{Subject: subject, Rater: rater, Area: area, Score: score, At: at, Via: coach.SurfaceCommand}
}

func TestRatingsAreATimeSeries(t *testing.T) {
	db := openTest(t)
	ana := coach.Person{ID: "U1", Name: "ana", EnrolledAt: t0}
	for i, score := range []int{5, 6, 8} {
		if _, err := db.AddRatings(ana, []coach.Rating{rating("U1", "U1", "planning", score, t0.AddDate(0, 0, 7*i))}, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Another area, another person whose id is a prefix: neither leaks in.
	if _, err := db.AddRatings(ana, []coach.Rating{rating("U1", "U1", "plan", 2, t0)}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddRatings(coach.Person{ID: "U10"}, []coach.Rating{rating("U10", "U10", "planning", 9, t0)}, ""); err != nil {
		t.Fatal(err)
	}
	got, err := db.Ratings("U1", "planning")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d ratings, want 3: %+v", len(got), got)
	}
	for i, want := range []int{5, 6, 8} {
		if got[i].Score != want || got[i].Area != "planning" || got[i].Subject != "U1" {
			t.Errorf("rating %d = %+v, want score %d", i, got[i], want)
		}
		if !got[i].At.Equal(t0.AddDate(0, 0, 7*i)) {
			t.Errorf("rating %d at %v, want %v", i, got[i].At, t0.AddDate(0, 0, 7*i))
		}
	}
	if got[0].ID == 0 || got[1].ID <= got[0].ID {
		t.Errorf("ids not increasing: %d, %d", got[0].ID, got[1].ID)
	}
	all, _ := db.Ratings("U1", "")
	if len(all) != 4 {
		t.Errorf("all areas: %d ratings, want 4", len(all))
	}
	p, ok, err := db.Person("U1")
	if err != nil || !ok || p.Name != "ana" {
		t.Errorf("Person(U1) = %+v, %v, %v", p, ok, err)
	}
}

func TestAddRatingsIsAllOrNothing(t *testing.T) {
	db := openTest(t)
	good := rating("U1", "U1", "planning", 7, t0)
	bad := rating("U1", "U1", "team", 11, t0)
	if _, err := db.AddRatings(coach.Person{ID: "U1"}, []coach.Rating{good, bad}, ""); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("AddRatings with a bad score = %v, want an invalid error", err)
	}
	got, _ := db.Ratings("U1", "")
	if len(got) != 0 {
		t.Fatalf("half a change was stored: %+v", got)
	}
	if _, ok, _ := db.Person("U1"); ok {
		t.Error("the person was enrolled by a refused change")
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keep.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddRatings(coach.Person{ID: "U1"}, []coach.Rating{rating("U1", "U1", "agile", 4, t0)}, ""); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, _ := db.Ratings("U1", "agile")
	if len(got) != 1 || got[0].Score != 4 {
		t.Fatalf("after reopen: %+v", got)
	}
	if v, _ := db.Version(); v != SchemaVersion {
		t.Errorf("schema version %d, want %d", v, SchemaVersion)
	}
}

func TestOpenLockedFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = Open(path, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.db")
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(func(tx *bolt.Tx) error {
		m, _ := tx.CreateBucketIfNotExists(bucketMeta)
		return m.Put(keySchemaVersion, u64(SchemaVersion+1))
	}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open(newer) = %v, want ErrNewerSchema", err)
	}
}

func TestOpenMigratesFromEmpty(t *testing.T) {
	// A file with no schema stamp (created by bbolt alone) is brought up
	// to the current version.
	path := filepath.Join(t.TempDir(), "old.db")
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Version(); v != SchemaVersion {
		t.Fatalf("version %d after migration, want %d", v, SchemaVersion)
	}
}
