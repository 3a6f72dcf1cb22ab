package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// TestProbeFailsWhenReadOnly: a database that refuses writes (here
// default_transaction_read_only, as on a standby) fails the probe, and
// the failure is counted; it passes again once writes are back.
func TestProbeFailsWhenReadOnly(t *testing.T) {
	t.Parallel()
	db := openTest(t, pgtest.URL(t))
	now := time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)
	if err := db.Probe(now); err != nil {
		t.Fatal(err)
	}
	readOnly := func(on bool) {
		t.Helper()
		stmt := `ALTER DATABASE ` + currentDatabase(t, db) + ` SET default_transaction_read_only = ` + map[bool]string{true: "on", false: "off"}[on]
		// READ WRITE explicitly: the sessions may be read-only by default.
		if err := pgx.BeginTxFunc(context.Background(), db.pool, pgx.TxOptions{AccessMode: pgx.ReadWrite}, func(tx pgx.Tx) error {
			_, err := tx.Exec(context.Background(), stmt)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		db.pool.Reset() // new sessions take the setting
	}
	readOnly(true)
	err := db.Probe(now.Add(time.Minute))
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("probe of a read-only database = %v, want a read-only error", err)
	}
	if n := db.WriteFailures(); n != 1 {
		t.Errorf("%d write failures, want 1", n)
	}
	readOnly(false)
	if err := db.Probe(now.Add(2 * time.Minute)); err != nil {
		t.Errorf("probe after writes are back: %v", err)
	}
	var at time.Time
	if err := db.pool.QueryRow(context.Background(), `SELECT at FROM write_probe`).Scan(&at); err != nil || !at.Equal(now.Add(2*time.Minute)) {
		t.Errorf("probe row at %s (%v), want the last probe's time", at, err)
	}
}

func currentDatabase(t *testing.T, db *DB) string {
	t.Helper()
	var name string
	if err := db.pool.QueryRow(context.Background(), `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestProbeFailsWhenUnreachable: a server that does not answer fails the
// probe within its timeout.
func TestProbeFailsWhenUnreachable(t *testing.T) {
	t.Parallel()
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := &DB{pool: pool, opTimeout: time.Minute}
	start := time.Now()
	if err := db.Probe(time.Now()); err == nil {
		t.Fatal("probe of an unreachable server passed")
	}
	if d := time.Since(start); d > probeTimeout+time.Second {
		t.Errorf("probe took %s, more than its timeout", d)
	}
	if db.WriteFailures() != 1 {
		t.Errorf("%d write failures, want 1", db.WriteFailures())
	}
}
