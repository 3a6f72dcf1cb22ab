package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// binary is one run of the real microcoach binary against a local Slack.
type binary struct {
	t     testing.TB
	cmd   *exec.Cmd
	logs  *syncBuffer
	admin string
	exit  chan error
}

// inboxWorld is a local Slack, a database and the environment the binary
// runs with.
type inboxWorld struct {
	t      testing.TB
	bin    string
	emu    *slackemu.Server
	dbPath string
	env    []string
	people []slackemu.User
}

func newInboxWorld(t testing.TB, env ...string) *inboxWorld {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills a real process")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	w := &inboxWorld{t: t, bin: bin, emu: emu, dbPath: filepath.Join(t.TempDir(), "inbox.db")}
	for i := range 8 {
		u := slackemu.User{ID: fmt.Sprintf("UBURST%02d", i), Name: fmt.Sprintf("burst%02d", i), TZ: "UTC"}
		emu.AddUser(u)
		w.people = append(w.people, u)
	}
	w.env = append(os.Environ(),
		"SLACK_APP_TOKEN="+emu.AppToken(), "SLACK_BOT_TOKEN="+emu.BotToken(), "MICROCOACH_SLACK_API_URL="+emu.APIURL(),
		"MICROCOACH_DB_PATH="+w.dbPath, "MICROCOACH_LOG_LEVEL=warn",
		"MICROCOACH_NUDGE_SCHEDULE="+never, "MICROCOACH_CHECKIN_SCHEDULE="+never,
		"MICROCOACH_REFRESH_SCHEDULE="+never, "MICROCOACH_DIGEST_SCHEDULE="+never,
	)
	w.env = append(w.env, env...)
	return w
}

// start runs the binary and waits until it is connected to Slack.
func (w *inboxWorld) start() *binary {
	w.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.t.Fatal(err)
	}
	admin := ln.Addr().String()
	ln.Close()
	b := &binary{t: w.t, logs: &syncBuffer{}, admin: "http://" + admin, exit: make(chan error, 1)}
	b.cmd = exec.Command(w.bin, "serve")
	b.cmd.Env = append(w.env, "MICROCOACH_ADMIN_ADDR="+admin)
	b.cmd.Stderr = b.logs
	before := w.emu.Connects()
	if err := b.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() { b.exit <- b.cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	connected := make(chan error, 1)
	go func() { connected <- w.emu.WaitConnects(ctx, before+1) }()
	select {
	case err := <-b.exit:
		w.t.Fatalf("microcoach exited before connecting: %v\n%s", err, b.logs)
	case err := <-connected:
		if err != nil {
			w.t.Fatalf("microcoach did not connect: %v\n%s", err, b.logs)
		}
	}
	if err := w.emu.WaitConnected(ctx, 1); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { b.cmd.Process.Kill() })
	return b
}

// kill is kill -9.
func (b *binary) kill() {
	b.cmd.Process.Signal(syscall.SIGKILL)
	<-b.exit
}

// term is SIGTERM; it returns how long the process took to exit.
func (b *binary) term() time.Duration {
	b.t.Helper()
	start := time.Now()
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.exit:
		if err != nil {
			b.t.Errorf("exit after SIGTERM: %v\n%s", err, b.logs)
		}
	case <-time.After(30 * time.Second):
		b.t.Fatalf("no exit within 30 s of SIGTERM\n%s", b.logs)
	}
	return time.Since(start)
}

// metric reads one unlabelled sample from /metrics.
func (b *binary) metric(name string) float64 {
	b.t.Helper()
	_, body := httpGet(b.t, b.admin+"/metrics")
	for line := range strings.Lines(body) {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err == nil {
				return v
			}
		}
	}
	b.t.Fatalf("no %s in /metrics", name)
	return 0
}

// idle waits until the inbox is empty.
func (b *binary) idle() {
	b.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for b.metric("microcoach_inbox_backlog") > 0 {
		if time.Now().After(deadline) {
			b.t.Fatalf("backlog not done within 2 minutes\n%s", b.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// burstResult is what Slack saw of a closed-loop burst.
type burstResult struct {
	sent, acked, busy int
	kept              map[string]string // note → user, for commands acked and taken on
	wait              func()            // returns once every client stopped
}

// burst sends /rate commands as fast as they are acked, from clients
// people at once, until stop is closed. Each command carries a unique
// note, so the database shows which were stored.
func (w *inboxWorld) burst(clients int, stop <-chan struct{}) *burstResult {
	var mu sync.Mutex
	r := &burstResult{kept: map[string]string{}}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := w.people[c%len(w.people)]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				note := fmt.Sprintf("n%d-%d", c, i)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				res, err := w.emu.Slash(ctx, p.ID, "/rate", fmt.Sprintf("planning %d %s", 1+i%10, note))
				cancel()
				mu.Lock()
				r.sent++
				switch {
				case err != nil || !res.Acked:
				case strings.Contains(string(res.Response), "busy"):
					r.acked++
					r.busy++
				default:
					r.acked++
					r.kept[note] = p.ID
				}
				mu.Unlock()
				if err != nil {
					select {
					case <-stop:
						return
					case <-time.After(10 * time.Millisecond):
					}
				}
			}
		}()
	}
	r.wait = wg.Wait
	return r
}

// stored opens the database (the binary must have exited) and returns
// how often each note was stored.
func (w *inboxWorld) stored() map[string]int {
	w.t.Helper()
	db, err := storage.Open(w.dbPath, storage.Options{})
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		w.t.Errorf("database inconsistent: %v", err)
	}
	notes := map[string]int{}
	for _, p := range w.people {
		rs, err := db.Ratings(p.ID, "")
		if err != nil {
			w.t.Fatal(err)
		}
		for _, r := range rs {
			notes[r.Note]++
		}
	}
	return notes
}

// checkKept fails for every command acked and taken on but not stored,
// and for any stored twice.
func (w *inboxWorld) checkKept(r *burstResult) {
	w.t.Helper()
	notes := w.stored()
	lost, dups := 0, 0
	for note := range r.kept {
		switch n := notes[note]; {
		case n == 0:
			lost++
		case n > 1:
			dups++
		}
	}
	w.t.Logf("sent %d, acked %d (%d answered busy), kept %d: %d lost, %d stored twice", r.sent, r.acked, r.busy, len(r.kept), lost, dups)
	if lost != 0 || dups != 0 {
		w.t.Errorf("%d acknowledged commands lost, %d stored twice", lost, dups)
	}
}

func burstFor() time.Duration {
	if *longFaults {
		return 8 * time.Second
	}
	return 1500 * time.Millisecond
}

// TestKillNineAfterBurst: commands come as fast as they are acked, then
// kill -9. After a restart every acknowledged command is stored, once.
func TestKillNineAfterBurst(t *testing.T) {
	t.Parallel()
	w := newInboxWorld(t)
	b := w.start()
	stop := make(chan struct{})
	r := w.burst(64, stop)
	time.Sleep(burstFor()) // the burst's length; nothing to wait for
	b.kill()
	close(stop)
	r.wait()
	b = w.start()
	b.idle()
	b.term()
	w.checkKept(r)
	if len(r.kept) == 0 {
		t.Error("the burst kept nothing")
	}
}

// TestKillNineAtTheBacklogBound: with a small backlog bound the burst
// fills it, and commands beyond it are answered busy; kill -9 then loses
// none of those taken on.
func TestKillNineAtTheBacklogBound(t *testing.T) {
	t.Parallel()
	w := newInboxWorld(t, "MICROCOACH_INBOX_BACKLOG=20", "MICROCOACH_INBOX_WORKERS=2")
	b := w.start()
	stop := make(chan struct{})
	r := w.burst(64, stop)
	time.Sleep(burstFor())
	busy := b.metric("microcoach_inbox_busy_total")
	b.kill()
	close(stop)
	r.wait()
	b = w.start()
	b.idle()
	b.term()
	w.checkKept(r)
	if r.busy == 0 || busy == 0 {
		t.Errorf("the bound was never reached: %d busy answers, metric %v", r.busy, busy)
	}
}

// TestSigtermUnderBacklog: SIGTERM with a backlog the drain cannot finish
// exits within the documented bound (drain 7 s, plus closing), and the
// rest is done after the restart.
func TestSigtermUnderBacklog(t *testing.T) {
	t.Parallel()
	w := newInboxWorld(t, "MICROCOACH_INBOX_WORKERS=1")
	b := w.start()
	stop := make(chan struct{})
	r := w.burst(64, stop)
	time.Sleep(burstFor())
	backlog := b.metric("microcoach_inbox_backlog")
	took := b.term()
	close(stop)
	r.wait()
	t.Logf("SIGTERM with %v in the backlog: exited after %s", backlog, took.Round(time.Millisecond))
	if took > drainTimeout+1500*time.Millisecond {
		t.Errorf("shutdown took %s; the documented bound is %s", took, drainTimeout+time.Second)
	}
	b = w.start()
	b.idle()
	b.term()
	w.checkKept(r)
}
