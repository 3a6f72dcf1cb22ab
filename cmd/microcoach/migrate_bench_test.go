package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// BenchmarkMigrate copies the footprint benchmark's database (10,000
// people with a year of weekly history, seedYear) into an empty
// PostgreSQL database, verification included, as microcoach migrate does.
//
//	eval "$(deploy/pg-scratch.sh)"
//	go test ./cmd/microcoach -run '^$' -bench Migrate -benchtime 1x
func BenchmarkMigrate(b *testing.B) {
	const n = 10000
	path := filepath.Join(b.TempDir(), "microcoach.db")
	seedStart := time.Now()
	seedYear(b, path, n, time.Now())
	b.Logf("seeded %d people in %s", n, time.Since(seedStart).Round(time.Second))
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		u := pgtest.URL(b)
		b.StartTimer()
		start := time.Now()
		if err := migrate(context.Background(), migrateOptions{from: path, to: u, toVar: "-to", batch: 5000}, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/migrate")
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
	b.ReportMetric(procStatus(os.Getpid())["VmHWM:"], "peak-RSS-MB")
}
