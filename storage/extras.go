package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Extras are what a copy of the database into another backend needs
// beside ExportAll, which is people's data: the records that keep the bot
// from doing something twice.
type Extras struct {
	// Submissions are the dedupe records: view submission and event ids
	// already processed (kept for DedupeKeep), with when.
	Submissions []Submission
	// Sequences are the last ids handed out, which may be above the
	// highest id still stored (forget-me deletes records): a copy must
	// never hand out an id again.
	Sequences Sequences
}

// Submission is one dedupe record.
type Submission struct {
	ID string
	At time.Time
}

// Sequences are the id sequences of ratings, challenges and answers.
type Sequences struct {
	Ratings, Challenges, Answers uint64
}

// ExportExtras returns the Extras, from one read transaction.
func (db *DB) ExportExtras() (Extras, error) {
	var x Extras
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, s := range []struct {
			bucket []byte
			dst    *uint64
		}{{bucketRatings, &x.Sequences.Ratings}, {bucketChallenges, &x.Sequences.Challenges}, {bucketAnswers, &x.Sequences.Answers}} {
			if b := tx.Bucket(s.bucket); b != nil {
				*s.dst = b.Sequence()
			}
		}
		b := tx.Bucket(bucketSubmissions)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("submission %q: %d bytes, want 8", k, len(v))
			}
			x.Submissions = append(x.Submissions, Submission{ID: string(k), At: time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()})
			return nil
		})
	})
	if err != nil {
		return Extras{}, fmt.Errorf("storage: export extras: %w", err)
	}
	return x, nil
}

// InboxWaiting returns how many acknowledged envelopes wait in the inbox
// beside the database at dbPath (none when there is no inbox file), without
// changing it. A running microcoach holds the inbox: then it gives up after
// lockTimeout with ErrLocked.
func InboxWaiting(dbPath string, lockTimeout time.Duration) (int, error) {
	path := InboxPath(dbPath)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return 0, fmt.Errorf("storage: open %s: %w", path, openError(err))
	}
	defer b.Close()
	n := 0
	err = b.View(func(tx *bolt.Tx) error {
		if in := tx.Bucket(bucketInbox); in != nil {
			n = in.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: inbox %s: %w", path, err)
	}
	return n, nil
}
