package postgres

import (
	"testing"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/storage/postgres/pgtest"
	"github.com/microcoach/microcoach/storage/storagetest"
)

// The bot can run on this store. The scheduler cannot yet: its Store
// grew the due index (DueBefore, SetNextDue, NextDue, ResetDue,
// DueChanged) and the retention fold in schema v3 of the bbolt store,
// which this backend does not have yet, so serve does not offer
// PostgreSQL until it does.
var (
	_ bot.Store         = (*DB)(nil)
	_ storagetest.Store = (*DB)(nil)
)

// TestConformance runs the storage contract shared with the bbolt store,
// each subtest on a fresh database.
func TestConformance(t *testing.T) {
	pgtest.BaseURL(t) // skip, saying how to start a server, when there is none
	storagetest.Run(t, func(t *testing.T) storagetest.Store {
		return openTest(t, pgtest.URL(t))
	})
}
