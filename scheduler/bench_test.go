package scheduler

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// BenchmarkTickNothingDue is a scheduler tick between occurrences with
// 10,000 and 100,000 people (synthetic: enrolled, in three time zones, no
// history). The first tick, which builds the due
// index by working out everyone's due times once, is reported as
// index-build-ms; the measured ticks find nobody due.
//
//	go test ./scheduler -run '^$' -bench TickNothingDue -benchmem
func BenchmarkTickNothingDue(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db, err := storage.Open(filepath.Join(b.TempDir(), "s.db"), storage.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			zones := []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo"}
			start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
			ps := make([]coach.Person, n)
			for i := range ps {
				ps[i] = coach.Person{ID: fmt.Sprintf("U%06d", i), EnrolledAt: start, TZ: zones[i%3]}
			}
			if err := db.EnrollAll(ps); err != nil {
				b.Fatal(err)
			}
			e := New(Config{
				Nudge: MustParse("30 9 * * MON"), Checkin: MustParse("0 10 1-7 * TUE"), Refresh: MustParse("30 10 1-7 1,4,7,10 TUE"),
				Digest: MustParse("0 8 * * MON"), Store: db, Outbox: newOutbox(), Clock: &fakeClock{},
			})
			sunday := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
			began := time.Now()
			if _, err := e.Tick(context.Background(), sunday); err != nil {
				b.Fatal(err)
			}
			build := time.Since(began)
			size, _ := db.Size()
			now := sunday.Add(time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.Tick(context.Background(), now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(build.Milliseconds()), "index-build-ms")
			b.ReportMetric(float64(size)/(1<<20), "db-file-MB")
		})
	}
}
