// Package postgres keeps microcoach's data in PostgreSQL, so that several
// replicas can share it. It is the second backend of the same contract as
// package storage (the embedded bbolt file): the same methods, errors and
// ordering of results, checked by the conformance suite in
// storage/storagetest against both.
//
// # Transactions
//
// Every logical change is one SQL transaction at READ COMMITTED. Where the
// bbolt store relies on being the only writer, this one locks explicitly:
//
//   - read-modify-write of one row (UpdateDelivery, UpdatePerson,
//     AcceptChallenge, SetAnswerShared, marking a delivery answered)
//     reads it with SELECT … FOR UPDATE;
//   - changes that read more than the rows they write take a
//     transaction-level advisory lock first: every change of managers of
//     record and invitations takes one "team" lock, because the cycle
//     check reads the whole reporting chain; a plan's edits lock the
//     owner's plan (the row may not exist yet); a person's challenges lock
//     the subject (a new proposal replaces waiting ones);
//   - repeats are refused by unique keys: a submission id is claimed by
//     inserting it (coach.ErrDuplicate when it is there), and the ledger's
//     key (person, cadence, period) makes queueing a period twice keep the
//     first entry.
//
// A transaction PostgreSQL aborts as a deadlock or serialization failure
// is run again (at most a few times), so callbacks (PlanEdit, the fn of
// UpdatePerson and UpdateDelivery) may run more than once, as with bbolt's
// Batch.
//
// # Schema
//
// The schema is versioned by the SQL files in migrations/, embedded in the
// binary and numbered from 0001. Open applies the missing ones in one
// transaction under an advisory lock, so replicas starting together
// migrate once; a database migrated by a newer build is refused with
// ErrNewerSchema.
//
// The runner is our own, some forty lines, rather than pressly/goose or
// golang-migrate: it must apply every pending file in one transaction,
// under an advisory lock replicas starting together share, and refuse a
// newer schema with the same sentinel as the bbolt store; those libraries
// do the first two differently by default (a transaction per file, their
// own locking) and know nothing of the third, and the rest of what they
// offer (down migrations, a CLI, many drivers) we would not use. A
// dependency would cost more than it saves.
//
// # Wiring it into serve
//
// When MICROCOACH_DATABASE_URL is set, serve calls
//
//	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{})
//
// instead of storage.Open, and passes db as the bot's and the scheduler's
// Store. A *URLError (a URL that does not parse, or a server that can't be
// reached or refuses the login) is a configuration error: exit 2 with one
// line naming MICROCOACH_DATABASE_URL and err.Problem(), which never
// contains the password. ErrNewerSchema means an older binary met a newer
// database: refuse to start and say so (errors.Is also matches
// storage.ErrNewerSchema, the same sentinel). Then, on every replica:
//
//   - inbox, err := db.OpenInbox(ctx, "") is the bot's Inbox (see
//     inbox.go); the bot calls inbox.InboxAdopt every AdoptEvery while it
//     runs, and serve closes the inbox after the bot has stopped;
//   - leader := db.Leader(postgres.LeaderOptions{Logger: …}) and
//     leader.Run(runCtx, func(ctx context.Context) { engine.Run(ctx) })
//     runs the scheduler on one replica only (see leader.go);
//     leader.IsLeader() feeds a gauge;
//   - /readyz calls Check and, rate limited, Probe (a real write);
//     WriteFailures feeds the write failure counter, and Size the size
//     gauge;
//   - the daily expiry calls Expire as with bbolt (on every replica, or
//     in the leader's callback: a second run removes nothing).
//
// Shutdown closes the inbox and calls Close after the bot, the leader
// and the scheduler have stopped. These sessions need a direct
// connection (or a pooler in session mode): see session.go.
//
// # The scheduler
//
// It implements scheduler.Store too: the due index and the retention
// fold of the bbolt store's schema v3 are migration 0002 (see due.go and
// retention.go). A mark committed by one replica reaches the scheduler of
// every replica through LISTEN/NOTIFY on a connection each DB keeps for
// it, besides its pool (so a DB holds one connection more than
// MaxConns, and an open Inbox and a running Leader one each). The
// ledger's key keeps two schedulers from owing a message twice; Leader
// makes one replica the one that ticks.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNewerSchema is returned by Open when the database was migrated by a
// newer microcoach than this one. It is storage.ErrNewerSchema, so one
// errors.Is serves both backends.
var ErrNewerSchema = storage.ErrNewerSchema

// URLError is returned by Open when the database URL does not parse, or
// the server it names can't be reached or refuses the connection. Its
// message never contains the password.
type URLError struct {
	URL string // the URL with its password replaced by xxxxx
	Err error  // the cause, scrubbed of the password
}

func (e *URLError) Error() string { return "postgres: open " + e.URL + ": " + e.Problem() }
func (e *URLError) Unwrap() error { return e.Err }

// Problem is what went wrong, on one line, without the URL: what a
// configuration error says after the variable's name.
func (e *URLError) Problem() string {
	return strings.Join(strings.Fields(e.Err.Error()), " ")
}

// Options tune Open. The zero value is what production uses.
type Options struct {
	// MaxConns caps the pool; 0 means pgx's default (4, or the number of
	// CPUs if more). A pool_max_conns parameter in the URL also works.
	MaxConns int32
	// ConnectTimeout bounds each attempt to connect; 0 means 10s, unless
	// the URL sets connect_timeout.
	ConnectTimeout time.Duration
	// OpTimeout bounds each call of a method that takes no context; 0
	// means 30s.
	OpTimeout time.Duration
}

// DB is the microcoach database in PostgreSQL. It is safe for concurrent
// use, within a process and across replicas.
type DB struct {
	pool      *pgxpool.Pool
	opTimeout time.Duration
	redacted  string

	changed    chan struct{} // DueChanged
	stopListen context.CancelFunc
	listenDone chan struct{} // closed when the listener has stopped

	writeFailures atomic.Uint64 // of the inbox and the write probe

	// snapshot is set on the DB that View hands its function: the screen
	// reads go to its transaction instead of the pool.
	snapshot pgx.Tx
}

// rq is where a screen read goes: the View's transaction, or the pool.
func (db *DB) rq() querier {
	if db.snapshot != nil {
		return db.snapshot
	}
	return db.pool
}

// View runs fn with a DB whose reads of a screen (Person, Reports, Plan,
// Colours, Ratings, Challenges, Deliveries, DeliveriesSince, Answers,
// InvitationsTo, InvitationsFrom, LastPrep) all come from one read-only
// REPEATABLE READ transaction: one snapshot, as bbolt's View gives one
// read transaction, so a Home never shows half of a change. fn must only
// read, and not use the DB after it returns.
func (db *DB) View(fn func(*DB) error) error {
	return db.view(func(_ context.Context, tx pgx.Tx) error {
		return fn(&DB{pool: db.pool, opTimeout: db.opTimeout, redacted: db.redacted, snapshot: tx})
	})
}

// Open connects to the database at rawURL and brings its schema up to the
// newest version this build knows. rawURL is a postgres:// (or
// postgresql://) URL with pgx's parameters (sslmode, pool_max_conns, …);
// nothing else is taken, not even an empty one (which pgx would read as
// "localhost, from PG* variables"). See URLError and ErrNewerSchema for
// how it fails.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	redacted := redactURL(rawURL)
	if !strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		return nil, &URLError{URL: redacted, Err: errors.New("want a URL that starts with postgres://, like postgres://user:password@host:5432/microcoach")}
	}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		// pgx's message quotes the URL (redacted, best effort); say what
		// is expected instead.
		return nil, &URLError{URL: redacted, Err: errors.New("not a PostgreSQL URL like postgres://user:password@host:5432/microcoach")}
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if !strings.Contains(rawURL, "connect_timeout") {
		cfg.ConnConfig.ConnectTimeout = cmpOr(opts.ConnectTimeout, 10*time.Second)
	}
	password := cfg.ConnConfig.Password
	scrub := func(err error) error {
		if password == "" || !strings.Contains(err.Error(), password) {
			return err
		}
		return errors.New(strings.ReplaceAll(err.Error(), password, "xxxxx"))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &URLError{URL: redacted, Err: scrub(err)}
	}
	db := &DB{pool: pool, opTimeout: cmpOr(opts.OpTimeout, 30*time.Second), redacted: redacted, changed: make(chan struct{}, 1)}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, &URLError{URL: redacted, Err: scrub(err)}
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", redacted, scrub(err))
	}
	if err := db.listen(ctx, cfg.ConnConfig); err != nil {
		pool.Close()
		return nil, &URLError{URL: redacted, Err: scrub(fmt.Errorf("listen for due marks: %w", err))}
	}
	return db, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// redactURL replaces the password of a postgres:// URL with xxxxx; what
// is not such a URL is not repeated at all.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "(the database URL)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.Redacted()
}

// Close stops listening for due marks and closes the pool, waiting for
// connections in use to be returned.
func (db *DB) Close() error {
	if db.stopListen != nil {
		db.stopListen()
		<-db.listenDone
	}
	db.pool.Close()
	return nil
}

// URL returns the database URL without its password, for logs.
func (db *DB) URL() string { return db.redacted }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Check checks that the database answers and carries a schema this build
// knows: the readiness check.
func (db *DB) Check() error {
	v, err := db.Version()
	if err != nil {
		return err
	}
	if v > SchemaVersion() {
		return fmt.Errorf("postgres: %w: schema v%d, this build knows up to v%d", ErrNewerSchema, v, SchemaVersion())
	}
	return nil
}

// Size returns the size of the database in bytes (pg_database_size), for
// the same metric the bbolt store's file size feeds.
func (db *DB) Size() (int64, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	var n int64
	if err := db.pool.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: size: %w", err)
	}
	return n, nil
}

// Pool returns the connection pool, for what shares the database without
// being storage (a leader lease, say).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

type migration struct {
	version int
	name    string
	sql     string
}

// migrations reads the embedded SQL files, which must be numbered 0001,
// 0002, … without gaps.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []migration
	for i, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want its name to start with %04d_", base, i+1)
		}
		raw, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(raw)})
	}
	return out, nil
}

// SchemaVersion is the newest schema version this build knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are checked by a test
	}
	return len(ms)
}

// migrationLock is the advisory lock key of schema changes ("mcschema").
const migrationLock = 0x6d63736368656d61

// migrate applies the missing migrations in one transaction. The advisory
// lock makes a second replica wait for the first and then find nothing to
// do; DDL in PostgreSQL is transactional, so a failure leaves the previous
// version intact.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return err
		}
		if v > len(ms) {
			return fmt.Errorf("%w: schema v%d, this build knows up to v%d", ErrNewerSchema, v, len(ms))
		}
		for _, m := range ms[v:] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migrate to v%d (%s): %w", m.version, m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return err
			}
		}
		return nil
	})
}

// Version returns the schema version of the database.
func (db *DB) Version() (int, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	var v int
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return v, nil
}

func (db *DB) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), db.opTimeout)
}

// update runs fn in one read-write transaction, again when PostgreSQL
// aborts it as a deadlock or serialization failure. The due marks fn
// makes (markDue) are written last, just before the commit, and signal
// DueChanged after it.
func (db *DB) update(fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx, cancel := db.ctx()
	defer cancel()
	for attempt := 1; ; attempt++ {
		var marked bool
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			m := &marks{}
			if err := fn(context.WithValue(ctx, marksKey{}, m), tx); err != nil {
				return err
			}
			var err error
			marked, err = m.flush(ctx, tx)
			return err
		})
		var pe *pgconn.PgError
		if attempt < 5 && errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") {
			continue
		}
		if err == nil && marked {
			db.signal()
		}
		return err
	}
}

// view runs fn in one read-only transaction that sees one snapshot.
func (db *DB) view(fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx, cancel := db.ctx()
	defer cancel()
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// Lock kinds of lockKey.
const (
	lockTeam      = 1 // every change of managers of record and invitations
	lockPlan      = 2 // one owner's plan
	lockChallenge = 3 // one subject's challenges
)

// lock takes a transaction-level advisory lock on (kind, id).
func lock(ctx context.Context, tx pgx.Tx, kind int32, id string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, kind, id)
	return err
}

// querier is a transaction or the pool.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// docs decodes the doc column of every row a query returns, in order.
func docs[T any](ctx context.Context, q querier, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var out []T
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			rows.Close()
			return nil, err
		}
		var x T
		if err := json.Unmarshal(raw, &x); err != nil {
			rows.Close()
			return nil, fmt.Errorf("decode %s: %w", raw, err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// doc decodes the doc of the one row a query returns; found is false when
// there is none.
func doc[T any](ctx context.Context, q querier, sql string, args ...any) (T, bool, error) {
	var x T
	var raw []byte
	err := q.QueryRow(ctx, sql, args...).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return x, false, nil
	}
	if err != nil {
		return x, false, err
	}
	if err := json.Unmarshal(raw, &x); err != nil {
		return x, false, fmt.Errorf("decode %s: %w", raw, err)
	}
	return x, true, nil
}

// encode is a record's doc: its JSON, as the bbolt store keeps it.
func encode(v any) (string, error) {
	raw, err := json.Marshal(v)
	return string(raw), err
}

// claimSubmission records id as processed, or returns coach.ErrDuplicate
// when it was. An empty id claims nothing. The primary key decides between
// concurrent claims: the second waits for the first to commit and then
// inserts nothing.
func claimSubmission(ctx context.Context, tx pgx.Tx, id string, at time.Time) error {
	if id == "" {
		return nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO submissions (id, at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, at)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return coach.ErrDuplicate
	}
	return nil
}

// Submitted reports whether a change with this submission id was saved.
func (db *DB) Submitted(id string) (bool, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	var found bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM submissions WHERE id = $1)`, id).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("postgres: submitted %s: %w", id, err)
	}
	return found, nil
}
