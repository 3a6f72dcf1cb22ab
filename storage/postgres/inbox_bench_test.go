package postgres

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// reportLatencies reports p50, p99 and max of lat as benchmark metrics.
func reportLatencies(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	b.ReportMetric(float64(at(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(at(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkInboxAdd is one batch of envelopes through the inbox, as the
// bot's group commit writes it: the batch's write and, in the same
// statement, the removal of the previous batch. Its latency is the floor
// under the ack's. Records are 1500 bytes, a typical envelope.
//
//	source /tmp/pgenv.sh  # or eval "$(deploy/pg-scratch.sh)"
//	go test ./storage/postgres -run '^$' -bench InboxAdd -benchtime 2000x
func BenchmarkInboxAdd(b *testing.B) {
	for _, n := range []int{1, 32} {
		b.Run(fmt.Sprint("batch=", n), func(b *testing.B) {
			db := openTest(b, pgtest.URL(b))
			in := openInbox(b, db, "")
			batch := make([][]byte, n)
			for i := range batch {
				batch[i] = make([]byte, 1500)
			}
			var done []uint64
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t := time.Now()
				seqs, err := in.InboxAdd(batch, done)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
				done = seqs
			}
			reportLatencies(b, lat)
		})
	}
}
