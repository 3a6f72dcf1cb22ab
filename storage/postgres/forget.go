package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
)

// ForgetPerson deletes everything stored about a person, in one
// transaction, exactly as storage.DB.ForgetPerson does and with the same
// counts: their person record; ratings of them and ratings they gave;
// their plan and its history; their challenges, and proposals they made
// that were not accepted (an accepted one stays with its author removed);
// their answers, colours, ledger entries and 1:1 agenda marks, both those
// they made and those about them; invitations they sent or were sent; and
// their team links both ways. Submission and event ids are kept.
//
// Forgetting someone microcoach does not know changes nothing and returns
// an empty count.
func (db *DB) ForgetPerson(id string) (coach.Forgotten, error) {
	var f coach.Forgotten
	if id == "" {
		return f, nil
	}
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		f = coach.Forgotten{}
		for _, l := range []struct {
			kind int32
			id   string
		}{{lockTeam, ""}, {lockPlan, id}, {lockChallenge, id}} {
			if err := lock(ctx, tx, l.kind, l.id); err != nil {
				return err
			}
		}
		return forget(ctx, tx, id, &f)
	})
	if err != nil {
		return coach.Forgotten{}, fmt.Errorf("postgres: forget %s: %w", id, err)
	}
	return f, nil
}

func forget(ctx context.Context, tx pgx.Tx, id string, f *coach.Forgotten) error {
	for _, s := range []struct {
		n   *int
		sql string
	}{
		{&f.Ratings, `DELETE FROM ratings WHERE subject = $1`},
		{&f.Ratings, `DELETE FROM ratings WHERE rater = $1`},
		{&f.Plans, `DELETE FROM plans WHERE owner = $1`},
		{&f.PlanChanges, `DELETE FROM plan_history WHERE owner = $1`},
		{&f.Challenges, `DELETE FROM challenges WHERE subject = $1`},
		{&f.Answers, `DELETE FROM answers WHERE person = $1`},
		{&f.Colours, `DELETE FROM colours WHERE person = $1`},
		{&f.Deliveries, `DELETE FROM ledger WHERE person = $1`},
		{&f.Deliveries, `DELETE FROM ledger_quarters WHERE person = $1`},
		{&f.Preps, `DELETE FROM preps WHERE viewer = $1`},
		{&f.Preps, `DELETE FROM preps WHERE subject = $1`},
		{&f.Challenges, `DELETE FROM challenges WHERE author = $1 AND subject <> $1 AND status <> 'accepted'`},
		{&f.Invitations, `DELETE FROM invitations WHERE report = $1 OR manager = $1`},
	} {
		tag, err := tx.Exec(ctx, s.sql, id)
		if err != nil {
			return err
		}
		*s.n += int(tag.RowsAffected())
	}
	// Accepted proposals stay with the report, without their author.
	accepted, err := docs[coach.Challenge](ctx, tx, `SELECT doc FROM challenges WHERE author = $1 AND subject <> $1 ORDER BY subject, id FOR UPDATE`, id)
	if err != nil {
		return err
	}
	for _, c := range accepted {
		c.By = ""
		if err := putChallenge(ctx, tx, c); err != nil {
			return err
		}
	}
	f.Anonymised = len(accepted)

	// Their reports lose their manager of record.
	reports, err := docs[coach.Person](ctx, tx, `SELECT doc FROM people WHERE manager = $1 AND manager <> '' ORDER BY id FOR UPDATE`, id)
	if err != nil {
		return err
	}
	for _, r := range reports {
		r.Manager, r.ManagerSince = "", time.Time{}
		if err := putPerson(ctx, tx, r); err != nil {
			return err
		}
	}
	f.Reports = len(reports)

	var manager string
	err = tx.QueryRow(ctx, `DELETE FROM people WHERE id = $1 RETURNING manager`, id).Scan(&manager)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return err
	default:
		f.Person = true
		f.LeftTeam = manager != ""
		markDue(ctx, manager) // one report fewer
	}
	// Their place in the due index (not a record about them to count).
	if _, err := tx.Exec(ctx, `DELETE FROM due WHERE person = $1`, id); err != nil {
		return err
	}

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
