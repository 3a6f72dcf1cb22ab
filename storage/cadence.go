package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// People returns everyone microcoach knows, in id order.
func (db *DB) People() ([]coach.Person, error) {
	var out []coach.Person
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPeople).ForEach(func(k, v []byte) error {
			var p coach.Person
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode person %q: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: people: %w", err)
	}
	return out, nil
}

// UpdatePerson changes one person's record in one transaction, enrolling
// them first if needed (with base as the new record). fn returning an
// error changes nothing. Concurrent calls are merged into few transactions
// (bbolt's Batch), so fn may run more than once and must only set fields.
func (db *DB) UpdatePerson(base coach.Person, fn func(p *coach.Person) error) (coach.Person, error) {
	var out coach.Person
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		p, err := enroll(tx, base)
		if err != nil {
			return err
		}
		old := p
		if err := fn(&p); err != nil {
			return err
		}
		out = p
		if DueFieldsDiffer(old, p) {
			if err := markDue(tx, p.ID); err != nil {
				return err
			}
		}
		return putJSON(tx.Bucket(bucketPeople), []byte(p.ID), p)
	})
	if err != nil {
		return coach.Person{}, fmt.Errorf("storage: update %s: %w", base.ID, err)
	}
	return out, nil
}

// ledgerKey is person 0x00 cadence 0x00 period, with a period named by
// its local time ("2026-11-23T09:30", what cron schedules make) written
// as periodMinute and its minute: 5 bytes instead of 16, in the same
// order. Other period names (@every slots, questions) are kept as they
// are and sort after those.
func ledgerKey(person string, c coach.Cadence, period string) []byte {
	return append(joinKey(person, string(c), ""), periodKey(period)...)
}

const periodMinute = 0x01

func periodKey(period string) []byte {
	if len(period) == len(periodLayout) {
		if t, err := time.Parse(periodLayout, period); err == nil && t.Year() >= 1970 && t.Format(periodLayout) == period {
			if m := t.Unix() / 60; m < 1<<32 {
				return binary.BigEndian.AppendUint32([]byte{periodMinute}, uint32(m))
			}
		}
	}
	return []byte(period)
}

func periodName(k []byte) string {
	if len(k) == 5 && k[0] == periodMinute {
		return time.Unix(int64(binary.BigEndian.Uint32(k[1:]))*60, 0).UTC().Format(periodLayout)
	}
	return string(k)
}

const periodLayout = "2006-01-02T15:04"

// QueueDeliveries records deliveries that are due, in one transaction. An
// entry that exists already is left as it is (a period is owed once). It
// returns the stored entries, new or old, in the order given.
func (db *DB) QueueDeliveries(ds []coach.Delivery) ([]coach.Delivery, error) {
	out := make([]coach.Delivery, len(ds))
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := hot(tx, bucketLedger)
		for i, d := range ds {
			k := ledgerKey(d.Person, d.Cadence, d.Period)
			var old coach.Delivery
			found, err := getJSON(b, k, &old)
			if err != nil {
				return err
			}
			if found {
				out[i] = old
				continue
			}
			if d.State == "" {
				d.State = coach.DeliveryQueued
			}
			if err := putJSON(b, k, d); err != nil {
				return err
			}
			if err := setOpen(tx, d); err != nil {
				return err
			}
			out[i] = d
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: queue %d deliveries: %w", len(ds), err)
	}
	return out, nil
}

// UpdateDelivery changes one ledger entry. Concurrent calls are merged
// into few transactions (bbolt's Batch), so fn may run more than once and
// must only set fields. It returns coach.ErrNotFound-coded error when the
// entry does not exist.
func (db *DB) UpdateDelivery(person string, c coach.Cadence, period string, fn func(d *coach.Delivery) error) (coach.Delivery, error) {
	var out coach.Delivery
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		b := hot(tx, bucketLedger)
		k := ledgerKey(person, c, period)
		var d coach.Delivery
		found, err := getJSON(b, k, &d)
		if err != nil {
			return err
		}
		if !found {
			return coach.Errorf(coach.ENOTFOUND, "no delivery %s/%s/%s", person, c, period)
		}
		before := d.State
		if err := fn(&d); err != nil {
			return err
		}
		out = d
		if d.State != before {
			if err := setOpen(tx, d); err != nil {
				return err
			}
			// A sent check-in may owe a reminder: the scheduler looks again.
			if d.Cadence == coach.CadenceCheckin && d.State == coach.DeliverySent {
				if err := markDue(tx, person); err != nil {
					return err
				}
			}
		}
		return putJSON(b, k, d)
	})
	if err != nil {
		return coach.Delivery{}, fmt.Errorf("storage: update delivery %s/%s/%s: %w", person, c, period, err)
	}
	return out, nil
}

// Delivery returns one ledger entry.
func (db *DB) Delivery(person string, c coach.Cadence, period string) (coach.Delivery, bool, error) {
	var d coach.Delivery
	var found bool
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketLedger), ledgerKey(person, c, period), &d)
		return err
	})
	return d, found, err
}

// Deliveries returns a person's ledger entries of one cadence ("" for all),
// oldest period first.
func (db *DB) Deliveries(person string, c coach.Cadence) ([]coach.Delivery, error) {
	prefix := joinKey(person, "")
	if c != "" {
		prefix = joinKey(person, string(c), "")
	}
	return readSeries[coach.Delivery](db, bucketLedger, prefix, "deliveries of "+person)
}

// OpenDeliveries returns every entry not yet sent or skipped: the work a
// restart must finish. It reads the open index, not the ledger.
func (db *DB) OpenDeliveries() ([]coach.Delivery, error) {
	var out []coach.Delivery
	err := db.view(func(tx *bolt.Tx) error {
		ledger := tx.Bucket(bucketLedger)
		return tx.Bucket(bucketOpen).ForEach(func(k, _ []byte) error {
			var d coach.Delivery
			found, err := getJSON(ledger, k, &d)
			if err != nil {
				return fmt.Errorf("decode delivery %q: %w", k, err)
			}
			if found && (d.State == coach.DeliveryQueued || d.State == coach.DeliveryAttempted) {
				out = append(out, d)
				// After a fan-out is queued this reads a page of everyone's
				// ledger: let go of them as it goes (release_linux.go).
				if len(out)%1000 == 0 {
					return releaseMapped(tx)
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: open deliveries: %w", err)
	}
	return out, nil
}

// AddAnswer stores an answer to a bank question and marks the delivery it
// answers, in one transaction. A repeat of the same Slack event (same
// event id) returns coach.ErrDuplicate and changes nothing.
func (db *DB) AddAnswer(a coach.Answer, answers *coach.Delivery) (coach.Answer, error) {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if a.EventID != "" {
			if err := claimSubmission(tx, "event:"+a.EventID, a.At); err != nil {
				return err
			}
		}
		b := hot(tx, bucketAnswers)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		a.ID = id
		if err := putJSON(b, append(joinKey(a.Person, ""), u64(id)...), a); err != nil {
			return err
		}
		if answers != nil {
			return markAnswered(tx, *answers, a.At)
		}
		return nil
	})
	if err != nil {
		return coach.Answer{}, fmt.Errorf("storage: add answer of %s: %w", a.Person, err)
	}
	return a, nil
}

func markAnswered(tx *bolt.Tx, d coach.Delivery, at time.Time) error {
	b := hot(tx, bucketLedger)
	k := ledgerKey(d.Person, d.Cadence, d.Period)
	var cur coach.Delivery
	found, err := getJSON(b, k, &cur)
	if err != nil || !found || cur.Answered {
		return err
	}
	cur.Answered, cur.AnsweredAt = true, at
	return putJSON(b, k, cur)
}

// Answers returns a person's answers, oldest first.
func (db *DB) Answers(person string) ([]coach.Answer, error) {
	return readSeries[coach.Answer](db, bucketAnswers, joinKey(person, ""), "answers of "+person)
}

// SetAnswerShared shares an answer with the person's manager of record at
// this moment, or takes it back. Only the person's own answers can be
// changed; sharing without a manager of record is refused.
func (db *DB) SetAnswerShared(person string, id uint64, shared bool, at time.Time) (coach.Answer, error) {
	var a coach.Answer
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAnswers)
		k := append(joinKey(person, ""), u64(id)...)
		found, err := getJSON(b, k, &a)
		if err != nil {
			return err
		}
		if !found {
			return coach.Errorf(coach.ENOTFOUND, "that answer no longer exists")
		}
		a.SharedWith, a.SharedAt = "", time.Time{}
		if shared {
			p, _, err := getPerson(tx, person)
			if err != nil {
				return err
			}
			if p.Manager == "" {
				return coach.ErrNoManagerToShare
			}
			a.SharedWith, a.SharedAt = p.Manager, at
		}
		return putJSON(b, k, a)
	})
	if err != nil {
		return coach.Answer{}, fmt.Errorf("storage: share answer %d of %s: %w", id, person, err)
	}
	return a, nil
}

// SetColour stores one theme's colour for a month (a later choice in the
// same month replaces the earlier) and marks the check-in answered.
func (db *DB) SetColour(c coach.ColourChoice, checkin *coach.Delivery) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if !c.Colour.Valid() {
			return coach.Errorf(coach.EINVALID, "%q is not green, yellow or red", c.Colour)
		}
		if err := coach.CheckNote(c.Note); err != nil {
			return err
		}
		if err := putJSON(hot(tx, bucketColours), joinKey(c.Person, c.Month, c.Theme), c); err != nil {
			return err
		}
		if checkin != nil {
			return markAnswered(tx, *checkin, c.At)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: colour of %s: %w", c.Person, err)
	}
	return nil
}

// Colours returns a person's colour choices, oldest month first.
func (db *DB) Colours(person string) ([]coach.ColourChoice, error) {
	return readSeries[coach.ColourChoice](db, bucketColours, joinKey(person, ""), "colours of "+person)
}

// LatestColours returns the most recent colour of each theme.
func (db *DB) LatestColours(person string) (map[string]coach.Colour, error) {
	cs, err := db.Colours(person)
	if err != nil {
		return nil, err
	}
	out := map[string]coach.Colour{}
	for _, c := range cs { // oldest month first: later ones win
		out[c.Theme] = c.Colour
	}
	return out, nil
}

// SetDMChannel remembers the app's DM channel with a person. Concurrent
// calls are merged into few transactions (bbolt's Batch): a fan-out learns
// thousands of channels at once.
func (db *DB) SetDMChannel(person, channel string) error {
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPeople)
		var p coach.Person
		found, err := getJSON(b, []byte(person), &p)
		if err != nil || !found || p.DMChannel == channel {
			return err
		}
		p.DMChannel = channel
		return putJSON(b, []byte(person), p)
	})
	if err != nil {
		return fmt.Errorf("storage: DM channel of %s: %w", person, err)
	}
	return nil
}

// DeliveriesSince returns a person's ledger entries whose period starts at
// or after since, any cadence. Periods named by date sort by time, so each
// cadence's range is found with a seek instead of reading a year of
// entries; entries with other period names (@every slots) are included.
func (db *DB) DeliveriesSince(person string, since time.Time) ([]coach.Delivery, error) {
	var out []coach.Delivery
	from := since.UTC().Format("2006-01-02T15:04")
	err := db.view(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bucketLedger).Cursor()
		prefix := joinKey(person, "")
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); {
			// k is person 0x00 cadence 0x00 period: jump to this cadence's
			// first period at or after since.
			rest := k[len(prefix):]
			i := bytes.IndexByte(rest, 0)
			if i < 0 {
				k, _ = cur.Next()
				continue
			}
			cadence := append(append([]byte(nil), k[:len(prefix)+i]...), 0)
			var v []byte
			for k, v = cur.Seek(append(append([]byte(nil), cadence...), periodKey(from)...)); k != nil && bytes.HasPrefix(k, cadence); k, v = cur.Next() {
				var d coach.Delivery
				if err := decodeValue(k, v, &d); err != nil {
					return fmt.Errorf("decode delivery %q: %w", k, err)
				}
				out = append(out, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries of %s since %s: %w", person, from, err)
	}
	return out, nil
}
