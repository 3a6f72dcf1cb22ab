package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/scheduler"
	"github.com/microcoach/microcoach/storage/postgres/pgtest"
	"github.com/microcoach/microcoach/storage/storagetest"
)

// The bot and the scheduler can both run on this store, and the bot on
// its inbox.
var (
	_ bot.Inbox         = (*Inbox)(nil)
	_ bot.Store         = (*DB)(nil)
	_ scheduler.Store   = (*DB)(nil)
	_ storagetest.Store = (*DB)(nil)
)

// TestConformance runs the storage contract shared with the bbolt store,
// each subtest on a fresh database.
func TestConformance(t *testing.T) {
	pgtest.BaseURL(t) // skip, saying how to start a server, when there is none
	storagetest.Run(t, func(t *testing.T) storagetest.Store {
		return openTest(t, pgtest.URL(t))
	})
}

func awaitSignal(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("DueChanged was not signalled: %s", what)
	}
}

// TestDueChangedAcrossReplicas: two handles on one database are two
// replicas; a mark committed by one wakes the other's scheduler, which
// then finds the person due.
func TestDueChangedAcrossReplicas(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	a, b := openTest(t, url), openTest(t, url)
	if _, err := a.Enroll(coach.Person{ID: "U1"}); err != nil {
		t.Fatal(err)
	}
	awaitSignal(t, b.DueChanged(), "a enrolled U1")
	people, seen, err := b.DueBefore(time.Now(), 0)
	if err != nil || len(people) != 1 || people[0] != "U1" {
		t.Fatalf("b: due %v, %v; want [U1]", people, err)
	}
	if err := b.SetNextDue(seen, map[string]map[coach.Cadence]time.Time{"U1": {coach.CadenceNudge: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}

	// And the other way, to a third replica that has seen nothing yet.
	c := openTest(t, url)
	if _, err := b.UpdatePerson(coach.Person{ID: "U1"}, func(p *coach.Person) error {
		p.TZ = "Europe/Lisbon"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	awaitSignal(t, c.DueChanged(), "b changed U1's time zone")
	if people, _, err := c.DueBefore(time.Now(), 0); err != nil || len(people) != 1 {
		t.Fatalf("c: due %v, %v; want [U1]", people, err)
	}
}

// TestDueListenerReconnects: when the listening connection is cut, the
// DB connects again, signals once (a notification may have been lost)
// and hears marks again.
func TestDueListenerReconnects(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	a, b := openTest(t, url), openTest(t, url)
	var cut int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+dueChannel+`'`).Scan(&cut); err != nil || cut != 2 {
		t.Fatalf("cut %d listening connections (%v), want 2", cut, err)
	}
	awaitSignal(t, b.DueChanged(), "b's listener connected again")
	if _, err := a.Enroll(coach.Person{ID: "U1"}); err != nil {
		t.Fatal(err)
	}
	awaitSignal(t, b.DueChanged(), "a enrolled U1 after the cut")
}
