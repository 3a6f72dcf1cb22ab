package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/scheduler"
	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/postgres"
)

// store is what a running microcoach needs of its database, whichever
// backend holds it: the bbolt file (storage.DB) or PostgreSQL
// (postgres.DB).
type store interface {
	bot.Store
	scheduler.Store
	// Version reads the schema version: /readyz's read check.
	Version() (int, error)
	// Probe proves the database takes writes: /readyz's write check.
	Probe(now time.Time) error
	// WriteFailures counts failed writes of the inbox and the probe.
	WriteFailures() uint64
	// Expire removes dedupe records and ad-hoc question entries past
	// their keep.
	Expire(now time.Time, dedupeKeep, questionKeep time.Duration) (storage.Expired, error)
	// ExportAll is the admin listener's /export.
	ExportAll(now time.Time) (storage.Export, error)
	// People and ApplyOrg are the org chart import's.
	People() ([]coach.Person, error)
	ApplyOrg(changes []coach.OrgChange, at time.Time) ([]coach.ManagerChange, error)
	Close() error
}

var (
	_ store = (*storage.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// inboxStore is a durable inbox that is closed with the process.
type inboxStore interface {
	bot.Inbox
	Close() error
}

// backend is the database serve runs on, and what differs between the
// two kinds.
type backend struct {
	store
	where string // the file's path, or "PostgreSQL " and the URL without its password

	bolt *storage.DB  // nil in PostgreSQL mode: /backup is bbolt's
	pg   *postgres.DB // nil in bbolt mode

	inbox inboxStore
	// orphans adopts the inbox entries of replicas that died (PostgreSQL).
	orphans func(fn func(seq uint64, record []byte) error) error
	// screen reads a screen in one read transaction (bbolt) or snapshot
	// (PostgreSQL).
	screen func(fn func(bot.ScreenReader) error) error
	// leader says when this process runs the scheduler.
	leader leadership
}

// leadership runs lead while this process is the one that runs the
// scheduler, and tells the metrics whether it is.
type leadership interface {
	// Run calls lead each time this process becomes the leader, with a
	// context that ends when it stops being it, until ctx ends.
	Run(ctx context.Context, lead func(ctx context.Context))
	IsLeader() bool
}

// openBackend opens the database the configuration names: PostgreSQL
// when MICROCOACH_DATABASE_URL is set, else the bbolt file.
func openBackend(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	if cfg.DatabaseURL != "" {
		return openPostgres(ctx, cfg, log)
	}
	db, err := storage.Open(cfg.DBPath, storage.Options{Logger: log})
	var oe *storage.OpenError
	if errors.As(err, &oe) {
		return nil, &configError{Var: envPrefix + "_DB_PATH", Problem: fmt.Sprintf("cannot open %s: %v", oe.Path, oe.Err)}
	}
	if err != nil {
		return nil, err
	}
	inbox, err := db.OpenInbox(storage.Options{})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &backend{
		store: db, where: db.Path(), bolt: db, inbox: inbox,
		screen: screenReads(db), leader: soleProcess{},
	}, nil
}

// openPostgresAt opens the PostgreSQL database at url, which the setting
// named variable gave (MICROCOACH_DATABASE_URL, or migrate's -to). A URL
// that does not parse or a server that can't be reached or refuses the
// login, and a schema newer than this build, are configuration errors
// (exit 2) naming the setting, never the password; nothing is changed.
func openPostgresAt(ctx context.Context, url, variable string, opts postgres.Options) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, url, opts)
	var ue *postgres.URLError
	switch {
	case errors.As(err, &ue):
		return nil, &configError{Var: variable, Problem: ue.Problem()}
	case errors.Is(err, storage.ErrNewerSchema):
		return nil, &configError{Var: variable, Problem: "the database was set up by a newer microcoach than this one (" + err.Error() + "); run that version, or restore a dump taken before it upgraded; nothing was changed"}
	}
	return db, err
}

func openPostgres(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	db, err := openPostgresAt(ctx, cfg.DatabaseURL, envPrefix+"_DATABASE_URL", postgres.Options{})
	if err != nil {
		return nil, err
	}
	if label, half, err := db.ImportUnfinished(ctx); err != nil || half {
		db.Close()
		if err != nil {
			return nil, err
		}
		return nil, &configError{Var: envPrefix + "_DATABASE_URL", Problem: fmt.Sprintf("the database holds an unfinished copy of %s; run microcoach migrate again to finish it (or -force to start over) before starting microcoach on it", label)}
	}
	// A fresh owner per process: the inbox's entries are this process's
	// while it lives, and any replica's to adopt once it has died.
	inbox, err := db.OpenInbox(ctx, postgres.NewOwner())
	if err != nil {
		db.Close()
		return nil, err
	}
	return &backend{
		store: db, where: "PostgreSQL " + db.URL(), pg: db, inbox: inbox,
		orphans: func(fn func(uint64, []byte) error) error { _, err := inbox.InboxAdopt(fn); return err },
		screen: func(fn func(bot.ScreenReader) error) error {
			return db.View(func(s *postgres.DB) error { return fn(s) })
		},
		leader: db.Leader(postgres.LeaderOptions{Logger: log.With("component", "leader")}),
	}, nil
}

// kind names the backend: "bbolt" or "postgres", the metric's label.
func (b *backend) kind() string {
	if b.pg != nil {
		return "postgres"
	}
	return "bbolt"
}

// close closes the inbox, then the database.
func (b *backend) close(log *slog.Logger) {
	if err := b.inbox.Close(); err != nil {
		log.Error("close the inbox", "error", err)
	}
	if err := b.store.Close(); err != nil {
		log.Error("close the database", "error", err)
	}
}

// soleProcess is bbolt's leadership: the file's lock already makes this
// process the only one, so it leads from start to end.
type soleProcess struct{}

func (soleProcess) Run(ctx context.Context, lead func(ctx context.Context)) { lead(ctx) }
func (soleProcess) IsLeader() bool                                          { return true }
