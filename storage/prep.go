package storage

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// LastPrep returns when viewer last prepared a 1:1 about subject.
func (db *DB) LastPrep(viewer, subject string) (time.Time, bool, error) {
	var at time.Time
	var found bool
	err := db.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketPreps).Get(joinKey(viewer, subject))
		if len(raw) == 8 {
			at, found = time.Unix(0, int64(binary.BigEndian.Uint64(raw))).UTC(), true
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: last prep of %s for %s: %w", viewer, subject, err)
	}
	return at, found, nil
}

// RecordPrep remembers that viewer prepared a 1:1 about subject at at, so
// the next agenda starts from there.
func (db *DB) RecordPrep(viewer, subject string, at time.Time) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPreps).Put(joinKey(viewer, subject), u64(uint64(at.UnixNano())))
	})
	if err != nil {
		return fmt.Errorf("storage: record prep of %s for %s: %w", viewer, subject, err)
	}
	return nil
}
