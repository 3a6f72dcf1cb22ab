package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// ForgetPerson deletes everything stored about a person, in one
// transaction: their person record; ratings of them and ratings they gave;
// their plan and its history; their challenges, and proposals they made
// that were not accepted (an accepted one is the report's challenge now, so
// it stays with its author removed); their answers, colours, ledger entries
// and 1:1 agenda marks, both those they made and those about them; invitations
// they sent or were sent; and their team links both ways: their reports lose their manager of record and they
// leave their manager's team. Submission and event ids are kept: they only
// make a repeated Slack delivery harmless and name no one.
//
// Forgetting someone microcoach does not know changes nothing and returns
// an empty count.
func (db *DB) ForgetPerson(id string) (coach.Forgotten, error) {
	var f coach.Forgotten
	if id == "" {
		return f, nil
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		f = coach.Forgotten{}
		return forget(tx, id, &f)
	})
	if err != nil {
		return coach.Forgotten{}, fmt.Errorf("storage: forget %s: %w", id, err)
	}
	return f, nil
}

func forget(tx *bolt.Tx, id string, f *coach.Forgotten) error {
	prefix := joinKey(id, "")
	ratedBy := func(k, v []byte) (bool, error) {
		var r coach.Rating
		if err := decodeValue(k, v, &r); err != nil {
			return false, err
		}
		return r.Rater == id, nil
	}
	prepAbout := func(k, _ []byte) (bool, error) {
		_, subject, _ := bytes.Cut(k, []byte{0})
		return string(subject) == id, nil
	}
	for _, s := range []struct {
		n   *int
		del func() (int, error)
	}{
		// Ratings of them are one range; ratings they gave are spread out.
		{&f.Ratings, func() (int, error) { return deletePrefix(tx.Bucket(bucketRatings), prefix) }},
		{&f.Ratings, func() (int, error) { return deleteWhere(tx.Bucket(bucketRatings), ratedBy) }},
		{&f.Plans, func() (int, error) { return deleteKey(tx.Bucket(bucketPlans), []byte(id)) }},
		{&f.PlanChanges, func() (int, error) { return deletePrefix(tx.Bucket(bucketPlanHistory), prefix) }},
		{&f.Challenges, func() (int, error) { return deletePrefix(tx.Bucket(bucketChallenges), prefix) }},
		{&f.Answers, func() (int, error) { return deletePrefix(tx.Bucket(bucketAnswers), prefix) }},
		{&f.Colours, func() (int, error) { return deletePrefix(tx.Bucket(bucketColours), prefix) }},
		{&f.Deliveries, func() (int, error) { return deletePrefix(tx.Bucket(bucketLedger), prefix) }},
		{&f.Deliveries, func() (int, error) { return deletePrefix(tx.Bucket(bucketQuarters), prefix) }},
		{&f.Preps, func() (int, error) { return deletePrefix(tx.Bucket(bucketPreps), prefix) }},
		{&f.Preps, func() (int, error) { return deleteWhere(tx.Bucket(bucketPreps), prepAbout) }},
	} {
		n, err := s.del()
		if err != nil {
			return err
		}
		*s.n += n
	}
	if err := forgetProposals(tx.Bucket(bucketChallenges), id, f); err != nil {
		return err
	}
	// The indexes hold nothing personal but the id.
	if _, err := deletePrefix(tx.Bucket(bucketOpen), prefix); err != nil {
		return err
	}
	if err := clearDue(tx, id, ^uint64(0)); err != nil {
		return err
	}
	if err := forgetTeamLinks(tx, id, f); err != nil {
		return err
	}
	invites, err := forgetInvitations(tx, id)
	if err != nil {
		return err
	}
	f.Invitations = invites
	n, err := deleteKey(tx.Bucket(bucketPeople), []byte(id))
	if err != nil {
		return err
	}
	f.Person = n == 1

	f.TotalRecords = f.Ratings + f.Challenges + f.Anonymised + f.Plans + f.PlanChanges + f.Answers +
		f.Colours + f.Deliveries + f.Preps + f.Reports + f.Invitations
	if f.Person {
		f.TotalRecords++
	}
	if f.LeftTeam {
		f.TotalRecords++
	}
	return nil
}

// forgetProposals deletes the challenges id proposed to others that were
// never accepted, and removes id as the author of those that were.
func forgetProposals(b *bolt.Bucket, id string, f *coach.Forgotten) error {
	changed := map[string]coach.Challenge{}
	var gone [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var c coach.Challenge
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode challenge %q: %w", k, err)
		}
		if c.By != id || c.Subject == id {
			return nil
		}
		if c.Status == coach.ChallengeAccepted {
			c.By = ""
			changed[string(k)] = c
			return nil
		}
		gone = append(gone, bytes.Clone(k))
		return nil
	})
	if err != nil {
		return err
	}
	for k, c := range changed {
		if err := putJSON(b, []byte(k), c); err != nil {
			return err
		}
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	f.Anonymised += len(changed)
	f.Challenges += len(gone)
	return nil
}

// forgetTeamLinks ends id's links both ways: each report loses id as their
// manager of record, and id leaves their own manager's team.
func forgetTeamLinks(tx *bolt.Tx, id string, f *coach.Forgotten) error {
	reports := tx.Bucket(bucketReports)
	people := tx.Bucket(bucketPeople)
	var keys [][]byte
	prefix := joinKey(id, "")
	c := reports.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := reports.Delete(k); err != nil {
			return err
		}
		r, found, err := getPerson(tx, string(k[len(prefix):]))
		if err != nil {
			return err
		}
		if found && r.Manager == id {
			r.Manager, r.ManagerSince = "", time.Time{}
			if err := putJSON(people, []byte(r.ID), r); err != nil {
				return err
			}
		}
		f.Reports++
	}
	me, found, err := getPerson(tx, id)
	if err != nil {
		return err
	}
	if found && me.Manager != "" {
		f.LeftTeam = true
		if err := markDue(tx, me.Manager); err != nil {
			return err
		}
		return reports.Delete(joinKey(me.Manager, id))
	}
	return nil
}

// deleteKey deletes one key and counts it if it was there.
func deleteKey(b *bolt.Bucket, k []byte) (int, error) {
	if b.Get(k) == nil {
		return 0, nil
	}
	return 1, b.Delete(k)
}

// deletePrefix deletes every key that starts with prefix.
func deletePrefix(b *bolt.Bucket, prefix []byte) (int, error) {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	return deleteKeys(b, keys)
}

// deleteWhere deletes every key for which match says so.
func deleteWhere(b *bolt.Bucket, match func(k, v []byte) (bool, error)) (int, error) {
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		ok, err := match(k, v)
		if ok {
			keys = append(keys, bytes.Clone(k))
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return deleteKeys(b, keys)
}

// deleteKeys deletes keys collected first: bbolt cursors must not see
// deletes mid-iteration.
func deleteKeys(b *bolt.Bucket, keys [][]byte) (int, error) {
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
