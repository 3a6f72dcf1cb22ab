package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// The due index (schema v3) lets the scheduler read only what is due:
//
//	due:    when(8, big-endian unixnano) person 0x00 cadence → ""
//	due_by: person 0x00 cadence → when(8)   (the reverse, to replace a person's entries)
//
// Storage does not know the schedules, so it cannot say when someone is
// due next. Instead, every change that can move a person's due times
// (enrolment, pause, own nudge time, time zone, plan, team, a check-in
// sent) puts a mark for them in the index in the same transaction: an
// entry with cadence "" whose time is a small sequence number, long past,
// so the next tick reads it, asks the scheduler for the person's real due
// times and replaces the mark with them (SetNextDue). The commit also
// wakes the scheduler's driver (DueChanged).
//
// A mark made while a tick is working on the person has a sequence number
// above the one that tick saw, so SetNextDue keeps it and the next tick
// looks again.
//
// The open index lists ledger entries that are queued or attempted, so a
// tick finds unfinished work without reading the ledger:
//
//	open: person 0x00 cadence 0x00 period → ""

var (
	bucketDue   = []byte("due")
	bucketDueBy = []byte("due_by")
	bucketOpen  = []byte("open")

	keyDueRules = []byte("due_rules")
)

// notifiers maps a bbolt handle to the channel its DB signals on commit of
// a due mark. Transactions see only the bbolt handle, and the helpers that
// mark (enroll, setManager…) take only the transaction.
var notifiers sync.Map // *bolt.DB → chan struct{}

func (db *DB) registerNotifier() {
	db.changed = make(chan struct{}, 1)
	notifiers.Store(db.bolt, db.changed)
}

// DueChanged receives a value after a commit that changed someone's due
// times: the scheduler's driver wakes on it.
func (db *DB) DueChanged() <-chan struct{} { return db.changed }

func notifyDue(b *bolt.DB) {
	if ch, ok := notifiers.Load(b); ok {
		select {
		case ch.(chan struct{}) <- struct{}{}:
		default:
		}
	}
}

func dueKey(at uint64, person string, c coach.Cadence) []byte {
	k := make([]byte, 0, 8+len(person)+1+len(c))
	k = binary.BigEndian.AppendUint64(k, at)
	k = append(k, person...)
	k = append(k, 0)
	return append(k, c...)
}

func unixNano(t time.Time) uint64 {
	if n := t.UnixNano(); n > 0 {
		return uint64(n)
	}
	return 1
}

// markDue asks the scheduler to work out person's due times again.
func markDue(tx *bolt.Tx, person string) error {
	if person == "" {
		return nil
	}
	due, by := tx.Bucket(bucketDue), tx.Bucket(bucketDueBy)
	if due == nil { // a file not yet migrated (inside an older migration)
		return nil
	}
	seq, err := due.NextSequence()
	if err != nil {
		return err
	}
	rk := joinKey(person, "")
	if old := by.Get(rk); len(old) == 8 {
		if err := due.Delete(dueKey(binary.BigEndian.Uint64(old), person, "")); err != nil {
			return err
		}
	}
	if err := due.Put(dueKey(seq, person, ""), nil); err != nil {
		return err
	}
	if err := by.Put(rk, u64(seq)); err != nil {
		return err
	}
	b := tx.DB()
	tx.OnCommit(func() { notifyDue(b) })
	return nil
}

// clearDue removes every entry of person from the index.
func clearDue(tx *bolt.Tx, person string, keepMarkAbove uint64) error {
	due, by := tx.Bucket(bucketDue), tx.Bucket(bucketDueBy)
	prefix := joinKey(person, "")
	var keys, whens [][]byte
	c := by.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(v) != 8 {
			return fmt.Errorf("due index entry %q: %d bytes, want 8", k, len(v))
		}
		if len(k) == len(prefix) && binary.BigEndian.Uint64(v) > keepMarkAbove {
			continue // a mark made after the caller read the index
		}
		keys, whens = append(keys, bytes.Clone(k)), append(whens, bytes.Clone(v))
	}
	for i, k := range keys {
		if err := by.Delete(k); err != nil {
			return err
		}
		if err := due.Delete(dueKey(binary.BigEndian.Uint64(whens[i]), person, coach.Cadence(k[len(prefix):]))); err != nil {
			return err
		}
	}
	return nil
}

// DueBefore returns the people with an entry in the due index at or
// before now (each once, in the order found; at most limit of them
// unless limit is 0), and the index's mark sequence at that moment, to
// hand back to SetNextDue.
func (db *DB) DueBefore(now time.Time, limit int) ([]string, uint64, error) {
	var people []string
	var seen uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDue)
		seen = b.Sequence()
		until := unixNano(now)
		var dup map[string]bool
		c := b.Cursor()
		for k, _ := c.First(); len(k) > 8 && binary.BigEndian.Uint64(k[:8]) <= until && (limit == 0 || len(people) < limit); k, _ = c.Next() {
			person, _, _ := bytes.Cut(k[8:], []byte{0})
			if dup == nil {
				dup = map[string]bool{}
			}
			if !dup[string(person)] {
				dup[string(person)] = true
				people = append(people, string(person))
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("storage: due before %s: %w", now, err)
	}
	return people, seen, nil
}

// NextDue returns the earliest time in the due index; found is false when
// the index is empty.
func (db *DB) NextDue() (time.Time, bool, error) {
	var at time.Time
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketDue).Cursor().First()
		if len(k) >= 8 {
			at, found = time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))), true
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: next due: %w", err)
	}
	return at, found, nil
}

// SetNextDue replaces the index entries of each person in next with the
// times given (none: the person is due for nothing until something
// changes), in one transaction. Marks made after DueBefore returned seen
// are kept.
func (db *DB) SetNextDue(seen uint64, next map[string]map[coach.Cadence]time.Time) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		due, by := tx.Bucket(bucketDue), tx.Bucket(bucketDueBy)
		for person, times := range next {
			if err := clearDue(tx, person, seen); err != nil {
				return err
			}
			for c, t := range times {
				if c == "" || t.IsZero() {
					continue
				}
				at := unixNano(t)
				if err := due.Put(dueKey(at, person, c), nil); err != nil {
					return err
				}
				if err := by.Put(joinKey(person, string(c)), u64(at)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: set next due times of %d people: %w", len(next), err)
	}
	return nil
}

// ResetDue marks everyone for the scheduler to work out again when rules
// (the scheduler's description of its schedules) differ from the rules the
// index was built with, and remembers them. It reports whether it did.
// This builds the index the first time and rebuilds it when an operator
// changes a schedule. It marks people in transactions of resetChunk and
// stores the rules last, so a crash part way makes the next start do it
// all again.
func (db *DB) ResetDue(rules string) (bool, error) {
	var reset bool
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if bytes.Equal(tx.Bucket(bucketMeta).Get(keyDueRules), []byte(rules)) {
			return nil
		}
		reset = true
		for _, name := range [][]byte{bucketDue, bucketDueBy} {
			seq := tx.Bucket(name).Sequence()
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			b, err := tx.CreateBucket(name)
			if err != nil {
				return err
			}
			if err := b.SetSequence(seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || !reset {
		return false, wrapReset(err)
	}
	var after []byte // the last person marked
	for done := false; !done; {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketPeople).Cursor()
			k, _ := c.First()
			if after != nil {
				if k, _ = c.Seek(after); bytes.Equal(k, after) {
					k, _ = c.Next()
				}
			}
			for n := 0; n < resetChunk; n, k = n+1, nextKey(c) {
				if k == nil {
					done = true
					return tx.Bucket(bucketMeta).Put(keyDueRules, []byte(rules))
				}
				if err := markDue(tx, string(k)); err != nil {
					return err
				}
				after = bytes.Clone(k)
			}
			return nil
		})
		if err != nil {
			return false, wrapReset(err)
		}
	}
	return true, nil
}

// resetChunk is how many people one transaction of ResetDue marks.
const resetChunk = 5000

func nextKey(c *bolt.Cursor) []byte {
	k, _ := c.Next()
	return k
}

func wrapReset(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("storage: reset due index: %w", err)
}

// DueFieldsDiffer reports whether a and b differ in the fields that move
// a person's due times: a change of them marks the person due at once (in
// every backend).
func DueFieldsDiffer(a, b coach.Person) bool {
	return !a.EnrolledAt.Equal(b.EnrolledAt) || a.TZ != b.TZ || !a.PausedUntil.Equal(b.PausedUntil) ||
		a.NudgeSpec != b.NudgeSpec || a.NudgesOff != b.NudgesOff || !a.SnoozedUntil.Equal(b.SnoozedUntil) ||
		a.Manager != b.Manager
}

func openKey(person string, c coach.Cadence, period string) []byte {
	return ledgerKey(person, c, period)
}

// setOpen keeps the open index in step with a ledger entry's state.
func setOpen(tx *bolt.Tx, d coach.Delivery) error {
	b := tx.Bucket(bucketOpen)
	if b == nil { // inside an older migration
		return nil
	}
	k := openKey(d.Person, d.Cadence, d.Period)
	if d.State == coach.DeliveryQueued || d.State == coach.DeliveryAttempted {
		return b.Put(k, nil)
	}
	return b.Delete(k)
}

// checkIndexes reports the first disagreement between the due index and
// its reverse, or between the open index and the ledger.
func checkIndexes(tx *bolt.Tx) error {
	due, by := tx.Bucket(bucketDue), tx.Bucket(bucketDueBy)
	if due == nil {
		return nil
	}
	n := 0
	err := due.ForEach(func(k, _ []byte) error {
		n++
		person, c, ok := bytes.Cut(k[8:], []byte{0})
		if len(k) < 9 || !ok {
			return fmt.Errorf("due index: malformed key %q", k)
		}
		if v := by.Get(joinKey(string(person), string(c))); !bytes.Equal(v, k[:8]) {
			return fmt.Errorf("due index: %q has no matching reverse entry", k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if m := by.Stats().KeyN; m != n {
		return fmt.Errorf("due index: %d entries, %d reverse entries", n, m)
	}
	ledger := tx.Bucket(bucketLedger)
	return tx.Bucket(bucketOpen).ForEach(func(k, _ []byte) error {
		var d coach.Delivery
		found, err := getJSON(ledger, k, &d)
		if err != nil || !found || (d.State != coach.DeliveryQueued && d.State != coach.DeliveryAttempted) {
			return fmt.Errorf("open index: %q is not an open ledger entry (found %v, %v)", k, found, err)
		}
		return nil
	})
}
