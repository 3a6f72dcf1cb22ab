package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
)

// ClaimEvent records that a Slack event was seen and reports whether this
// is the first time, as storage.DB.ClaimEvent does: a repeat (Slack's retry
// of a slow ack) must change nothing and say nothing.
func (db *DB) ClaimEvent(eventID string, at time.Time) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		return claimSubmission(ctx, tx, "seen:"+eventID, at)
	})
	if errors.Is(err, coach.ErrDuplicate) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("postgres: claim event %s: %w", eventID, err)
	}
	return true, nil
}

// UpdateAnswer changes one of a person's answers in one transaction, as
// storage.DB.UpdateAnswer does: fn returning an error changes nothing; an
// answer left without text or emotion is deleted and the zero Answer
// returned.
func (db *DB) UpdateAnswer(person string, id uint64, fn func(a *coach.Answer) error) (coach.Answer, error) {
	var out coach.Answer
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		out = coach.Answer{}
		a, found, err := doc[coach.Answer](ctx, tx, `SELECT doc FROM answers WHERE person = $1 AND id = $2 FOR UPDATE`, person, id)
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
			_, err := tx.Exec(ctx, `DELETE FROM answers WHERE person = $1 AND id = $2`, person, id)
			return err
		}
		raw, err := encode(a)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE answers SET doc = $3 WHERE person = $1 AND id = $2`, person, id, raw); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return coach.Answer{}, fmt.Errorf("postgres: update answer %d of %s: %w", id, person, err)
	}
	return out, nil
}
