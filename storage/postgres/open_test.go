package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// openTest opens a fresh database for one test and closes it when the
// test ends.
func openTest(t testing.TB, url string) *DB {
	t.Helper()
	db, err := Open(context.Background(), url, Options{MaxConns: 4})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrationsAreNumbered(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || SchemaVersion() != len(ms) {
		t.Fatalf("%d migrations, SchemaVersion %d", len(ms), SchemaVersion())
	}
}

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	db := openTest(t, url)
	if v, err := db.Version(); err != nil || v != SchemaVersion() {
		t.Fatalf("Version = %d, %v; want %d", v, err, SchemaVersion())
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Size(); err != nil || n <= 0 {
		t.Errorf("Size = %d, %v", n, err)
	}
	db.Close()
	db = openTest(t, url)
	var rows int
	if err := db.pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_version`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != SchemaVersion() {
		t.Errorf("schema_version has %d rows after a second Open, want %d", rows, SchemaVersion())
	}
}

// TestReplicasStartingTogetherMigrateOnce: the advisory lock makes the
// others wait for the first and find nothing to do.
func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	const replicas = 6
	errs := make([]error, replicas)
	dbs := make([]*DB, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { dbs[i], errs[i] = Open(context.Background(), url, Options{MaxConns: 2}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
			continue
		}
		defer dbs[i].Close()
	}
	if t.Failed() {
		return
	}
	var rows int
	if err := dbs[0].pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_version`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != SchemaVersion() {
		t.Errorf("schema_version has %d rows, want %d", rows, SchemaVersion())
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	db := openTest(t, url)
	if _, err := db.pool.Exec(context.Background(), `INSERT INTO schema_version (version, name) VALUES ($1, 'from the future')`, SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Check = %v, want ErrNewerSchema", err)
	}
	db.Close()
	_, err := Open(context.Background(), url, Options{})
	if !errors.Is(err, ErrNewerSchema) || !errors.Is(err, storage.ErrNewerSchema) {
		t.Fatalf("Open(newer) = %v, want ErrNewerSchema", err)
	}
	if !strings.Contains(err.Error(), "newer microcoach") {
		t.Errorf("the refusal does not say why: %v", err)
	}
}

// TestOpenBadURL: a URL that does not parse or a server that can't be
// reached is a *URLError on one line without the password. None of these
// needs a server.
func TestOpenBadURL(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-pw"
	for _, tc := range []struct{ name, url string }{
		{"not a URL", "postgres://app:" + secret + "@db.example:notaport/microcoach"},
		{"nothing listens", "postgres://app:" + secret + "@127.0.0.1:1/microcoach?sslmode=disable"},
		{"key=value", "host=127.0.0.1 port=1 user=app password=" + secret + " sslmode=disable"},
		{"another scheme", "mysql://app:" + secret + "@127.0.0.1/microcoach"},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			db, err := Open(ctx, tc.url, Options{ConnectTimeout: 5 * time.Second})
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			var ue *URLError
			if !errors.As(err, &ue) {
				t.Fatalf("Open = %T %v, want a *URLError", err, err)
			}
			for _, msg := range []string{err.Error(), ue.Problem(), ue.URL} {
				if strings.Contains(msg, secret) {
					t.Errorf("the password is in %q", msg)
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("more than one line: %q", msg)
				}
			}
			t.Logf("%v", err)
		})
	}
}

// TestOpenMissingDatabase: a server that answers but has no such database
// is a *URLError too.
func TestOpenMissingDatabase(t *testing.T) {
	t.Parallel()
	url := pgtest.WithDatabase(t, pgtest.BaseURL(t), "microcoach_no_such_database")
	_, err := Open(context.Background(), url, Options{})
	var ue *URLError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Open = %v, want a *URLError saying the database does not exist", err)
	}
}
