package storage

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// ClaimEvent records that a Slack event was seen, and reports whether this
// is the first time. Slack delivers an event again when an ack is slow
// (same event id, retry_attempt 1); the repeat must change nothing and say
// nothing, so it is recognised before any other work.
func (db *DB) ClaimEvent(eventID string, at time.Time) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return claimSubmission(tx, "seen:"+eventID, at)
	})
	if errors.Is(err, coach.ErrDuplicate) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: claim event %s: %w", eventID, err)
	}
	return true, nil
}

// UpdateAnswer changes one of a person's answers in one transaction. fn
// returning an error changes nothing; an answer fn leaves without text or
// emotion is deleted. It returns the answer as stored (zero when deleted).
func (db *DB) UpdateAnswer(person string, id uint64, fn func(a *coach.Answer) error) (coach.Answer, error) {
	var out coach.Answer
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAnswers)
		k := append(joinKey(person, ""), u64(id)...)
		var a coach.Answer
		found, err := getJSON(b, k, &a)
		if err != nil {
			return err
		}
		if !found {
			return coach.Errorf(coach.ENOTFOUND, "that answer no longer exists")
		}
		if err := fn(&a); err != nil {
			return err
		}
		a.ID, a.Person = id, person
		if a.Text == "" && a.Emotion == "" {
			return b.Delete(k)
		}
		out = a
		return putJSON(b, k, a)
	})
	if err != nil {
		return coach.Answer{}, fmt.Errorf("storage: update answer %d of %s: %w", id, person, err)
	}
	return out, nil
}
