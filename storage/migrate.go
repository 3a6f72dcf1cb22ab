package storage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// Schema v3 stores ratings, ledger entries, colours and answers compactly
// (codec.go) and adds the due and open indexes (due.go). The step from v2
// rewrites every one of those records. There are two ways to do it, both
// crash-safe:
//
//   - In place, in one transaction with the version stamp (migrateV3InPlace):
//     a crash leaves v2. bbolt keeps every page the transaction dirties in
//     memory until commit, so memory grows with the data (a 700 MB file
//     needs about as much), and the pages stay as half full as before.
//   - By copying (migrateV3Copy, what Open does for a file with data): the
//     records are written in key order, in transactions of a few MB, to a
//     new file next to the old one (FILE.migrating), which is synced and
//     then renamed over the old one. A crash before the rename leaves the
//     old file as it was (the half-written copy is removed at the next
//     start); the rename itself is atomic. Memory stays flat, pages come out
//     nearly full, and the file shrinks. It needs free disk space for the
//     copy, about the size of the new file.
//
// New files take the in-place step: there is nothing to copy.

// fillPercent is how full bbolt packs the pages of the buckets written
// most. Their keys start with a person's id and a person's records arrive
// in time order, so each person's range grows at its end: pages packed
// full would split at the next week's entry, and the default (half full)
// wastes half the file. 0.95 leaves room for a few weeks of entries.
const fillPercent = 0.95

// allocSize is how much bbolt grows the file by when it needs room
// (bbolt's default is 16 MB, a sixth of a year's data for 10,000 people).
const allocSize = 4 << 20

// hot returns a bucket set up for appending.
func hot(tx *bolt.Tx, name []byte) *bolt.Bucket {
	b := tx.Bucket(name)
	if b != nil && tx.Writable() {
		b.FillPercent = fillPercent
	}
	return b
}

// compactBuckets are rewritten by the v3 migration: each record's new key
// and value.
var compactBuckets = map[string]func(k, v []byte) ([]byte, []byte, error){
	string(bucketRatings): transcode[coach.Rating],
	string(bucketLedger):  transcode[coach.Delivery],
	string(bucketColours): transcode[coach.ColourChoice],
	string(bucketAnswers): transcode[coach.Answer],
}

func transcode[T any](k, v []byte) ([]byte, []byte, error) {
	var x T
	if err := decodeValue(k, v, &x); err != nil {
		return nil, nil, err
	}
	nv, err := encodeValue(x)
	// v3 writes ledger and rating keys shorter (ledgerKey, ratingKey).
	switch r := any(x).(type) {
	case coach.Delivery:
		k = ledgerKey(r.Person, r.Cadence, r.Period)
	case coach.Rating:
		k = ratingKey(r)
	}
	return k, nv, err
}

// openEntry reports whether a stored ledger value is queued or attempted.
func openEntry(k, v []byte) (bool, error) {
	var d coach.Delivery
	if err := decodeValue(k, v, &d); err != nil {
		return false, err
	}
	return d.State == coach.DeliveryQueued || d.State == coach.DeliveryAttempted, nil
}

func createV3Buckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketDue, bucketDueBy, bucketOpen, bucketQuarters} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// migrateV3InPlace is the 2 → 3 step in one transaction.
func migrateV3InPlace(tx *bolt.Tx) error {
	if err := createV3Buckets(tx); err != nil {
		return err
	}
	for name, fn := range compactBuckets {
		b := hot(tx, []byte(name))
		var old, keys, vals [][]byte
		err := b.ForEach(func(k, v []byte) error {
			nk, nv, err := fn(k, v)
			if err != nil {
				return fmt.Errorf("%s %q: %w", name, k, err)
			}
			if name == string(bucketLedger) {
				if open, _ := openEntry(nk, nv); open {
					if err := tx.Bucket(bucketOpen).Put(bytes.Clone(nk), nil); err != nil {
						return err
					}
				}
			}
			old, keys, vals = append(old, bytes.Clone(k)), append(keys, bytes.Clone(nk)), append(vals, nv)
			return nil
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			if !bytes.Equal(k, old[i]) {
				if err := b.Delete(old[i]); err != nil {
					return err
				}
			}
		}
		for i, k := range keys {
			if err := b.Put(k, vals[i]); err != nil {
				return err
			}
		}
	}
	return tx.Bucket(bucketMeta).Delete(keyDueRules)
}

// copyBatch bounds one write transaction of the copy.
const copyBatch = 2 << 20

// migrateV3Copy is the 2 → 3 step by copying into a new file (see above).
func (db *DB) migrateV3Copy(opts Options) error {
	log := opts.Logger.With("from", 2, "to", 3, "file", db.path)
	tmp := db.path + ".migrating"
	start := time.Now()
	before, _ := db.Size()
	log.Info("migrating the database to schema v3 by copying it; the file stays as it is until the copy is complete", "copy", tmp)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("migrate to v3: remove the unfinished copy %s: %w", tmp, err)
	}
	nb, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return migrationFailed(log, db.path, tmp, fmt.Errorf("create %s: %w", tmp, err))
	}
	if err := copyV3(db.bolt, nb); err != nil {
		nb.Close()
		os.Remove(tmp)
		return migrationFailed(log, db.path, tmp, err)
	}
	// Make the copy durable before it replaces the original.
	if err := nb.Sync(); err != nil {
		nb.Close()
		os.Remove(tmp)
		return migrationFailed(log, db.path, tmp, fmt.Errorf("sync %s: %w", tmp, err))
	}
	nb.NoSync = opts.NoSync
	nb.AllocSize = allocSize
	// The copy holds its own lock: rename it over the original while both
	// are open, so no other process can open the path in between.
	if err := os.Rename(tmp, db.path); err != nil {
		nb.Close()
		os.Remove(tmp)
		return migrationFailed(log, db.path, tmp, fmt.Errorf("rename %s to %s: %w", tmp, db.path, err))
	}
	if err := syncDir(filepath.Dir(db.path)); err != nil {
		log.Warn("could not sync the directory after the rename; the migration is done but a power cut now could bring back v2, which would be migrated again", "error", err)
	}
	old := db.bolt
	db.bolt = nb
	old.Close()
	after, _ := db.Size()
	log.Info("database migrated to schema v3", "took", time.Since(start).Round(time.Millisecond), "size_before", before, "size_after", after)
	return nil
}

func migrationFailed(log interface {
	Error(msg string, args ...any)
}, path, tmp string, err error) error {
	log.Error("schema migration to v3 failed; "+path+" is unchanged (still v2) and this or the previous release can use it. "+
		"Fix the cause (often free disk space: the copy needs about as much as the file) and start again.", "error", err, "copy_removed", tmp)
	return fmt.Errorf("migrate to v3 (nothing changed in the file; see the log): %w", err)
}

// copyV3 copies every bucket of src into dst, rewriting the compact
// buckets and building the open index, in transactions of about copyBatch
// bytes, and stamps v3 last.
func copyV3(src, dst *bolt.DB) error {
	if err := dst.Update(createV3Buckets); err != nil {
		return err
	}
	return src.View(func(stx *bolt.Tx) error {
		err := stx.ForEach(func(name []byte, sb *bolt.Bucket) error {
			if bytes.Equal(name, bucketDue) || bytes.Equal(name, bucketDueBy) || bytes.Equal(name, bucketOpen) {
				return nil // rebuilt
			}
			if err := dst.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists(name)
				if err != nil {
					return err
				}
				return b.SetSequence(sb.Sequence())
			}); err != nil {
				return err
			}
			fn := compactBuckets[string(name)]
			type kv struct{ k, v []byte }
			var batch []kv
			size := 0
			flush := func() error {
				if len(batch) == 0 {
					return nil
				}
				err := dst.Update(func(tx *bolt.Tx) error {
					b := tx.Bucket(name)
					b.FillPercent = fillPercent
					open := tx.Bucket(bucketOpen)
					open.FillPercent = fillPercent
					for _, x := range batch {
						if err := b.Put(x.k, x.v); err != nil {
							return err
						}
						if bytes.Equal(name, bucketLedger) {
							if isOpen, err := openEntry(x.k, x.v); err != nil {
								return err
							} else if isOpen {
								if err := open.Put(x.k, nil); err != nil {
									return err
								}
							}
						}
					}
					return nil
				})
				batch, size = batch[:0], 0
				return err
			}
			c := sb.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if v == nil && sb.Bucket(k) != nil {
					return fmt.Errorf("bucket %s: unexpected nested bucket %q", name, k)
				}
				if bytes.Equal(name, bucketMeta) && (bytes.Equal(k, keySchemaVersion) || bytes.Equal(k, keyDueRules)) {
					continue
				}
				if fn != nil {
					nk, nv, err := fn(k, v)
					if err != nil {
						return fmt.Errorf("%s %q: %w", name, k, err)
					}
					k, v = nk, nv
				}
				batch = append(batch, kv{k, v})
				size += len(k) + len(v) + 16
				if size >= copyBatch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			return flush()
		})
		if err != nil {
			return err
		}
		return dst.Update(func(tx *bolt.Tx) error {
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			return meta.Put(keySchemaVersion, u64(3))
		})
	})
}
