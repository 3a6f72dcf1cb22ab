// Package storage keeps microcoach's data in one bbolt file.
//
// Every logical change is one bbolt read-write transaction, so a crash at any
// moment leaves either all of a change or none of it. Keys that are scanned
// by time sort by a big-endian timestamp, so Cursor.Seek finds ranges.
package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// SchemaVersion is the version of the layout this build writes.
const SchemaVersion = 3

// Bucket names.
var (
	bucketMeta        = []byte("meta")
	bucketPeople      = []byte("people")       // user id → coach.Person
	bucketReports     = []byte("reports")      // manager 0x00 report → "" (index of people.Manager)
	bucketRatings     = []byte("ratings")      // see ratings.go
	bucketChallenges  = []byte("challenges")   // subject 0x00 id → coach.Challenge
	bucketPlans       = []byte("plans")        // owner → coach.Plan
	bucketPlanHistory = []byte("plan_history") // owner 0x00 version → coach.PlanChange
	bucketSubmissions = []byte("submissions")  // view submission or event id → unixnano; makes a repeat a no-op
	bucketLedger      = []byte("ledger")       // person 0x00 cadence 0x00 period → coach.Delivery
	bucketAnswers     = []byte("answers")      // person 0x00 id → coach.Answer
	bucketColours     = []byte("colours")      // person 0x00 month 0x00 theme → coach.ColourChoice
	bucketPreps       = []byte("preps")        // viewer 0x00 subject → unixnano of the last 1:1 agenda
	bucketInvites     = []byte("invites")      // report 0x00 manager → coach.Invitation (v2)
	bucketInvitesSent = []byte("invites_sent") // manager 0x00 report → "" (index of invites, v2)

	keySchemaVersion = []byte("schema_version")
)

// ErrLocked is returned by Open when another process holds the database.
var ErrLocked = errors.New("the database is locked by another process (is another microcoach running on this file?)")

// OpenError is returned by Open when the file itself cannot be opened or
// created: a missing folder, no permission, a path through a file.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string { return "storage: open " + e.Path + ": " + e.Err.Error() }
func (e *OpenError) Unwrap() error { return e.Err }

// ErrNewerSchema is returned by Open when the file was written by a newer
// microcoach than this one.
var ErrNewerSchema = errors.New("the database was written by a newer microcoach")

// DB is the microcoach database.
type DB struct {
	bolt    *bolt.DB
	path    string
	changed chan struct{} // see DueChanged
	tx      *bolt.Tx      // set in a View: every read uses it

	writeFailures atomic.Uint64 // see WriteFailures in inbox.go
}

// View calls fn with a DB whose reads all come from one read
// transaction: a screen (Home, digest, agenda) reads a consistent
// snapshot at the cost of one transaction instead of one per read. The
// DB given to fn is for reading only, and only until fn returns; writing
// through it panics.
func (db *DB) View(fn func(snapshot *DB) error) error {
	if db.tx != nil {
		return fn(db)
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		return fn(&DB{path: db.path, tx: tx})
	})
}

// ReadTransactions returns how many read transactions the file has
// started (bbolt's Stats.TxN): tests check what a screen costs with it.
func (db *DB) ReadTransactions() int { return db.bolt.Stats().TxN }

// view runs fn in the snapshot's transaction, or in a read transaction
// of its own.
func (db *DB) view(fn func(tx *bolt.Tx) error) error {
	if db.tx != nil {
		return fn(db.tx)
	}
	return db.bolt.View(fn)
}

// Options tune Open. The zero value is what production uses.
type Options struct {
	// LockTimeout bounds the wait for another process's file lock; 0 means 1s.
	LockTimeout time.Duration
	// NoSync skips fsync on commit. Only for seeding synthetic data in
	// benchmarks: a crash can then lose or corrupt the file.
	NoSync bool
	// Logger hears about schema migrations; nil logs nothing.
	Logger *slog.Logger
	// MigrateInPlace makes the v2→v3 migration rewrite the file in one
	// transaction instead of copying it to a new file (see migrate.go).
	MigrateInPlace bool
}

// Open opens (creating if needed) the database at path and brings its
// schema up to SchemaVersion.
func Open(path string, opts Options) (*DB, error) {
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = time.Second
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, NoSync: opts.NoSync})
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == path {
			// The path once, and the cause (no such folder, not allowed).
			return nil, &OpenError{Path: path, Err: pe.Err}
		}
		return nil, fmt.Errorf("storage: open %s: %w", path, openError(err))
	}
	b.AllocSize = allocSize
	db := &DB{bolt: b, path: path}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := db.migrate(opts); err != nil {
		db.bolt.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	db.registerNotifier()
	return db, nil
}

// Close closes the file.
func (db *DB) Close() error {
	notifiers.Delete(db.bolt)
	return db.bolt.Close()
}

// Path returns the file's path.
func (db *DB) Path() string { return db.path }

// Size returns the size of the file in bytes.
func (db *DB) Size() (int64, error) {
	fi, err := os.Stat(db.path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Check runs bbolt's consistency check and returns the first problem found.
func (db *DB) Check() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return checkIndexes(tx)
	})
}

// migrations[i] brings a database from version i to version i+1. Each runs
// in its own transaction together with the version stamp, so a crash during
// a migration leaves the previous version intact. The step to v3 rewrites
// every record and, for a file with data, copies it to a new file instead
// (migrate.go).
var migrations = []func(tx *bolt.Tx) error{
	// 0 → 1: the first layout.
	func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketPeople, bucketReports, bucketRatings, bucketChallenges, bucketPlans, bucketPlanHistory, bucketSubmissions, bucketLedger, bucketAnswers, bucketColours, bucketPreps} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	},
	// 1 → 2: invitations, and answers shared with one manager. A v1 answer
	// said only "shared"; it stays shared with the person's current manager
	// of record if it was shared while they were that, and becomes private
	// otherwise (it was shared with someone who no longer manages them).
	func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketInvites, bucketInvitesSent} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		type v1Answer struct {
			Person   string
			Shared   bool
			SharedAt time.Time
		}
		answers := tx.Bucket(bucketAnswers)
		var keys [][]byte
		var updated [][]byte
		err := answers.ForEach(func(k, v []byte) error {
			var old v1Answer
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("answer %q: %w", k, err)
			}
			if !old.Shared {
				return nil
			}
			var a coach.Answer
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("answer %q: %w", k, err)
			}
			p, found, err := getPerson(tx, old.Person)
			if err != nil {
				return err
			}
			if found && p.Manager != "" && !old.SharedAt.Before(p.ManagerSince) {
				a.SharedWith = p.Manager
			} else {
				a.SharedAt = time.Time{}
			}
			raw, err := json.Marshal(a)
			if err != nil {
				return err
			}
			keys, updated = append(keys, bytes.Clone(k)), append(updated, raw)
			return nil
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			if err := answers.Put(k, updated[i]); err != nil {
				return err
			}
		}
		return nil
	},
	// 2 → 3: compact records, the due and open indexes (migrate.go).
	migrateV3InPlace,
}

func (db *DB) migrate(opts Options) error {
	// Look before writing: a file from a newer microcoach, or one that is
	// current, is not written to at all (even an empty commit would).
	var fresh bool
	v := 0
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		fresh = meta == nil
		var err error
		v, err = stampedVersion(meta)
		return err
	}); err != nil {
		return err
	}
	switch {
	case v > len(migrations):
		return fmt.Errorf("%w: schema v%d, this build knows up to v%d", ErrNewerSchema, v, len(migrations))
	case v == len(migrations):
		return nil
	}
	for v < len(migrations) {
		// A new file takes every step in place; a file with data is copied
		// to a new file at the step to v3.
		if v == 2 && !fresh && !opts.MigrateInPlace {
			return db.migrateV3Copy(opts)
		}
		from := v
		start := time.Now()
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			if v, err = stampedVersion(meta); err != nil || v != from {
				return fmt.Errorf("schema version changed under the migration (v%d, then v%d): %v", from, v, err)
			}
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrate to v%d: %w", v+1, err)
			}
			return meta.Put(keySchemaVersion, u64(uint64(v+1)))
		})
		if err != nil {
			if !fresh {
				opts.Logger.Error("schema migration failed; the file is unchanged", "from", from, "to", from+1, "error", err)
			}
			return err
		}
		v = from + 1
		if !fresh {
			opts.Logger.Info("schema migrated in place", "from", from, "to", v, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	return nil
}

// stampedVersion reads the schema version from the meta bucket (nil: 0).
func stampedVersion(meta *bolt.Bucket) (int, error) {
	if meta == nil {
		return 0, nil
	}
	raw := meta.Get(keySchemaVersion)
	if raw == nil {
		return 0, nil
	}
	if len(raw) != 8 {
		return 0, fmt.Errorf("schema version is %d bytes long, want 8", len(raw))
	}
	return int(binary.BigEndian.Uint64(raw)), nil
}

// Version returns the schema version stamped in the file.
func (db *DB) Version() (int, error) {
	var v int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketMeta).Get(keySchemaVersion)
		if len(raw) == 8 {
			v = int(binary.BigEndian.Uint64(raw))
		}
		return nil
	})
	return v, err
}

// claimSubmission records id as processed, or returns coach.ErrDuplicate when it
// was. An empty id claims nothing.
func claimSubmission(tx *bolt.Tx, id string, at time.Time) error {
	if id == "" {
		return nil
	}
	b := tx.Bucket(bucketSubmissions)
	if b.Get([]byte(id)) != nil {
		return coach.ErrDuplicate
	}
	return b.Put([]byte(id), u64(uint64(at.UnixNano())))
}

// getJSON reads one record. Despite the name (kept so callers read the
// same), ratings, ledger entries, colours and answers are compact binary:
// see codec.go.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	return true, decodeValue(key, raw, v)
}

func joinKey(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	k := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// putJSON writes one record in its stored form (codec.go).
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := encodeValue(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// Submitted reports whether a change with this submission id was saved.
func (db *DB) Submitted(id string) (bool, error) {
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketSubmissions).Get([]byte(id)) != nil
		return nil
	})
	return found, err
}

// InUse returns the bytes the data occupies in the file's pages (leaf and
// branch pages in use, all buckets). The file itself is larger: bbolt
// grows it ahead of need and never shrinks it.
func (db *DB) InUse() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			s := b.Stats()
			n += int64(s.BranchAlloc + s.LeafAlloc)
			return nil
		})
	})
	return n, err
}

// scanJSON decodes every value under prefix in a bucket, in key order:
// the one way storage reads a person's series (ratings, ledger, answers…).
func scanJSON[T any](tx *bolt.Tx, bucket, prefix []byte) ([]T, error) {
	var out []T
	c := tx.Bucket(bucket).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var x T
		if err := decodeValue(k, v, &x); err != nil {
			return nil, fmt.Errorf("decode %s %q: %w", bucket, k, err)
		}
		out = append(out, x)
	}
	return out, nil
}

// readSeries runs scanJSON in its own read transaction and names what
// failed.
func readSeries[T any](db *DB, bucket, prefix []byte, what string) ([]T, error) {
	var out []T
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		out, err = scanJSON[T](tx, bucket, prefix)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %s: %w", what, err)
	}
	return out, nil
}
