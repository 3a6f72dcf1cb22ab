package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

func openInbox(t testing.TB, db *DB, owner string) *Inbox {
	t.Helper()
	in, err := db.OpenInbox(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func add(t testing.TB, in *Inbox, done []uint64, records ...string) []uint64 {
	t.Helper()
	rs := make([][]byte, len(records))
	for i, r := range records {
		rs[i] = []byte(r)
	}
	seqs, err := in.InboxAdd(rs, done)
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// pending is what InboxPending returns, as "record" strings in order.
func pending(t *testing.T, in *Inbox) []string {
	t.Helper()
	var got []string
	var last uint64
	if err := in.InboxPending(func(seq uint64, rec []byte) error {
		if seq <= last {
			t.Errorf("seq %d after %d", seq, last)
		}
		last = seq
		got = append(got, string(rec))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// adoptAfter adopts until it gets something, for at most 10 s: a session
// PostgreSQL was told to end (or whose process died) releases its locks
// a moment later.
func adoptAfter(t *testing.T, in *Inbox) []string {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		got = adopt(t, in)
	}
	return got
}

func adopt(t *testing.T, in *Inbox) []string {
	t.Helper()
	var got []string
	n, err := in.InboxAdopt(func(_ uint64, rec []byte) error {
		got = append(got, string(rec))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(got) {
		t.Errorf("InboxAdopt says %d, called fn %d times", n, len(got))
	}
	return got
}

// terminate ends the session of backend pid from another connection, as
// PostgreSQL ends a session whose process died.
func terminate(t *testing.T, db *DB, pid uint32) {
	t.Helper()
	var ok bool
	if err := db.pool.QueryRow(context.Background(), `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate backend %d: %v, %v", pid, ok, err)
	}
}

func (in *Inbox) pid() uint32 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.conn.PgConn().PID()
}

// TestInboxKeepsOrderAcrossReopen: records come back oldest first after
// the inbox is closed and opened again by the same owner, without those
// removed; a batch keeps its order.
func TestInboxKeepsOrderAcrossReopen(t *testing.T) {
	t.Parallel()
	db := openTest(t, pgtest.URL(t))
	in := openInbox(t, db, "replica-1")
	var all []uint64
	for i := range 5 {
		seqs := add(t, in, nil, fmt.Sprint("a", i), fmt.Sprint("b", i))
		if len(seqs) != 2 || seqs[0] >= seqs[1] || (len(all) > 0 && seqs[0] <= all[len(all)-1]) {
			t.Fatalf("seqs %v after %v", seqs, all)
		}
		all = append(all, seqs...)
	}
	// Remove two, in the same transaction as a new record.
	add(t, in, []uint64{all[0], all[3]}, "c")
	// A batch of many keeps its order.
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprint("m", i))
	}
	seqs := add(t, in, nil, many...)
	if !slices.IsSorted(seqs) {
		t.Errorf("batch seqs out of order: %v", seqs)
	}
	// Only removals: nothing new.
	if seqs, err := in.InboxAdd(nil, seqs); err != nil || len(seqs) != 0 {
		t.Fatalf("InboxAdd(nil, done) = %v, %v", seqs, err)
	}
	in.Close()
	if _, err := in.InboxAdd([][]byte{[]byte("x")}, nil); err == nil {
		t.Error("InboxAdd after Close succeeded")
	}
	in = openInbox(t, db, "replica-1")
	if got := fmt.Sprint(pending(t, in)); got != "[b0 a1 a2 b2 a3 b3 a4 b4 c]" {
		t.Errorf("pending %v", got)
	}
	if db.WriteFailures() != 1 {
		t.Errorf("%d write failures, want 1 (the write after Close)", db.WriteFailures())
	}
}

// TestInboxAdoptsADeadOwnersEntries: entries of a live owner stay its
// own; once its session ends (its process died), another owner adopts
// them, in order, exactly once, and the first owner, back, neither sees
// nor removes them.
func TestInboxAdoptsADeadOwnersEntries(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	dbA, dbB := openTest(t, url), openTest(t, url)
	a, b := openInbox(t, dbA, NewOwner()), openInbox(t, dbB, NewOwner())
	seqs := add(t, a, nil, "a1", "a2")
	add(t, a, nil, "a3")
	add(t, b, nil, "b1")
	if got := adopt(t, b); len(got) != 0 {
		t.Fatalf("b adopted %v from a live owner", got)
	}
	if got := fmt.Sprint(pending(t, b)); got != "[b1]" {
		t.Fatalf("b's pending %s, want [b1]", got)
	}

	terminate(t, dbA, a.pid())
	if got := fmt.Sprint(adoptAfter(t, b)); got != "[a1 a2 a3]" {
		t.Fatalf("b adopted %s, want [a1 a2 a3]", got)
	}
	if got := adopt(t, b); len(got) != 0 {
		t.Fatalf("b adopted %v again", got)
	}
	// a's process lives on: its next write takes a session (and its
	// lock) again; its removal of what b adopted removes nothing.
	add(t, a, seqs, "a4")
	if n := dbA.WriteFailures(); n != 0 {
		t.Errorf("%d write failures: a's write after its session ended was not written again", n)
	}
	if got := fmt.Sprint(pending(t, a)); got != "[a4]" {
		t.Errorf("a's pending %s, want [a4]", got)
	}
	if got := fmt.Sprint(pending(t, b)); got != "[a1 a2 a3 b1]" {
		t.Errorf("b's pending %s, want [a1 a2 a3 b1]", got)
	}
	// An inbox closed with work left: its entries go to the next that looks.
	a.Close()
	if got := fmt.Sprint(pending(t, openInbox(t, dbA, ""))); got != "[a4]" {
		t.Errorf("a new owner's pending %s, want a's [a4]", got)
	}
}

// TestInboxHandsOutStrays: an entry of this owner that no call returned
// (a write whose answer the connection lost after the commit) is handed
// out by the next InboxAdopt, once.
func TestInboxHandsOutStrays(t *testing.T) {
	t.Parallel()
	db := openTest(t, pgtest.URL(t))
	in := openInbox(t, db, "")
	add(t, in, nil, "known")
	if _, err := db.pool.Exec(context.Background(), `INSERT INTO inbox (owner, record) VALUES ($1, 'stray')`, in.Owner()); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(adopt(t, in)); got != "[stray]" {
		t.Errorf("adopted %s, want [stray]", got)
	}
	if got := adopt(t, in); len(got) != 0 {
		t.Errorf("adopted %v again", got)
	}
}

// TestInboxConcurrentAdoption: replicas adopting at once share the dead
// owners' entries: each entry goes to exactly one.
func TestInboxConcurrentAdoption(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	db := openTest(t, url)
	var want []string
	for o := range 8 {
		in := openInbox(t, db, fmt.Sprint("dead-", o))
		for i := range 5 {
			r := fmt.Sprintf("%d.%d", o, i)
			add(t, in, nil, r)
			want = append(want, r)
		}
		in.Close()
	}
	const adopters = 4
	got := make([][]string, adopters)
	var wg sync.WaitGroup
	for i := range adopters {
		in := openInbox(t, openTest(t, url), "")
		wg.Go(func() {
			for range 3 {
				_, err := in.InboxAdopt(func(_ uint64, rec []byte) error {
					got[i] = append(got[i], string(rec))
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	all := slices.Concat(got...)
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("adopted %v (by %v), want each of %v once", all, got, want)
	}
}

// TestOpenInboxWaitsForItsOwner: a second inbox of the same owner waits
// for the first to close, and gives up with ErrOwnerInUse when it does
// not.
func TestOpenInboxWaitsForItsOwner(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	db := openTest(t, url)
	first := openInbox(t, db, "fixed")
	if _, err := db.OpenInbox(context.Background(), "fixed"); !errors.Is(err, ErrOwnerInUse) {
		t.Fatalf("second OpenInbox of a held owner = %v, want ErrOwnerInUse", err)
	}
	time.AfterFunc(300*time.Millisecond, func() { first.Close() })
	second := openInbox(t, db, "fixed")
	if second.Owner() != "fixed" {
		t.Errorf("owner %q", second.Owner())
	}
}

// TestInboxSurvivesSIGKILL: a process that acknowledged envelopes (its
// InboxAdd returned) and is then killed with SIGKILL has them run by
// another replica: they are adopted within one adoption round.
func TestInboxSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	db := openTest(t, url)
	replica := openInbox(t, db, "")
	child, _ := startChild(t, url, "inbox")
	// The child's owner is alive: nothing to adopt.
	if got := adopt(t, replica); len(got) != 0 {
		t.Fatalf("adopted %v from a live process", got)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	// PostgreSQL notices the closed socket at once.
	if got := adoptAfter(t, replica); fmt.Sprint(got) != "[e1 e2 e3]" {
		t.Errorf("adopted %v after SIGKILL, want [e1 e2 e3]", got)
	}
}
