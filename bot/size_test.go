package bot

import (
	"os"
	"testing"
	"time"
)

// TestDatabaseSizePerPerson measures the bbolt file for people with a year
// of history, for docs/performance.md. Run with -run DatabaseSize -v.
func TestDatabaseSizePerPerson(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a year of history")
	}
	const n = 200
	db, _ := yearOfHistory(t, n, gNow)
	start := time.Now()
	size, err := db.Size()
	if err != nil {
		t.Fatal(err)
	}
	inUse, err := db.InUse()
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(db.Path())
	t.Logf("%d people with a year of history: pages in use %d bytes (%.1f KB per person; %.0f MB for 10,000); file %d bytes; measured in %s",
		n, inUse, float64(inUse)/n/1024, float64(inUse)/n*10000/(1<<20), fi.Size(), time.Since(start))
	_ = size
}
