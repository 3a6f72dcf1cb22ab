package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

func challengeKey(subject string, id uint64) []byte {
	return append(joinKey(subject, ""), u64(id)...)
}

// AddChallenge stores a new version of subject's Next Bigger Challenge.
// A challenge the person sets themselves replaces any proposal still
// waiting; a new proposal replaces an older waiting one.
func (db *DB) AddChallenge(c coach.Challenge) (coach.Challenge, error) {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := coach.CheckChallengeText(c.Text); err != nil {
			return err
		}
		b := tx.Bucket(bucketChallenges)
		// Collect first: bbolt cursors must not see writes mid-iteration.
		replaced := map[string]coach.Challenge{}
		if err := eachChallenge(b, c.Subject, func(k []byte, old coach.Challenge) error {
			if old.Status == coach.ChallengeProposed {
				old.Status, old.DecidedAt = coach.ChallengeReplaced, c.At
				replaced[string(k)] = old
			}
			return nil
		}); err != nil {
			return err
		}
		for k, old := range replaced {
			if err := putJSON(b, []byte(k), old); err != nil {
				return err
			}
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		c.ID = id
		return putJSON(b, challengeKey(c.Subject, id), c)
	})
	if err != nil {
		return coach.Challenge{}, fmt.Errorf("storage: add challenge for %s: %w", c.Subject, err)
	}
	return c, nil
}

// AcceptChallenge accepts the proposal with the given id, which must be the
// subject's and still waiting.
func (db *DB) AcceptChallenge(subject string, id uint64, at time.Time) (coach.Challenge, error) {
	var out coach.Challenge
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChallenges)
		k := challengeKey(subject, id)
		found, err := getJSON(b, k, &out)
		if err != nil {
			return err
		}
		if !found || out.Status != coach.ChallengeProposed {
			return coach.ErrNoProposal
		}
		out.Status, out.DecidedAt = coach.ChallengeAccepted, at
		return putJSON(b, k, out)
	})
	if err != nil {
		return coach.Challenge{}, fmt.Errorf("storage: accept challenge %d of %s: %w", id, subject, err)
	}
	return out, nil
}

// Challenges returns every version of subject's challenge, oldest first.
func (db *DB) Challenges(subject string) ([]coach.Challenge, error) {
	var out []coach.Challenge
	err := db.view(func(tx *bolt.Tx) error {
		return eachChallenge(tx.Bucket(bucketChallenges), subject, func(_ []byte, c coach.Challenge) error {
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: challenges of %s: %w", subject, err)
	}
	return out, nil
}

func eachChallenge(b *bolt.Bucket, subject string, fn func(k []byte, c coach.Challenge) error) error {
	prefix := joinKey(subject, "")
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var ch coach.Challenge
		if err := json.Unmarshal(v, &ch); err != nil {
			return fmt.Errorf("decode challenge %q: %w", k, err)
		}
		if err := fn(bytes.Clone(k), ch); err != nil {
			return err
		}
	}
	return nil
}
