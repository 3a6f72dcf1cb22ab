package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// Retention, as the bbolt store's (storage/retention.go): ledger entries
// sent or skipped and due before the retention age are folded into one
// count per person, cadence and quarter (table ledger_quarters) and
// deleted. Entries still open are never folded.

func quarterOf(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// oldEntries returns the entries of people that FoldLedger folds; with
// lock, it locks them.
func oldEntries(ctx context.Context, tx pgx.Tx, people []string, before time.Time, lock bool) ([]coach.Delivery, error) {
	sql := `SELECT doc FROM ledger WHERE person = ANY($1) AND state IN ($2, $3) ORDER BY person, cadence, period`
	if lock {
		sql += ` FOR UPDATE`
	}
	all, err := docs[coach.Delivery](ctx, tx, sql, people, string(coach.DeliverySent), string(coach.DeliverySkipped))
	if err != nil {
		return nil, err
	}
	var out []coach.Delivery
	for _, d := range all {
		if !d.Due.IsZero() && d.Due.Before(before) {
			out = append(out, d)
		}
	}
	return out, nil
}

// FoldLedger folds the ledger entries of people that were due before
// before (and are sent or skipped) into quarter counts, in one
// transaction, and returns how many it folded. People with nothing to
// fold cost one read.
func (db *DB) FoldLedger(people []string, before time.Time) (int, error) {
	if len(people) == 0 {
		return 0, nil
	}
	var todo []string
	err := db.view(func(ctx context.Context, tx pgx.Tx) error {
		olds, err := oldEntries(ctx, tx, people, before, false)
		todo = nil
		for _, d := range olds {
			if len(todo) == 0 || todo[len(todo)-1] != d.Person {
				todo = append(todo, d.Person)
			}
		}
		return err
	})
	if err != nil || len(todo) == 0 {
		if err != nil {
			err = fmt.Errorf("postgres: fold ledger entries before %s: %w", before.Format(time.DateOnly), err)
		}
		return 0, err
	}
	var folded int
	err = db.update(func(ctx context.Context, tx pgx.Tx) error {
		olds, err := oldEntries(ctx, tx, todo, before, true)
		if err != nil {
			return err
		}
		folded = len(olds)
		type key struct{ person, cadence, quarter string }
		counts := map[key]*storage.QuarterCount{}
		var order []key
		var persons, cadences, periods []string
		for _, d := range olds {
			k := key{d.Person, string(d.Cadence), quarterOf(d.Due)}
			q := counts[k]
			if q == nil {
				q = &storage.QuarterCount{}
				counts[k] = q
				order = append(order, k)
			}
			switch {
			case d.State == coach.DeliverySkipped:
				q.Skipped++
			case d.Answered:
				q.Sent++
				q.Answered++
			default:
				q.Sent++
			}
			persons, cadences, periods = append(persons, d.Person), append(cadences, string(d.Cadence)), append(periods, d.Period)
		}
		for _, k := range order {
			q := counts[k]
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_quarters (person, cadence, quarter, sent, answered, skipped) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (person, cadence, quarter) DO UPDATE SET sent = ledger_quarters.sent + excluded.sent,
				answered = ledger_quarters.answered + excluded.answered, skipped = ledger_quarters.skipped + excluded.skipped`,
				k.person, k.cadence, k.quarter, q.Sent, q.Answered, q.Skipped); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `DELETE FROM ledger l USING unnest($1::text[], $2::text[], $3::text[]) AS o(person, cadence, period)
			WHERE l.person = o.person AND l.cadence = o.cadence AND l.period = o.period`, persons, cadences, periods)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: fold ledger entries before %s: %w", before.Format(time.DateOnly), err)
	}
	return folded, nil
}

// quartersSQL selects ledger_quarters rows as storage.QuarterCount JSON.
const quartersSQL = `SELECT json_build_object('person', person, 'cadence', cadence, 'quarter', quarter,
	'sent', sent, 'answered', answered, 'skipped', skipped) FROM ledger_quarters`

// LedgerQuarters returns a person's folded quarter counts, by cadence and
// then oldest quarter first.
func (db *DB) LedgerQuarters(person string) ([]storage.QuarterCount, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	out, err := docs[storage.QuarterCount](ctx, db.pool, quartersSQL+` WHERE person = $1 ORDER BY cadence, quarter`, person)
	if err != nil {
		return nil, fmt.Errorf("postgres: ledger quarters of %s: %w", person, err)
	}
	return out, nil
}
