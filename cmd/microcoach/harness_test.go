package main

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/postgres"
	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

// People of the simulated workspace used across the end-to-end tests.
var (
	ana   = slackemu.User{ID: "UANA", Name: "ana", RealName: "Ana Lima", TZ: "Europe/Berlin"}
	bob   = slackemu.User{ID: "UBOB", Name: "bob", RealName: "Bob Stone", TZ: "America/New_York"}
	maya  = slackemu.User{ID: "UMAYA", Name: "maya", RealName: "Maya Chen", TZ: "Europe/Berlin"}
	cleo  = slackemu.User{ID: "UCLEO", Name: "cleo", RealName: "Cleo Park", TZ: "Asia/Tokyo"}
	robot = slackemu.User{ID: "UROBOT", Name: "deploybot", RealName: "Deploy Bot", IsBot: true}
	gone  = slackemu.User{ID: "UGONE", Name: "gone", RealName: "Gone Person", Deleted: true}
)

// syncBuffer is a log sink tests can read while the bot writes.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed and replaced on every write
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

// waitFor waits until the log holds text.
func (s *syncBuffer) waitFor(ctx context.Context, text string) error {
	for {
		s.mu.Lock()
		if strings.Contains(s.b.String(), text) {
			s.mu.Unlock()
			return nil
		}
		if s.written == nil {
			s.written = make(chan struct{})
		}
		written := s.written
		s.mu.Unlock()
		select {
		case <-written:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// e2eStore chooses the store every end-to-end test runs on: the bbolt file
// (default), or PostgreSQL with -e2e.store=postgres (a database of its own
// per test, on the server MICROCOACH_TEST_DATABASE_URL names). CI runs the
// suite both ways; the one contract has to hold for what people see.
var e2eStore = flag.String("e2e.store", "bbolt", "store of the end-to-end harness: bbolt or postgres")

// onPostgres says whether the harness runs on PostgreSQL.
func onPostgres() bool { return *e2eStore == "postgres" }

// bboltOnly skips a test that is about the bbolt file itself (its backup,
// its lock, its disk) when the suite runs on PostgreSQL.
func bboltOnly(t testing.TB) {
	t.Helper()
	if onPostgres() {
		t.Skip("about the bbolt file; the suite runs on PostgreSQL (-e2e.store=postgres)")
	}
}

// harness runs the real microcoach (the same run that main calls) against
// a local Slack.
type harness struct {
	t      testing.TB
	emu    *slackemu.Server
	dbPath string
	dbURL  string // PostgreSQL, with -e2e.store=postgres
	env    map[string]string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// newHarness starts a local Slack with the test people and microcoach
// connected to it. env overrides settings.
func newHarness(t testing.TB, opts slackemu.Options, env map[string]string) *harness {
	t.Helper()
	emu := slackemu.New(opts)
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	for _, u := range []slackemu.User{ana, bob, maya, cleo, robot, gone} {
		emu.AddUser(u)
	}
	h := &harness{t: t, emu: emu, dbPath: filepath.Join(t.TempDir(), "microcoach.db"), env: env, logs: &syncBuffer{}}
	if onPostgres() {
		h.dbURL = pgtest.URL(t)
	}
	h.start()
	t.Cleanup(h.stop)
	return h
}

// config is the Config the harness runs serve with: the defaults, pointed
// at the emulator, with h.env applied the way the environment would.
func (h *harness) config() Config {
	h.t.Helper()
	c := DefaultConfig()
	c.AppToken, c.BotToken, c.SlackAPIURL = h.emu.AppToken(), h.emu.BotToken(), h.emu.APIURL()
	c.DBPath, c.AdminAddr, c.LogLevel, c.LogFormat = h.dbPath, "", "debug", "text"
	c.DatabaseURL = h.dbURL
	for k, v := range h.env {
		applyEnv(h.t, &c, k, v)
	}
	if err := c.validate(); err != nil {
		h.t.Fatal(err)
	}
	return c
}

// applyEnv sets the field of c that the variable k sets, for the
// variables the end-to-end tests override.
func applyEnv(t testing.TB, c *Config, k, v string) {
	t.Helper()
	switch strings.TrimPrefix(k, envPrefix+"_") {
	case "ADMIN_ADDR":
		c.AdminAddr = v
	case "ADMIN_TOKEN":
		c.AdminToken = v
	case "ADMINS":
		c.Admins = strings.Split(v, ",")
	case "NUDGE_SCHEDULE":
		c.NudgeSchedule = v
	case "CHECKIN_SCHEDULE":
		c.CheckinSchedule = v
	case "REFRESH_SCHEDULE":
		c.RefreshSchedule = v
	case "DIGEST_SCHEDULE":
		c.DigestSchedule = v
	case "DIGEST_CHANNEL":
		c.DigestChannel = v
	case "LOG_LEVEL":
		c.LogLevel = v
	case "LOG_FORMAT":
		c.LogFormat = v
	case "MODEL_FILE":
		c.ModelFile = v
	case "QUESTIONS_FILE":
		c.QuestionsFile = v
	case "DATABASE_URL":
		c.DatabaseURL = v
	default:
		t.Fatalf("harness: no Config field for %s", k)
	}
}

// setenv exports the harness's settings for tests that run a subcommand
// which reads the environment (backup, export, org import) against it.
// Such tests cannot run in parallel.
func (h *harness) setenv() {
	h.t.Helper()
	env := map[string]string{
		"SLACK_APP_TOKEN":          h.emu.AppToken(),
		"SLACK_BOT_TOKEN":          h.emu.BotToken(),
		"MICROCOACH_SLACK_API_URL": h.emu.APIURL(),
		"MICROCOACH_DB_PATH":       h.dbPath,
		"MICROCOACH_DATABASE_URL":  h.dbURL,
		"MICROCOACH_ADMIN_ADDR":    "",
		"MICROCOACH_LOG_LEVEL":     "debug",
		"MICROCOACH_LOG_FORMAT":    "text",
	}
	maps.Copy(env, h.env)
	for k, v := range env {
		h.t.Setenv(k, v)
	}
}

// start runs microcoach serve and waits until it has handled Socket
// Mode's Connected event and the emulator holds the connection.
func (h *harness) start() {
	h.t.Helper()
	cfg := h.config()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	connected := make(chan struct{}, 1)
	hk := &hooks{connected: func() {
		select {
		case connected <- struct{}{}:
		default:
		}
	}}
	go func() { h.done <- serve(ctx, cfg, h.logs, hk) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	select {
	case err := <-h.done:
		h.t.Fatalf("microcoach stopped before connecting: %v\n%s", err, h.logs.String())
	case <-wctx.Done():
		h.t.Fatalf("microcoach did not connect within 10s\n%s", h.logs.String())
	case <-connected:
	}
	if err := h.emu.WaitConnected(wctx, 1); err != nil {
		h.t.Fatal(err)
	}
}

// stop shuts microcoach down as SIGTERM would and waits for it.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("microcoach exited with %v", err)
		}
	case <-time.After(15 * time.Second):
		h.t.Error("microcoach did not stop within 15s")
	}
}

func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// slash types a command as a person and returns the reply they then see
// (the first new ephemeral message, or an error Slack showed).
func (h *harness) slash(user slackemu.User, command, text string) string {
	h.t.Helper()
	n := h.emu.SeenCount(user.ID)
	ctx := ctxT(h.t)
	res, err := h.emu.Slash(ctx, user.ID, command, text)
	if err != nil {
		h.t.Fatalf("%s %s: %v", command, text, err)
	}
	if !res.Acked {
		h.t.Fatalf("%s %s was not acked", command, text)
	}
	s, err := h.emu.WaitSeenAfter(ctx, user.ID, n, slackemu.Kind(slackemu.SeenEphemeral, slackemu.SeenError, slackemu.SeenModalOpen))
	if err != nil {
		h.t.Fatalf("%s %s: no reply seen: %v\n%s", command, text, err, h.logs.String())
	}
	return s.Text()
}

// command types a slash command and returns once it was acked, for
// commands whose answer arrives as a DM rather than a reply.
func (h *harness) command(user slackemu.User, command, text string) {
	h.t.Helper()
	res, err := h.emu.Slash(ctxT(h.t), user.ID, command, text)
	if err != nil || !res.Acked {
		h.t.Fatalf("%s %s: %+v %v", command, text, res, err)
	}
}

// waitSeen waits for something the person sees after n earlier things.
func (h *harness) waitSeen(user slackemu.User, n int, match func(slackemu.Seen) bool) slackemu.Seen {
	h.t.Helper()
	s, err := h.emu.WaitSeenAfter(ctxT(h.t), user.ID, n, match)
	if err != nil {
		h.t.Fatalf("%s saw nothing matching: %v\nseen:\n%s\nlogs:\n%s", user.Name, err, h.emu.Transcript(user.ID), h.logs.String())
	}
	return s
}

// lastModal returns the person's top open modal.
func (h *harness) lastModal(user slackemu.User) slackemu.View {
	h.t.Helper()
	views := h.emu.OpenViews(user.ID)
	if len(views) == 0 {
		h.t.Fatalf("%s has no open modal", user.Name)
	}
	return views[len(views)-1]
}

// where names the harness's database the way microcoach's reports do.
func (h *harness) where() string {
	if h.dbURL != "" {
		return "PostgreSQL " + h.dbURL
	}
	return h.dbPath
}

// storedDB is what the end-to-end tests read back, on either store.
type storedDB interface {
	store
	Check() error
	PlanHistory(owner string) ([]coach.PlanChange, error)
}

// db opens the database after microcoach stopped, to check what was stored.
func (h *harness) db() storedDB {
	h.t.Helper()
	db := h.open()
	h.t.Cleanup(func() { db.Close() })
	if err := db.Check(); err != nil {
		h.t.Errorf("database inconsistent: %v", err)
	}
	return db
}

// open stops microcoach and opens its database, bbolt or PostgreSQL, for
// a test to change what is stored before a restart; the caller closes it.
func (h *harness) open() storedDB {
	h.t.Helper()
	h.stop()
	var db storedDB
	var err error
	if h.dbURL != "" {
		db, err = postgres.Open(context.Background(), h.dbURL, postgres.Options{})
	} else {
		db, err = storage.Open(h.dbPath, storage.Options{})
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return db
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}

func mustNotContain(t *testing.T, got string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(got, b) {
			t.Errorf("unexpected %q in:\n%s", b, got)
		}
	}
}

func ratingsOf(t *testing.T, db storedDB, who string) []coach.Rating {
	t.Helper()
	rs, err := db.Ratings(who, "")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// invite has manager invite reports with /coach team add and returns
// what the manager was told.
func (h *harness) invite(manager slackemu.User, reports ...slackemu.User) string {
	h.t.Helper()
	names := make([]string, len(reports))
	for i, r := range reports {
		names[i] = "@" + r.Name
	}
	return h.slash(manager, "/coach", "team add "+strings.Join(names, " "))
}

// answerInvitation has person click label ("Accept" or "Decline") on the
// newest invitation from manager in their DM, and returns how the
// invitation message read afterwards.
func (h *harness) answerInvitation(person, manager slackemu.User, label string) string {
	h.t.Helper()
	var inv slackemu.Seen
	for _, s := range h.emu.Seen(person.ID) {
		if s.Kind == slackemu.SeenMessage && strings.Contains(s.Text(), "@"+manager.Name+" invites you") {
			inv = s
		}
	}
	if inv.TS == "" {
		h.t.Fatalf("%s has no invitation from %s:\n%s", person.Name, manager.Name, h.emu.Transcript(person.ID))
	}
	id, val := buttonIn(h.t, inv.Blocks, label)
	n := h.emu.SeenCount(person.ID)
	if err := h.emu.Click(ctxT(h.t), person.ID, slackemu.InMessage(inv.Channel, inv.TS), id, val); err != nil {
		h.t.Fatal(err)
	}
	return h.waitSeen(person, n, slackemu.Kind(slackemu.SeenMessageUpdate, slackemu.SeenEphemeral)).Text()
}

// invitationFrom matches the invitation message from manager in a DM; not
// the Home tab, which shows the pending invitation too and may be
// published first.
func invitationFrom(manager slackemu.User) func(slackemu.Seen) bool {
	contains := slackemu.Containing("@" + manager.Name + " invites you")
	return func(s slackemu.Seen) bool { return s.Kind == slackemu.SeenMessage && contains(s) }
}

// team makes manager the manager of record of each report the way people
// do it: an invitation each report accepts.
func (h *harness) team(manager slackemu.User, reports ...slackemu.User) {
	h.t.Helper()
	h.invite(manager, reports...)
	for _, r := range reports {
		h.waitSeen(r, 0, invitationFrom(manager))
		if got := h.answerInvitation(r, manager, "Accept"); !strings.Contains(got, "You accepted") {
			h.t.Fatalf("%s accepting %s's invitation saw: %s", r.Name, manager.Name, got)
		}
	}
}

// waitLog waits until microcoach has logged a line containing s: for
// effects nobody sees in Slack (a refused request).
func (h *harness) waitLog(s string) {
	h.t.Helper()
	ctx := ctxT(h.t)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(h.logs.String(), s) {
		select {
		case <-ctx.Done():
			h.t.Fatalf("no log line with %q:\n%s", s, h.logs.String())
		case <-tick.C:
		}
	}
}
