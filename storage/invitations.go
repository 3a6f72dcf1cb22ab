package storage

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// Invitations live in two buckets: bucketInvites holds each one under
// report 0x00 manager, bucketInvitesSent indexes them by manager 0x00
// report. Both change in the same transaction.

func getInvitation(tx *bolt.Tx, manager, report string) (coach.Invitation, bool, error) {
	var inv coach.Invitation
	found, err := getJSON(tx.Bucket(bucketInvites), joinKey(report, manager), &inv)
	return inv, found, err
}

func putInvitation(tx *bolt.Tx, inv coach.Invitation) error {
	if err := putJSON(tx.Bucket(bucketInvites), joinKey(inv.Report, inv.Manager), inv); err != nil {
		return err
	}
	return tx.Bucket(bucketInvitesSent).Put(joinKey(inv.Manager, inv.Report), nil)
}

func deleteInvitation(tx *bolt.Tx, manager, report string) error {
	if err := tx.Bucket(bucketInvites).Delete(joinKey(report, manager)); err != nil {
		return err
	}
	return tx.Bucket(bucketInvitesSent).Delete(joinKey(manager, report))
}

// Invite stores an invitation from inv.Manager (enrolled as manager) to
// inv.Report, who is not enrolled: until they accept, microcoach keeps
// nothing about them but the invitation. It refuses yourself, someone
// already yours and a reporting cycle (*coach.TeamError), and a second
// open invitation to the same person (coach.ErrAlreadyInvited); an expired
// one is replaced.
func (db *DB) Invite(manager coach.Person, inv coach.Invitation) (coach.Invitation, error) {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := enroll(tx, manager); err != nil {
			return err
		}
		report, found, err := getPerson(tx, inv.Report)
		if err != nil {
			return err
		}
		if !found {
			report = coach.Person{ID: inv.Report}
		}
		if err := coach.CheckManager(inv.Manager, report, func(id string) string {
			p, _, _ := getPerson(tx, id)
			return p.Manager
		}); err != nil {
			return err
		}
		old, open, err := getInvitation(tx, inv.Manager, inv.Report)
		if err != nil {
			return err
		}
		if open && !old.Expired(inv.At) {
			inv = old
			return coach.ErrAlreadyInvited
		}
		return putInvitation(tx, inv)
	})
	if err != nil {
		return inv, fmt.Errorf("storage: %s invites %s: %w", inv.Manager, inv.Report, err)
	}
	return inv, nil
}

// SetInvitationMessage records where the invitation's DM is, so it can be
// updated later. A settled invitation is left alone.
func (db *DB) SetInvitationMessage(manager, report, channel, ts string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		inv, found, err := getInvitation(tx, manager, report)
		if err != nil || !found {
			return err
		}
		inv.Channel, inv.TS = channel, ts
		return putInvitation(tx, inv)
	})
	if err != nil {
		return fmt.Errorf("storage: note the invitation message to %s: %w", report, err)
	}
	return nil
}

// InvitationsFrom returns the open invitations manager sent (expired ones
// included, for the view to say so), in report id order.
func (db *DB) InvitationsFrom(manager string) ([]coach.Invitation, error) {
	var out []coach.Invitation
	err := db.view(func(tx *bolt.Tx) error {
		prefix := joinKey(manager, "")
		c := tx.Bucket(bucketInvitesSent).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			inv, found, err := getInvitation(tx, manager, string(k[len(prefix):]))
			if err != nil {
				return err
			}
			if found {
				out = append(out, inv)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: invitations from %s: %w", manager, err)
	}
	return out, nil
}

// InvitationsTo returns the invitations addressed to report, in manager id
// order.
func (db *DB) InvitationsTo(report string) ([]coach.Invitation, error) {
	return readSeries[coach.Invitation](db, bucketInvites, joinKey(report, ""), "invitations to "+report)
}

// AnswerInvitation settles the invitation from manager to report.p.ID.
// Accepting enrols the report and makes manager their manager of record
// (a former manager loses access in the same transaction); declining only
// removes it. An invitation that is gone is coach.ErrInvitationGone (or,
// when it was accepted already, a change with Already set); an expired one
// is removed and coach.ErrInvitationExpired.
func (db *DB) AnswerInvitation(report coach.Person, manager string, accept bool, now time.Time) (coach.ManagerChange, coach.Invitation, error) {
	var out coach.ManagerChange
	var inv coach.Invitation
	var expired bool
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var found bool
		var err error
		inv, found, err = getInvitation(tx, manager, report.ID)
		if err != nil {
			return err
		}
		if !found {
			p, known, err := getPerson(tx, report.ID)
			if err != nil {
				return err
			}
			if accept && known && p.Manager == manager {
				out = coach.ManagerChange{Person: p, Former: manager, Already: true}
				return nil
			}
			return coach.ErrInvitationGone
		}
		if inv.Expired(now) {
			expired = true
			return deleteInvitation(tx, manager, report.ID)
		}
		if !accept {
			return deleteInvitation(tx, manager, report.ID)
		}
		r, err := enroll(tx, report)
		if err != nil {
			return err
		}
		out, err = setManager(tx, r, manager, now)
		return err
	})
	switch {
	case err != nil:
		return coach.ManagerChange{}, inv, fmt.Errorf("storage: %s answers %s's invitation: %w", report.ID, manager, err)
	case expired:
		return coach.ManagerChange{}, inv, fmt.Errorf("storage: %s answers %s's invitation: %w", report.ID, manager, coach.ErrInvitationExpired)
	}
	return out, inv, nil
}

// WithdrawInvitation removes manager's open invitation to report.
func (db *DB) WithdrawInvitation(manager, report string) (coach.Invitation, error) {
	var inv coach.Invitation
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var found bool
		var err error
		inv, found, err = getInvitation(tx, manager, report)
		if err != nil {
			return err
		}
		if !found {
			return coach.ErrNotInvited
		}
		return deleteInvitation(tx, manager, report)
	})
	if err != nil {
		return inv, fmt.Errorf("storage: %s withdraws the invitation to %s: %w", manager, report, err)
	}
	return inv, nil
}

// forgetInvitations deletes every invitation to or from id.
func forgetInvitations(tx *bolt.Tx, id string) (int, error) {
	var pairs [][2]string // manager, report
	for _, side := range []struct {
		bucket []byte
		pair   func(other string) [2]string
	}{
		{bucketInvites, func(m string) [2]string { return [2]string{m, id} }},
		{bucketInvitesSent, func(r string) [2]string { return [2]string{id, r} }},
	} {
		prefix := joinKey(id, "")
		c := tx.Bucket(side.bucket).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			pairs = append(pairs, side.pair(string(k[len(prefix):])))
		}
	}
	for _, p := range pairs {
		if err := deleteInvitation(tx, p[0], p[1]); err != nil {
			return 0, err
		}
	}
	return len(pairs), nil
}
