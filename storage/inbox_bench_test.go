package storage

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// reportLatencies reports p50, p99 and max of lat as benchmark metrics.
func reportLatencies(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	b.ReportMetric(float64(at(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(at(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkInboxAdd is one envelope's way through the inbox alone: its
// write (one transaction, with fsync) and its removal in the next one.
// It is the floor under the ack latency on this disk.
//
//	go test ./storage -run '^$' -bench 'InboxAdd|Fdatasync' -benchtime 2000x
func BenchmarkInboxAdd(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "inbox.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	in, err := db.OpenInbox(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	rec := make([]byte, 1500)
	var done []uint64
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t := time.Now()
		seqs, err := in.InboxAdd([][]byte{rec}, done)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
		done = seqs
	}
	reportLatencies(b, lat)
}

// BenchmarkFdatasync is one 4 KiB write and fdatasync of a plain file:
// what the disk itself costs.
func BenchmarkFdatasync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "sync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	lat := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		t := time.Now()
		if _, err := f.WriteAt(page, int64(i%16)*4096); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
		i++
	}
	reportLatencies(b, lat)
}
