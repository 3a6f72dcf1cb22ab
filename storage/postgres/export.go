package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// The exports are package storage's documents (storage.Export and
// storage.PersonExport), in the same order, so a reader can't tell which
// backend wrote them but for SchemaVersion, which is this database's.

// ExportAll returns every record, from one snapshot (a REPEATABLE READ
// transaction) while the bot keeps writing.
func (db *DB) ExportAll(now time.Time) (storage.Export, error) {
	e := storage.Export{
		Format: storage.ExportFormat, FormatVersion: storage.ExportFormatVersion, ExportedAt: now.UTC(),
		People: []coach.Person{}, TeamLinks: []storage.TeamLink{}, Ratings: []coach.Rating{},
		Challenges: []coach.Challenge{}, Plans: []coach.Plan{}, PlanHistory: []coach.PlanChange{},
		Answers: []coach.Answer{}, Colours: []coach.ColourChoice{}, Ledger: []coach.Delivery{}, Preps: []storage.Prep{},
		Invitations: []coach.Invitation{}, LedgerQuarters: []storage.QuarterCount{},
	}
	err := db.view(func(ctx context.Context, tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&e.SchemaVersion); err != nil {
			return err
		}
		for _, step := range []func(ctx context.Context, tx pgx.Tx) error{
			all(&e.Invitations, `SELECT doc FROM invitations ORDER BY report, manager`),
			all(&e.People, `SELECT doc FROM people ORDER BY id`),
			all(&e.Ratings, `SELECT doc FROM ratings ORDER BY subject, area, at_ns, id`),
			all(&e.Challenges, `SELECT doc FROM challenges ORDER BY subject, id`),
			all(&e.Plans, `SELECT doc FROM plans ORDER BY owner`),
			all(&e.PlanHistory, `SELECT doc FROM plan_history ORDER BY owner, version`),
			all(&e.Answers, `SELECT doc FROM answers ORDER BY person, id`),
			all(&e.Colours, `SELECT doc FROM colours ORDER BY person, month, theme`),
			all(&e.Ledger, `SELECT doc FROM ledger ORDER BY person, cadence, period`),
			all(&e.LedgerQuarters, quartersSQL+` ORDER BY person, cadence, quarter`),
		} {
			if err := step(ctx, tx); err != nil {
				return err
			}
		}
		var err error
		if e.TeamLinks, err = teamLinks(ctx, tx, ""); err != nil {
			return err
		}
		e.Preps, err = preps(ctx, tx, `SELECT viewer, subject, at_ns FROM preps ORDER BY viewer, subject`)
		return err
	})
	if err != nil {
		return storage.Export{}, fmt.Errorf("postgres: export: %w", err)
	}
	return e, nil
}

// all returns a step that appends the docs a query returns to *dst.
func all[T any](dst *[]T, sql string, args ...any) func(ctx context.Context, tx pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		xs, err := docs[T](ctx, tx, sql, args...)
		*dst = append(*dst, xs...)
		return err
	}
}

// teamLinks returns the links of manager ("" for everyone's), by manager
// and report.
func teamLinks(ctx context.Context, tx pgx.Tx, manager string) ([]storage.TeamLink, error) {
	rows, err := tx.Query(ctx, `SELECT manager, id FROM people WHERE manager <> '' AND ($1 = '' OR manager = $1) ORDER BY manager, id`, manager)
	if err != nil {
		return nil, err
	}
	out := []storage.TeamLink{}
	for rows.Next() {
		var l storage.TeamLink
		if err := rows.Scan(&l.Manager, &l.Report); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func preps(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]storage.Prep, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := []storage.Prep{}
	for rows.Next() {
		var p storage.Prep
		var ns int64
		if err := rows.Scan(&p.Viewer, &p.Subject, &ns); err != nil {
			rows.Close()
			return nil, err
		}
		p.At = time.Unix(0, ns).UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// ExportPerson returns one person's own data (see storage.PersonExport),
// from one snapshot. found is false when nothing is stored about them.
func (db *DB) ExportPerson(id string, now time.Time) (storage.PersonExport, bool, error) {
	e := storage.PersonExport{
		Format: storage.ExportFormat, FormatVersion: storage.ExportFormatVersion, ExportedAt: now.UTC(),
		Reports: []string{}, Ratings: []coach.Rating{}, RatingsGiven: []coach.Rating{},
		Challenges: []coach.Challenge{}, Proposed: []coach.Challenge{}, PlanHistory: []coach.PlanChange{},
		Answers: []coach.Answer{}, Colours: []coach.ColourChoice{}, Ledger: []coach.Delivery{}, Preps: []storage.Prep{},
		Invitations: []coach.Invitation{}, LedgerQuarters: []storage.QuarterCount{},
	}
	var found bool
	err := db.view(func(ctx context.Context, tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&e.SchemaVersion); err != nil {
			return err
		}
		p, ok, err := getPerson(ctx, tx, id)
		if err != nil || !ok {
			return err
		}
		found = true
		e.Person, e.Manager = p, p.Manager
		for _, step := range []func(ctx context.Context, tx pgx.Tx) error{
			all(&e.Ratings, `SELECT doc FROM ratings WHERE subject = $1 ORDER BY area, at_ns, id`, id),
			all(&e.RatingsGiven, `SELECT doc FROM ratings WHERE rater = $1 AND subject <> $1 ORDER BY subject, area, at_ns, id`, id),
			all(&e.Challenges, `SELECT doc FROM challenges WHERE subject = $1 ORDER BY id`, id),
			all(&e.Proposed, `SELECT doc FROM challenges WHERE author = $1 AND subject <> $1 ORDER BY subject, id`, id),
			all(&e.PlanHistory, `SELECT doc FROM plan_history WHERE owner = $1 ORDER BY version`, id),
			all(&e.Answers, `SELECT doc FROM answers WHERE person = $1 ORDER BY id`, id),
			all(&e.Colours, `SELECT doc FROM colours WHERE person = $1 ORDER BY month, theme`, id),
			all(&e.Ledger, `SELECT doc FROM ledger WHERE person = $1 ORDER BY cadence, period`, id),
			all(&e.LedgerQuarters, quartersSQL+` WHERE person = $1 ORDER BY cadence, quarter`, id),
			all(&e.Invitations, `SELECT doc FROM invitations WHERE report = $1 ORDER BY manager`, id),
			all(&e.Invitations, `SELECT doc FROM invitations WHERE manager = $1 ORDER BY report`, id),
		} {
			if err := step(ctx, tx); err != nil {
				return err
			}
		}
		links, err := teamLinks(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, l := range links {
			e.Reports = append(e.Reports, l.Report)
		}
		if e.Preps, err = preps(ctx, tx, `SELECT viewer, subject, at_ns FROM preps WHERE viewer = $1 ORDER BY subject`, id); err != nil {
			return err
		}
		plan, ok, err := doc[coach.Plan](ctx, tx, `SELECT doc FROM plans WHERE owner = $1`, id)
		if err != nil {
			return fmt.Errorf("decode plan: %w", err)
		}
		if ok {
			e.Plan = &plan
		}
		return nil
	})
	if err != nil {
		return storage.PersonExport{}, false, fmt.Errorf("postgres: export %s: %w", id, err)
	}
	return e, found, nil
}

// ExportPersonJSON is ExportPerson as an indented JSON document; found is
// false (and the document empty) when nothing is stored about the person.
func (db *DB) ExportPersonJSON(id string, now time.Time) ([]byte, bool, error) {
	e, found, err := db.ExportPerson(id, now)
	if err != nil || !found {
		return nil, found, err
	}
	raw, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, false, fmt.Errorf("postgres: export %s: %w", id, err)
	}
	return append(raw, '\n'), true, nil
}
