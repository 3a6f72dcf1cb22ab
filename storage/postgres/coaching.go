package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
)

// AddRatings stores ratings in one transaction and enrolls the people they
// name (the rater as given, the subject by id) if they are new. It assigns
// and returns the ratings' ids, which increase with every rating. Either
// all are stored or none. A non-empty submission id makes a second call
// with the same id return coach.ErrDuplicate.
func (db *DB) AddRatings(rater coach.Person, ratings []coach.Rating, submission string) ([]coach.Rating, error) {
	out := make([]coach.Rating, len(ratings))
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if len(ratings) > 0 {
			if err := claimSubmission(ctx, tx, submission, ratings[0].At); err != nil {
				return err
			}
		}
		if _, err := enroll(ctx, tx, rater); err != nil {
			return err
		}
		for i, r := range ratings {
			if err := r.Validate(); err != nil {
				return err
			}
			if r.Subject != rater.ID {
				if _, err := enroll(ctx, tx, coach.Person{ID: r.Subject, EnrolledAt: r.At}); err != nil {
					return err
				}
			}
			if err := tx.QueryRow(ctx, `SELECT nextval('rating_ids')`).Scan(&r.ID); err != nil {
				return err
			}
			r.At = r.At.UTC()
			d, err := encode(r)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO ratings (subject, area, at_ns, id, rater, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
				r.Subject, r.Area, r.At.UnixNano(), r.ID, r.Rater, d); err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: add ratings: %w", err)
	}
	return out, nil
}

// Ratings returns the ratings of subject in area, oldest first; with area
// "" every area, grouped by area id and oldest first within each.
func (db *DB) Ratings(subject, area string) ([]coach.Rating, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	var out []coach.Rating
	var err error
	if area == "" {
		out, err = docs[coach.Rating](ctx, db.rq(), `SELECT doc FROM ratings WHERE subject = $1 ORDER BY area, at_ns, id`, subject)
	} else {
		out, err = docs[coach.Rating](ctx, db.rq(), `SELECT doc FROM ratings WHERE subject = $1 AND area = $2 ORDER BY at_ns, id`, subject, area)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: ratings of %s: %w", subject, err)
	}
	return out, nil
}

func putChallenge(ctx context.Context, tx pgx.Tx, c coach.Challenge) error {
	d, err := encode(c)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO challenges (subject, id, author, status, doc) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (subject, id) DO UPDATE SET author = excluded.author, status = excluded.status, doc = excluded.doc`,
		c.Subject, c.ID, c.By, string(c.Status), d)
	return err
}

// AddChallenge stores a new version of subject's Next Bigger Challenge.
// A challenge the person sets themselves replaces any proposal still
// waiting; a new proposal replaces an older waiting one.
func (db *DB) AddChallenge(c coach.Challenge) (coach.Challenge, error) {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := coach.CheckChallengeText(c.Text); err != nil {
			return err
		}
		if err := lock(ctx, tx, lockChallenge, c.Subject); err != nil {
			return err
		}
		waiting, err := docs[coach.Challenge](ctx, tx, `SELECT doc FROM challenges WHERE subject = $1 AND status = $2 ORDER BY id FOR UPDATE`,
			c.Subject, string(coach.ChallengeProposed))
		if err != nil {
			return err
		}
		for _, old := range waiting {
			old.Status, old.DecidedAt = coach.ChallengeReplaced, c.At
			if err := putChallenge(ctx, tx, old); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `SELECT nextval('challenge_ids')`).Scan(&c.ID); err != nil {
			return err
		}
		return putChallenge(ctx, tx, c)
	})
	if err != nil {
		return coach.Challenge{}, fmt.Errorf("postgres: add challenge for %s: %w", c.Subject, err)
	}
	return c, nil
}

// AcceptChallenge accepts the proposal with the given id, which must be the
// subject's and still waiting.
func (db *DB) AcceptChallenge(subject string, id uint64, at time.Time) (coach.Challenge, error) {
	var out coach.Challenge
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockChallenge, subject); err != nil {
			return err
		}
		var found bool
		var err error
		out, found, err = doc[coach.Challenge](ctx, tx, `SELECT doc FROM challenges WHERE subject = $1 AND id = $2 FOR UPDATE`, subject, id)
		if err != nil {
			return err
		}
		if !found || out.Status != coach.ChallengeProposed {
			return coach.ErrNoProposal
		}
		out.Status, out.DecidedAt = coach.ChallengeAccepted, at
		return putChallenge(ctx, tx, out)
	})
	if err != nil {
		return coach.Challenge{}, fmt.Errorf("postgres: accept challenge %d of %s: %w", id, subject, err)
	}
	return out, nil
}

// Challenges returns every version of subject's challenge, oldest first.
func (db *DB) Challenges(subject string) ([]coach.Challenge, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.Challenge](ctx, db.rq(), `SELECT doc FROM challenges WHERE subject = $1 ORDER BY id`, subject)
	if err != nil {
		return nil, fmt.Errorf("postgres: challenges of %s: %w", subject, err)
	}
	return out, nil
}

// Plan returns owner's development plan.
func (db *DB) Plan(owner string) (coach.Plan, bool, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	p, found, err := doc[coach.Plan](ctx, db.rq(), `SELECT doc FROM plans WHERE owner = $1`, owner)
	if err != nil {
		return coach.Plan{}, false, fmt.Errorf("postgres: plan of %s: %w", owner, err)
	}
	return p, found, nil
}

// UpdatePlan applies edit to owner's plan in one transaction and keeps the
// change in the plan's history. The new plan's Version is old.Version+1.
// A non-empty submission id makes a repeat return coach.ErrDuplicate. The
// owner's plan lock makes a concurrent edit wait and then start from this
// one's result, so a stale edit sees the newer version (coach.ErrPlanChanged
// from edits that check it).
func (db *DB) UpdatePlan(owner, submission string, edit coach.PlanEdit) (coach.Plan, error) {
	var out coach.Plan
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockPlan, owner); err != nil {
			return err
		}
		old, _, err := doc[coach.Plan](ctx, tx, `SELECT doc FROM plans WHERE owner = $1`, owner)
		if err != nil {
			return err
		}
		p, change, err := edit(old)
		if err != nil {
			return err
		}
		if err := claimSubmission(ctx, tx, submission, change.At); err != nil {
			return err
		}
		p.Owner, p.Version = owner, old.Version+1
		change.Owner, change.Version = owner, p.Version
		pd, err := encode(p)
		if err != nil {
			return err
		}
		cd, err := encode(change)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO plans (owner, doc) VALUES ($1, $2) ON CONFLICT (owner) DO UPDATE SET doc = excluded.doc`, owner, pd); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO plan_history (owner, version, doc) VALUES ($1, $2, $3)
			ON CONFLICT (owner, version) DO UPDATE SET doc = excluded.doc`, owner, p.Version, cd); err != nil {
			return err
		}
		// A plan brings the quarterly refresh.
		markDue(ctx, owner)
		out = p
		return nil
	})
	if err != nil {
		return coach.Plan{}, fmt.Errorf("postgres: update plan of %s: %w", owner, err)
	}
	return out, nil
}

// PlanHistory returns every change to owner's plan, oldest first.
func (db *DB) PlanHistory(owner string) ([]coach.PlanChange, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.PlanChange](ctx, db.pool, `SELECT doc FROM plan_history WHERE owner = $1 ORDER BY version`, owner)
	if err != nil {
		return nil, fmt.Errorf("postgres: plan history of %s: %w", owner, err)
	}
	return out, nil
}

// LastPrep returns when viewer last prepared a 1:1 about subject.
func (db *DB) LastPrep(viewer, subject string) (time.Time, bool, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	var ns int64
	err := db.rq().QueryRow(ctx, `SELECT at_ns FROM preps WHERE viewer = $1 AND subject = $2`, viewer, subject).Scan(&ns)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, fmt.Errorf("postgres: last prep of %s for %s: %w", viewer, subject, err)
	}
	return time.Unix(0, ns).UTC(), true, nil
}

// RecordPrep remembers that viewer prepared a 1:1 about subject at at, so
// the next agenda starts from there.
func (db *DB) RecordPrep(viewer, subject string, at time.Time) error {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO preps (viewer, subject, at_ns) VALUES ($1, $2, $3)
			ON CONFLICT (viewer, subject) DO UPDATE SET at_ns = excluded.at_ns`, viewer, subject, at.UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: record prep of %s for %s: %w", viewer, subject, err)
	}
	return nil
}
