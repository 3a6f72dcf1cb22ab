package storage_test

import (
	"path/filepath"
	"testing"

	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/storagetest"
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
