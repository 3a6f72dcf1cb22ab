package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// takeover is the bound the issue sets on a new leader after the old
// one's death.
const takeover = 15 * time.Second

// candidate is one replica's Leader, running, with what its callback saw.
type candidate struct {
	l       *Leader
	elected chan context.Context // each election's context
	stop    context.CancelFunc
	done    chan struct{} // closed when Run returned
}

func campaign(t *testing.T, db *DB, opts LeaderOptions) *candidate {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	c := &candidate{l: db.Leader(opts), elected: make(chan context.Context, 16), stop: stop, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.l.Run(ctx, func(ctx context.Context) {
			c.elected <- ctx
			<-ctx.Done()
		})
	}()
	t.Cleanup(func() {
		stop()
		<-c.done
	})
	return c
}

// awaitElected waits for c's next election, at most within.
func (c *candidate) awaitElected(t *testing.T, within time.Duration, what string) context.Context {
	t.Helper()
	select {
	case ctx := <-c.elected:
		return ctx
	case <-time.After(within):
		t.Fatalf("not elected within %s: %s", within, what)
		return nil
	}
}

func awaitDone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("leader's context not cancelled: %s", what)
	}
}

// TestLeaderFailover: of two replicas one leads; when its session ends
// (its process died, as pg_terminate_backend shows PostgreSQL), its
// callback's context is cancelled and the other leads within the bound;
// when that one stops, the first leads again.
func TestLeaderFailover(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	admin := openTest(t, url)
	fast := LeaderOptions{Interval: 50 * time.Millisecond}
	a := campaign(t, openTest(t, url), fast)
	actx := a.awaitElected(t, 10*time.Second, "a, alone")
	b := campaign(t, openTest(t, url), fast)
	// b tries every 50 ms and loses each time; give it ten tries.
	select {
	case <-b.elected:
		t.Fatal("b elected while a leads")
	case <-time.After(10 * fast.Interval):
	}
	if !a.l.IsLeader() || b.l.IsLeader() {
		t.Fatalf("IsLeader: a %v, b %v; want a only", a.l.IsLeader(), b.l.IsLeader())
	}

	start := time.Now()
	terminate(t, admin, a.l.pid.Load())
	awaitDone(t, actx, "a's session was terminated")
	bctx := b.awaitElected(t, takeover, "a's session ended")
	t.Logf("b leads %s after a's session ended", time.Since(start).Round(time.Millisecond))
	if a.l.IsLeader() || !b.l.IsLeader() {
		t.Errorf("IsLeader after the failover: a %v, b %v; want b only", a.l.IsLeader(), b.l.IsLeader())
	}

	// a campaigns again on a fresh session; it leads once b stops.
	b.stop()
	<-b.done
	awaitDone(t, bctx, "b's Run was stopped")
	if b.l.IsLeader() {
		t.Error("b leads after its Run returned")
	}
	a.awaitElected(t, takeover, "b stopped")
}

// TestLeaderGivesUpWhenTheCallbackReturns: a callback that returns while
// leading gives leadership up, and the replica campaigns again.
func TestLeaderGivesUpWhenTheCallbackReturns(t *testing.T) {
	t.Parallel()
	db := openTest(t, pgtest.URL(t))
	l := db.Leader(LeaderOptions{Interval: 20 * time.Millisecond})
	ctx, stop := context.WithCancel(context.Background())
	var mu sync.Mutex
	runs := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx, func(context.Context) {
			mu.Lock()
			defer mu.Unlock()
			if runs++; runs == 3 {
				stop()
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		stop()
		<-done
		t.Fatalf("callback ran %d times, want 3", runs)
	}
	if l.IsLeader() {
		t.Error("leads after Run returned")
	}
	var held string
	if err := db.pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(l.pid || ':' || l.objid || ':' || a.application_name, ','), '') FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE locktype = 'advisory' AND granted
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&held); err != nil || held != "" {
		t.Errorf("advisory locks held after Run returned: %s (%v)", held, err)
	}
}

// TestLeaderTakeoverAfterSIGKILL: a replica leading in another process is
// killed with SIGKILL; this one, trying at the default interval, leads
// within the bound.
func TestLeaderTakeoverAfterSIGKILL(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	child, _ := startChild(t, url, "leader") // "ready" once elected
	c := campaign(t, openTest(t, url), LeaderOptions{})
	select {
	case <-c.elected:
		t.Fatal("elected while another process leads")
	case <-time.After(3 * time.Second): // more than one try at 2 s
	}
	start := time.Now()
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.awaitElected(t, takeover, "the leading process was killed")
	t.Logf("took over %s after SIGKILL", time.Since(start).Round(time.Millisecond))
}
