package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// brokenInbox refuses every write, as a full disk would.
type brokenInbox struct{}

func (brokenInbox) InboxAdd([][]byte, []uint64) ([]uint64, error) { return nil, errNoSpace }
func (brokenInbox) InboxPending(func(uint64, []byte) error) error { return nil }

// runBot runs a Bot over a fresh database against emu until the test ends.
func runBot(t *testing.T, emu *slackemu.Server, cfg Config) (*Bot, *storage.DB) {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "inbox.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	api := slack.New(emu.BotToken(), slack.OptionAppLevelToken(emu.AppToken()), slack.OptionAPIURL(emu.APIURL()))
	cfg.API, cfg.Store, cfg.Model = api, db, coach.PMwheel()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	b := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, socketmode.New(api)) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := emu.WaitConnected(wctx, 1); err != nil {
		t.Fatal(err)
	}
	return b, db
}

func newEmu(t *testing.T) *slackemu.Server {
	t.Helper()
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	emu.AddUser(slackemu.User{ID: "UANA", Name: "ana"})
	return emu
}

// crashRig is a bbolt store with its inbox and a way to run bots on it
// against emu: the set-up of the tests of what a crash leaves.
type crashRig struct {
	t   *testing.T
	emu *slackemu.Server
	db  *storage.DB
	in  *storage.Inbox
	api *slack.Client
}

func newCrashRig(t *testing.T) *crashRig {
	t.Helper()
	emu := newEmu(t)
	db, err := storage.Open(filepath.Join(t.TempDir(), "crash.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	in, err := db.OpenInbox(storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	api := slack.New(emu.BotToken(), slack.OptionAppLevelToken(emu.AppToken()), slack.OptionAPIURL(emu.APIURL()))
	return &crashRig{t: t, emu: emu, db: db, in: in, api: api}
}

// start runs a Bot with cfg (its store, model and Slack filled in) until
// the returned stop is called.
func (r *crashRig) start(cfg Config) (stop func()) {
	cfg.API, cfg.SlackAPIURL, cfg.Store, cfg.Model = r.api, r.emu.APIURL(), r.db, coach.PMwheel()
	b := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, socketmode.New(r.api)) }()
	return func() { cancel(); <-done }
}

// leftByACrash has Ana type /rate text on a bot that records its inbox,
// waits for the confirmation (shows), stops it and returns the one record
// it kept: what a crash between the work and the entry's removal leaves.
func (r *crashRig) leftByACrash(ctx context.Context, text, shows string) []byte {
	r.t.Helper()
	rec := &recordingInbox{Inbox: r.in}
	stop := r.start(Config{Inbox: rec})
	if err := r.emu.WaitConnected(ctx, 1); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.emu.Slash(ctx, "UANA", "/rate", text); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.emu.WaitSeen(ctx, "UANA", slackemu.Containing(shows)); err != nil {
		r.t.Fatal(err)
	}
	stop()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.records) != 1 {
		r.t.Fatalf("%d records written, want 1", len(rec.records))
	}
	return rec.records[0]
}

// TestInboxNotWritable: when the inbox cannot keep an envelope, the
// command is still acked, and the ack itself tells the person nothing was
// saved; nothing runs.
func TestInboxNotWritable(t *testing.T) {
	emu := newEmu(t)
	b, db := runBot(t, emu, Config{Inbox: brokenInbox{}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := emu.Slash(ctx, "UANA", "/rate", "planning 7")
	if err != nil || !res.Acked {
		t.Fatalf("acked=%v err=%v", res.Acked, err)
	}
	if !strings.Contains(string(res.Response), "could not save") {
		t.Errorf("ack payload %s", res.Response)
	}
	if rs, _ := db.Ratings("UANA", ""); len(rs) != 0 {
		t.Errorf("stored %d ratings without keeping the envelope", len(rs))
	}
	if b.Refused() != 1 {
		t.Errorf("Refused() = %d", b.Refused())
	}
	if n, _ := b.Backlog(); n != 0 {
		t.Errorf("backlog %d after a refused envelope", n)
	}
}

// slowInbox holds every write until released.
type slowInbox struct {
	memInbox
	gate chan struct{}
}

func (s *slowInbox) InboxAdd(r [][]byte, d []uint64) ([]uint64, error) {
	<-s.gate
	return s.memInbox.InboxAdd(r, d)
}

// TestBusyBeyondTheBound: once the backlog holds Backlog envelopes, the
// next command is acked at once with a "busy" answer, and counted.
func TestBusyBeyondTheBound(t *testing.T) {
	emu := newEmu(t)
	in := &slowInbox{gate: make(chan struct{})}
	var once sync.Once
	release := func() { once.Do(func() { close(in.gate) }) }
	t.Cleanup(release)
	b, _ := runBot(t, emu, Config{Inbox: in, Backlog: 2, Workers: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Two commands fill the backlog: their write is held, so is their ack.
	for range 2 {
		go emu.Slash(ctx, "UANA", "/rate", "planning 5")
	}
	for {
		if n, _ := b.Backlog(); n == 2 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("backlog never reached 2")
		case <-time.After(time.Millisecond):
		}
	}
	res, err := emu.Slash(ctx, "UANA", "/rate", "planning 6")
	if err != nil || !res.Acked {
		t.Fatalf("acked=%v err=%v", res.Acked, err)
	}
	var body struct{ Text, ResponseType string }
	json.Unmarshal(res.Response, &body)
	if !strings.Contains(body.Text, "busy") || !strings.Contains(body.Text, "try again in a minute") {
		t.Errorf("answer %q", body.Text)
	}
	if b.Busy() != 1 {
		t.Errorf("Busy() = %d", b.Busy())
	}
	release()
}

// recordingInbox passes writes through and keeps a copy of each record.
type recordingInbox struct {
	*storage.Inbox
	mu      sync.Mutex
	records [][]byte
}

func (r *recordingInbox) InboxAdd(records [][]byte, done []uint64) ([]uint64, error) {
	r.mu.Lock()
	for _, rec := range records {
		r.records = append(r.records, append([]byte(nil), rec...))
	}
	r.mu.Unlock()
	return r.Inbox.InboxAdd(records, done)
}

// TestRerunAfterCrashStoresOnce: an entry left in the inbox after its
// rating was stored (a crash between the two) is done again at the next
// start: nothing is stored twice, and the person gets a late
// confirmation rather than none.
func TestRerunAfterCrashStoresOnce(t *testing.T) {
	r := newCrashRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	left := r.leftByACrash(ctx, "planning 7 before the crash", "*7*/10")
	// The crash: the entry is back, as if its removal never happened.
	if _, err := r.in.InboxAdd([][]byte{left}, nil); err != nil {
		t.Fatal(err)
	}
	n := r.emu.SeenCount("UANA")
	stop := r.start(Config{Inbox: r.in})
	defer stop()
	s, err := r.emu.WaitSeenAfter(ctx, "UANA", n, slackemu.Kind(slackemu.SeenEphemeral))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Text(), "held up by a restart") {
		t.Errorf("late confirmation %q", s.Text())
	}
	if rs, _ := r.db.Ratings("UANA", ""); len(rs) != 1 {
		t.Errorf("%d ratings stored, want 1", len(rs))
	}
}

// TestBusyDMGetsANotice: a DM that arrives while the backlog is full is
// acked, and the person is told in the DM to send it again.
func TestBusyDMGetsANotice(t *testing.T) {
	emu := newEmu(t)
	in := &slowInbox{gate: make(chan struct{})}
	var once sync.Once
	release := func() { once.Do(func() { close(in.gate) }) }
	t.Cleanup(release)
	b, _ := runBot(t, emu, Config{Inbox: in, Backlog: 1, Workers: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go emu.Slash(ctx, "UANA", "/rate", "planning 5")
	for {
		if n, _ := b.Backlog(); n == 1 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("backlog never reached 1")
		case <-time.After(time.Millisecond):
		}
	}
	n := emu.SeenCount("UANA")
	if _, err := emu.SendDM(ctx, "UANA", "my answer to the question"); err != nil {
		t.Fatal(err)
	}
	s, err := emu.WaitSeenAfter(ctx, "UANA", n, slackemu.Containing("busy"))
	if err != nil {
		t.Fatalf("no busy notice: %v", err)
	}
	if !strings.Contains(s.Text(), "try again in a minute") {
		t.Errorf("notice %q", s.Text())
	}
	if b.Busy() != 1 {
		t.Errorf("Busy() = %d", b.Busy())
	}
	release()
}

// TestOrphansAreAdopted: an envelope another replica acknowledged and did
// not finish reaches this replica through Config.Orphans while it runs,
// and is worked once: the person gets the late confirmation and the
// rating is stored once, even though the first run had stored it.
func TestOrphansAreAdopted(t *testing.T) {
	t.Parallel()
	r := newCrashRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The replica that dies: its record of Ana's /rate is what it left.
	left := r.leftByACrash(ctx, "planning 6 on the first replica", "*6*/10")

	var once sync.Once
	orphans := func(fn func(uint64, []byte) error) error {
		var err error
		once.Do(func() { err = fn(4242, left) })
		return err
	}
	n := r.emu.SeenCount("UANA")
	stop := r.start(Config{Inbox: r.in, Orphans: orphans, AdoptEvery: 10 * time.Millisecond})
	defer stop()
	s, err := r.emu.WaitSeenAfter(ctx, "UANA", n, slackemu.Kind(slackemu.SeenEphemeral))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Text(), "held up by a restart") || !strings.Contains(s.Text(), "Planning 6/10") {
		t.Errorf("late confirmation %q", s.Text())
	}
	if rs, _ := r.db.Ratings("UANA", ""); len(rs) != 1 {
		t.Errorf("%d ratings stored, want 1", len(rs))
	}
}
