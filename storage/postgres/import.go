package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// Import copies a whole bbolt database into this one (microcoach migrate).
//
//   - Every record keeps its ids and timestamps, and its doc is its JSON
//     as the export has it, so ExportAll here returns what the bbolt
//     store's ExportAll returned (but for SchemaVersion, which is each
//     database's own).
//   - The id sequences are set past the highest id copied and past the
//     source's own sequences, so no id is handed out twice.
//   - The due index is not copied: it is derived from people and the
//     schedules. Everyone is marked instead, so the first tick of the
//     scheduler works out each person's due times from the schedules it
//     runs with. The dedupe records (Extras.Submissions) are copied.
//   - Records go in batches, each in a transaction of its own that also
//     advances the import table's row, so a copy that was interrupted
//     continues where it stopped when Import is called again with the
//     same source; with another source (or the same file after it
//     changed) it is refused with an *ImportOtherError. Once finished, a
//     call with the same source does nothing and says so (AlreadyDone).
//   - A target that holds records and no import of this source is refused
//     with an *ImportNotEmptyError, unless opts.Force, which empties it
//     first (also after a finished import of this source, which the
//     target may have changed since; an unfinished one is continued).

// ImportSource is what Import copies: a bbolt database's export and
// extras, and where they came from (a file's path), kept for messages.
type ImportSource struct {
	Export storage.Export
	Extras storage.Extras
	Label  string
}

// ImportOptions tune Import.
type ImportOptions struct {
	// Force empties a target that holds records (another import, or a
	// finished one of this source) first, instead of refusing it.
	Force bool
	// BatchSize is how many records one transaction copies; 0 means 5000.
	BatchSize int
	// AfterBatch, when set, hears about every batch once it is committed.
	AfterBatch func(ImportProgress)
}

// ImportProgress is where a copy stands after a batch.
type ImportProgress struct {
	Kind        string // what the batch copied: "people", "ratings", …
	Done, Total int    // records copied of every kind, and to copy
}

// ImportCount is how many records of one kind a source has.
type ImportCount struct {
	Kind string
	N    int
}

// ImportResult says what Import did.
type ImportResult struct {
	Counts      []ImportCount // per kind, in the order copied
	Resumed     bool          // it continued an interrupted copy of the same source
	AlreadyDone bool          // the same source was copied before; nothing was written
	StartedAt   time.Time     // when the copy (the first attempt, if resumed) started
	FinishedAt  time.Time     // when it finished
}

// ImportNotEmptyError refuses a target that already holds records.
type ImportNotEmptyError struct {
	Holds []ImportCount // what is there, kinds with none left out
}

func (e *ImportNotEmptyError) Error() string {
	parts := make([]string, len(e.Holds))
	for i, c := range e.Holds {
		parts[i] = fmt.Sprintf("%d %s", c.N, c.Kind)
	}
	return "the target database already holds " + strings.Join(parts, ", ")
}

// ImportOtherError refuses to continue (or repeat) the copy of another
// source: a different file, or the same one after it changed.
type ImportOtherError struct {
	Label     string // the other source's
	StartedAt time.Time
	Finished  bool
}

func (e *ImportOtherError) Error() string {
	state := "an unfinished copy"
	if e.Finished {
		state = "a finished copy"
	}
	return fmt.Sprintf("the target database holds %s of %s (started %s), and that source differs from this one (another file, or it changed since)",
		state, e.Label, e.StartedAt.UTC().Format(time.RFC3339))
}

// ErrImportRace is returned when another Import writes into the same
// database at the same time.
var ErrImportRace = errors.New("another migrate is copying into this database at the same time")

// importLock is the advisory lock key of Import's start ("mcimport").
const importLock = 0x6d63696d706f7274

// importKind is one table's share of a copy.
type importKind struct {
	name  string // for messages: "people", "ratings", …
	table string
	cols  []string
	n     int
	row   func(i int) ([]any, error)
}

func kindOf[T any](name, table string, cols []string, xs []T, row func(T) ([]any, error)) importKind {
	return importKind{name: name, table: table, cols: cols, n: len(xs), row: func(i int) ([]any, error) { return row(xs[i]) }}
}

// withDoc returns keys followed by v's JSON.
func withDoc(v any, keys ...any) ([]any, error) {
	d, err := encode(v)
	return append(keys, d), err
}

func need(what string, keys ...string) error {
	for _, k := range keys {
		if k == "" {
			return fmt.Errorf("a record of %s without its key", what)
		}
	}
	return nil
}

func importKinds(src ImportSource) []importKind {
	e := src.Export
	return []importKind{
		kindOf("people", "people", []string{"id", "manager", "doc"}, e.People, func(p coach.Person) ([]any, error) {
			if err := need("people", p.ID); err != nil {
				return nil, err
			}
			return withDoc(p, p.ID, p.Manager)
		}),
		kindOf("invitations", "invitations", []string{"report", "manager", "doc"}, e.Invitations, func(i coach.Invitation) ([]any, error) {
			if err := need("invitations", i.Report, i.Manager); err != nil {
				return nil, err
			}
			return withDoc(i, i.Report, i.Manager)
		}),
		kindOf("ratings", "ratings", []string{"subject", "area", "at_ns", "id", "rater", "doc"}, e.Ratings, func(r coach.Rating) ([]any, error) {
			if err := need("ratings", r.Subject, r.Area); err != nil {
				return nil, err
			}
			return withDoc(r, r.Subject, r.Area, r.At.UnixNano(), int64(r.ID), r.Rater)
		}),
		kindOf("challenges", "challenges", []string{"subject", "id", "author", "status", "doc"}, e.Challenges, func(c coach.Challenge) ([]any, error) {
			if err := need("challenges", c.Subject); err != nil {
				return nil, err
			}
			return withDoc(c, c.Subject, int64(c.ID), c.By, string(c.Status))
		}),
		kindOf("plans", "plans", []string{"owner", "doc"}, e.Plans, func(p coach.Plan) ([]any, error) {
			if err := need("plans", p.Owner); err != nil {
				return nil, err
			}
			return withDoc(p, p.Owner)
		}),
		kindOf("plan changes", "plan_history", []string{"owner", "version", "doc"}, e.PlanHistory, func(c coach.PlanChange) ([]any, error) {
			if err := need("plan history", c.Owner); err != nil {
				return nil, err
			}
			return withDoc(c, c.Owner, c.Version)
		}),
		kindOf("answers", "answers", []string{"person", "id", "doc"}, e.Answers, func(a coach.Answer) ([]any, error) {
			if err := need("answers", a.Person); err != nil {
				return nil, err
			}
			return withDoc(a, a.Person, int64(a.ID))
		}),
		kindOf("colours", "colours", []string{"person", "month", "theme", "doc"}, e.Colours, func(c coach.ColourChoice) ([]any, error) {
			if err := need("colours", c.Person); err != nil {
				return nil, err
			}
			return withDoc(c, c.Person, c.Month, c.Theme)
		}),
		kindOf("ledger entries", "ledger", []string{"person", "cadence", "period", "state", "doc"}, e.Ledger, func(d coach.Delivery) ([]any, error) {
			if err := need("the ledger", d.Person, string(d.Cadence)); err != nil {
				return nil, err
			}
			return withDoc(d, d.Person, string(d.Cadence), d.Period, string(d.State))
		}),
		kindOf("ledger quarters", "ledger_quarters", []string{"person", "cadence", "quarter", "sent", "answered", "skipped"}, e.LedgerQuarters, func(q storage.QuarterCount) ([]any, error) {
			return []any{q.Person, string(q.Cadence), q.Quarter, q.Sent, q.Answered, q.Skipped}, need("ledger quarters", q.Person)
		}),
		kindOf("1:1 preps", "preps", []string{"viewer", "subject", "at_ns"}, e.Preps, func(p storage.Prep) ([]any, error) {
			return []any{p.Viewer, p.Subject, p.At.UnixNano()}, need("preps", p.Viewer, p.Subject)
		}),
		kindOf("dedupe records", "submissions", []string{"id", "at"}, src.Extras.Submissions, func(s storage.Submission) ([]any, error) {
			return []any{s.ID, s.At}, need("submissions", s.ID)
		}),
	}
}

// dataTables are the tables that hold records, as the counts of a
// non-empty target name them.
var dataTables = []struct{ table, kind string }{
	{"people", "people"}, {"invitations", "invitations"}, {"ratings", "ratings"}, {"challenges", "challenges"},
	{"plans", "plans"}, {"plan_history", "plan changes"}, {"answers", "answers"}, {"colours", "colours"},
	{"ledger", "ledger entries"}, {"ledger_quarters", "ledger quarters"}, {"preps", "1:1 preps"},
	{"submissions", "dedupe records"}, {"due", "due index entries"}, {"inbox", "inbox entries"},
}

// fingerprint identifies a source by its records: a sha256 of their
// JSON, one record at a time (the whole document at once would be a
// second copy of the database in memory).
func fingerprint(src ImportSource) (string, error) {
	e := src.Export
	e.ExportedAt = time.Time{}
	h := sha256.New()
	enc := json.NewEncoder(h)
	v := reflect.ValueOf(e)
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Slice {
			if err := enc.Encode(f.Interface()); err != nil {
				return "", err
			}
			continue
		}
		fmt.Fprintf(h, "%s %d\n", v.Type().Field(i).Name, f.Len())
		for j := range f.Len() {
			if err := enc.Encode(f.Index(j).Interface()); err != nil {
				return "", err
			}
		}
	}
	if err := enc.Encode(src.Extras); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Import copies src into the database; see the comment at the top of
// this file. Cancelling ctx stops it between (or inside) batches; what
// was committed stays, and a later Import of the same source continues.
func (db *DB) Import(ctx context.Context, src ImportSource, opts ImportOptions) (ImportResult, error) {
	res, err := db.importAll(ctx, src, opts)
	if err != nil {
		return res, fmt.Errorf("postgres: import %s: %w", src.Label, err)
	}
	return res, nil
}

func (db *DB) importAll(ctx context.Context, src ImportSource, opts ImportOptions) (ImportResult, error) {
	batch := cmpOr(opts.BatchSize, 5000)
	kinds := importKinds(src)
	var res ImportResult
	total := 0
	for _, k := range kinds {
		res.Counts = append(res.Counts, ImportCount{Kind: k.name, N: k.n})
		total += k.n
	}
	fp, err := fingerprint(src)
	if err != nil {
		return res, err
	}
	done, err := db.startImport(ctx, fp, src.Label, opts.Force, &res)
	if err != nil || res.AlreadyDone {
		return res, err
	}
	// Copy from where the last attempt stopped: done records into kinds'
	// order.
	start := 0
	for _, k := range kinds {
		for from := max(done-start, 0); from < k.n; from += batch {
			to := min(from+batch, k.n)
			rows := make([][]any, 0, to-from)
			for i := from; i < to; i++ {
				r, err := k.row(i)
				if err != nil {
					return res, err
				}
				rows = append(rows, r)
			}
			err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
				if err := advance(ctx, tx, fp, start+from, start+to); err != nil {
					return err
				}
				_, err := tx.CopyFrom(ctx, pgx.Identifier{k.table}, k.cols, pgx.CopyFromRows(rows))
				return err
			})
			if err != nil {
				return res, fmt.Errorf("copy %s %d to %d of %d: %w", k.name, from+1, to, k.n, err)
			}
			done = start + to
			if opts.AfterBatch != nil {
				opts.AfterBatch(ImportProgress{Kind: k.name, Done: done, Total: total})
			}
		}
		start += k.n
	}
	res.FinishedAt, err = db.finishImport(ctx, fp, total, src)
	return res, err
}

// advance moves the import's mark from done to to, or fails with
// ErrImportRace when it is not at done (another Import moved it).
func advance(ctx context.Context, tx pgx.Tx, fp string, done, to int) error {
	tag, err := tx.Exec(ctx, `UPDATE import SET done = $3 WHERE source = $1 AND done = $2 AND finished_at IS NULL`, fp, done, to)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return ErrImportRace
	}
	return nil
}

// startImport decides between starting, continuing and refusing, and
// returns how many records are in already.
func (db *DB) startImport(ctx context.Context, fp, label string, force bool, res *ImportResult) (int, error) {
	var done int
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(importLock)); err != nil {
			return err
		}
		var source, oldLabel string
		var started time.Time
		var finished *time.Time
		err := tx.QueryRow(ctx, `SELECT source, label, done, started_at, finished_at FROM import`).Scan(&source, &oldLabel, &done, &started, &finished)
		switch {
		case err == nil && source == fp && !(force && finished != nil):
			res.StartedAt, res.AlreadyDone, res.Resumed = started, finished != nil, finished == nil
			if finished != nil {
				res.FinishedAt = *finished
			}
			return nil
		case err == nil && !force:
			return &ImportOtherError{Label: oldLabel, StartedAt: started, Finished: finished != nil}
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		holds, err := counts(ctx, tx)
		if err != nil {
			return err
		}
		if len(holds) > 0 && !force {
			return &ImportNotEmptyError{Holds: holds}
		}
		if force {
			tables := []string{"import"}
			for _, t := range dataTables {
				tables = append(tables, t.table)
			}
			if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(tables, ", ")); err != nil {
				return err
			}
			// The index is empty now; the rules it was built with go too.
			if _, err := tx.Exec(ctx, `UPDATE due_state SET rules = ''`); err != nil {
				return err
			}
		}
		done = 0
		return tx.QueryRow(ctx, `INSERT INTO import (source, label) VALUES ($1, $2) RETURNING started_at`, fp, label).Scan(&res.StartedAt)
	})
	return done, err
}

// counts returns how many records each data table holds, leaving out the
// empty ones.
func counts(ctx context.Context, tx pgx.Tx) ([]ImportCount, error) {
	var out []ImportCount
	for _, t := range dataTables {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+t.table).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, ImportCount{Kind: t.kind, N: n})
		}
	}
	return out, nil
}

// finishImport sets the sequences, marks everyone due and stamps the
// import finished, in one transaction.
func (db *DB) finishImport(ctx context.Context, fp string, total int, src ImportSource) (time.Time, error) {
	seqs := src.Extras.Sequences
	for _, r := range src.Export.Ratings {
		seqs.Ratings = max(seqs.Ratings, r.ID)
	}
	for _, c := range src.Export.Challenges {
		seqs.Challenges = max(seqs.Challenges, c.ID)
	}
	for _, a := range src.Export.Answers {
		seqs.Answers = max(seqs.Answers, a.ID)
	}
	var finished time.Time
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE import SET finished_at = now() WHERE source = $1 AND done = $2 AND finished_at IS NULL RETURNING finished_at`,
			fp, total).Scan(&finished)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrImportRace
		}
		if err != nil {
			return err
		}
		for _, s := range []struct {
			name string
			last uint64
		}{{"rating_ids", seqs.Ratings}, {"challenge_ids", seqs.Challenges}, {"answer_ids", seqs.Answers}} {
			// setval(s, n, true): the next id is n+1; (s, 1, false): it is 1.
			if _, err := tx.Exec(ctx, `SELECT setval($1, greatest($2::bigint, 1), $2::bigint > 0)`, s.name, int64(s.last)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM due`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `WITH s AS (UPDATE due_state SET seq = seq + 1 RETURNING seq)
			INSERT INTO due (person, cadence, at_ns) SELECT id, '', s.seq FROM people, s`); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, '')`, dueChannel)
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("finish: %w", err)
	}
	db.signal()
	return finished, nil
}

// ImportUnfinished reports whether the database holds a copy that was
// started and not finished, and of what (the source's label): serve
// should refuse to run on it, since it holds only part of the records.
func (db *DB) ImportUnfinished(ctx context.Context) (label string, unfinished bool, err error) {
	err = db.pool.QueryRow(ctx, `SELECT label FROM import WHERE finished_at IS NULL`).Scan(&label)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("postgres: import state: %w", err)
	}
	return label, true, nil
}
