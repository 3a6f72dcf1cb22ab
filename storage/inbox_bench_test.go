package storage

import (
	"path/filepath"
	"testing"
	"time"
)

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
	var worst time.Duration
	for i := 0; i < b.N; i++ {
		t := time.Now()
		seqs, err := in.InboxAdd([][]byte{rec}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := in.InboxAdd(nil, seqs); err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(t))
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-pair-ms")
}
