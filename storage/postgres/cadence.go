package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
)

func putDelivery(ctx context.Context, tx pgx.Tx, d coach.Delivery) error {
	raw, err := encode(d)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE ledger SET state = $4, doc = $5 WHERE person = $1 AND cadence = $2 AND period = $3`,
		d.Person, string(d.Cadence), d.Period, string(d.State), raw)
	return err
}

func lockDelivery(ctx context.Context, tx pgx.Tx, person string, c coach.Cadence, period string) (coach.Delivery, bool, error) {
	return doc[coach.Delivery](ctx, tx, `SELECT doc FROM ledger WHERE person = $1 AND cadence = $2 AND period = $3 FOR UPDATE`,
		person, string(c), period)
}

// QueueDeliveries records deliveries that are due, in one transaction. An
// entry that exists already is left as it is (a period is owed once, even
// when two replicas queue it at the same moment: the ledger's key decides).
// It returns the stored entries, new or old, in the order given.
func (db *DB) QueueDeliveries(ds []coach.Delivery) ([]coach.Delivery, error) {
	out := make([]coach.Delivery, len(ds))
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		for i, d := range ds {
			if d.State == "" {
				d.State = coach.DeliveryQueued
			}
			raw, err := encode(d)
			if err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `INSERT INTO ledger (person, cadence, period, state, doc) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (person, cadence, period) DO NOTHING`, d.Person, string(d.Cadence), d.Period, string(d.State), raw)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				out[i] = d
				continue
			}
			old, _, err := doc[coach.Delivery](ctx, tx, `SELECT doc FROM ledger WHERE person = $1 AND cadence = $2 AND period = $3`,
				d.Person, string(d.Cadence), d.Period)
			if err != nil {
				return err
			}
			out[i] = old
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: queue %d deliveries: %w", len(ds), err)
	}
	return out, nil
}

// UpdateDelivery changes one ledger entry, read under its row lock, so two
// replicas can't both move it from queued to attempted. fn may run more
// than once and must only set fields. It returns a coach.ENOTFOUND-coded
// error when the entry does not exist.
func (db *DB) UpdateDelivery(person string, c coach.Cadence, period string, fn func(d *coach.Delivery) error) (coach.Delivery, error) {
	var out coach.Delivery
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		d, found, err := lockDelivery(ctx, tx, person, c, period)
		if err != nil {
			return err
		}
		if !found {
			return coach.Errorf(coach.ENOTFOUND, "no delivery %s/%s/%s", person, c, period)
		}
		before := d.State
		if err := fn(&d); err != nil {
			return err
		}
		out = d
		// A sent check-in may owe a reminder: the scheduler looks again.
		if d.State != before && d.Cadence == coach.CadenceCheckin && d.State == coach.DeliverySent {
			markDue(ctx, person)
		}
		return putDelivery(ctx, tx, d)
	})
	if err != nil {
		return coach.Delivery{}, fmt.Errorf("postgres: update delivery %s/%s/%s: %w", person, c, period, err)
	}
	return out, nil
}

// Delivery returns one ledger entry.
func (db *DB) Delivery(person string, c coach.Cadence, period string) (coach.Delivery, bool, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	d, found, err := doc[coach.Delivery](ctx, db.pool, `SELECT doc FROM ledger WHERE person = $1 AND cadence = $2 AND period = $3`,
		person, string(c), period)
	if err != nil {
		return coach.Delivery{}, false, fmt.Errorf("postgres: delivery %s/%s/%s: %w", person, c, period, err)
	}
	return d, found, nil
}

// Deliveries returns a person's ledger entries of one cadence ("" for all,
// by cadence), oldest period first.
func (db *DB) Deliveries(person string, c coach.Cadence) ([]coach.Delivery, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	var out []coach.Delivery
	var err error
	if c == "" {
		out, err = docs[coach.Delivery](ctx, db.rq(), `SELECT doc FROM ledger WHERE person = $1 ORDER BY cadence, period`, person)
	} else {
		out, err = docs[coach.Delivery](ctx, db.rq(), `SELECT doc FROM ledger WHERE person = $1 AND cadence = $2 ORDER BY period`, person, string(c))
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: deliveries of %s: %w", person, err)
	}
	return out, nil
}

// OpenDeliveries returns every entry not yet sent or skipped: the work a
// restart must finish, by person, cadence and period.
func (db *DB) OpenDeliveries() ([]coach.Delivery, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.Delivery](ctx, db.pool, `SELECT doc FROM ledger WHERE state IN ('queued', 'attempted') ORDER BY person, cadence, period`)
	if err != nil {
		return nil, fmt.Errorf("postgres: open deliveries: %w", err)
	}
	return out, nil
}

// DeliveriesSince returns a person's ledger entries whose period starts at
// or after since, any cadence, by cadence and period. Periods are compared
// as text, as the bbolt store compares keys: periods named by date sort by
// time, and other period names (@every slots) are included when they sort
// after since.
func (db *DB) DeliveriesSince(person string, since time.Time) ([]coach.Delivery, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	from := since.UTC().Format("2006-01-02T15:04")
	out, err := docs[coach.Delivery](ctx, db.rq(), `SELECT doc FROM ledger WHERE person = $1 AND period >= $2 ORDER BY cadence, period`, person, from)
	if err != nil {
		return nil, fmt.Errorf("postgres: deliveries of %s since %s: %w", person, from, err)
	}
	return out, nil
}

// AddAnswer stores an answer to a bank question and marks the delivery it
// answers, in one transaction. A repeat of the same Slack event (same
// event id) returns coach.ErrDuplicate and changes nothing.
func (db *DB) AddAnswer(a coach.Answer, answers *coach.Delivery) (coach.Answer, error) {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if a.EventID != "" {
			if err := claimSubmission(ctx, tx, "event:"+a.EventID, a.At); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `SELECT nextval('answer_ids')`).Scan(&a.ID); err != nil {
			return err
		}
		raw, err := encode(a)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO answers (person, id, doc) VALUES ($1, $2, $3)`, a.Person, a.ID, raw); err != nil {
			return err
		}
		if answers != nil {
			return markAnswered(ctx, tx, *answers, a.At)
		}
		return nil
	})
	if err != nil {
		return coach.Answer{}, fmt.Errorf("postgres: add answer of %s: %w", a.Person, err)
	}
	return a, nil
}

func markAnswered(ctx context.Context, tx pgx.Tx, d coach.Delivery, at time.Time) error {
	cur, found, err := lockDelivery(ctx, tx, d.Person, d.Cadence, d.Period)
	if err != nil || !found || cur.Answered {
		return err
	}
	cur.Answered, cur.AnsweredAt = true, at
	return putDelivery(ctx, tx, cur)
}

// Answers returns a person's answers, oldest first.
func (db *DB) Answers(person string) ([]coach.Answer, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.Answer](ctx, db.rq(), `SELECT doc FROM answers WHERE person = $1 ORDER BY id`, person)
	if err != nil {
		return nil, fmt.Errorf("postgres: answers of %s: %w", person, err)
	}
	return out, nil
}

// SetAnswerShared shares an answer with the person's manager of record at
// this moment, or takes it back. Only the person's own answers can be
// changed; sharing without a manager of record is refused. The person's
// row is read FOR SHARE, so their manager can't change before this
// commits.
func (db *DB) SetAnswerShared(person string, id uint64, shared bool, at time.Time) (coach.Answer, error) {
	var a coach.Answer
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		var found bool
		var err error
		a, found, err = doc[coach.Answer](ctx, tx, `SELECT doc FROM answers WHERE person = $1 AND id = $2 FOR UPDATE`, person, id)
		if err != nil {
			return err
		}
		if !found {
			return coach.Errorf(coach.ENOTFOUND, "that answer no longer exists")
		}
		a.SharedWith, a.SharedAt = "", time.Time{}
		if shared {
			p, _, err := doc[coach.Person](ctx, tx, `SELECT doc FROM people WHERE id = $1 FOR SHARE`, person)
			if err != nil {
				return err
			}
			if p.Manager == "" {
				return coach.ErrNoManagerToShare
			}
			a.SharedWith, a.SharedAt = p.Manager, at
		}
		raw, err := encode(a)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE answers SET doc = $3 WHERE person = $1 AND id = $2`, person, id, raw)
		return err
	})
	if err != nil {
		return coach.Answer{}, fmt.Errorf("postgres: share answer %d of %s: %w", id, person, err)
	}
	return a, nil
}

// SetColour stores one theme's colour for a month (a later choice in the
// same month replaces the earlier) and marks the check-in answered.
func (db *DB) SetColour(c coach.ColourChoice, checkin *coach.Delivery) error {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if !c.Colour.Valid() {
			return coach.Errorf(coach.EINVALID, "%q is not green, yellow or red", c.Colour)
		}
		if err := coach.CheckNote(c.Note); err != nil {
			return err
		}
		raw, err := encode(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO colours (person, month, theme, doc) VALUES ($1, $2, $3, $4)
			ON CONFLICT (person, month, theme) DO UPDATE SET doc = excluded.doc`, c.Person, c.Month, c.Theme, raw); err != nil {
			return err
		}
		if checkin != nil {
			return markAnswered(ctx, tx, *checkin, c.At)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: colour of %s: %w", c.Person, err)
	}
	return nil
}

// Colours returns a person's colour choices, oldest month first (by theme
// within a month).
func (db *DB) Colours(person string) ([]coach.ColourChoice, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.ColourChoice](ctx, db.rq(), `SELECT doc FROM colours WHERE person = $1 ORDER BY month, theme`, person)
	if err != nil {
		return nil, fmt.Errorf("postgres: colours of %s: %w", person, err)
	}
	return out, nil
}

// LatestColours returns the most recent colour of each theme.
func (db *DB) LatestColours(person string) (map[string]coach.Colour, error) {
	cs, err := db.Colours(person)
	if err != nil {
		return nil, err
	}
	out := map[string]coach.Colour{}
	for _, c := range cs { // oldest month first: later ones win
		out[c.Theme] = c.Colour
	}
	return out, nil
}
