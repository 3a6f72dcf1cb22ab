package postgres

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Leader elects one replica among those sharing the database to do what
// only one should: run the scheduler. The leader is the replica whose
// session holds the session advisory lock leaderLock; PostgreSQL releases
// it when that session ends, so when the leader's process dies another
// replica takes over at its next try:
//
//   - killed on a live host (SIGKILL, OOM, a crash): its socket closes,
//     PostgreSQL ends the session at once, and a standby takes over
//     within Interval (2 s);
//   - its host gone or cut off: PostgreSQL ends the session when its
//     keepalives give up (11 s, session.go), so within 11 s + Interval.
//
// Both are inside the 15 s the issue asks for. A leader checks its own
// session every Interval with SELECT 1 (bounded by Timeout); when the
// check fails it stops leading (its callback's context is cancelled) and
// campaigns again on a fresh connection. A leader cut off from the
// database thus stops within Interval + Timeout (5 s), before PostgreSQL
// lets another lead; were two to lead for a moment anyway, the ledger's
// key (person, cadence, period) keeps them from sending twice.
//
// # Calling it from serve
//
//	leader := db.Leader(postgres.LeaderOptions{Logger: log.With("component", "leader")})
//	go leader.Run(runCtx, engine.Run) // on every replica
//
// with a gauge of leader.IsLeader() for metrics. Run returns when runCtx
// is done, after engine.Run has returned; wait for it before closing the
// database. The bot (and its inbox) runs on every replica regardless.
type Leader struct {
	cfg      *pgx.ConnConfig
	interval time.Duration
	timeout  time.Duration
	log      *slog.Logger

	leading atomic.Bool
	pid     atomic.Uint32 // the session's backend, for tests
}

// leaderLock is the advisory lock key of the scheduler's leader
// ("mcleader"), in the one-bigint form, like migrationLock.
const leaderLock = 0x6d636c6561646572

// LeaderOptions tune a Leader. The zero value is what production uses.
type LeaderOptions struct {
	// Interval is how often a replica that does not lead tries to, and
	// how often the leader checks its session; 0 means 2 s.
	Interval time.Duration
	// Timeout bounds each try and each check; 0 means 3 s.
	Timeout time.Duration
	// Logger hears elections, losses and connection failures; nil
	// discards them.
	Logger *slog.Logger
}

// Leader returns this replica's candidate for leadership. It does nothing
// until Run.
func (db *DB) Leader(opts LeaderOptions) *Leader {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Leader{
		cfg:      db.sessionConfig("microcoach leader"),
		interval: cmpOr(opts.Interval, 2*time.Second),
		timeout:  cmpOr(opts.Timeout, 3*time.Second),
		log:      log,
	}
}

// IsLeader says whether this replica leads at this moment.
func (l *Leader) IsLeader() bool { return l.leading.Load() }

// Run campaigns for leadership until ctx is done. Each time this replica
// is elected it calls lead with a context that is cancelled when
// leadership is lost (the session broke or failed its check) or ctx is
// done, and waits for lead to return before campaigning again. lead
// should run until its context is done; if it returns earlier, the
// replica gives leadership up and campaigns again after Interval. Run
// returns when ctx is done and lead has returned; its session ends then,
// releasing leadership at once.
func (l *Leader) Run(ctx context.Context, lead func(ctx context.Context)) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			// Given up before the session ends, so that another replica
			// finds the lock free as soon as this returns.
			l.unlock(context.Background(), conn)
			l.close(conn)
		}
	}()
	failing := false
	for {
		var err error
		if conn == nil {
			conn, err = connectSession(ctx, l.cfg)
			if err == nil {
				l.pid.Store(conn.PgConn().PID())
			}
		}
		var won bool
		if err == nil {
			won, err = l.try(ctx, conn)
		}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				l.log.Warn("leader: cannot reach the database; trying again", "every", l.interval, "error", err)
			}
			failing = true
			if conn != nil {
				l.close(conn)
				conn = nil
			}
		case won:
			if failing {
				l.log.Info("leader: database reachable again")
				failing = false
			}
			if broken := l.lead(ctx, conn, lead); broken {
				l.close(conn)
				conn = nil
			} else if ctx.Err() == nil {
				l.unlock(ctx, conn)
			}
		default:
			if failing {
				l.log.Info("leader: database reachable again; another replica leads")
				failing = false
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(l.interval):
		}
	}
}

// try takes the lock if it is free; it also proves the session works.
func (l *Leader) try(ctx context.Context, conn *pgx.Conn) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	var won bool
	err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(leaderLock)).Scan(&won)
	return won, err
}

// lead runs fn while the session holds the lock, checking the session
// every interval, and reports whether the session broke.
func (l *Leader) lead(ctx context.Context, conn *pgx.Conn, fn func(context.Context)) (broken bool) {
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l.leading.Store(true)
	l.log.Info("leader: elected; this replica runs the scheduler", "pid", conn.PgConn().PID())
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(lctx)
	}()
	tick := time.NewTicker(l.interval)
	defer tick.Stop()
	for !broken {
		select {
		case <-done:
			l.leading.Store(false)
			if ctx.Err() == nil {
				l.log.Warn("leader: the scheduler returned while leading; giving leadership up")
			}
			return false
		case <-ctx.Done():
			l.leading.Store(false)
			<-done
			return false
		case <-tick.C:
			if err := l.check(ctx, conn); err != nil && ctx.Err() == nil {
				l.log.Error("leader: session lost; no longer leading", "error", err)
				broken = true
			}
		}
	}
	l.leading.Store(false)
	cancel()
	<-done
	return true
}

// check proves the session is alive, within the timeout.
func (l *Leader) check(ctx context.Context, conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	_, err := conn.Exec(ctx, `SELECT 1`)
	return err
}

// unlock gives leadership up (if held) while keeping the session; if
// that fails, the session is dropped at the next try, which releases it
// too.
func (l *Leader) unlock(ctx context.Context, conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock_all()`); err != nil {
		l.log.Warn("leader: could not give leadership up", "error", err)
	}
}

// close ends the session, without waiting long for a server that does
// not answer (it ends the session itself, by keepalive).
func (l *Leader) close(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn.Close(ctx)
}
