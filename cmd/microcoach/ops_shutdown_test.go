package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// slowSlack stands between microcoach and the local Slack and holds every
// chat.postMessage until released, so a test can stop microcoach while
// posts are in flight. A held post whose client gives up never reaches
// Slack.
type slowSlack struct {
	srv     *httptest.Server
	posts   atomic.Int64 // chat.postMessage requests that arrived
	release chan struct{}
	once    sync.Once
}

func newSlowSlack(t *testing.T, emu *slackemu.Server) *slowSlack {
	t.Helper()
	target, err := url.Parse(emu.APIURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) }
	s := &slowSlack{release: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/chat.postMessage" {
			s.posts.Add(1)
			select {
			case <-s.release:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		s.open()
		s.srv.Close()
	})
	return s
}

func (s *slowSlack) apiURL() string { return s.srv.URL + "/api/" }
func (s *slowSlack) open()          { s.once.Do(func() { close(s.release) }) }

// skewedClock runs at the real pace from a chosen start, so that every run
// of a test sees the same @every 1h slot, whenever the test runs. The start
// lies in the past, so the metadata search of a restart (which looks back
// from the attempt) covers the real timestamps of the posts.
type skewedClock struct{ offset time.Duration }

func newSkewedClock(start time.Time) skewedClock { return skewedClock{offset: time.Until(start)} }

func (c skewedClock) Now() time.Time                         { return time.Now().Add(c.offset) }
func (c skewedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// stopFanout is a workspace with many people owed a nudge in the same slot.
type stopFanout struct {
	t      *testing.T
	emu    *slackemu.Server
	slow   *slowSlack
	dbPath string
	people []slackemu.User
	clock  skewedClock
}

func newStopFanout(t *testing.T, n int) *stopFanout {
	t.Helper()
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	slot := time.Now().Truncate(time.Hour).Add(-time.Hour)
	f := &stopFanout{t: t, emu: emu, slow: newSlowSlack(t, emu), dbPath: filepath.Join(t.TempDir(), "microcoach.db"), clock: newSkewedClock(slot.Add(time.Minute))}
	var enrolled []coach.Person
	for i := range n {
		u := slackemu.User{ID: fmt.Sprintf("UFAN%03d", i), Name: fmt.Sprintf("fan%03d", i), TZ: "UTC"}
		emu.AddUser(u)
		f.people = append(f.people, u)
		enrolled = append(enrolled, coach.Person{ID: u.ID, Name: u.Name, TZ: "UTC", EnrolledAt: slot.Add(-24 * time.Hour)})
	}
	db, err := storage.Open(f.dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.EnrollAll(enrolled); err != nil {
		t.Fatal(err)
	}
	return f
}

// serving is one run of serve.
type serving struct {
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
	admin  string
}

// start runs serve with a weekly nudge every hour (so one slot for the
// whole test) and waits until it is connected.
func (f *stopFanout) start(h *hooks) *serving {
	f.t.Helper()
	cfg := DefaultConfig()
	cfg.AppToken, cfg.BotToken, cfg.SlackAPIURL, cfg.DBPath = f.emu.AppToken(), f.emu.BotToken(), f.slow.apiURL(), f.dbPath
	cfg.AdminAddr, cfg.LogLevel = "127.0.0.1:0", "debug"
	cfg.NudgeSchedule, cfg.CheckinSchedule, cfg.RefreshSchedule, cfg.DigestSchedule = "@every 1h", never, never, never
	if err := cfg.validate(); err != nil {
		f.t.Fatal(err)
	}
	s := &serving{done: make(chan error, 1), logs: &syncBuffer{}}
	admin := make(chan string, 1)
	h.clock, h.maxWake = f.clock, 50*time.Millisecond
	h.admin = func(addr string) { admin <- addr }
	var ctx context.Context
	ctx, s.cancel = context.WithCancel(context.Background())
	before := f.emu.Connects()
	go func() { s.done <- serve(ctx, cfg, s.logs, h) }()
	select {
	case s.admin = <-admin:
	case err := <-s.done:
		f.t.Fatalf("serve stopped at once: %v\n%s", err, s.logs)
	}
	if err := f.emu.WaitConnects(ctxT(f.t), before+1); err != nil {
		f.t.Fatalf("%v\n%s", err, s.logs)
	}
	return s
}

// stop is SIGTERM: it cancels serve's context and returns how long serve
// took to return.
func (s *serving) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve returned %v\n%s", err, s.logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not return within 20s\n%s", s.logs)
	}
	return time.Since(start)
}

func (f *stopFanout) messagesTo(u slackemu.User) int {
	return len(f.emu.History(f.emu.DMChannel(u.ID)))
}

func (f *stopFanout) delivered() int {
	n := 0
	for _, u := range f.people {
		n += f.messagesTo(u)
	}
	return n
}

// ledger counts the open database's entries by state.
func (f *stopFanout) ledger() map[coach.DeliveryState]int {
	f.t.Helper()
	db, err := storage.Open(f.dbPath, storage.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		f.t.Fatal(err)
	}
	out := map[coach.DeliveryState]int{}
	for _, u := range f.people {
		ds, err := db.Deliveries(u.ID, coach.CadenceNudge)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, d := range ds {
			out[d.State]++
		}
	}
	return out
}

// finish restarts microcoach on the same database with nothing held and
// checks that in the end every person got exactly one message.
func (f *stopFanout) finish() {
	f.t.Helper()
	f.slow.open()
	s := f.start(&hooks{})
	// Generous: the machine may be busy with other test binaries.
	deadline := time.Now().Add(30 * time.Second)
	for missing := len(f.people); missing > 0; {
		missing = 0
		for _, u := range f.people {
			if f.messagesTo(u) == 0 {
				missing++
			}
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("after the restart %d people still have no nudge\n%s", missing, s.logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.stop(f.t) // whatever was still in flight is finished now
	for _, u := range f.people {
		if n := f.messagesTo(u); n != 1 {
			f.t.Errorf("%s got %d messages for the slot, want exactly 1", u.ID, n)
		}
	}
	if st := f.ledger(); st[coach.DeliverySent] != len(f.people) {
		f.t.Errorf("ledger after the restart: %v, want %d sent", st, len(f.people))
	}
}

// TestShutdownMidFanoutFinishesInFlightSends stops microcoach while a
// weekly nudge to many people is half sent: the posts already in flight
// complete after the stop signal (nothing new starts), the ledger records
// each of them, and after a restart every person has exactly one message.
func TestShutdownMidFanoutFinishesInFlightSends(t *testing.T) {
	t.Parallel()
	f := newStopFanout(t, 40)
	s := f.start(&hooks{})
	eventually(t, "posts in flight", func() bool { return f.slow.posts.Load() >= 4 })

	s.cancel() // SIGTERM
	eventually(t, "the shutdown to begin", func() bool { return strings.Contains(s.logs.String(), "shutting down") })
	status, body := httpGet(t, "http://"+s.admin+"/readyz")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "shutting down") {
		t.Errorf("/readyz while draining: %d %q", status, body)
	}
	inFlight := f.slow.posts.Load()
	f.slow.open() // Slack answers the posts in flight
	if took := s.stop(t); took > drainTimeout {
		t.Errorf("shutdown took %s", took)
	}

	posted := f.slow.posts.Load()
	if got := f.delivered(); int64(got) != posted {
		t.Errorf("%d posts reached Slack but %d messages arrived: in-flight posts were cut off", posted, got)
	}
	if posted >= int64(len(f.people)) || posted < inFlight {
		t.Fatalf("posted %d of %d (%d in flight at the signal): the stop did not land mid-fan-out", posted, len(f.people), inFlight)
	}
	st := f.ledger()
	if st[coach.DeliverySent] != int(posted) || st[coach.DeliveryAttempted] != 0 {
		t.Errorf("ledger after the stop: %v; want %d sent and none left attempted", st, posted)
	}
	t.Logf("stopped with %d of %d sent; ledger %v", posted, len(f.people), st)
	f.finish()
}

// TestShutdownCutsOffSendsThatHang: when Slack does not answer, shutdown
// gives in-flight posts the drain time and no more; what was cut off is
// looked for and sent exactly once after a restart.
func TestShutdownCutsOffSendsThatHang(t *testing.T) {
	t.Parallel()
	f := newStopFanout(t, 30)
	s := f.start(&hooks{drain: 300 * time.Millisecond})
	eventually(t, "posts in flight", func() bool { return f.slow.posts.Load() >= 4 })
	if took := s.stop(t); took > 5*time.Second {
		t.Errorf("shutdown took %s with a drain of 300ms", took)
	}
	if got := f.delivered(); got != 0 {
		t.Errorf("%d messages arrived though Slack never answered", got)
	}
	if st := f.ledger(); st[coach.DeliveryAttempted] == 0 {
		t.Errorf("ledger %v: the cut-off posts should be recorded as attempted", st)
	}
	f.finish()
}
