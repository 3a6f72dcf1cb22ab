package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// The fault suite runs in CI in a bounded time; -faults.long repeats the
// random kills many more times.
var longFaults = flag.Bool("faults.long", false, "run the fault suite's long mode (more kills, more people)")

// buildBinary compiles microcoach once per test binary run.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "microcoach-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "microcoach")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// TestKillNineDuringFanout kills the real binary with SIGKILL at random
// moments while it sends a weekly nudge to many people, restarts it on the
// same database, and checks that in the end every person got exactly one
// message: none lost, none repeated.
func TestKillNineDuringFanout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and kills a real process")
	}
	people, kills := 2000, 3
	if *longFaults {
		kills = 20
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	emu := fanoutSlack(t)
	dbPath := filepath.Join(t.TempDir(), "fanout.db")
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := fanoutPeople(emu, "UK", people)
	if err := db.EnrollAll(ps); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := fanoutEnv(emu, "MICROCOACH_DB_PATH="+dbPath, "MICROCOACH_LOG_LEVEL=warn")
	posted := func() int { return postedCount(emu) }
	k := newKiller(t, bin, env, 1)
	// First a kill during start-up, while the due index is being built
	// for everyone (marks replaced by due times, 500 people a
	// transaction): the index must come back whole, or be rebuilt.
	{
		cmd, _ := k.start()
		time.Sleep(time.Duration(20+k.rng.IntN(150)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		t.Logf("kill 0: during start-up, after %d posts", posted())
		db, err := storage.Open(dbPath, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Check(); err != nil {
			t.Fatalf("database or due index inconsistent after a kill during the index build: %v", err)
		}
		db.Close()
	}
	logs := k.killThenFinish(kills, people, posted, 3*time.Minute)

	lost, dups := nudgesOnce(emu, ps)
	t.Logf("%d people, %d kills: %d lost, %d duplicated, %d posts", people, kills, lost, dups, posted())
	if lost != 0 || dups != 0 {
		t.Fatalf("%d lost, %d duplicated\nlast run's log:\n%s", lost, dups, logs)
	}
	db, err = storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("database inconsistent after kills: %v", err)
	}
	open, _ := db.OpenDeliveries()
	if len(open) != 0 {
		t.Errorf("%d deliveries still open", len(open))
	}
	// Everyone is in the due index for their next nudge, once.
	due, _, err := db.DueBefore(time.Now().Add(49*time.Hour), 0)
	if err != nil || len(due) != people {
		t.Errorf("%d of %d people in the due index for the next two days (%v)", len(due), people, err)
	}
}

// TestSocketStormsDuringTraffic drops and refreshes the connection over
// and over while people type commands. A command on a socket that drops
// before its ack is lost the way Slack loses it (the person sees Slack's
// error; Slack never retries slash commands); every command that was
// acked is stored and answered: nothing acknowledged is lost.
//
// It runs alone, not in parallel: it measures how fast reconnects are, and
// other tests competing for the CPU (2 vCPU, -race) slowed them enough to
// fail the 90% bound.
func TestSocketStormsDuringTraffic(t *testing.T) {
	h := newHarness(t, slackemu.Options{WarningGrace: 50 * time.Millisecond}, map[string]string{"MICROCOACH_LOG_LEVEL": "warn"})
	stop := make(chan struct{})
	var storm sync.WaitGroup
	storm.Add(1)
	go func() {
		defer storm.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(150 * time.Millisecond):
			}
			switch i % 3 {
			case 0:
				h.emu.DropSockets()
			case 1:
				h.emu.Disconnect("refresh_requested")
			default:
				h.emu.Disconnect("warning")
			}
		}
	}()
	people := []slackemu.User{ana, bob, maya, cleo}
	const commands = 120
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[string]int{}
	for i := range commands {
		time.Sleep(10 * time.Millisecond) // 100 commands a second, paced like people typing
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := people[i%len(people)]
			res, err := h.emu.Slash(context.Background(), p.ID, "/rate", fmt.Sprintf("team %d", 1+i%10))
			if err == nil && res.Acked {
				mu.Lock()
				acked[p.ID]++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	close(stop)
	storm.Wait()
	total := 0
	for _, n := range acked {
		total += n
	}
	t.Logf("%d of %d commands acked during the storm", total, commands)
	if total < commands*9/10 {
		t.Errorf("only %d of %d commands acked: reconnects are too slow", total, commands)
	}
	// Every acked command is stored. (One whose ack was written just as
	// its socket dropped may be stored without Slack having seen the ack.)
	db := h.db()
	for _, p := range people {
		if got := len(ratingsOf(t, db, p.ID)); got < acked[p.ID] || got > commands/len(people) {
			t.Errorf("%s: %d commands acked, %d ratings stored", p.Name, acked[p.ID], got)
		}
	}
}

// TestRateLimitStormAndSlowSlack: Slack answers 429 with a long
// Retry-After to every post for a while, and every Web API call takes 2 s;
// slash commands are still acked within Slack's 3 seconds, and the
// fan-out loses nothing.
func TestRateLimitStormAndSlowSlack(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits out a Retry-After")
	}
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	for _, u := range []slackemu.User{ana, bob, maya, cleo} {
		emu.AddUser(u)
	}
	// A proxy in front of the Web API that takes 2 s per call, after the
	// bot is connected.
	target, _ := url.Parse(strings.TrimSuffix(emu.APIURL(), "api/"))
	proxy := httputil.NewSingleHostReverseProxy(target)
	var slow sync.Mutex
	slowOn := false
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slow.Lock()
		on := slowOn
		slow.Unlock()
		if on && r.URL.Path != "/api/apps.connections.open" {
			time.Sleep(2 * time.Second)
		}
		proxy.ServeHTTP(w, r)
	})}
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	dbPath := filepath.Join(t.TempDir(), "storm.db")
	db, _ := storage.Open(dbPath, storage.Options{})
	db.EnrollAll([]coach.Person{{ID: ana.ID, EnrolledAt: time.Now().AddDate(-1, 0, 0)}, {ID: bob.ID, EnrolledAt: time.Now().AddDate(-1, 0, 0)}})
	db.Close()
	emu.ForceRateLimit("chat.postMessage", 4, 3*time.Second)
	cfg := DefaultConfig()
	cfg.AppToken, cfg.BotToken, cfg.SlackAPIURL = emu.AppToken(), emu.BotToken(), "http://"+ln.Addr().String()+"/api/"
	cfg.DBPath, cfg.AdminAddr, cfg.LogLevel = dbPath, "", "warn"
	cfg.NudgeSchedule, cfg.CheckinSchedule, cfg.RefreshSchedule, cfg.DigestSchedule = "@every 24h", never, never, never
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs := &syncBuffer{}
	go func() { done <- serve(ctx, cfg, logs, nil) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer wcancel()
	if err := emu.WaitConnected(wctx, 1); err != nil {
		t.Fatal(err)
	}
	slow.Lock()
	slowOn = true
	slow.Unlock()
	for i := range 20 {
		res, err := emu.Slash(wctx, cleo.ID, "/rate", fmt.Sprintf("agile %d", 1+i%10))
		if err != nil || !res.Acked || res.Latency > time.Second {
			t.Errorf("command %d with a slow Slack: acked=%v latency=%s err=%v", i, res.Acked, res.Latency, err)
		}
	}
	// Both nudges arrive despite the 429 storm.
	for _, p := range []slackemu.User{ana, bob} {
		if _, err := emu.WaitSeen(wctx, p.ID, slackemu.Containing("Question of the week")); err != nil {
			t.Errorf("%s's nudge was dropped: %v\n%s", p.Name, err, logs.String())
		}
	}
	limited := 0
	for _, c := range emu.Calls() {
		if c.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("the storm never happened")
	}
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// TestKillNineDuringChannelDigests: the same for digests in managers' own
// channels. After a crash the bot finds a digest already posted in the
// channel's history (channels:history), so each channel gets exactly one.
func TestKillNineDuringChannelDigests(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and kills a real process")
	}
	managers, kills := 60, 2
	if *longFaults {
		managers, kills = 300, 10
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	emu := slackemu.New(slackemu.Options{RateLimits: slackemu.RateLimits{Enabled: true, Scale: 10}})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	dbPath := filepath.Join(t.TempDir(), "digests.db")
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	yearAgo := time.Now().AddDate(-1, 0, 0)
	channels := make([]string, managers)
	for i := range managers {
		m := coach.Person{ID: fmt.Sprintf("UM%04d", i), EnrolledAt: yearAgo}
		r := coach.Person{ID: fmt.Sprintf("UR%04d", i), EnrolledAt: yearAgo}
		channels[i] = fmt.Sprintf("CD%04d", i)
		emu.AddUser(slackemu.User{ID: m.ID, Name: fmt.Sprintf("mgr%04d", i)})
		emu.AddUser(slackemu.User{ID: r.ID, Name: fmt.Sprintf("pm%04d", i)})
		emu.AddChannel(slackemu.Channel{ID: channels[i], Name: fmt.Sprintf("coaching-%04d", i), Members: []string{m.ID, emu.BotUserID()}})
		if _, err := db.AssignManager(m, r, yearAgo); err != nil {
			t.Fatal(err)
		}
		ch := channels[i]
		if _, err := db.UpdatePerson(m, func(p *coach.Person) error { p.DigestChannel = ch; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	env := append(os.Environ(),
		"SLACK_APP_TOKEN="+emu.AppToken(), "SLACK_BOT_TOKEN="+emu.BotToken(), "MICROCOACH_SLACK_API_URL="+emu.APIURL(),
		"MICROCOACH_DB_PATH="+dbPath, "MICROCOACH_ADMIN_ADDR=", "MICROCOACH_LOG_LEVEL=warn",
		"MICROCOACH_NUDGE_SCHEDULE="+never, "MICROCOACH_CHECKIN_SCHEDULE="+never,
		"MICROCOACH_REFRESH_SCHEDULE="+never, "MICROCOACH_DIGEST_SCHEDULE=@every 24h",
	)
	digests := func() int {
		n := 0
		for _, ch := range channels {
			for _, m := range emu.History(ch) {
				if strings.Contains(string(m.Metadata), "/digest/") {
					n++
				}
			}
		}
		return n
	}
	logs := newKiller(t, bin, env, 2).killThenFinish(kills, managers, digests, 2*time.Minute)
	lost, dups := 0, 0
	var twice []string // what each duplicated channel holds, for the failure
	for _, ch := range channels {
		var keys []string
		for _, m := range emu.History(ch) {
			if strings.Contains(string(m.Metadata), "/digest/") {
				keys = append(keys, fmt.Sprintf("ts %s %s", m.TS, m.Metadata))
			}
		}
		switch {
		case len(keys) == 0:
			lost++
		case len(keys) > 1:
			dups += len(keys) - 1
			twice = append(twice, ch+": "+strings.Join(keys, " | "))
		}
	}
	t.Logf("%d channel digests, %d kills: %d lost, %d duplicated", managers, kills, lost, dups)
	if lost != 0 || dups != 0 {
		t.Fatalf("%d lost, %d duplicated:\n%s\nlast run's log:\n%s", lost, dups, strings.Join(twice, "\n"), logs)
	}
}

// fanoutSlack is a local Slack with chat.postMessage's limits on (×10,
// so a fan-out to 2,000 takes seconds), closed when the test ends.
func fanoutSlack(t *testing.T) *slackemu.Server {
	t.Helper()
	emu := slackemu.New(slackemu.Options{RateLimits: slackemu.RateLimits{Enabled: true, Scale: 10}})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

// fanoutPeople adds n people to emu (ids prefix00000…), enrolled a year
// ago, so each is owed this week's nudge at once.
func fanoutPeople(emu *slackemu.Server, prefix string, n int) []coach.Person {
	ps := make([]coach.Person, n)
	yearAgo := time.Now().AddDate(-1, 0, 0)
	for i := range ps {
		id := fmt.Sprintf("%s%05d", prefix, i)
		emu.AddUser(slackemu.User{ID: id, Name: fmt.Sprintf("pm%05d", i)})
		ps[i] = coach.Person{ID: id, EnrolledAt: yearAgo}
	}
	return ps
}

// fanoutEnv is the environment of a microcoach process that sends the
// weekly nudge to everyone and nothing else; store names its database.
func fanoutEnv(emu *slackemu.Server, store ...string) []string {
	return append(append(os.Environ(),
		"SLACK_APP_TOKEN="+emu.AppToken(), "SLACK_BOT_TOKEN="+emu.BotToken(), "MICROCOACH_SLACK_API_URL="+emu.APIURL(),
		"MICROCOACH_ADMIN_ADDR=", "MICROCOACH_NUDGE_SCHEDULE=@every 24h", "MICROCOACH_CHECKIN_SCHEDULE="+never,
		"MICROCOACH_REFRESH_SCHEDULE="+never, "MICROCOACH_DIGEST_SCHEDULE="+never,
	), store...)
}

// postedCount is how many chat.postMessage calls Slack accepted so far.
func postedCount(emu *slackemu.Server) int { return emu.OKCalls("chat.postMessage") }

// nudgesOnce counts, from every person's DM history, the people who got
// no weekly nudge and the nudges sent more than once.
func nudgesOnce(emu *slackemu.Server, ps []coach.Person) (lost, dups int) {
	for _, p := range ps {
		n := 0
		for _, m := range emu.History(emu.DMChannel(p.ID)) {
			if strings.Contains(string(m.Metadata), "/nudge/") {
				n++
			}
		}
		switch {
		case n == 0:
			lost++
		case n > 1:
			dups += n - 1
		}
	}
	return lost, dups
}

// killer runs the real binary on one environment, kills it with SIGKILL at
// random moments and runs it once more to the end: the fault suite's loop.
type killer struct {
	t   *testing.T
	bin string
	env []string
	rng *rand.Rand
}

func newKiller(t *testing.T, bin string, env []string, seed uint64) *killer {
	return &killer{t: t, bin: bin, env: env, rng: rand.New(rand.NewPCG(seed, uint64(time.Now().UnixNano())))}
}

// start starts `microcoach serve`, its stderr in the returned builder.
func (k *killer) start() (*exec.Cmd, *strings.Builder) {
	cmd := exec.Command(k.bin, "serve")
	cmd.Env = k.env
	logs := &strings.Builder{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	return cmd, logs
}

// killThenFinish kills a run kills times, each once progress() has moved
// a random part of the way to total, then lets a last run reach total
// (within limit) and stops it with SIGTERM. It returns the last run's log.
func (k *killer) killThenFinish(kills, total int, progress func() int, limit time.Duration) string {
	for i := range kills {
		before := progress()
		cmd, _ := k.start()
		target := before + 1 + k.rng.IntN(max(1, (total-before)/(kills-i+1)))
		deadline := time.Now().Add(60 * time.Second)
		for progress() < target && time.Now().Before(deadline) {
			time.Sleep(time.Duration(k.rng.IntN(3000)) * time.Microsecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		k.t.Logf("kill %d: at %d (%d before this run)", i+1, progress(), before)
	}
	cmd, logs := k.start()
	deadline := time.Now().Add(limit)
	for progress() < total && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// Once it has exited nothing more can be posted: what the caller
	// counts next is final, duplicates sent during the drain included.
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	return logs.String()
}
