package postgres

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The inbox keeps what Slack handed over between its ack and the end of
// the work it asks for, as the bbolt store's inbox file does
// (storage/inbox.go), in the table inbox shared by every replica.
//
// # Owners
//
// Each process opens one Inbox with an owner id of its own, and the
// Inbox's session holds a session advisory lock on that id for as long as
// it is open. Every write of the inbox goes through that session, so rows
// of an owner are only ever written by the session that holds the owner's
// lock. When a process dies (SIGKILL, a crash, its host gone), PostgreSQL
// ends its session and releases the lock (at once for a dead process, in
// ~11 s for a dead host: see the keepalives in session.go); another
// replica's adoption then finds the lock free and moves the dead owner's
// entries to itself, under that lock, so nothing acknowledged is lost.
// An Inbox closed at shutdown with work left does the same for its
// entries: the next adoption of any replica picks them up.
//
// Owner ids are random per process (NewOwner), not stable names: a
// restarted process never has to wait for its predecessor's session to
// end (which, for a dead host, takes the keepalive time), and what its
// predecessor left is adopted like any dead owner's, which is the same
// result. A stable id (a StatefulSet's pod name) works too: its own
// leftovers come back in InboxPending.
//
// # Calling it from the bot
//
// InboxAdd and InboxPending are bot.Inbox. InboxPending, at start, adopts
// the entries of dead owners and returns them with this owner's
// leftovers. While running, every replica calls InboxAdopt every
// AdoptEvery (5 s) and queues what it returns like recovered entries: that
// is how a replica that died mid-work has its acknowledged envelopes run
// by another within seconds instead of at its own restart.
//
// If the owner's session breaks while the process lives (a network cut,
// a restarted server), InboxAdd fails until a new session holds the lock
// again (the bot tells the person "not saved"), and another replica may
// adopt entries this process has in work: those are run twice. The bot's
// handlers are idempotent by envelope and event id, which makes that
// harmless; it is the price of never losing one.

// AdoptEvery is how often a running replica should call InboxAdopt: the
// wait, after a replica dies, before another starts on its entries.
const AdoptEvery = 5 * time.Second

// ownerWait is how long OpenInbox waits for an owner's lock held by
// another session: a replica adopting that owner's entries holds it for a
// moment.
const ownerWait = 5 * time.Second

// ErrOwnerInUse is returned by OpenInbox when another session has held
// the owner's lock for longer than a moment: another process with the
// same owner id is alive (or its host died less than ~11 s ago).
var ErrOwnerInUse = errors.New("postgres: inbox owner in use by another session")

// Inbox is one process's share of the inbox table. It is safe for
// concurrent use; calls go one at a time through the owner's session.
type Inbox struct {
	db    *DB
	owner string
	key   int64
	cfg   *pgx.ConnConfig

	mu     sync.Mutex
	conn   *pgx.Conn // holds the owner's lock; nil when it broke
	usedAt time.Time
	closed bool
	// known holds the entries of this owner handed to the caller (by
	// InboxAdd, InboxPending, InboxAdopt) and not removed since: any
	// other entry of this owner is one whose write's answer was lost,
	// and InboxAdopt hands it out.
	known map[uint64]bool
}

// NewOwner returns a fresh owner id: the host name (a pod's name, for
// logs and pg_stat_activity) and 48 random bits.
func NewOwner() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "microcoach"
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return host + "/" + hex.EncodeToString(b[:])
}

// OpenInbox opens this process's inbox as owner ("" for a NewOwner),
// taking the owner's lock on a session of its own. It waits a moment
// (5 s) for a lock another session holds, then returns ErrOwnerInUse.
func (db *DB) OpenInbox(ctx context.Context, owner string) (*Inbox, error) {
	if owner == "" {
		owner = NewOwner()
	}
	in := &Inbox{db: db, owner: owner, key: sessionKey("inbox", owner), cfg: db.sessionConfig("microcoach inbox"), known: map[uint64]bool{}}
	deadline := time.Now().Add(ownerWait)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		conn, err := in.connect(ctx)
		if err == nil {
			in.conn, in.usedAt = conn, time.Now()
			return in, nil
		}
		if !errors.Is(err, ErrOwnerInUse) || time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("postgres: open inbox of %s: %w", owner, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("postgres: open inbox of %s: %w", owner, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// connect opens a session and takes the owner's lock in it.
func (in *Inbox) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := connectSession(ctx, in.cfg)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, in.key).Scan(&got); err != nil || !got {
		conn.Close(context.Background())
		if err == nil {
			err = ErrOwnerInUse
		}
		return nil, err
	}
	return conn, nil
}

// Owner is the inbox's owner id.
func (in *Inbox) Owner() string { return in.owner }

// Close ends the owner's session, which releases its lock: entries left
// are adopted by the next replica that looks (or by this owner again, if
// it opens the inbox first).
func (in *Inbox) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.closed = true
	if in.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Released before the session ends (which PostgreSQL finishes after
	// Close returns), so the entries left are free to adopt at once.
	_, err := in.conn.Exec(ctx, `SELECT pg_advisory_unlock_all()`)
	if cerr := in.conn.Close(ctx); err == nil {
		err = cerr
	}
	in.conn = nil
	if err != nil {
		return fmt.Errorf("postgres: close inbox of %s: %w", in.owner, err)
	}
	return nil
}

// do runs fn on the owner's session, connecting again (and taking the
// lock again) if the session broke. A session idle for over a second is
// pinged first, as pgxpool does. When the session breaks during fn, fn is
// run once more on a new one: the first run may have committed without
// its answer arriving, which leaves rows of this owner that no caller
// knows of (InboxAdopt finds them), never fewer. Callers hold in.mu.
func (in *Inbox) do(fn func(ctx context.Context, conn *pgx.Conn) error) error {
	if in.closed {
		return errors.New("inbox closed")
	}
	ctx, cancel := in.db.ctx()
	defer cancel()
	if in.conn != nil && time.Since(in.usedAt) > time.Second {
		if err := in.conn.Ping(ctx); err != nil {
			in.drop()
		}
	}
	for attempt := 1; ; attempt++ {
		if in.conn == nil {
			conn, err := in.connect(ctx)
			if err != nil {
				return fmt.Errorf("reconnect: %w", err)
			}
			in.conn = conn
		}
		err := fn(ctx, in.conn)
		in.usedAt = time.Now()
		if err == nil || !in.conn.IsClosed() {
			return err
		}
		in.drop()
		if attempt == 2 || ctx.Err() != nil {
			return err
		}
	}
}

func (in *Inbox) drop() {
	in.conn.Close(context.Background())
	in.conn = nil
}

// addSQL appends records ($2, in order) as the owner's ($1) and removes
// the owner's entries done ($3): one statement, so one round trip and one
// transaction (one commit, one WAL flush) for the whole batch. The
// identity is assigned in the order of the SELECT, and RETURNING follows
// the insertion order.
const addSQL = `WITH done AS (DELETE FROM inbox WHERE owner = $1 AND seq = ANY($3::bigint[]))
INSERT INTO inbox (owner, record)
SELECT $1, r FROM unnest($2::bytea[]) WITH ORDINALITY AS u(r, i) ORDER BY i
RETURNING seq`

// InboxAdd appends records to the inbox and removes the entries done, in
// one transaction, and returns the records' sequence numbers, in order.
// Either everything is written or nothing. Entries done that this owner
// no longer holds (another replica adopted them) are left alone.
func (in *Inbox) InboxAdd(records [][]byte, done []uint64) ([]uint64, error) {
	if len(records) == 0 && len(done) == 0 {
		return nil, nil
	}
	del := make([]int64, len(done))
	for i, s := range done {
		del[i] = int64(s)
	}
	if records == nil {
		records = [][]byte{} // an empty array, not NULL
	}
	seqs := make([]uint64, 0, len(records))
	in.mu.Lock()
	defer in.mu.Unlock()
	err := in.do(func(ctx context.Context, conn *pgx.Conn) error {
		seqs = seqs[:0]
		rows, err := conn.Query(ctx, addSQL, in.owner, records, del)
		if err != nil {
			return err
		}
		var seq int64
		_, err = pgx.ForEachRow(rows, []any{&seq}, func() error {
			seqs = append(seqs, uint64(seq))
			return nil
		})
		return err
	})
	if err == nil && len(seqs) != len(records) {
		err = fmt.Errorf("%d sequence numbers for %d records", len(seqs), len(records))
	}
	if err != nil {
		in.db.writeFailures.Add(1)
		return nil, fmt.Errorf("postgres: inbox of %s: %w", in.owner, err)
	}
	for _, s := range done {
		delete(in.known, s)
	}
	for _, s := range seqs {
		in.known[s] = true
	}
	return seqs, nil
}

// WriteFailures counts failed writes of the inbox (every envelope and its
// completion, see Inbox) and of the write probe since Open, as the bbolt
// store's does: a database that stops taking writes shows here at once
// under any traffic, and through the probe when there is none.
func (db *DB) WriteFailures() uint64 { return db.writeFailures.Load() }

type entry struct {
	seq    uint64
	record []byte
}

// InboxPending adopts the entries of dead owners, then calls fn for every
// entry this owner holds (its own leftovers and the adopted), oldest
// first. It is for start-up: later, entries in work are among them; call
// InboxAdopt instead. fn runs after the database work, so it may call the
// inbox.
func (in *Inbox) InboxPending(fn func(seq uint64, record []byte) error) error {
	var all []entry
	in.mu.Lock()
	err := in.do(func(ctx context.Context, conn *pgx.Conn) error {
		if _, err := in.adopt(ctx, conn); err != nil {
			return err
		}
		var err error
		all, err = scanEntries(conn.Query(ctx, `SELECT seq, record FROM inbox WHERE owner = $1 ORDER BY seq`, in.owner))
		return err
	})
	if err == nil {
		clear(in.known)
		for _, e := range all {
			in.known[e.seq] = true
		}
	}
	in.mu.Unlock()
	if err != nil {
		return fmt.Errorf("postgres: inbox of %s: %w", in.owner, err)
	}
	return each(all, fn)
}

// InboxAdopt moves to this owner the entries of owners that are gone (no
// session holds their lock) and calls fn for each of them, oldest first;
// it returns the number adopted. Every replica calls it every AdoptEvery
// while it runs. Two replicas adopting at once each get a share, never the
// same entry: an owner's entries move under its lock. It also hands out
// entries of this owner that no call returned (a write, or an adoption,
// whose answer the connection lost). fn runs after the database work, so
// it may call the inbox.
func (in *Inbox) InboxAdopt(fn func(seq uint64, record []byte) error) (int, error) {
	var got []entry
	in.mu.Lock()
	err := in.do(func(ctx context.Context, conn *pgx.Conn) error {
		adopted, err := in.adopt(ctx, conn)
		if err != nil {
			return err
		}
		known := make([]int64, 0, len(in.known)+len(adopted))
		for s := range in.known {
			known = append(known, int64(s))
		}
		for _, e := range adopted {
			known = append(known, int64(e.seq))
		}
		strays, err := scanEntries(conn.Query(ctx, `SELECT seq, record FROM inbox WHERE owner = $1 AND NOT seq = ANY($2::bigint[])`, in.owner, known))
		got = append(adopted, strays...)
		return err
	})
	if err == nil {
		slices.SortFunc(got, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
		for _, e := range got {
			in.known[e.seq] = true
		}
	}
	in.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("postgres: inbox of %s: adopt: %w", in.owner, err)
	}
	return len(got), each(got, fn)
}

// adopt moves the entries of every other owner whose lock it can take
// to this owner, and returns them by seq. The lock is taken in this
// owner's session and released as soon as the entries have moved.
func (in *Inbox) adopt(ctx context.Context, conn *pgx.Conn) ([]entry, error) {
	rows, err := conn.Query(ctx, `SELECT DISTINCT owner FROM inbox WHERE owner <> $1`, in.owner)
	if err != nil {
		return nil, err
	}
	owners, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, o := range owners {
		key := sessionKey("inbox", o)
		if key == in.key {
			continue // can't tell it from ourselves: left alone
		}
		var free bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&free); err != nil {
			return nil, err
		}
		if !free {
			continue // alive
		}
		moved, err := scanEntries(conn.Query(ctx, `WITH moved AS (UPDATE inbox SET owner = $1 WHERE owner = $2 RETURNING seq, record)
			SELECT seq, record FROM moved ORDER BY seq`, in.owner, o))
		// Released at once, even after a failure; if the session broke,
		// PostgreSQL released it.
		if _, uerr := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err == nil {
			err = uerr
		}
		if err != nil {
			return nil, err
		}
		out = append(out, moved...)
	}
	slices.SortFunc(out, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	return out, nil
}

func scanEntries(rows pgx.Rows, err error) ([]entry, error) {
	if err != nil {
		return nil, err
	}
	var out []entry
	var seq int64
	var record []byte
	_, err = pgx.ForEachRow(rows, []any{&seq, &record}, func() error {
		out = append(out, entry{seq: uint64(seq), record: record})
		record = nil // the next row gets a buffer of its own
		return nil
	})
	return out, err
}

func each(es []entry, fn func(seq uint64, record []byte) error) error {
	for _, e := range es {
		if err := fn(e.seq, e.record); err != nil {
			return err
		}
	}
	return nil
}
