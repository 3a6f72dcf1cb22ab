package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// Plan returns owner's development plan.
func (db *DB) Plan(owner string) (coach.Plan, bool, error) {
	var p coach.Plan
	var found bool
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketPlans), []byte(owner), &p)
		return err
	})
	if err != nil {
		return coach.Plan{}, false, fmt.Errorf("storage: plan of %s: %w", owner, err)
	}
	return p, found, nil
}

// UpdatePlan applies edit to owner's plan in one transaction and keeps the
// change in the plan's history. The new plan's Version is old.Version+1.
// A non-empty submission id makes a repeat return coach.ErrDuplicate.
func (db *DB) UpdatePlan(owner, submission string, edit coach.PlanEdit) (coach.Plan, error) {
	var out coach.Plan
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var old coach.Plan
		if _, err := getJSON(tx.Bucket(bucketPlans), []byte(owner), &old); err != nil {
			return err
		}
		p, change, err := edit(old)
		if err != nil {
			return err
		}
		if err := claimSubmission(tx, submission, change.At); err != nil {
			return err
		}
		p.Owner, p.Version = owner, old.Version+1
		change.Owner, change.Version = owner, p.Version
		if err := putJSON(hot(tx, bucketPlans), []byte(owner), p); err != nil {
			return err
		}
		if err := putJSON(hot(tx, bucketPlanHistory), append(joinKey(owner, ""), u64(uint64(p.Version))...), change); err != nil {
			return err
		}
		// A plan brings the quarterly refresh.
		if err := markDue(tx, owner); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return coach.Plan{}, fmt.Errorf("storage: update plan of %s: %w", owner, err)
	}
	return out, nil
}

// PlanHistory returns every change to owner's plan, oldest first.
func (db *DB) PlanHistory(owner string) ([]coach.PlanChange, error) {
	return readSeries[coach.PlanChange](db, bucketPlanHistory, joinKey(owner, ""), "plan history of "+owner)
}
