package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage/postgres"
	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// The tests here run several replicas of microcoach on one PostgreSQL
// database and one local Slack, which spreads payloads over their Socket
// Mode connections the way Slack does. They need a PostgreSQL server
// (pgtest says how to start one) and skip without it.

// replica is one microcoach serve running in this process.
type replica struct {
	t      testing.TB
	logs   *syncBuffer
	admin  string // the admin listener's address
	cancel context.CancelFunc
	done   chan error
}

// startReplica runs serve on the database at url against emu, and returns
// once its socket is up.
func startReplica(t testing.TB, emu *slackemu.Server, url string, env map[string]string) *replica {
	t.Helper()
	c := DefaultConfig()
	c.AppToken, c.BotToken, c.SlackAPIURL = emu.AppToken(), emu.BotToken(), emu.APIURL()
	c.DatabaseURL, c.AdminAddr, c.LogLevel = url, "127.0.0.1:0", "debug"
	for k, v := range env {
		applyEnv(t, &c, k, v)
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	r := &replica{t: t, logs: &syncBuffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	up := make(chan struct{}, 1)
	h := &hooks{
		admin:      func(a string) { addr <- a },
		connected:  func() { trySend(up) },
		probeEvery: 50 * time.Millisecond,
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- serve(ctx, c, r.logs, h) }()
	t.Cleanup(r.stop)
	wait := ctxT(t)
	select {
	case r.admin = <-addr:
	case err := <-r.done:
		t.Fatalf("replica stopped at start: %v\n%s", err, r.logs)
	case <-wait.Done():
		t.Fatalf("replica did not start\n%s", r.logs)
	}
	select {
	case <-up:
	case err := <-r.done:
		t.Fatalf("replica stopped before connecting: %v\n%s", err, r.logs)
	case <-wait.Done():
		t.Fatalf("replica did not connect\n%s", r.logs)
	}
	return r
}

func trySend(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// stop shuts the replica down the way SIGTERM does, once.
func (r *replica) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if err := <-r.done; err != nil {
		r.t.Errorf("replica stopped with %v\n%s", err, r.logs)
	}
}

// get reads a page of the replica's admin listener.
func (r *replica) get(path string) (int, string) {
	r.t.Helper()
	resp, err := http.Get("http://" + r.admin + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// leads says whether /metrics shows the replica as the leader.
func (r *replica) leads() bool {
	_, m := r.get("/metrics")
	return strings.Contains(m, "\nmicrocoach_leader 1\n")
}

// openPG opens the test's database directly, to seed it or look inside.
func openPG(t testing.TB, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(ctxT(t), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestSlashStormAcrossReplicas: three replicas share the traffic of 60
// people typing /rate at once. Every command is acked within Slack's 3 s,
// each rating is stored exactly once, every person gets every
// confirmation, and all three replicas took a share. Exactly one of them
// says it leads, and all three are ready.
func TestSlashStormAcrossReplicas(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	const people, each = 60, 5
	areas := []string{"planning", "execution", "team", "agile", "listen-learn"}
	for i := range people {
		emu.AddUser(slackemu.User{ID: fmt.Sprintf("US%03d", i), Name: fmt.Sprintf("pm%03d", i), TZ: "Europe/Berlin"})
	}
	var rs []*replica
	for range 3 {
		rs = append(rs, startReplica(t, emu, url, nil))
	}
	ctx := ctxT(t)
	if err := emu.WaitConnected(ctx, 3); err != nil {
		t.Fatal(err)
	}

	type result struct {
		res slackemu.SlashResult
		err error
	}
	results := make(chan result, people*each)
	var wg sync.WaitGroup
	for i := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("US%03d", i)
			for k, area := range areas[:each] {
				res, err := emu.Slash(ctx, id, "/rate", fmt.Sprintf("%s %d", area, 1+(i+k)%10))
				results <- result{res, err}
			}
		}()
	}
	wg.Wait()
	close(results)
	var slowest time.Duration
	for r := range results {
		if r.err != nil || !r.res.Acked {
			t.Fatalf("a /rate was not acked: %+v %v", r.res, r.err)
		}
		slowest = max(slowest, r.res.Latency)
	}
	if slowest >= 3*time.Second {
		t.Errorf("slowest ack %s: Slack gives up after 3 s", slowest)
	}

	// The work after the acks takes its time (each /rate also republishes
	// the person's Home), more so under -race: wait for it on its own clock.
	stormed := time.Now()
	wait, cancelWait := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancelWait()
	db := openPG(t, url)
	for i := range people {
		id := fmt.Sprintf("US%03d", i)
		// Each confirmation in turn, as the emulator records it.
		confirmation := func(x slackemu.Seen) bool {
			return x.Kind == slackemu.SeenEphemeral && strings.Contains(x.Text(), "you rated yourself")
		}
		confirmed, after := 0, 0
		for ; confirmed < each; confirmed++ {
			x, err := emu.WaitSeenAfter(wait, id, after, confirmation)
			if err != nil {
				break
			}
			after = x.Seq
		}
		if confirmed != each {
			t.Errorf("%s saw %d confirmations, want %d", id, confirmed, each)
		}
		got, err := db.Ratings(id, "")
		if err != nil {
			t.Fatal(err)
		}
		stored := map[string]int{}
		for _, r := range got {
			stored[r.Area]++
			if want := 1 + (i+indexOf(areas, r.Area))%10; r.Score != want {
				t.Errorf("%s %s stored %d, typed %d", id, r.Area, r.Score, want)
			}
		}
		if len(got) != each || len(stored) != each {
			t.Errorf("%s: %d ratings stored over %d areas, want %d once each", id, len(got), len(stored), each)
		}
	}
	conns := map[int]int{}
	for _, e := range emu.Envelopes() {
		if e.Type == "slash_commands" {
			conns[e.Conn]++
		}
	}
	if len(conns) != 3 {
		t.Errorf("envelopes per connection %v: want all three replicas to take a share", conns)
	}
	leaders := 0
	for _, r := range rs {
		if code, body := r.get("/readyz"); code != http.StatusOK {
			t.Errorf("a replica is not ready: %d %s", code, body)
		}
		if r.leads() {
			leaders++
		}
	}
	if leaders != 1 {
		t.Errorf("%d replicas say they lead, want 1", leaders)
	}
	t.Logf("%d commands over %d connections %v, slowest ack %s, all confirmed %s after the last ack",
		people*each, len(conns), conns, slowest, time.Since(stormed).Round(time.Millisecond))
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// TestLeaderKilledMidFanout runs three replicas of the real binary on one
// PostgreSQL database while the weekly nudge goes to 2,000 people, kills
// the leader with SIGKILL part-way, and checks that another replica takes
// over within 15 s and that in the end every person got exactly one nudge.
func TestLeaderKilledMidFanout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and kills real processes")
	}
	url := pgtest.URL(t)
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	const people = 2000
	emu := fanoutSlack(t)
	ps := fanoutPeople(emu, "UL", people)
	db := openPG(t, url)
	if err := db.EnrollAll(ps); err != nil {
		t.Fatal(err)
	}
	env := fanoutEnv(emu, "MICROCOACH_DATABASE_URL="+url, "MICROCOACH_DB_PATH="+filepath.Join(t.TempDir(), "unused.db"),
		"MICROCOACH_LOG_LEVEL=info")
	posted := func() int { return postedCount(emu) }
	type proc struct {
		cmd  *exec.Cmd
		logs *syncBuffer
	}
	start := func() proc {
		p := proc{cmd: exec.Command(bin, "serve"), logs: &syncBuffer{}}
		p.cmd.Env, p.cmd.Stderr = env, p.logs
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const leading = "leader: elected; this replica runs the scheduler" // postgres.Leader's log line
	var procs []proc
	for range 3 {
		procs = append(procs, start())
	}
	defer func() {
		for _, p := range procs {
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.cmd.Wait()
		}
	}()
	// Kill the leader once it has sent a part of the fan-out.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	target := 300 + int(time.Now().UnixNano()%500)
	if _, err := emu.WaitCalls(ctx, "chat.postMessage", target); err != nil {
		t.Fatalf("%d of the first %d nudges posted: %v", posted(), target, err)
	}
	leader := -1
	for i, p := range procs {
		if strings.Contains(p.logs.String(), leading) {
			leader = i
		}
	}
	if leader < 0 {
		t.Fatalf("no replica says it leads after %d posts", posted())
	}
	procs[leader].cmd.Process.Signal(syscall.SIGKILL)
	procs[leader].cmd.Wait()
	killed, atKill := time.Now(), posted()
	procs = append(procs[:leader], procs[leader+1:]...)
	// The first survivor to log that it leads is the new leader.
	took := make(chan int, len(procs))
	for i, p := range procs {
		go func() {
			if p.logs.waitFor(ctx, leading) == nil {
				took <- i
			}
		}()
	}
	var next int
	select {
	case next = <-took:
	case <-ctx.Done():
		t.Fatalf("no replica took over after the leader's death")
	}
	handover := time.Since(killed)
	if handover > 15*time.Second {
		t.Errorf("handover took %s, want within 15 s", handover)
	}
	if _, err := emu.WaitCalls(ctx, "chat.postMessage", people); err != nil {
		t.Fatalf("%d of %d nudges posted: %v\nnew leader's log:\n%s", posted(), people, err, procs[next].logs)
	}
	// Stop the survivors: once they have exited nothing more can be
	// posted, so the count below is final.
	for _, p := range procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
	}
	logs := procs[next].logs.String()
	procs = nil

	lost, dups := nudgesOnce(emu, ps)
	t.Logf("%d people, leader killed after %d posts; handover %s; %d lost, %d duplicated, %d posts",
		people, atKill, handover.Round(time.Millisecond), lost, dups, posted())
	if lost != 0 || dups != 0 {
		t.Fatalf("%d lost, %d duplicated\nnew leader's log:\n%s", lost, dups, logs)
	}
	open, err := db.OpenDeliveries()
	if err != nil || len(open) != 0 {
		t.Errorf("%d deliveries still open (%v)", len(open), err)
	}
}

// cluster is a PostgreSQL server of the test's own (deploy/pg-scratch.sh),
// for tests that take it down.
type cluster struct {
	t   testing.TB
	dir string
	url string
}

func startCluster(t testing.TB) *cluster {
	t.Helper()
	pgtest.URL(t) // skips, saying how to start a server, when there is none
	out, err := exec.Command("../../deploy/pg-scratch.sh").Output()
	if err != nil {
		t.Fatalf("pg-scratch: %v", err)
	}
	c := &cluster{t: t}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "export MICROCOACH_TEST_DATABASE_URL="); ok {
			c.url = strings.Trim(v, "'")
		}
		if v, ok := strings.CutPrefix(line, "export MICROCOACH_PG_SCRATCH="); ok {
			c.dir = strings.Trim(v, "'")
		}
	}
	if c.url == "" || c.dir == "" {
		t.Fatalf("pg-scratch said %q", out)
	}
	t.Cleanup(func() { exec.Command("../../deploy/pg-scratch.sh", "stop", c.dir).Run() })
	return c
}

func (c *cluster) run(what string) {
	c.t.Helper()
	if out, err := exec.Command("../../deploy/pg-scratch.sh", what, c.dir).CombinedOutput(); err != nil {
		c.t.Fatalf("pg-scratch %s: %v\n%s", what, err, out)
	}
}

// TestPostgresRestartMidTraffic takes PostgreSQL down under a running
// replica and brings it back. While it is down, a command is acked and the
// person is told it was not saved and to try again; nothing of it is
// stored. /readyz says why it is not ready. Once the server is back, the
// replica recovers by itself: ready again, and the same command works.
func TestPostgresRestartMidTraffic(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts and stops its own PostgreSQL")
	}
	cl := startCluster(t)
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	emu.AddUser(ana)
	r := startReplica(t, emu, cl.url, nil)
	h := &harness{t: t, emu: emu, logs: r.logs}
	mustContain(t, h.slash(ana, "/rate", "planning 6"), "Planning")

	cl.run("down")
	got := h.slash(ana, "/rate", "execution 4")
	mustContain(t, got, "could not save this", "Nothing was changed", "try again")
	if code, body := r.get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
		t.Errorf("/readyz with the database down: %d %q", code, body)
	}

	cl.run("up")
	ctx := ctxT(t)
	for {
		if code, _ := r.get("/readyz"); code == http.StatusOK {
			break
		}
		select {
		case <-ctx.Done():
			_, body := r.get("/readyz")
			t.Fatalf("not ready again after the database came back: %s\n%s", body, r.logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	mustContain(t, h.slash(ana, "/rate", "execution 4"), "Execution")

	db := openPG(t, cl.url)
	rs, err := db.Ratings(ana.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for _, x := range rs {
		stored = append(stored, fmt.Sprintf("%s %d", x.Area, x.Score))
	}
	slices.Sort(stored)
	if strings.Join(stored, ", ") != "execution 4, planning 6" {
		t.Errorf("stored %q, want planning 6 and execution 4, once each", stored)
	}
}

// TestNewerPostgresSchemaRefused: a database a newer microcoach migrated
// is refused at start, with exit 2 and one line that says so, and nothing
// is changed in it.
func TestNewerPostgresSchemaRefused(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	db := openPG(t, url)
	if _, err := db.Pool().Exec(ctxT(t), `INSERT INTO schema_version (version, name) VALUES ($1, 'from the future')`, postgres.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.AppToken, c.BotToken, c.SlackAPIURL, c.AdminAddr = "xapp-1", "xoxb-1", "http://127.0.0.1:1/api/", ""
	c.DatabaseURL = url
	err := serve(ctxT(t), c, io.Discard, nil)
	var stderr strings.Builder
	if code := exitCode(err, &stderr); code != 2 {
		t.Fatalf("exit %d (%v), want 2", code, err)
	}
	mustContain(t, stderr.String(), "MICROCOACH_DATABASE_URL", "newer")
	if v, err := db.Version(); err != nil || v != postgres.SchemaVersion()+1 {
		t.Errorf("schema version %d (%v) after the refusal, want it untouched", v, err)
	}
}
