package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// Person returns the person with the given Slack user id.
func (db *DB) Person(id string) (coach.Person, bool, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	p, found, err := getPerson(ctx, db.rq(), id)
	if err != nil {
		return coach.Person{}, false, fmt.Errorf("postgres: person %s: %w", id, err)
	}
	return p, found, nil
}

func getPerson(ctx context.Context, q querier, id string) (coach.Person, bool, error) {
	return doc[coach.Person](ctx, q, `SELECT doc FROM people WHERE id = $1`, id)
}

// lockPerson reads a person's row and locks it until the transaction ends:
// the read of a read-modify-write.
func lockPerson(ctx context.Context, tx pgx.Tx, id string) (coach.Person, bool, error) {
	return doc[coach.Person](ctx, tx, `SELECT doc FROM people WHERE id = $1 FOR UPDATE`, id)
}

// putPerson writes a person who exists; the manager column follows the
// record.
func putPerson(ctx context.Context, tx pgx.Tx, p coach.Person) error {
	d, err := encode(p)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE people SET manager = $2, doc = $3 WHERE id = $1`, p.ID, p.Manager, d)
	return err
}

// People returns everyone microcoach knows, in id order.
func (db *DB) People() ([]coach.Person, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.Person](ctx, db.pool, `SELECT doc FROM people ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: people: %w", err)
	}
	return out, nil
}

// Enroll stores p unless they are known already, and returns the stored
// person either way.
func (db *DB) Enroll(p coach.Person) (coach.Person, error) {
	var out coach.Person
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = enroll(ctx, tx, p)
		return err
	})
	if err != nil {
		return coach.Person{}, fmt.Errorf("postgres: enroll %s: %w", p.ID, err)
	}
	return out, nil
}

// enroll stores p unless a person with that id exists already, filling in
// a name learnt later; it returns the stored person.
func enroll(ctx context.Context, tx pgx.Tx, p coach.Person) (coach.Person, error) {
	d, err := encode(p)
	if err != nil {
		return coach.Person{}, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO people (id, manager, doc) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, p.ID, p.Manager, d)
	if err != nil {
		return coach.Person{}, err
	}
	if tag.RowsAffected() == 1 {
		markDue(ctx, p.ID)
		return p, nil
	}
	old, _, err := getPerson(ctx, tx, p.ID)
	if err != nil || old.Name != "" || p.Name == "" {
		return old, err
	}
	// A name to fill in: read again under the row's lock.
	old, _, err = lockPerson(ctx, tx, p.ID)
	if err != nil || old.Name != "" {
		return old, err
	}
	old.Name = p.Name
	return old, putPerson(ctx, tx, old)
}

// EnrollAll stores many new people in one transaction (seeding, imports,
// benchmarks). People already known are left as they are.
func (db *DB) EnrollAll(ps []coach.Person) error {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		for _, p := range ps {
			if _, err := enroll(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: enroll %d people: %w", len(ps), err)
	}
	return nil
}

// UpdatePerson changes one person's record in one transaction, enrolling
// them first if needed (with base as the new record). fn returning an
// error changes nothing; fn may run more than once and must only set
// fields.
func (db *DB) UpdatePerson(base coach.Person, fn func(p *coach.Person) error) (coach.Person, error) {
	var out coach.Person
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if _, err := enroll(ctx, tx, base); err != nil {
			return err
		}
		p, _, err := lockPerson(ctx, tx, base.ID)
		if err != nil {
			return err
		}
		old := p
		if err := fn(&p); err != nil {
			return err
		}
		out = p
		if storage.DueFieldsDiffer(old, p) {
			markDue(ctx, p.ID)
		}
		return putPerson(ctx, tx, p)
	})
	if err != nil {
		return coach.Person{}, fmt.Errorf("postgres: update %s: %w", base.ID, err)
	}
	return out, nil
}

// SetDMChannel remembers the app's DM channel with a person. A person
// microcoach does not know is left unknown.
func (db *DB) SetDMChannel(person, channel string) error {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		p, found, err := lockPerson(ctx, tx, person)
		if err != nil || !found || p.DMChannel == channel {
			return err
		}
		p.DMChannel = channel
		return putPerson(ctx, tx, p)
	})
	if err != nil {
		return fmt.Errorf("postgres: DM channel of %s: %w", person, err)
	}
	return nil
}

// Reports returns the people whose manager of record is manager, in id order.
func (db *DB) Reports(manager string) ([]coach.Person, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[coach.Person](ctx, db.rq(), `SELECT doc FROM people WHERE manager = $1 AND manager <> '' ORDER BY id`, manager)
	if err != nil {
		return nil, fmt.Errorf("postgres: reports of %s: %w", manager, err)
	}
	return out, nil
}

// AssignManager makes manager the manager of record of report without an
// invitation (an admin's assignment), enrolling both. A report who had
// another manager moves, and the former one loses access in the same
// transaction; an open invitation from manager to report is settled by it.
// It refuses (with a *coach.TeamError) yourself, a manager already theirs,
// and anyone above the manager in the chain.
func (db *DB) AssignManager(manager, report coach.Person, at time.Time) (coach.ManagerChange, error) {
	var out coach.ManagerChange
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockTeam, ""); err != nil {
			return err
		}
		if _, err := enroll(ctx, tx, manager); err != nil {
			return err
		}
		if _, err := enroll(ctx, tx, report); err != nil {
			return err
		}
		var err error
		out, err = setManager(ctx, tx, report.ID, manager.ID, at)
		return err
	})
	if err != nil {
		return coach.ManagerChange{}, fmt.Errorf("postgres: make %s the manager of %s: %w", manager.ID, report.ID, err)
	}
	return out, nil
}

// managerChain returns managerOf for coach.CheckManager, reading inside
// tx, and a function that returns the first error it met.
func managerChain(ctx context.Context, tx pgx.Tx) (func(id string) string, func() error) {
	var first error
	return func(id string) string {
			if first != nil {
				return ""
			}
			var m string
			err := tx.QueryRow(ctx, `SELECT manager FROM people WHERE id = $1`, id).Scan(&m)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				first = err
			}
			return m
		}, func() error {
			return first
		}
}

// setManager moves the enrolled report to manager: checks the rule,
// unlinks a former manager, links the new one and settles an open
// invitation between them. The caller holds the team lock, so the chain
// the cycle check reads can't change before the transaction ends.
func setManager(ctx context.Context, tx pgx.Tx, report, manager string, at time.Time) (coach.ManagerChange, error) {
	r, _, err := lockPerson(ctx, tx, report)
	if err != nil {
		return coach.ManagerChange{}, err
	}
	managerOf, chainErr := managerChain(ctx, tx)
	err = coach.CheckManager(manager, r, managerOf)
	if cerr := chainErr(); cerr != nil {
		return coach.ManagerChange{}, cerr
	}
	if err != nil {
		return coach.ManagerChange{}, err
	}
	out := coach.ManagerChange{Former: r.Manager}
	// Having reports or not decides whether a manager gets a digest.
	markDue(ctx, r.Manager)
	markDue(ctx, manager)
	r.Manager, r.ManagerSince = manager, at
	if err := putPerson(ctx, tx, r); err != nil {
		return out, err
	}
	if err := deleteInvitation(ctx, tx, manager, r.ID); err != nil {
		return out, err
	}
	out.Person = r
	return out, nil
}

// RemoveReport ends manager's role as report's manager of record.
func (db *DB) RemoveReport(manager, report string) error {
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockTeam, ""); err != nil {
			return err
		}
		p, found, err := lockPerson(ctx, tx, report)
		if err != nil {
			return err
		}
		if !found || p.Manager != manager {
			return coach.ErrNotInTeam
		}
		return unlink(ctx, tx, p)
	})
	if err != nil {
		return fmt.Errorf("postgres: remove %s from %s's team: %w", report, manager, err)
	}
	return nil
}

// LeaveTeam ends the person's link to their manager of record and returns
// who that was.
func (db *DB) LeaveTeam(person string) (string, error) {
	var manager string
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockTeam, ""); err != nil {
			return err
		}
		p, found, err := lockPerson(ctx, tx, person)
		if err != nil {
			return err
		}
		if !found || p.Manager == "" {
			return coach.ErrNotInTeam
		}
		manager = p.Manager
		return unlink(ctx, tx, p)
	})
	if err != nil {
		return "", fmt.Errorf("postgres: %s leaves their team: %w", person, err)
	}
	return manager, nil
}

// unlink ends p's link to their manager; p was read under its row lock.
func unlink(ctx context.Context, tx pgx.Tx, p coach.Person) error {
	markDue(ctx, p.Manager)
	p.Manager, p.ManagerSince = "", time.Time{}
	return putPerson(ctx, tx, p)
}

// ApplyOrg applies the changes of an org chart import (coach.PlanOrg) in
// one transaction, as storage.DB.ApplyOrg does: everyone named is
// enrolled, reports are first detached from former managers and then
// linked to their new ones, and a change the rules refuse rolls everything
// back with an error naming its line.
func (db *DB) ApplyOrg(changes []coach.OrgChange, at time.Time) ([]coach.ManagerChange, error) {
	out := make([]coach.ManagerChange, len(changes))
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if err := lock(ctx, tx, lockTeam, ""); err != nil {
			return err
		}
		seen := make(map[string]int, len(changes))
		for _, c := range changes {
			if c.Report.ID == "" || c.Manager.ID == "" {
				return fmt.Errorf("line %d: the change names nobody", c.Line)
			}
			if l, ok := seen[c.Report.ID]; ok {
				return fmt.Errorf("line %d: %s is already on line %d", c.Line, c.Report.ID, l)
			}
			seen[c.Report.ID] = c.Line
			for _, p := range []coach.OrgPerson{c.Manager, c.Report} {
				if _, err := enroll(ctx, tx, coach.Person{ID: p.ID, Name: p.Name, TZ: p.TZ, EnrolledAt: at}); err != nil {
					return fmt.Errorf("line %d: enrol %s: %w", c.Line, p.ID, err)
				}
			}
		}
		for i, c := range changes {
			r, _, err := lockPerson(ctx, tx, c.Report.ID)
			if err != nil {
				return fmt.Errorf("line %d: %w", c.Line, err)
			}
			out[i] = coach.ManagerChange{Person: r, Former: r.Manager, Already: r.Manager == c.Manager.ID}
			if r.Manager != "" && !out[i].Already {
				if err := unlink(ctx, tx, r); err != nil {
					return fmt.Errorf("line %d: %w", c.Line, err)
				}
			}
		}
		for i, c := range changes {
			if out[i].Already {
				continue
			}
			ch, err := setManager(ctx, tx, c.Report.ID, c.Manager.ID, at)
			if err != nil {
				return fmt.Errorf("line %d: make %s the manager of %s: %w", c.Line, c.Manager.ID, c.Report.ID, err)
			}
			ch.Former = out[i].Former
			out[i] = ch
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: org import (nothing was changed): %w", err)
	}
	return out, nil
}
