package storage_test

import (
	"path/filepath"
	"testing"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/scheduler"
	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/storagetest"
)

// The bot and the scheduler can both run on this store, as on
// storage/postgres's (see its conformance_test.go).
var (
	_ bot.Store         = (*storage.DB)(nil)
	_ scheduler.Store   = (*storage.DB)(nil)
	_ storagetest.Store = (*storage.DB)(nil)
)

// TestConformance runs the storage contract shared with storage/postgres
// against the bbolt store.
func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Store {
		db, err := storage.Open(filepath.Join(t.TempDir(), "conformance.db"), storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Check(); err != nil {
				t.Errorf("consistency check: %v", err)
			}
			db.Close()
		})
		return db
	})
}
