package scheduler

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// fakeClock advances only when someone waits on it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

// fakeOutbox is Slack as the scheduler sees it: it remembers every post and
// can refuse with 429s or lose the ledger write.
type fakeOutbox struct {
	mu       sync.Mutex
	posts    map[string]int // key → times posted
	order    []string
	limit429 int                       // the next n posts answer 429
	gone     map[string]string         // person → why their messages are no longer owed
	down     map[string]bool           // person → their posts fail (and are retried)
	given    map[string]coach.Delivery // key → the delivery Post was last given
}

func newOutbox() *fakeOutbox {
	return &fakeOutbox{posts: map[string]int{}, gone: map[string]string{}, down: map[string]bool{}, given: map[string]coach.Delivery{}}
}

// slowDown and notOwed are the outbox's own error types: the scheduler
// knows them only by their methods.
type slowDown struct{ after time.Duration }

func (e slowDown) Error() string             { return "429" }
func (e slowDown) RetryAfter() time.Duration { return e.after }

type notOwed struct{ why string }

func (e *notOwed) Error() string      { return "not owed" }
func (e *notOwed) SkipReason() string { return e.why }

func (o *fakeOutbox) Post(ctx context.Context, d coach.Delivery) (string, string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.limit429 > 0 {
		o.limit429--
		return "", "", fmt.Errorf("post: %w", slowDown{3 * time.Second})
	}
	o.given[d.Key()] = d
	if why, ok := o.gone[d.Person]; ok {
		return "", "", fmt.Errorf("post: %w", &notOwed{why})
	}
	if o.down[d.Person] {
		return "", "", fmt.Errorf("post: connection reset")
	}
	o.posts[d.Key()]++
	o.order = append(o.order, d.Key())
	return "D" + d.Person, fmt.Sprint(len(o.order)), nil
}

func (o *fakeOutbox) Find(ctx context.Context, d coach.Delivery) (string, string, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.posts[d.Key()] > 0 {
		return "D" + d.Person, "found", true, nil
	}
	return "", "", false, nil
}

func (o *fakeOutbox) count(key string) int { o.mu.Lock(); defer o.mu.Unlock(); return o.posts[key] }
func (o *fakeOutbox) total() int           { o.mu.Lock(); defer o.mu.Unlock(); return len(o.order) }

type fixture struct {
	db     *storage.DB
	out    *fakeOutbox
	clock  *fakeClock
	engine *Engine
}

func newFixture(t *testing.T, opts ...func(*Config)) *fixture {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "s.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, out: newOutbox(), clock: &fakeClock{}}
	cfg := Config{
		Nudge: MustParse("30 9 * * MON"), Checkin: MustParse("0 10 1-7 * TUE"), Refresh: MustParse("30 10 1-7 1,4,7,10 TUE"),
		Store: db, Outbox: f.out, Clock: f.clock,
	}
	for _, o := range opts {
		o(&cfg)
	}
	f.engine = New(cfg)
	return f
}

func (f *fixture) person(t *testing.T, p coach.Person) {
	t.Helper()
	if p.EnrolledAt.IsZero() {
		p.EnrolledAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if _, err := f.db.Enroll(p); err != nil {
		t.Fatal(err)
	}
}

// plan gives the person a development plan written long ago, so the
// rhythm's newness rules do not hold its check-ins back.
func (f *fixture) plan(t *testing.T, id string) {
	t.Helper()
	written := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	if _, err := f.db.UpdatePlan(id, "", func(coach.Plan) (coach.Plan, coach.PlanChange, error) {
		p := coach.Plan{Owner: id, Headline: "h", Version: 1, CreatedAt: written, UpdatedAt: written, Horizon: written.AddDate(0, 6, 0),
			Themes: []coach.Theme{{ID: "t1", Area: "planning", Title: "t", Actions: []coach.Action{{ID: "a1", Text: "a"}}}}}
		return p, coach.PlanChange{By: id, At: written}, nil
	}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) tick(t *testing.T, now time.Time) Stats {
	t.Helper()
	f.clock.mu.Lock()
	f.clock.now = now
	f.clock.mu.Unlock()
	st, err := f.engine.Tick(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func berlin(t *testing.T) *time.Location { return mustLoad(t, "Europe/Berlin") }

func TestWeeklyNudgeInOwnZoneOnce(t *testing.T) {
	f := newFixture(t)
	f.person(t, coach.Person{ID: "UBER", TZ: "Europe/Berlin"})
	f.person(t, coach.Person{ID: "UNYC", TZ: "America/New_York"})
	b := berlin(t)
	// Monday 23 Nov 2026, 09:29 Berlin: nothing yet.
	if st := f.tick(t, time.Date(2026, 11, 23, 9, 29, 0, 0, b)); st.Sent != 0 {
		t.Fatalf("sent %d before 09:30", st.Sent)
	}
	// 09:30 Berlin: Berlin gets it, New York (03:30) does not.
	f.tick(t, time.Date(2026, 11, 23, 9, 30, 0, 0, b))
	if f.out.count("UBER/nudge/2026-11-23T09:30") != 1 || f.out.total() != 1 {
		t.Fatalf("posts after 09:30 Berlin: %v", f.out.order)
	}
	// Ticks later the same day send nothing more; 09:30 New York does.
	for _, h := range []int{10, 12, 15} {
		f.tick(t, time.Date(2026, 11, 23, h, 30, 0, 0, b))
	}
	if f.out.count("UBER/nudge/2026-11-23T09:30") != 1 || f.out.count("UNYC/nudge/2026-11-23T09:30") != 1 || f.out.total() != 2 {
		t.Fatalf("posts: %v", f.out.order)
	}
}

func TestPausedAndNudgesOffGetNothing(t *testing.T) {
	f := newFixture(t)
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	f.person(t, coach.Person{ID: "UPAUSED", PausedUntil: at.AddDate(0, 0, 14)})
	f.person(t, coach.Person{ID: "UOFF", NudgesOff: true})
	f.person(t, coach.Person{ID: "UOWN", NudgeSpec: "0 14 * * 2"}) // Tuesdays 14:00
	f.tick(t, at)
	f.tick(t, time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC))
	if got := f.out.order; len(got) != 1 || got[0] != "UOWN/nudge/2026-11-24T14:00" {
		t.Fatalf("posts = %v, want only UOWN's own Tuesday nudge", got)
	}
}

func TestCatchUpWithinGraceOnly(t *testing.T) {
	f := newFixture(t)
	f.person(t, coach.Person{ID: "U1"})
	f.plan(t, "U1")
	// Down all Monday morning, back at 22:00: the weekly nudge still goes.
	f.tick(t, time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC))
	if f.out.count("U1/nudge/2026-11-23T09:30") != 1 {
		t.Fatalf("same-day catch-up missing: %v", f.out.order)
	}
	// Back only on Thursday 3 Dec: Tuesday's check-in (1 Dec) is within
	// 3 days and goes; Monday 30 Nov's nudge is past its same-day grace.
	f.tick(t, time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	if f.out.count("U1/checkin/2026-12-01T10:00") != 1 || f.out.count("U1/nudge/2026-11-30T09:30") != 0 {
		t.Fatalf("catch-up after downtime: %v", f.out.order)
	}
}

func TestCrashBetweenPostAndLedgerDoesNotRepeat(t *testing.T) {
	f := newFixture(t)
	f.person(t, coach.Person{ID: "U1"})
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	// The post reached Slack, then the process died before recording it:
	// the ledger says attempted.
	d := coach.Delivery{Person: "U1", Cadence: coach.CadenceNudge, Period: "2026-11-23T09:30", Due: at, State: coach.DeliveryAttempted, Attempt: at}
	if _, err := f.db.QueueDeliveries([]coach.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	f.out.posts[d.Key()] = 1
	st := f.tick(t, at.Add(time.Minute))
	if st.Recovered != 1 || f.out.count(d.Key()) != 1 {
		t.Fatalf("stats %+v, posts %d: a crash made a duplicate", st, f.out.count(d.Key()))
	}
	got, _, _ := f.db.Delivery("U1", coach.CadenceNudge, d.Period)
	if got.State != coach.DeliverySent || got.TS != "found" {
		t.Fatalf("ledger after recovery = %+v", got)
	}
	// Attempted but never reached Slack: sent now, once.
	d2 := coach.Delivery{Person: "U1", Cadence: coach.CadenceCheckin, Period: "2026-12-01T10:00", Due: at, State: coach.DeliveryAttempted}
	f.db.QueueDeliveries([]coach.Delivery{d2})
	f.tick(t, at.Add(2*time.Minute))
	if f.out.count(d2.Key()) != 1 {
		t.Fatalf("an attempted-but-lost delivery was not sent: %v", f.out.order)
	}
}

func TestRateLimitWaitsAndNeverDrops(t *testing.T) {
	f := newFixture(t)
	for i := range 20 {
		f.person(t, coach.Person{ID: fmt.Sprintf("U%02d", i)})
	}
	f.out.limit429 = 5
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	st := f.tick(t, at)
	if st.Sent != 20 || f.out.total() != 20 {
		t.Fatalf("stats %+v, %d posts: a 429 dropped messages", st, f.out.total())
	}
	if waited := f.clock.Now().Sub(at); waited < 3*time.Second {
		t.Fatalf("waited %s, Retry-After was 3s", waited)
	}
}

// ledgerLog is the store with a record of every version of a ledger entry
// an update stored.
type ledgerLog struct {
	*storage.DB
	mu       sync.Mutex
	versions map[string][]coach.Delivery
}

func (l *ledgerLog) UpdateDelivery(person string, c coach.Cadence, period string, fn func(d *coach.Delivery) error) (coach.Delivery, error) {
	d, err := l.DB.UpdateDelivery(person, c, period, fn)
	if err == nil {
		l.mu.Lock()
		l.versions[d.Key()] = append(l.versions[d.Key()], d)
		l.mu.Unlock()
	}
	return d, err
}

// TestChoiceRecordedWithAttempt: what a message carries (the plan's
// action, or a bank question) is in the ledger from the update that marks
// it attempted, so a post that fails leaves the choice stored; the retry
// posts the same choice, and the ledger never held an attempt without it.
func TestChoiceRecordedWithAttempt(t *testing.T) {
	bank := coach.DefaultQuestions()
	var log *ledgerLog
	f := newFixture(t, func(c *Config) {
		log = &ledgerLog{DB: c.Store.(*storage.DB), versions: map[string][]coach.Delivery{}}
		c.Store, c.Questions = log, bank
	})
	f.person(t, coach.Person{ID: "UPLAN"})
	f.plan(t, "UPLAN")
	f.person(t, coach.Person{ID: "UASK"})
	f.out.down["UPLAN"], f.out.down["UASK"] = true, true
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	if st := f.tick(t, at); st.Failed != 2 {
		t.Fatalf("stats %+v, want both posts failed", st)
	}
	question := bank.Only(coach.CategoryCoaching, coach.CategoryCheckin, coach.CategoryMood).Next("", coach.QuestionSeed("UASK")).ID
	want := map[string][3]string{ // key → question, theme, action
		"UPLAN/nudge/2026-11-23T09:30": {"", "t1", "a1"},
		"UASK/nudge/2026-11-23T09:30":  {question, "", ""},
	}
	carries := func(d coach.Delivery) [3]string { return [3]string{d.QuestionID, d.ThemeID, d.ActionID} }
	for key, w := range want {
		person, period := key[:strings.Index(key, "/")], key[strings.LastIndex(key, "/")+1:]
		got, _, _ := f.db.Delivery(person, coach.CadenceNudge, period)
		if got.State != coach.DeliveryAttempted || carries(got) != w {
			t.Errorf("%s after a failed post: %s carrying %q, want attempted carrying %q", key, got.State, carries(got), w)
		}
	}
	delete(f.out.down, "UPLAN")
	delete(f.out.down, "UASK")
	if st := f.tick(t, at.Add(time.Minute)); st.Sent != 2 {
		t.Fatalf("stats %+v on the retry, want both sent", st)
	}
	for key, w := range want {
		if got := carries(f.out.given[key]); got != w {
			t.Errorf("%s: the retry posted %q, want %q", key, got, w)
		}
		for i, v := range log.versions[key] {
			if v.State == coach.DeliveryAttempted && carries(v) != w || i == 0 && v.State != coach.DeliveryAttempted {
				t.Errorf("%s: update %d stored %s carrying %q", key, i, v.State, carries(v))
			}
		}
		if n := len(log.versions[key]); n != 3 { // attempted, attempted again, sent
			t.Errorf("%s: %d updates, want 3: %+v", key, n, log.versions[key])
		}
	}
}

// TestNotOwedIsSkippedNotRetried: an outbox error with a SkipReason
// method, however wrapped, records the delivery as skipped with the reason
// and it is never tried again.
func TestNotOwedIsSkippedNotRetried(t *testing.T) {
	f := newFixture(t)
	f.person(t, coach.Person{ID: "U1"})
	f.out.gone["U1"] = "account_inactive"
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	if st := f.tick(t, at); st.Sent != 0 || st.Failed != 0 {
		t.Fatalf("stats %+v, want nothing sent or failed", st)
	}
	got, _, _ := f.db.Delivery("U1", coach.CadenceNudge, "2026-11-23T09:30")
	if got.State != coach.DeliverySkipped || got.Note != "account_inactive" {
		t.Fatalf("ledger = %+v, want skipped for account_inactive", got)
	}
	delete(f.out.gone, "U1")
	f.tick(t, at.Add(time.Hour))
	if f.out.total() != 0 {
		t.Fatalf("a skipped delivery was posted later: %v", f.out.order)
	}
}

func TestReminderOnceAfterTwoWorkingDays(t *testing.T) {
	f := newFixture(t)
	f.person(t, coach.Person{ID: "U1"})
	f.plan(t, "U1")
	checkin := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) // Tuesday
	f.tick(t, checkin)
	if f.out.count("U1/checkin/2026-12-01T10:00") != 1 {
		t.Fatalf("no check-in: %v", f.out.order)
	}
	f.tick(t, checkin.Add(47*time.Hour)) // Thursday 09:00: too early
	if f.out.count("U1/reminder/2026-12-01T10:00") != 0 {
		t.Fatal("reminded before two working days")
	}
	for h := 48; h < 80; h += 4 { // Thursday 10:00 onwards
		f.tick(t, checkin.Add(time.Duration(h)*time.Hour))
	}
	if n := f.out.count("U1/reminder/2026-12-01T10:00"); n != 1 {
		t.Fatalf("%d reminders, want exactly 1", n)
	}
}

func TestReminderSkipsWeekend(t *testing.T) {
	fri := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	if got := coach.AddWorkingDays(fri, 2); !got.Equal(time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("two working days after Friday = %v, want Tuesday", got)
	}
}

func TestAnsweredCheckinGetsNoReminder(t *testing.T) {
	f := newFixture(t)
	f.person(t, coach.Person{ID: "U1"})
	f.plan(t, "U1")
	checkin := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	f.tick(t, checkin)
	if _, err := f.db.UpdateDelivery("U1", coach.CadenceCheckin, "2026-12-01T10:00", func(d *coach.Delivery) error {
		d.Answered = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.tick(t, checkin.Add(72*time.Hour))
	if f.out.count("U1/reminder/2026-12-01T10:00") != 0 {
		t.Fatal("reminded about an answered check-in")
	}
}

func TestEveryScheduleFiresEachSlot(t *testing.T) {
	f := newFixture(t)
	f.engine.cfg.Nudge = MustParse("@every 5s")
	f.person(t, coach.Person{ID: "U1"})
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for s := 0; s < 20; s++ {
		f.tick(t, start.Add(time.Duration(s)*time.Second))
	}
	if n := f.out.total(); n != 4 {
		t.Fatalf("%d nudges in 20 s of @every 5s, want 4: %v", n, f.out.order)
	}
}

func TestPauseSkipsRatherThanDefers(t *testing.T) {
	f := newFixture(t)
	// Paused until Monday 11:00: the 09:30 nudge fell inside the pause and
	// is not sent when the pause ends.
	f.person(t, coach.Person{ID: "U1", PausedUntil: time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)})
	f.tick(t, time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	f.tick(t, time.Date(2026, 11, 23, 11, 1, 0, 0, time.UTC))
	f.tick(t, time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC))
	if got := f.out.order; len(got) != 1 || got[0] != "U1/nudge/2026-11-30T09:30" {
		t.Fatalf("posts = %v, want only the next week's nudge", got)
	}
}

func TestMissedBeyondGraceIsRecordedSkippedOnce(t *testing.T) {
	f := newFixture(t)
	f.person(t, coach.Person{ID: "U1"})
	// Down from before Monday 30 Nov's nudge until Wednesday 2 Dec.
	st := f.tick(t, time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC))
	if f.out.count("U1/nudge/2026-11-30T09:30") != 0 {
		t.Fatal("a nudge past its same-day grace was sent")
	}
	d, found, _ := f.db.Delivery("U1", coach.CadenceNudge, "2026-11-30T09:30")
	if !found || d.State != coach.DeliverySkipped || d.Note == "" {
		t.Fatalf("ledger = %+v (found %v), want it recorded as skipped with why", d, found)
	}
	if st.Skipped == 0 {
		t.Errorf("stats %+v count no skip", st)
	}
	// The next tick does not record or log it again.
	if st := f.tick(t, time.Date(2026, 12, 2, 8, 5, 0, 0, time.UTC)); st.Skipped != 0 {
		t.Errorf("skipped again: %+v", st)
	}
}

// TestOwnNudgeTimeMovesTheIndex: a change of nudge time after the index
// was built is seen by the next tick, without reading anyone else.
func TestOwnNudgeTimeMovesTheIndex(t *testing.T) {
	f := newFixture(t)
	f.person(t, coach.Person{ID: "U1"})
	f.person(t, coach.Person{ID: "U2"})
	f.tick(t, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)) // Sunday: builds the index
	if _, err := f.db.UpdatePerson(coach.Person{ID: "U1"}, func(p *coach.Person) error {
		p.NudgeSpec = "15 8 * * 1" // Mondays 08:15, before the default 09:30
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.tick(t, time.Date(2026, 11, 23, 8, 15, 0, 0, time.UTC))
	if got := f.out.order; len(got) != 1 || got[0] != "U1/nudge/2026-11-23T08:15" {
		t.Fatalf("posts = %v, want U1's own 08:15 nudge", got)
	}
	people, _, err := f.db.DueBefore(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), 0)
	if err != nil || len(people) != 0 {
		t.Fatalf("due before 09:00 after the tick: %v (%v), want nobody", people, err)
	}
}

// TestTickWithNothingDueReadsNobody: between occurrences a tick finds no
// one due and allocates next to nothing, however many people there are.
func TestTickWithNothingDueReadsNobody(t *testing.T) {
	f := newFixture(t)
	for i := range 200 {
		f.person(t, coach.Person{ID: fmt.Sprintf("U%03d", i)})
	}
	f.tick(t, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	now := time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := f.engine.Tick(context.Background(), now); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 100 {
		t.Errorf("a tick with nothing due made %.0f allocations", allocs)
	}
}

// notifyOutbox tells a channel about every post.
type notifyOutbox struct {
	*fakeOutbox
	posted chan string
}

func (o notifyOutbox) Post(ctx context.Context, d coach.Delivery) (string, string, error) {
	ch, ts, err := o.fakeOutbox.Post(ctx, d)
	o.posted <- d.Key()
	return ch, ts, err
}

// TestEnrolmentWakesTheDriver: with the driver asleep for up to an hour,
// a person who enrols gets their first @every 1s nudge within about one
// interval, because enrolling wakes the driver.
func TestEnrolmentWakesTheDriver(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "s.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := notifyOutbox{newOutbox(), make(chan string, 10)}
	e := New(Config{
		Nudge: MustParse("@every 1s"), Checkin: MustParse("0 10 1-7 * TUE"), Refresh: MustParse("30 10 1-7 1,4,7,10 TUE"),
		Store: db, Outbox: out, MaxWake: time.Hour,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	enrolled := time.Now()
	if _, err := db.Enroll(coach.Person{ID: "UNEW", EnrolledAt: enrolled}); err != nil {
		t.Fatal(err)
	}
	select {
	case key := <-out.posted:
		t.Logf("%s after %s", key, time.Since(enrolled).Round(time.Millisecond))
		if took := time.Since(enrolled); took > 2500*time.Millisecond {
			t.Errorf("first nudge after %s, want about one interval", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no nudge within 10 s of enrolling: the driver did not wake")
	}
}

// TestRetentionFoldsWhenDue: ledger entries past the retention age fold
// into quarter counts when the person is next looked at.
func TestRetentionFoldsWhenDue(t *testing.T) {
	f := newFixture(t)
	f.engine.cfg.RetentionMonths = 13
	f.person(t, coach.Person{ID: "U1", EnrolledAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	old := time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)
	if _, err := f.db.QueueDeliveries([]coach.Delivery{{Person: "U1", Cadence: coach.CadenceNudge, Period: "2024-06-03T09:30", Due: old, State: coach.DeliverySent, SentAt: old, Answered: true}}); err != nil {
		t.Fatal(err)
	}
	f.tick(t, time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	if _, found, _ := f.db.Delivery("U1", coach.CadenceNudge, "2024-06-03T09:30"); found {
		t.Error("an entry 29 months old is still in the ledger")
	}
	qs, err := f.db.LedgerQuarters("U1")
	if err != nil || len(qs) != 1 || qs[0].Quarter != "2024-Q2" || qs[0].Sent != 1 || qs[0].Answered != 1 {
		t.Errorf("quarter counts %+v (%v), want one sent and answered in 2024-Q2", qs, err)
	}
	if _, found, _ := f.db.Delivery("U1", coach.CadenceNudge, "2026-11-23T09:30"); !found {
		t.Error("this week's nudge is missing")
	}
}

// TestManyDueAtOnce: more people due than a tick works on at once are
// all served by the one tick, each once.
func TestManyDueAtOnce(t *testing.T) {
	f := newFixture(t)
	n := dueBatch*2 + 7
	ps := make([]coach.Person, n)
	for i := range ps {
		ps[i] = coach.Person{ID: fmt.Sprintf("U%04d", i), EnrolledAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	if err := f.db.EnrollAll(ps); err != nil {
		t.Fatal(err)
	}
	st := f.tick(t, time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	if st.Sent != n || f.out.total() != n {
		t.Fatalf("stats %+v, %d posts; want %d", st, f.out.total(), n)
	}
	if again := f.tick(t, time.Date(2026, 11, 23, 9, 31, 0, 0, time.UTC)); again.Sent != 0 {
		t.Fatalf("second tick sent %d", again.Sent)
	}
}

// TestDeliverOnRequest: a question someone asks for goes through the
// scheduler's own path: the row is queued, the question chosen and stored
// with the attempt, posted once and marked sent. When Slack is down it
// stays open (ErrNotSent) and the next tick sends it, once.
func TestDeliverOnRequest(t *testing.T) {
	bank := coach.DefaultQuestions()
	f := newFixture(t, func(c *Config) { c.Questions = bank })
	f.person(t, coach.Person{ID: "UASK"})
	at := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	f.clock.mu.Lock()
	f.clock.now = at
	f.clock.mu.Unlock()
	ask := func(period string) (coach.Delivery, error) {
		return f.engine.Deliver(context.Background(), coach.Delivery{Person: "UASK", Cadence: coach.CadenceQuestion, Period: period, Due: at})
	}
	want := bank.Only(coach.CategoryCoaching, coach.CategoryCheckin, coach.CategoryMood).Next("", coach.QuestionSeed("UASK")).ID

	got, err := ask("2026-11-24T14:00:00.000")
	if err != nil || got.State != coach.DeliverySent || got.QuestionID != want || got.Channel == "" {
		t.Fatalf("Deliver = %+v, %v; want sent, asking %q", got, err, want)
	}
	if n := f.out.count("UASK/question/2026-11-24T14:00:00.000"); n != 1 {
		t.Errorf("posted %d times, want 1", n)
	}

	f.out.down["UASK"] = true
	got, err = ask("2026-11-24T14:05:00.000")
	if !errors.Is(err, ErrNotSent) || got.State != coach.DeliveryAttempted || got.QuestionID == "" {
		t.Fatalf("Deliver with Slack down = %+v, %v; want attempted, carrying a question, ErrNotSent", got, err)
	}
	delete(f.out.down, "UASK")
	f.tick(t, at.Add(10*time.Minute))
	if n := f.out.count("UASK/question/2026-11-24T14:05:00.000"); n != 1 {
		t.Errorf("after the tick: posted %d times, want 1", n)
	}
	if d, _, _ := f.db.Delivery("UASK", coach.CadenceQuestion, "2026-11-24T14:05:00.000"); d.State != coach.DeliverySent {
		t.Errorf("after the tick the row is %s, want sent", d.State)
	}
}
