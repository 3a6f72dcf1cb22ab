package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// Retention: ledger entries older than the retention age (the scheduler's
// LedgerRetention, 13 months by default) are folded into one count per
// person, cadence and quarter, and deleted:
//
//	ledger_quarters: person 0x00 cadence 0x00 "2025-Q3" → sent, answered, skipped (uvarints)
//
// The screens read the ledger of the last three months (answer rates) and
// ratings (trends), so folding changes nothing they show; the counts keep
// the long-run answer rate per quarter (LedgerQuarters). Entries still
// open are never folded. Folding happens when the scheduler looks at a
// person anyway (FoldLedger), so it reads only pages that are being read.

var bucketQuarters = []byte("ledger_quarters")

// QuarterCount is what is left of a quarter's folded ledger entries.
type QuarterCount struct {
	Person   string        `json:"person"`
	Cadence  coach.Cadence `json:"cadence"`
	Quarter  string        `json:"quarter"` // "2025-Q3", of the entries' due time in UTC
	Sent     int           `json:"sent"`
	Answered int           `json:"answered"`
	Skipped  int           `json:"skipped"`
}

func quarterOf(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

func encodeQuarter(q QuarterCount) []byte {
	b := []byte{codecV1}
	for _, n := range []int{q.Sent, q.Answered, q.Skipped} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	return b
}

func decodeQuarter(k, v []byte) (QuarterCount, error) {
	parts, err := splitKey(k, 3)
	if err != nil {
		return QuarterCount{}, err
	}
	q := QuarterCount{Person: parts[0], Cadence: coach.Cadence(parts[1]), Quarter: parts[2]}
	d := dec{b: v}
	d.start()
	q.Sent, q.Answered, q.Skipped = int(d.uvarint()), int(d.uvarint()), int(d.uvarint())
	return q, d.done()
}

// FoldLedger folds the ledger entries of people that were due before
// before (and are sent or skipped) into quarter counts, in one
// transaction, and returns how many it folded. People with nothing to
// fold cost one read.
func (db *DB) FoldLedger(people []string, before time.Time) (int, error) {
	var todo []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, p := range people {
			n, err := foldPerson(tx, p, before, false)
			if err != nil {
				return err
			}
			if n > 0 {
				todo = append(todo, p)
			}
		}
		return nil
	})
	if err != nil || len(todo) == 0 {
		return 0, err
	}
	var folded int
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		folded = 0
		for _, p := range todo {
			n, err := foldPerson(tx, p, before, true)
			if err != nil {
				return err
			}
			folded += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: fold ledger entries before %s: %w", before.Format(time.DateOnly), err)
	}
	return folded, nil
}

// foldPerson counts (and, when write, folds) one person's old entries.
func foldPerson(tx *bolt.Tx, person string, before time.Time, write bool) (int, error) {
	prefix := joinKey(person, "")
	type old struct {
		k []byte
		d coach.Delivery
	}
	var olds []old
	c := tx.Bucket(bucketLedger).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var d coach.Delivery
		if err := decodeValue(k, v, &d); err != nil {
			return 0, fmt.Errorf("decode delivery %q: %w", k, err)
		}
		if d.Due.IsZero() || !d.Due.Before(before) || (d.State != coach.DeliverySent && d.State != coach.DeliverySkipped) {
			continue
		}
		olds = append(olds, old{bytes.Clone(k), d})
	}
	if !write || len(olds) == 0 {
		return len(olds), nil
	}
	ledger, quarters := hot(tx, bucketLedger), tx.Bucket(bucketQuarters)
	for _, o := range olds {
		qk := joinKey(person, string(o.d.Cadence), quarterOf(o.d.Due))
		q := QuarterCount{}
		if raw := quarters.Get(qk); raw != nil {
			var err error
			if q, err = decodeQuarter(qk, raw); err != nil {
				return 0, err
			}
		}
		switch {
		case o.d.State == coach.DeliverySkipped:
			q.Skipped++
		case o.d.Answered:
			q.Sent++
			q.Answered++
		default:
			q.Sent++
		}
		if err := quarters.Put(qk, encodeQuarter(q)); err != nil {
			return 0, err
		}
		if err := ledger.Delete(o.k); err != nil {
			return 0, err
		}
	}
	return len(olds), nil
}

// LedgerQuarters returns a person's folded quarter counts, by cadence and
// then oldest quarter first.
func (db *DB) LedgerQuarters(person string) ([]QuarterCount, error) {
	var out []QuarterCount
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return eachQuarter(tx, joinKey(person, ""), func(q QuarterCount) { out = append(out, q) })
	})
	if err != nil {
		return nil, fmt.Errorf("storage: ledger quarters of %s: %w", person, err)
	}
	return out, nil
}

func eachQuarter(tx *bolt.Tx, prefix []byte, fn func(QuarterCount)) error {
	b := tx.Bucket(bucketQuarters)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		q, err := decodeQuarter(k, v)
		if err != nil {
			return fmt.Errorf("decode ledger quarter %q: %w", k, err)
		}
		fn(q)
	}
	return nil
}
