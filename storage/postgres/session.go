package postgres

import (
	"context"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
)

// A session is a connection of its own, outside the pool, for what lives
// as long as a PostgreSQL session does: the inbox's owner lock and the
// scheduler's leader lock. Session advisory locks are released by
// PostgreSQL when the session ends, which is how other replicas learn that
// a process died; so these sessions need a direct connection (or a pooler
// in session mode), never a pooler in transaction mode.

// Keepalives of a session, set on the server's side of it, so that
// PostgreSQL ends the session of a process whose host died or was cut off
// (no FIN ever arrives) within idle + interval × count = 11 s, and
// releases its locks. A process killed on a live host closes its socket
// and PostgreSQL notices at once. They have no effect on a Unix socket,
// where a dead peer is always noticed at once.
const (
	keepaliveIdle     = "5" // seconds
	keepaliveInterval = "2" // seconds
	keepaliveCount    = "3"
)

// sessionConfig is the pool's connection configuration for a session
// named app (application_name, unless the URL sets one): what shows in
// pg_stat_activity beside the lock it holds.
func (db *DB) sessionConfig(app string) *pgx.ConnConfig {
	cfg := db.pool.Config().ConnConfig // a copy
	if _, set := cfg.RuntimeParams["application_name"]; !set {
		cfg.RuntimeParams["application_name"] = app
	}
	return cfg
}

// connectSession opens a session with the keepalives above. They are set
// with set_config rather than as startup parameters, which some poolers
// refuse.
func connectSession(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `SELECT set_config('tcp_keepalives_idle', $1, false),
		set_config('tcp_keepalives_interval', $2, false), set_config('tcp_keepalives_count', $3, false)`,
		keepaliveIdle, keepaliveInterval, keepaliveCount); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// sessionKey is the advisory lock key (the one-bigint form) of a name in
// a kind of session lock: 64 bits of FNV-1a, so two live names share a
// key with a probability of about n²/2⁶⁵.
func sessionKey(kind, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("microcoach/" + kind + "/" + name))
	return int64(h.Sum64())
}
