package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
)

// Every change of invitations takes the team lock first, as changes of
// managers of record do: whether an invitation may be made depends on
// the reporting chain.

func getInvitation(ctx context.Context, tx pgx.Tx, manager, report string) (coach.Invitation, bool, error) {
	return doc[coach.Invitation](ctx, tx, `SELECT doc FROM invitations WHERE report = $1 AND manager = $2`, report, manager)
}

func putInvitation(ctx context.Context, tx pgx.Tx, inv coach.Invitation) error {
	d, err := encode(inv)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO invitations (report, manager, doc) VALUES ($1, $2, $3)
		ON CONFLICT (report, manager) DO UPDATE SET doc = excluded.doc`, inv.Report, inv.Manager, d)
	return err
}

func deleteInvitation(ctx context.Context, tx pgx.Tx, manager, report string) error {
	_, err := tx.Exec(ctx, `DELETE FROM invitations WHERE report = $1 AND manager = $2`, report, manager)
	return err
}

// Invite stores an invitation from inv.Manager (enrolled as manager) to
// inv.Report, who is not enrolled. It refuses yourself, someone already
// yours and a reporting cycle (*coach.TeamError), and a second open
// invitation to the same person (coach.ErrAlreadyInvited, with the open
// one); an expired one is replaced.
func (db *DB) Invite(manager coach.Person, inv coach.Invitation) (coach.Invitation, error) {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockTeam, ""); err != nil {
			return err
		}
		if _, err := enroll(ctx, tx, manager); err != nil {
			return err
		}
		report, found, err := getPerson(ctx, tx, inv.Report)
		if err != nil {
			return err
		}
		if !found {
			report = coach.Person{ID: inv.Report}
		}
		managerOf, chainErr := managerChain(ctx, tx)
		err = coach.CheckManager(inv.Manager, report, managerOf)
		if cerr := chainErr(); cerr != nil {
			return cerr
		}
		if err != nil {
			return err
		}
		old, open, err := getInvitation(ctx, tx, inv.Manager, inv.Report)
		if err != nil {
			return err
		}
		if open && !old.Expired(inv.At) {
			inv = old
			return coach.ErrAlreadyInvited
		}
		return putInvitation(ctx, tx, inv)
	})
	if err != nil {
		return inv, fmt.Errorf("postgres: %s invites %s: %w", inv.Manager, inv.Report, err)
	}
	return inv, nil
}

// SetInvitationMessage records where the invitation's DM is, so it can be
// updated later. A settled invitation is left alone.
func (db *DB) SetInvitationMessage(manager, report, channel, ts string) error {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockTeam, ""); err != nil {
			return err
		}
		inv, found, err := getInvitation(ctx, tx, manager, report)
		if err != nil || !found {
			return err
		}
		inv.Channel, inv.TS = channel, ts
		return putInvitation(ctx, tx, inv)
	})
	if err != nil {
		return fmt.Errorf("postgres: note the invitation message to %s: %w", report, err)
	}
	return nil
}

// InvitationsFrom returns the open invitations manager sent (expired ones
// included, for the view to say so), in report id order.
func (db *DB) InvitationsFrom(manager string) ([]coach.Invitation, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.Invitation](ctx, db.rq(), `SELECT doc FROM invitations WHERE manager = $1 ORDER BY report`, manager)
	if err != nil {
		return nil, fmt.Errorf("postgres: invitations from %s: %w", manager, err)
	}
	return out, nil
}

// InvitationsTo returns the invitations addressed to report, in manager id
// order.
func (db *DB) InvitationsTo(report string) ([]coach.Invitation, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.Invitation](ctx, db.rq(), `SELECT doc FROM invitations WHERE report = $1 ORDER BY manager`, report)
	if err != nil {
		return nil, fmt.Errorf("postgres: invitations to %s: %w", report, err)
	}
	return out, nil
}

// AnswerInvitation settles the invitation from manager to report.ID.
// Accepting enrols the report and makes manager their manager of record
// (a former manager loses access in the same transaction); declining only
// removes it. An invitation that is gone is coach.ErrInvitationGone (or,
// when it was accepted already, a change with Already set); an expired one
// is removed and coach.ErrInvitationExpired.
func (db *DB) AnswerInvitation(report coach.Person, manager string, accept bool, now time.Time) (coach.ManagerChange, coach.Invitation, error) {
	var out coach.ManagerChange
	var inv coach.Invitation
	var expired bool
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		out, inv, expired = coach.ManagerChange{}, coach.Invitation{}, false
		if err := lock(ctx, tx, lockTeam, ""); err != nil {
			return err
		}
		var found bool
		var err error
		inv, found, err = getInvitation(ctx, tx, manager, report.ID)
		if err != nil {
			return err
		}
		if !found {
			p, known, err := getPerson(ctx, tx, report.ID)
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
			return deleteInvitation(ctx, tx, manager, report.ID)
		}
		if !accept {
			return deleteInvitation(ctx, tx, manager, report.ID)
		}
		if _, err := enroll(ctx, tx, report); err != nil {
			return err
		}
		out, err = setManager(ctx, tx, report.ID, manager, now)
		return err
	})
	switch {
	case err != nil:
		return coach.ManagerChange{}, inv, fmt.Errorf("postgres: %s answers %s's invitation: %w", report.ID, manager, err)
	case expired:
		return coach.ManagerChange{}, inv, fmt.Errorf("postgres: %s answers %s's invitation: %w", report.ID, manager, coach.ErrInvitationExpired)
	}
	return out, inv, nil
}

// WithdrawInvitation removes manager's open invitation to report.
func (db *DB) WithdrawInvitation(manager, report string) (coach.Invitation, error) {
	var inv coach.Invitation
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockTeam, ""); err != nil {
			return err
		}
		var found bool
		var err error
		inv, found, err = getInvitation(ctx, tx, manager, report)
		if err != nil {
			return err
		}
		if !found {
			return coach.ErrNotInvited
		}
		return deleteInvitation(ctx, tx, manager, report)
	})
	if err != nil {
		return inv, fmt.Errorf("postgres: %s withdraws the invitation to %s: %w", manager, report, err)
	}
	return inv, nil
}
