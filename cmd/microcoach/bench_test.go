package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/postgres"
	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// percentiles reports p50, p99 and max of latencies as benchmark metrics.
func percentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	b.ReportMetric(float64(at(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(at(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkAckLatency sends b.N slash commands (or button clicks) through
// the local Slack at a fixed rate and reports how long the bot took to
// ack each, as the emulator measured it (envelope written → ack read),
// with the bbolt file and with PostgreSQL (when
// MICROCOACH_TEST_DATABASE_URL names a server) as the store.
//
//	go test ./cmd/microcoach -run '^$' -bench AckLatency -benchtime 1000x
func BenchmarkAckLatency(b *testing.B) {
	for _, store := range []string{"bbolt", "postgres"} {
		for _, kind := range []string{"slash", "click"} {
			for _, rate := range []int{50, 200, 1000} {
				b.Run(fmt.Sprintf("store=%s/%s/rate=%d", store, kind, rate), func(b *testing.B) {
					ackLatency(b, store, kind, rate)
				})
			}
		}
	}
}

func ackLatency(b *testing.B, store, kind string, rate int) {
	env := map[string]string{"MICROCOACH_LOG_LEVEL": "error"}
	if store == "postgres" {
		env["MICROCOACH_DATABASE_URL"] = pgtest.URL(b)
	}
	h := newHarness(b, slackemu.Options{}, env)
	ctx := context.Background()
	people := []slackemu.User{ana, bob, maya, cleo}
	var home map[string]string
	if kind == "click" {
		home = map[string]string{}
		for _, p := range people {
			h.emu.OpenHome(ctx, p.ID)
			h.waitSeen(p, 0, slackemu.Kind(slackemu.SeenHome))
			v, _ := h.emu.Home(p.ID)
			home[p.ID] = v.ID
		}
	}
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := people[i%len(people)]
			var err error
			if kind == "slash" {
				var res slackemu.SlashResult
				res, err = h.emu.Slash(ctx, p.ID, "/rate", fmt.Sprintf("planning %d", 1+i%10))
				if err == nil && !res.Acked {
					err = fmt.Errorf("not acked")
				}
			} else {
				err = h.emu.Click(ctx, p.ID, slackemu.InView(home[p.ID]), "microcoach.open_rate", "open")
			}
			if err != nil {
				b.Errorf("%s %d: %v", kind, i, err)
			}
		}(i)
	}
	wg.Wait()
	b.StopTimer()
	// The emulator's measure: envelope written → ack read.
	envelope := map[string]string{"slash": "slash_commands", "click": "interactive"}[kind]
	var lat []time.Duration
	for _, a := range h.emu.Acks() {
		if a.Type == envelope {
			lat = append(lat, a.Latency)
		}
	}
	percentiles(b, lat)
}

// BenchmarkWebsocketFloor is the raw round trip of a small message over a
// loopback websocket, the floor under any ack latency.
func BenchmarkWebsocketFloor(b *testing.B) {
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			t, m, err := c.ReadMessage()
			if err != nil {
				return
			}
			c.WriteMessage(t, m)
		}
	}))
	defer srv.Close()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := []byte(`{"envelope_id":"4f2c8e1a-0000-4000-8000-000000000000"}`)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		c.WriteMessage(websocket.TextMessage, msg)
		if _, _, err := c.ReadMessage(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	percentiles(b, lat)
}

// BenchmarkFanout sends one weekly nudge to N people through the local
// Slack with chat.postMessage's documented limits on (scaled up so a run
// takes seconds, not half an hour: the ratio to the limit is what counts),
// and reports the time against the least the limits allow, duplicates,
// losses and peak heap.
//
//	go test ./cmd/microcoach -run '^$' -bench Fanout -benchtime 1x
func BenchmarkFanout(b *testing.B) {
	for _, store := range []string{"bbolt", "postgres"} {
		for _, tc := range []struct {
			people int
			scale  float64
		}{{1000, 2}, {10000, 20}} {
			b.Run(fmt.Sprintf("store=%s/people=%d", store, tc.people), func(b *testing.B) {
				for range b.N {
					fanout(b, store, tc.people, tc.scale)
				}
			})
		}
	}
}

// enroller is the part of either store a fan-out is seeded through.
type enroller interface {
	EnrollAll([]coach.Person) error
	Close() error
}

func fanout(b *testing.B, store string, n int, scale float64) {
	limits := slackemu.RateLimits{Enabled: true, Scale: scale}
	emu := slackemu.New(slackemu.Options{RateLimits: limits})
	if err := emu.Start(); err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	dbPath, dbURL := filepath.Join(b.TempDir(), "fanout.db"), ""
	var db enroller
	var err error
	if store == "postgres" {
		dbURL = pgtest.URL(b)
		db, err = postgres.Open(context.Background(), dbURL, postgres.Options{})
	} else {
		db, err = storage.Open(dbPath, storage.Options{})
	}
	if err != nil {
		b.Fatal(err)
	}
	people := make([]coach.Person, n)
	yearAgo := time.Now().AddDate(-1, 0, 0)
	for i := range people {
		id := fmt.Sprintf("UP%05d", i)
		emu.AddUser(slackemu.User{ID: id, Name: fmt.Sprintf("pm%05d", i), TZ: "Europe/Berlin"})
		people[i] = coach.Person{ID: id, EnrolledAt: yearAgo, TZ: "Europe/Berlin"}
	}
	if err := db.EnrollAll(people); err != nil {
		b.Fatal(err)
	}
	db.Close()

	for k, v := range map[string]string{
		"SLACK_APP_TOKEN": emu.AppToken(), "SLACK_BOT_TOKEN": emu.BotToken(), "MICROCOACH_SLACK_API_URL": emu.APIURL(),
		"MICROCOACH_DB_PATH": dbPath, "MICROCOACH_DATABASE_URL": dbURL, "MICROCOACH_ADMIN_ADDR": "", "MICROCOACH_LOG_LEVEL": "error",
		"MICROCOACH_NUDGE_SCHEDULE": "@every 24h", "MICROCOACH_CHECKIN_SCHEDULE": never,
		"MICROCOACH_REFRESH_SCHEDULE": never, "MICROCOACH_DIGEST_SCHEDULE": never,
	} {
		b.Setenv(k, v)
	}
	var peak uint64
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() { done <- run(ctx, []string{"serve"}, &strings.Builder{}, &syncBuffer{}) }()
	waitCtx, cancelWait := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancelWait()
	if posted, err := emu.WaitCalls(waitCtx, "chat.postMessage", n); err != nil {
		b.Fatalf("only %d of %d posted after 30 minutes", posted, n)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	close(stopSampling)
	sampler.Wait()

	dups, lost := 0, 0
	for _, p := range people {
		msgs := 0
		for _, m := range emu.History(emu.DMChannel(p.ID)) {
			if strings.Contains(string(m.Metadata), "/nudge/") {
				msgs++
			}
		}
		switch {
		case msgs == 0:
			lost++
		case msgs > 1:
			dups += msgs - 1
		}
	}
	minimum := limits.MinDuration("chat.postMessage", n, n)
	limited := 0
	for _, c := range emu.Calls() {
		if c.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	b.ReportMetric(elapsed.Seconds(), "s-total")
	b.ReportMetric(minimum.Seconds(), "s-minimum")
	b.ReportMetric(elapsed.Seconds()/minimum.Seconds(), "x-minimum")
	b.ReportMetric(float64(dups), "duplicates")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(limited), "429s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
