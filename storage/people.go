package storage

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// Person returns the person with the given Slack user id.
func (db *DB) Person(id string) (coach.Person, bool, error) {
	var p coach.Person
	var found bool
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketPeople), []byte(id), &p)
		return err
	})
	if err != nil {
		return coach.Person{}, false, fmt.Errorf("storage: person %s: %w", id, err)
	}
	return p, found, nil
}

// Enroll stores p unless they are known already, and returns the stored
// person either way.
func (db *DB) Enroll(p coach.Person) (coach.Person, error) {
	var out coach.Person
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		out, err = enroll(tx, p)
		return err
	})
	if err != nil {
		return coach.Person{}, fmt.Errorf("storage: enroll %s: %w", p.ID, err)
	}
	return out, nil
}

// enroll stores p unless a person with that id exists already, filling in
// a name learnt later; it returns the stored person.
func enroll(tx *bolt.Tx, p coach.Person) (coach.Person, error) {
	b := hot(tx, bucketPeople)
	var old coach.Person
	found, err := getJSON(b, []byte(p.ID), &old)
	if err != nil {
		return coach.Person{}, err
	}
	if found {
		if old.Name == "" && p.Name != "" {
			old.Name = p.Name
			return old, putJSON(b, []byte(p.ID), old)
		}
		return old, nil
	}
	if err := markDue(tx, p.ID); err != nil {
		return coach.Person{}, err
	}
	return p, putJSON(b, []byte(p.ID), p)
}

func getPerson(tx *bolt.Tx, id string) (coach.Person, bool, error) {
	var p coach.Person
	found, err := getJSON(tx.Bucket(bucketPeople), []byte(id), &p)
	return p, found, err
}

// AssignManager makes manager the manager of record of report without an
// invitation (an admin's assignment), enrolling both. A report who had
// another manager moves, and the former one loses access in the same
// transaction; an open invitation from manager to report is settled by it.
// It refuses (with a *coach.TeamError) yourself, a manager already theirs,
// and anyone above the manager in the chain.
func (db *DB) AssignManager(manager, report coach.Person, at time.Time) (coach.ManagerChange, error) {
	var out coach.ManagerChange
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := enroll(tx, manager); err != nil {
			return err
		}
		r, err := enroll(tx, report)
		if err != nil {
			return err
		}
		out, err = setManager(tx, r, manager.ID, at)
		return err
	})
	if err != nil {
		return coach.ManagerChange{}, fmt.Errorf("storage: make %s the manager of %s: %w", manager.ID, report.ID, err)
	}
	return out, nil
}

// setManager moves r to manager: checks the rule, unlinks a former
// manager, links the new one and settles an open invitation between them.
func setManager(tx *bolt.Tx, r coach.Person, manager string, at time.Time) (coach.ManagerChange, error) {
	if err := coach.CheckManager(manager, r, func(id string) string {
		p, _, _ := getPerson(tx, id)
		return p.Manager
	}); err != nil {
		return coach.ManagerChange{}, err
	}
	out := coach.ManagerChange{Former: r.Manager}
	if r.Manager != "" {
		if err := tx.Bucket(bucketReports).Delete(joinKey(r.Manager, r.ID)); err != nil {
			return out, err
		}
	}
	// Having reports or not decides whether a manager gets a digest.
	for _, m := range []string{r.Manager, manager} {
		if err := markDue(tx, m); err != nil {
			return out, err
		}
	}
	r.Manager, r.ManagerSince = manager, at
	if err := putJSON(tx.Bucket(bucketPeople), []byte(r.ID), r); err != nil {
		return out, err
	}
	if err := tx.Bucket(bucketReports).Put(joinKey(manager, r.ID), nil); err != nil {
		return out, err
	}
	if err := deleteInvitation(tx, manager, r.ID); err != nil {
		return out, err
	}
	out.Person = r
	return out, nil
}

// RemoveReport ends manager's role as report's manager of record.
func (db *DB) RemoveReport(manager, report string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		p, found, err := getPerson(tx, report)
		if err != nil {
			return err
		}
		if !found || p.Manager != manager {
			return coach.ErrNotInTeam
		}
		return unlink(tx, p)
	})
	if err != nil {
		return fmt.Errorf("storage: remove %s from %s's team: %w", report, manager, err)
	}
	return nil
}

// LeaveTeam ends the person's link to their manager of record and returns
// who that was.
func (db *DB) LeaveTeam(person string) (string, error) {
	var manager string
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		p, found, err := getPerson(tx, person)
		if err != nil {
			return err
		}
		if !found || p.Manager == "" {
			return coach.ErrNotInTeam
		}
		manager = p.Manager
		return unlink(tx, p)
	})
	if err != nil {
		return "", fmt.Errorf("storage: %s leaves their team: %w", person, err)
	}
	return manager, nil
}

func unlink(tx *bolt.Tx, p coach.Person) error {
	if err := tx.Bucket(bucketReports).Delete(joinKey(p.Manager, p.ID)); err != nil {
		return err
	}
	if err := markDue(tx, p.Manager); err != nil {
		return err
	}
	p.Manager, p.ManagerSince = "", time.Time{}
	return putJSON(tx.Bucket(bucketPeople), []byte(p.ID), p)
}

// Reports returns the people whose manager of record is manager, in id order.
func (db *DB) Reports(manager string) ([]coach.Person, error) {
	var out []coach.Person
	err := db.view(func(tx *bolt.Tx) error {
		prefix := append([]byte(manager), 0)
		c := tx.Bucket(bucketReports).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			p, found, err := getPerson(tx, string(k[len(prefix):]))
			if err != nil {
				return err
			}
			if found {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: reports of %s: %w", manager, err)
	}
	return out, nil
}

// EnrollAll stores many new people in one transaction (seeding, imports,
// benchmarks). People already known are left as they are.
func (db *DB) EnrollAll(ps []coach.Person) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, p := range ps {
			if _, err := enroll(tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: enroll %d people: %w", len(ps), err)
	}
	return nil
}
