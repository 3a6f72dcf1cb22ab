package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// probeTimeout bounds the write probe: /readyz must answer quickly, and a
// database that takes longer than this for a one-row write is not ready.
const probeTimeout = 3 * time.Second

// Probe proves the database takes writes, as storage.DB.Probe does for
// the bbolt file: it rewrites the one row of write_probe with now in a
// transaction of its own, committed (so flushed to the WAL), within 3 s.
// It fails when the server can't be reached, is read-only (a standby, or
// default_transaction_read_only) or can't write (a full disk). /readyz
// calls it, rate limited. Every replica writes the same row, which is a
// row lock held for one short statement.
func (db *DB) Probe(now time.Time) error {
	ctx, cancel := context.WithTimeout(context.Background(), min(probeTimeout, db.opTimeout))
	defer cancel()
	_, err := db.pool.Exec(ctx, `INSERT INTO write_probe (one, at) VALUES (true, $1) ON CONFLICT (one) DO UPDATE SET at = excluded.at`, now)
	if err != nil {
		db.writeFailures.Add(1)
		return fmt.Errorf("postgres: write probe: %w", err)
	}
	return nil
}

// Expire removes dedupe records (submission and event ids) older than
// dedupeKeep and ad-hoc question deliveries due longer than questionKeep
// ago, in one transaction, as storage.DB.Expire does (see
// storage.DedupeKeep and storage.QuestionKeep). Every replica may run it:
// a second run at the same time removes nothing more.
func (db *DB) Expire(now time.Time, dedupeKeep, questionKeep time.Duration) (storage.Expired, error) {
	var x storage.Expired
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM submissions WHERE at < $1`, now.Add(-dedupeKeep))
		if err != nil {
			return err
		}
		x.Dedupe = int(tag.RowsAffected())
		// Due is kept in doc only; a question's ledger entries are few
		// (one per /coach question), so reading them all is cheap.
		tag, err = tx.Exec(ctx, `DELETE FROM ledger WHERE cadence = $1 AND (doc->>'Due')::timestamptz < $2`,
			string(coach.CadenceQuestion), now.Add(-questionKeep))
		if err != nil {
			return err
		}
		x.Questions = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return storage.Expired{}, fmt.Errorf("postgres: expire: %w", err)
	}
	return x, nil
}
