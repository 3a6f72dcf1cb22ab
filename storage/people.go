package storage

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// Person returns the person with the given Slack user id.
func (db *DB) Person(id string) (coach.Person, bool, error) {
	var p coach.Person
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketPeople).Get([]byte(id))
		if raw == nil {
			return nil
		}
		found = true
		return json.Unmarshal(raw, &p)
	})
	if err != nil {
		return coach.Person{}, false, fmt.Errorf("storage: person %s: %w", id, err)
	}
	return p, found, nil
}

// enroll stores p unless a person with that id exists already.
func enroll(tx *bolt.Tx, p coach.Person) error {
	b := tx.Bucket(bucketPeople)
	if b.Get([]byte(p.ID)) != nil {
		return nil
	}
	return putJSON(b, []byte(p.ID), p)
}
