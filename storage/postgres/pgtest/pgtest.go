// Package pgtest gives each test its own fresh PostgreSQL database on the
// server that MICROCOACH_TEST_DATABASE_URL names, so tests that need
// PostgreSQL can run in parallel. Without the variable they skip, saying
// how to start a scratch server.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the server tests use: a URL whose user may create databases.
const Env = "MICROCOACH_TEST_DATABASE_URL"

// Start is the command, run from the repository's root, that starts a
// throwaway server and sets Env.
const Start = `eval "$(deploy/pg-scratch.sh)"`

// URL creates an empty database for this test and returns its URL; the
// database is dropped when the test and its cleanups are done (a cleanup
// that closes a pool must be registered after URL returns, so it runs
// first). It skips the test when Env is unset.
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "microcoach_test_" + hex.EncodeToString(b[:])
	exec(t, base, `CREATE DATABASE `+name)
	t.Cleanup(func() { exec(t, base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	return WithDatabase(t, base, name)
}

// BaseURL returns Env's value, skipping the test when it is unset.
func BaseURL(t testing.TB) string {
	t.Helper()
	base := strings.TrimSpace(os.Getenv(Env))
	if base == "" {
		t.Skipf("%s is unset, so the tests against PostgreSQL are skipped; start a scratch server with\n\t%s\nfrom the repository's root (needs Debian's postgresql package)", Env, Start)
	}
	return base
}

// WithDatabase returns the postgres:// URL base with its database
// replaced by name.
func WithDatabase(t testing.TB, base, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s is not a postgres:// URL", Env)
	}
	u.Path = "/" + name
	return u.String()
}

func exec(t testing.TB, base, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test server (%s): %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
