package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rssOf reads a process's resident set size from /proc.
func rssOf(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkOfferedLoad offers /rate commands to the real binary at a fixed
// rate for 10 s, whatever it answers (open loop), and reports its peak RSS
// and goroutines, how many commands were acked, kept and answered busy,
// and the ack latency (the emulator's measure).
//
//	go test ./cmd/microcoach -run '^$' -bench OfferedLoad -benchtime 1x
func BenchmarkOfferedLoad(b *testing.B) {
	for _, rate := range []int{200, 1000, 5000} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			w := newInboxWorld(b)
			bin := w.start()
			pid := bin.cmd.Process.Pid
			baseRSS := rssOf(pid)
			var peakRSS atomic.Int64
			var peakG atomic.Int64
			stopSample := make(chan struct{})
			var sampler sync.WaitGroup
			sampler.Add(1)
			go func() {
				defer sampler.Done()
				for {
					peakRSS.Store(max(peakRSS.Load(), rssOf(pid)))
					peakG.Store(max(peakG.Load(), int64(bin.metric("go_goroutines"))))
					select {
					case <-stopSample:
						return
					case <-time.After(200 * time.Millisecond):
					}
				}
			}()
			var sent, acked, busy atomic.Int64
			var wg sync.WaitGroup
			const tick = 10 * time.Millisecond
			per := rate / int(time.Second/tick)
			ticker := time.NewTicker(tick)
			end := time.Now().Add(10 * time.Second)
			b.ResetTimer()
			for i := 0; time.Now().Before(end); i++ {
				<-ticker.C
				for k := range per {
					wg.Add(1)
					go func(n int) {
						defer wg.Done()
						p := w.people[n%len(w.people)]
						ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
						defer cancel()
						sent.Add(1)
						res, err := w.emu.Slash(ctx, p.ID, "/rate", fmt.Sprintf("planning %d o%d", 1+n%10, n))
						if err == nil && res.Acked {
							acked.Add(1)
							if strings.Contains(string(res.Response), "busy") {
								busy.Add(1)
							}
						}
					}(i*per + k)
				}
			}
			ticker.Stop()
			wg.Wait()
			b.StopTimer()
			close(stopSample)
			sampler.Wait()
			var lat []time.Duration
			for _, a := range w.emu.Acks() {
				lat = append(lat, a.Latency)
			}
			percentiles(b, lat)
			bin.term()
			b.ReportMetric(float64(baseRSS)/(1<<20), "start-rss-MB")
			b.ReportMetric(float64(peakRSS.Load())/(1<<20), "peak-rss-MB")
			b.ReportMetric(float64(peakG.Load()), "peak-goroutines")
			b.ReportMetric(float64(sent.Load()), "sent")
			b.ReportMetric(float64(acked.Load()), "acked")
			b.ReportMetric(float64(busy.Load()), "busy")
		})
	}
}
