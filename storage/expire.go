package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// How long records that only guard against repeats, or that a person can
// create at will, are kept. Expire removes older ones.
const (
	// DedupeKeep is how long a submission or event id is remembered. Slack
	// retries an event within minutes, and a modal cannot be submitted
	// after it is closed, so a month leaves a wide margin.
	DedupeKeep = 30 * 24 * time.Hour
	// QuestionKeep is how long the ledger keeps an ad-hoc question asked
	// with /coach question. The answers themselves are kept (they are the
	// person's data); only the record of the asking goes.
	QuestionKeep = 180 * 24 * time.Hour
)

// Expired says what Expire removed.
type Expired struct {
	Dedupe, Questions int
}

// Expire removes dedupe records (the submissions bucket) older than
// dedupeKeep and ad-hoc question deliveries due longer than questionKeep
// ago, so that neither grows without bound, however many commands people
// (or hostile payloads) send. It runs in one transaction.
func (db *DB) Expire(now time.Time, dedupeKeep, questionKeep time.Duration) (Expired, error) {
	var x Expired
	dedupeCut := uint64(now.Add(-dedupeKeep).UnixNano())
	questionCut := now.Add(-questionKeep)
	marker := []byte("\x00" + string(coach.CadenceQuestion) + "\x00")
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var old [][]byte
		c := tx.Bucket(bucketSubmissions).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) == 8 && binary.BigEndian.Uint64(v) < dedupeCut {
				old = append(old, bytes.Clone(k))
			}
		}
		for _, k := range old {
			if err := tx.Bucket(bucketSubmissions).Delete(k); err != nil {
				return err
			}
		}
		x.Dedupe = len(old)
		old = old[:0]
		c = tx.Bucket(bucketLedger).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if !bytes.Contains(k, marker) {
				continue
			}
			var d coach.Delivery
			if err := decodeValue(k, v, &d); err != nil {
				return fmt.Errorf("decode ledger %q: %w", k, err)
			}
			if d.Cadence == coach.CadenceQuestion && d.Due.Before(questionCut) {
				old = append(old, bytes.Clone(k))
			}
		}
		for _, k := range old {
			if err := tx.Bucket(bucketLedger).Delete(k); err != nil {
				return err
			}
			// An entry that was never sent is in the open index too.
			if err := tx.Bucket(bucketOpen).Delete(k); err != nil {
				return err
			}
		}
		x.Questions = len(old)
		return nil
	})
	if err != nil {
		return Expired{}, fmt.Errorf("storage: expire: %w", err)
	}
	return x, nil
}
