package postgres

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
)

// The due index (migration 0002) lets the scheduler read only what is
// due, with the semantics of the bbolt store's (storage/due.go):
//
//   - table due has, per person and cadence, when the person is next due
//     (unix nanoseconds). Every change that can move a person's due times
//     (enrolment, a change of the fields storage.DueFieldsDiffer looks at,
//     a plan, a team change, a check-in sent, a forgotten report) puts a
//     mark for them in the same transaction: a row with cadence '' whose
//     at_ns is a small sequence number, long past, so the next tick reads
//     it and replaces it with real times (SetNextDue).
//   - The sequence is due_state.seq. A transaction that marks bumps it
//     once, as its last statement before commit (marks are collected while
//     it runs and written by flushMarks), so the row's lock is held only
//     for the moment of the commit and marks commit in sequence order:
//     when a snapshot sees seq = n, every mark numbered n or less is in
//     it. DueBefore reads seq and the index from one snapshot; SetNextDue
//     keeps marks numbered above the seq it was given, which are the
//     marks made while that tick worked.
//   - The commit of a mark notifies channel microcoach_due (pg_notify is
//     delivered on commit only). Every DB listens on a connection of its
//     own and signals DueChanged when a notification arrives, so a mark
//     made by one replica wakes the scheduler of every replica; the
//     replica that marked also signals at once after its commit. When the
//     listening connection breaks, it is opened again and DueChanged is
//     signalled once, since a notification may have been missed.

// dueChannel is the LISTEN/NOTIFY channel of marks.
const dueChannel = "microcoach_due"

// marks collects the people one transaction marks; db.update writes them
// just before the commit.
type marks struct {
	people map[string]bool
	notify bool // something marked (ResetDue marks everyone by itself)
}

type marksKey struct{}

// markDue asks the scheduler to work out person's due times again, in the
// transaction of ctx (one run by db.update).
func markDue(ctx context.Context, person string) {
	m, _ := ctx.Value(marksKey{}).(*marks)
	if m == nil || person == "" {
		return
	}
	if m.people == nil {
		m.people = map[string]bool{}
	}
	m.people[person] = true
	m.notify = true
}

// flushMarks writes the marks collected, under one new sequence number,
// and queues the notification. It reports whether anything was marked.
func (m *marks) flush(ctx context.Context, tx pgx.Tx) (bool, error) {
	if len(m.people) > 0 {
		people := make([]string, 0, len(m.people))
		for p := range m.people {
			people = append(people, p)
		}
		slices.Sort(people)
		if _, err := tx.Exec(ctx, `WITH s AS (UPDATE due_state SET seq = seq + 1 RETURNING seq)
			INSERT INTO due (person, cadence, at_ns) SELECT p, '', s.seq FROM s, unnest($1::text[]) AS p
			ON CONFLICT (person, cadence) DO UPDATE SET at_ns = excluded.at_ns`, people); err != nil {
			return false, err
		}
	}
	if !m.notify {
		return false, nil
	}
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, dueChannel)
	return err == nil, err
}

// signal wakes whoever waits on DueChanged, without blocking.
func (db *DB) signal() {
	select {
	case db.changed <- struct{}{}:
	default:
	}
}

// DueChanged receives a value after a commit, by any replica, that
// changed someone's due times: the scheduler's driver wakes on it.
func (db *DB) DueChanged() <-chan struct{} { return db.changed }

// listen starts the listening connection; it returns once LISTEN is in
// place, so a mark committed after Open returns is seen.
func (db *DB) listen(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := connectListener(ctx, cfg)
	if err != nil {
		return err
	}
	lctx, cancel := context.WithCancel(context.Background())
	db.stopListen, db.listenDone = cancel, make(chan struct{})
	go db.listenLoop(lctx, conn, cfg)
	return nil
}

func connectListener(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+dueChannel); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

func (db *DB) listenLoop(ctx context.Context, conn *pgx.Conn, cfg *pgx.ConnConfig) {
	defer close(db.listenDone)
	for {
		for {
			if _, err := conn.WaitForNotification(ctx); err != nil {
				break
			}
			db.signal()
		}
		conn.Close(context.Background())
		for wait := 100 * time.Millisecond; ; wait = min(2*wait, 30*time.Second) {
			if ctx.Err() != nil {
				return
			}
			c, err := connectListener(ctx, cfg)
			if err == nil {
				conn = c
				db.signal() // a notification may have been missed meanwhile
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	}
}

// unixNano is t as the index keeps it: marks use the small numbers.
func unixNano(t time.Time) int64 {
	if n := t.UnixNano(); n > 0 {
		return n
	}
	return 1
}

// DueBefore returns the people with an entry in the due index at or
// before now (each once, earliest first; at most limit of them unless
// limit is 0), and the mark sequence of the same snapshot, to hand back
// to SetNextDue.
func (db *DB) DueBefore(now time.Time, limit int) ([]string, uint64, error) {
	var people []string
	var seen int64
	err := db.view(func(ctx context.Context, tx pgx.Tx) error {
		people = nil
		if err := tx.QueryRow(ctx, `SELECT seq FROM due_state`).Scan(&seen); err != nil {
			return err
		}
		var lim any
		if limit > 0 {
			lim = limit
		}
		rows, err := tx.Query(ctx, `SELECT person FROM due WHERE at_ns <= $1 GROUP BY person ORDER BY min(at_ns), person LIMIT $2`,
			unixNano(now), lim)
		if err != nil {
			return err
		}
		people, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: due before %s: %w", now, err)
	}
	return people, uint64(seen), nil
}

// NextDue returns the earliest time in the due index; found is false when
// the index is empty.
func (db *DB) NextDue() (time.Time, bool, error) {
	ctx, cancel := db.ctx()
	defer cancel()
	var at *int64
	if err := db.pool.QueryRow(ctx, `SELECT min(at_ns) FROM due`).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("postgres: next due: %w", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return time.Unix(0, *at), true, nil
}

// SetNextDue replaces the index entries of each person in next with the
// times given (none: the person is due for nothing until something
// changes), in one transaction. Marks numbered above seen (made after the
// DueBefore that returned it) are kept.
func (db *DB) SetNextDue(seen uint64, next map[string]map[coach.Cadence]time.Time) error {
	keep := int64(math.MaxInt64)
	if seen < math.MaxInt64 {
		keep = int64(seen)
	}
	var people, owners, cadences []string
	var ats []int64
	for person := range next {
		people = append(people, person)
	}
	slices.Sort(people)
	for _, person := range people {
		for c, t := range next[person] {
			if c == "" || t.IsZero() {
				continue
			}
			owners, cadences, ats = append(owners, person), append(cadences, string(c)), append(ats, unixNano(t))
		}
	}
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM due WHERE person = ANY($1) AND NOT (cadence = '' AND at_ns > $2)`, people, keep); err != nil {
			return err
		}
		if len(owners) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO due (person, cadence, at_ns) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
			ON CONFLICT (person, cadence) DO UPDATE SET at_ns = excluded.at_ns`, owners, cadences, ats)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: set next due times of %d people: %w", len(next), err)
	}
	return nil
}

// ResetDue marks everyone for the scheduler to work out again when rules
// (the scheduler's description of its schedules) differ from the rules the
// index was built with, and remembers them; it reports whether it did. It
// is one transaction, so replicas starting together reset once (the
// second waits on the due_state row and then finds the rules stored).
func (db *DB) ResetDue(rules string) (bool, error) {
	var reset bool
	err := db.update(func(ctx context.Context, tx pgx.Tx) error {
		var old string
		if err := tx.QueryRow(ctx, `SELECT rules FROM due_state FOR UPDATE`).Scan(&old); err != nil {
			return err
		}
		if reset = old != rules; !reset {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM due`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `WITH s AS (UPDATE due_state SET seq = seq + 1, rules = $1 RETURNING seq)
			INSERT INTO due (person, cadence, at_ns) SELECT id, '', s.seq FROM people, s`, rules); err != nil {
			return err
		}
		if m, _ := ctx.Value(marksKey{}).(*marks); m != nil {
			m.notify = true
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("postgres: reset due index: %w", err)
	}
	return reset, nil
}

// ReleaseMapped does nothing: nothing of PostgreSQL is mapped into this
// process (the bbolt store lets go of its file's pages).
func (db *DB) ReleaseMapped() error { return nil }
