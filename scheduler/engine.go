package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// Store is what the scheduler needs from storage.
type Store interface {
	Person(id string) (coach.Person, bool, error)
	Plan(owner string) (coach.Plan, bool, error)
	Delivery(person string, c coach.Cadence, period string) (coach.Delivery, bool, error)
	Deliveries(person string, c coach.Cadence) ([]coach.Delivery, error)
	QueueDeliveries(ds []coach.Delivery) ([]coach.Delivery, error)
	UpdateDelivery(person string, c coach.Cadence, period string, fn func(d *coach.Delivery) error) (coach.Delivery, error)
	OpenDeliveries() ([]coach.Delivery, error)
	Reports(manager string) ([]coach.Person, error)

	// The due index: when each person is next due. Storage marks a person
	// for a fresh look (due at once) whenever something that moves their
	// due times changes, and signals DueChanged; the scheduler, which knows
	// the schedules, replaces the marks with real times (SetNextDue).
	DueBefore(now time.Time, limit int) (people []string, seen uint64, err error)
	SetNextDue(seen uint64, next map[string]map[coach.Cadence]time.Time) error
	NextDue() (time.Time, bool, error)
	ResetDue(rules string) (bool, error)
	DueChanged() <-chan struct{}
	// FoldLedger folds the people's ledger entries due before before into
	// per-quarter counts (the retention rule).
	FoldLedger(people []string, before time.Time) (int, error)
	// ReleaseMapped lets go of database pages mapped into memory; a
	// fan-out reads a page of everyone's ledger.
	ReleaseMapped() error
}

// Outbox turns a delivery into a Slack message; the bot implements it.
type Outbox interface {
	// Post composes and sends d's message, carrying d.Key() in the
	// message's metadata, and returns where it landed. d carries what the
	// message is about (coach.Carry), already in the ledger. An error with
	// a RetryAfter method (Retryer) means Slack said to slow down; one with
	// a SkipReason method (Skipper) means the message is no longer owed.
	Post(ctx context.Context, d coach.Delivery) (channel, ts string, err error)
	// Find looks in the conversation for a message already posted for d:
	// the answer to a crash between Slack accepting a post and the ledger
	// recording it.
	Find(ctx context.Context, d coach.Delivery) (channel, ts string, found bool, err error)
}

// Retryer is an Outbox error that says "slow down": every post waits
// RetryAfter, then this one is tried again. The scheduler finds it with
// errors.As, so any error type with the method will do.
type Retryer interface {
	error
	RetryAfter() time.Duration
}

// Skipper is an Outbox error that says the delivery is no longer owed, and
// why: it is recorded as skipped, never retried.
type Skipper interface {
	error
	SkipReason() string
}

// Clock is the time source of the driver loop; tests use a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// After is time.After.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Config builds an Engine.
type Config struct {
	Nudge, Checkin, Refresh Schedule
	// Digest is the managers' digest; the zero Schedule sends none.
	Digest Schedule
	Store  Store
	Outbox Outbox
	// Questions is the bank the weekly nudges and asked questions draw
	// from (coach.Carry); the bot must be given the same one.
	Questions coach.QuestionBank
	Logger    *slog.Logger
	Clock     Clock // for waits on Slack's Retry-After; default RealClock
	// Workers is how many posts may be in flight at once; default 16.
	// Posts wait mostly on the network and on batched ledger writes, so
	// more workers than cores keep a fan-out at Slack's pace.
	Workers int
	// ReminderAfter is how many working days an unanswered check-in waits
	// for its one reminder; default 2.
	ReminderAfter int
	// MaxWake caps the driver's sleep; default 30 s. Changes that move a
	// due time wake the driver at once (Store.DueChanged), so this only
	// bounds the effect of a clock that jumps.
	MaxWake time.Duration
	// Observe, if set, hears about every finished delivery (for metrics).
	Observe func(d coach.Delivery, outcome string, lag time.Duration)
	// RetentionMonths is how long ledger entries are kept one by one;
	// older ones are folded into per-quarter counts when the person is
	// next due. 0 keeps every entry.
	RetentionMonths int
}

// Engine finds due work and delivers it exactly once.
type Engine struct {
	cfg  Config
	log  *slog.Logger
	gate gate

	mu      sync.Mutex // one Tick at a time
	indexed bool       // the due index was checked against this engine's rules
}

// New returns an Engine.
func New(cfg Config) *Engine {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.ReminderAfter <= 0 {
		cfg.ReminderAfter = 2
	}
	if cfg.MaxWake <= 0 {
		cfg.MaxWake = 30 * time.Second
	}
	return &Engine{cfg: cfg, log: cfg.Logger, gate: gate{clock: cfg.Clock}}
}

// Stats counts what one Tick did.
type Stats struct {
	Queued, Sent, Recovered, Skipped, Failed int
}

// sinceFor is the start of the window in which a missed occurrence of c
// is still sent: the same local day for weekly ones, 3 days for monthly
// and quarterly ones, one interval for @every.
func sinceFor(c coach.Cadence, s Schedule, now time.Time, loc *time.Location) time.Time {
	if every := s.Every(); every > 0 {
		return now.Add(-every)
	}
	if g := c.Grace(); g > 0 {
		return now.Add(-g)
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
}

// missedLookback is how far back a start looks for an occurrence missed
// during downtime (longer than a quarter, so quarterly refreshes count).
const missedLookback = 100 * 24 * time.Hour

// Due returns the deliveries owed at now that the ledger does not hold
// yet, for the people the due index says are due at now (at most
// dueBatch of them), and when each of them is due next (for SetNextDue,
// with seen). A tick with nobody due reads only the first key of the
// index.
func (e *Engine) Due(now time.Time) (due []coach.Delivery, next map[string]map[coach.Cadence]time.Time, seen uint64, err error) {
	ids, seen, err := e.cfg.Store.DueBefore(now, dueBatch)
	if err != nil || len(ids) == 0 {
		return nil, nil, seen, err
	}
	next = make(map[string]map[coach.Cadence]time.Time, len(ids))
	for _, id := range ids {
		p, found, err := e.cfg.Store.Person(id)
		if err != nil {
			return nil, nil, 0, err
		}
		if !found { // forgotten: nothing is due for them any more
			next[id] = nil
			continue
		}
		ds, n, err := e.dueFor(p, now)
		if err != nil {
			// One person's unreadable record does not hold up everyone
			// else: they are looked at again in a minute.
			e.log.Error("cannot work out what is due", "person", id, "error", err)
			next[id] = map[coach.Cadence]time.Time{cadenceRetry: now.Add(time.Minute)}
			continue
		}
		due = append(due, ds...)
		next[id] = n
	}
	return due, next, seen, nil
}

// dueBatch bounds how many due people a tick works on at once (and so
// how many one scheduler write touches).
const dueBatch = 500

// releaseEvery is how many deliveries a fan-out makes between letting go
// of the database pages it mapped in (Store.ReleaseMapped): each reads
// and rewrites a page of one person's ledger, so without it the resident
// memory of a fan-out to everyone grows to the size of the file.
const releaseEvery = 500

func (e *Engine) release() {
	if err := e.cfg.Store.ReleaseMapped(); err != nil {
		e.log.Warn("could not release mapped database pages", "error", err)
	}
}

// cadenceRetry names a due-index entry that only means "look again".
const cadenceRetry coach.Cadence = "retry"

// rules describes the schedules the due index is built from: when it
// changes (an operator changed a schedule, or this code changed how due
// times are worked out), everyone's due times are worked out again.
func (e *Engine) rules() string {
	return fmt.Sprintf("v1 nudge=%q checkin=%q refresh=%q digest=%q reminder-after=%d",
		e.cfg.Nudge.Spec, e.cfg.Checkin.Spec, e.cfg.Refresh.Spec, e.cfg.Digest.Spec, e.cfg.ReminderAfter)
}

// dueFor returns what p is owed at now and when each of p's cadences is
// next due after now.
func (e *Engine) dueFor(p coach.Person, now time.Time) ([]coach.Delivery, map[coach.Cadence]time.Time, error) {
	paused := p.Paused(now)
	loc := p.Location()
	var out []coach.Delivery
	next := map[coach.Cadence]time.Time{}
	owe := func(c coach.Cadence, s Schedule) error {
		if s.Spec == "" && s.Every() == 0 {
			return nil
		}
		// The next occurrence that is not inside the pause (or, for the
		// nudge, the snooze).
		n := s.Next(now, loc)
		quiet := p.PausedUntil
		if c == coach.CadenceNudge && p.SnoozedUntil.After(quiet) {
			quiet = p.SnoozedUntil
		}
		if !n.IsZero() && n.Before(quiet) {
			n = s.Next(quiet.Add(-time.Nanosecond), loc)
		}
		if !n.IsZero() {
			next[c] = n
		}
		if paused {
			return nil
		}
		since := sinceFor(c, s, now, loc)
		last, ok := s.Last(now, since, loc)
		var state coach.DeliveryState
		var note string
		if !ok && s.Every() == 0 {
			// Nothing within the grace window: the newest occurrence before
			// it, if the ledger never saw it, was missed while microcoach
			// was down. It is recorded as skipped (once) and logged.
			last, ok = s.Last(since, since.Add(-missedLookback), loc)
			state, note = coach.DeliverySkipped, "missed while microcoach was not running; past its grace, not sent"
		}
		// Occurrences before enrolment, or inside a pause, are skipped, not
		// saved up for the pause's end.
		if !ok || !last.After(p.EnrolledAt) || last.Before(p.PausedUntil) {
			return nil
		}
		if c == coach.CadenceNudge && last.Before(p.SnoozedUntil) {
			return nil
		}
		period := s.Period(last, loc)
		if _, found, err := e.cfg.Store.Delivery(p.ID, c, period); err != nil || found {
			return err
		}
		ds, err := e.shape(p, coach.Delivery{Person: p.ID, Cadence: c, Period: period, Due: last, State: state, Note: note}, s)
		out = append(out, ds...)
		return err
	}
	if !p.NudgesOff {
		if err := owe(coach.CadenceNudge, NudgeFor(p, e.cfg.Nudge)); err != nil {
			return nil, nil, err
		}
	}
	if err := owe(coach.CadenceCheckin, e.cfg.Checkin); err != nil {
		return nil, nil, err
	}
	if _, hasPlan, err := e.cfg.Store.Plan(p.ID); err != nil {
		return nil, nil, err
	} else if hasPlan {
		if err := owe(coach.CadenceRefresh, e.cfg.Refresh); err != nil {
			return nil, nil, err
		}
	}
	if e.cfg.Digest.Spec != "" {
		reports, err := e.cfg.Store.Reports(p.ID)
		if err != nil {
			return nil, nil, err
		}
		if len(reports) > 0 {
			if err := owe(coach.CadenceDigest, e.cfg.Digest); err != nil {
				return nil, nil, err
			}
		}
	}
	// One reminder for the latest check-in, if unanswered after N working
	// days (in the person's zone) and not too long ago.
	checkins, err := e.cfg.Store.Deliveries(p.ID, coach.CadenceCheckin)
	if err != nil {
		return nil, nil, err
	}
	if n := len(checkins); n > 0 {
		c := checkins[n-1]
		if c.State == coach.DeliverySent && !c.Answered {
			at := coach.AddWorkingDays(c.SentAt.In(loc), e.cfg.ReminderAfter)
			if at.After(now) {
				next[coach.CadenceReminder] = at
			} else if now.Sub(at) < coach.CadenceReminder.Grace() && !paused {
				if _, found, err := e.cfg.Store.Delivery(p.ID, coach.CadenceReminder, c.Period); err != nil {
					return nil, nil, err
				} else if !found {
					out = append(out, coach.Delivery{Person: p.ID, Cadence: coach.CadenceReminder, Period: c.Period, Due: at})
				}
			}
		}
	}
	return out, next, nil
}

// Tick queues what is due at now and delivers everything open, waiting for
// the sends to finish (or ctx to end). The first Tick after start also
// finishes deliveries a crash left open.
func (e *Engine) Tick(ctx context.Context, now time.Time) (Stats, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var st Stats
	if !e.indexed {
		reset, err := e.cfg.Store.ResetDue(e.rules())
		if err != nil {
			return st, fmt.Errorf("scheduler: due index: %w", err)
		}
		if reset {
			e.log.Info("schedules changed or due index new: everyone's due times are worked out once")
		}
		e.indexed = true
	}
	var mu sync.Mutex
	count := func(f func(*Stats)) { mu.Lock(); f(&st); mu.Unlock() }
	var finished atomic.Int64
	// Room for one slice of due people, so working out the next slice
	// overlaps sending this one.
	work := make(chan coach.Delivery, dueBatch)
	var wg sync.WaitGroup
	for range e.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				outcome := e.deliver(ctx, d, now)
				if finished.Add(1)%releaseEvery == 0 {
					e.release()
				}
				count(func(s *Stats) {
					switch outcome {
					case "sent":
						s.Sent++
					case "recovered":
						s.Recovered++
					case "skipped":
						s.Skipped++
					default:
						s.Failed++
					}
				})
			}
		}()
	}
	// fed remembers what went to the workers, so that what the due people
	// were just queued and OpenDeliveries then finds is sent once.
	fed := map[string]bool{}
	feed := func(d coach.Delivery) bool {
		if d.State != coach.DeliveryQueued && d.State != coach.DeliveryAttempted || fed[d.Key()] {
			return true
		}
		fed[d.Key()] = true
		if stale, reason := e.stale(d, now); stale {
			e.finish(d, coach.DeliverySkipped, "", "", now, reason)
			count(func(s *Stats) { s.Skipped++ })
			return true
		}
		select {
		case work <- d:
			return true
		case <-ctx.Done():
			return false
		}
	}
	err := e.queueDue(ctx, now, count, feed)
	if err == nil && ctx.Err() == nil {
		// What earlier ticks or a crash left open.
		var open []coach.Delivery
		if open, err = e.cfg.Store.OpenDeliveries(); err != nil {
			err = fmt.Errorf("scheduler: open deliveries: %w", err)
		}
		for _, d := range open {
			if !feed(d) {
				break
			}
		}
	}
	close(work)
	wg.Wait()
	if finished.Load() > 0 {
		e.release()
	}
	if st != (Stats{}) {
		e.log.Info("tick", "queued", st.Queued, "sent", st.Sent, "recovered", st.Recovered, "skipped", st.Skipped, "failed", st.Failed)
	}
	if err != nil {
		return st, err
	}
	return st, ctx.Err()
}

// queueDue takes the people due at now from the index, a slice at a time
// (memory and each transaction stay small however many are due), queues
// what they are owed, hands it to feed at once (so the first messages of
// a fan-out go out while later people are still being worked out), folds
// their old ledger entries and stores when they are next due.
func (e *Engine) queueDue(ctx context.Context, now time.Time, count func(func(*Stats)), feed func(coach.Delivery) bool) error {
	for ctx.Err() == nil {
		due, next, seen, err := e.Due(now)
		if err != nil {
			return fmt.Errorf("scheduler: find due work: %w", err)
		}
		var stored []coach.Delivery
		if len(due) > 0 {
			if stored, err = e.cfg.Store.QueueDeliveries(due); err != nil {
				return fmt.Errorf("scheduler: queue: %w", err)
			}
			for _, d := range due {
				if d.State == coach.DeliverySkipped {
					count(func(s *Stats) { s.Skipped++ })
					if strings.HasPrefix(d.Note, "missed") {
						e.log.Warn("missed occurrence skipped", "person", d.Person, "cadence", d.Cadence, "period", d.Period, "reason", d.Note)
					} else {
						e.log.Info("occurrence skipped", "person", d.Person, "cadence", d.Cadence, "period", d.Period, "reason", d.Note)
					}
					continue
				}
				count(func(s *Stats) { s.Queued++ })
			}
		}
		if e.cfg.RetentionMonths > 0 && len(next) > 0 {
			e.fold(next, now.AddDate(0, -e.cfg.RetentionMonths, 0))
		}
		// Only once what was due is in the ledger: a crash before this
		// point leaves the index saying "due", and the next tick finds the
		// ledger holds it already.
		if len(next) > 0 {
			if err := e.cfg.Store.SetNextDue(seen, next); err != nil {
				return fmt.Errorf("scheduler: due index: %w", err)
			}
			e.release() // these people's ledger pages were read
		}
		for _, d := range stored {
			if !feed(d) {
				return nil
			}
		}
		if len(next) < dueBatch {
			return nil
		}
	}
	return nil
}

// stale reports an open delivery that is too old to send: downtime longer
// than its cadence's grace.
func (e *Engine) stale(d coach.Delivery, now time.Time) (bool, string) {
	grace := d.Cadence.Grace()
	if grace == 0 {
		grace = 24 * time.Hour
	}
	if now.Sub(d.Due) > grace {
		return true, fmt.Sprintf("missed by %s, past its grace of %s", now.Sub(d.Due).Round(time.Minute), grace)
	}
	return false, ""
}

// deliver sends one delivery exactly once: an attempted one is first
// looked for in Slack; a rate-limited post waits and retries, never drops.
func (e *Engine) deliver(ctx context.Context, d coach.Delivery, now time.Time) string {
	log := e.log.With("person", d.Person, "cadence", d.Cadence, "period", d.Period)
	if d.State == coach.DeliveryAttempted {
		ch, ts, found, err := e.cfg.Outbox.Find(ctx, d)
		if err != nil {
			log.Warn("could not check for an earlier post; will retry", "error", err)
			return "failed"
		}
		if found {
			e.finish(d, coach.DeliverySent, ch, ts, now, "")
			log.Info("delivery recovered: it was posted before a restart", "channel", ch, "ts", ts)
			return "recovered"
		}
	}
	carried, err := e.carry(d)
	if err != nil {
		log.Error("work out what the message carries; will retry", "error", err)
		return "failed"
	}
	for {
		if err := e.gate.wait(ctx); err != nil {
			return "failed"
		}
		// What the message carries goes into the ledger with the attempt,
		// in one update, before Slack sees anything: the Outbox only posts.
		// A crash after this leaves an attempted entry that says what was
		// being sent; Find then looks for it.
		attempt := e.cfg.Clock.Now()
		if d, err = e.cfg.Store.UpdateDelivery(d.Person, d.Cadence, d.Period, func(x *coach.Delivery) error {
			x.State, x.Attempt = coach.DeliveryAttempted, attempt
			x.QuestionID, x.ThemeID, x.ActionID = carried.QuestionID, carried.ThemeID, carried.ActionID
			return nil
		}); err != nil {
			log.Error("record attempt", "error", err)
			return "failed"
		}
		ch, ts, err := e.cfg.Outbox.Post(ctx, d)
		var retry Retryer
		var skip Skipper
		switch {
		case errors.As(err, &retry):
			log.Warn("slack rate limit; waiting", "retry_after", retry.RetryAfter())
			e.gate.hold(retry.RetryAfter())
			continue
		case errors.As(err, &skip):
			e.finish(d, coach.DeliverySkipped, "", "", now, skip.SkipReason())
			log.Info("delivery skipped", "reason", skip.SkipReason())
			return "skipped"
		case err != nil:
			log.Error("delivery failed; will retry", "error", err)
			return "failed"
		}
		e.finish(d, coach.DeliverySent, ch, ts, e.cfg.Clock.Now(), "")
		log.Info("delivered", "channel", ch, "ts", ts, "lag", e.cfg.Clock.Now().Sub(d.Due).Round(time.Millisecond))
		return "sent"
	}
}

// ErrNotSent is returned by Deliver when the message could not go out now
// (Slack or the store failed): it stays in the ledger, open, and a later
// tick of the leader sends it.
var ErrNotSent = errors.New("scheduler: not sent yet; it stays queued and goes out with a later tick")

// Deliver sends one delivery now, a message someone asked for (/coach
// question), through the same path as a tick's: queued in the ledger, what
// it carries chosen and recorded with the attempt, posted, marked sent.
// The scheduler stays the one writer of the row; the ledger's key keeps
// the message once. It returns the row as it stands, with a Skipper error
// when the message is not owed and ErrNotSent when it could not go out
// yet. Deliver needs no leadership: any replica may call it.
func (e *Engine) Deliver(ctx context.Context, d coach.Delivery) (coach.Delivery, error) {
	now := e.cfg.Clock.Now()
	d.State, d.Attempt = coach.DeliveryQueued, time.Time{}
	queued, err := e.cfg.Store.QueueDeliveries([]coach.Delivery{d})
	if err != nil {
		return d, fmt.Errorf("scheduler: queue %s: %w", d.Key(), err)
	}
	outcome := e.deliver(ctx, queued[0], now)
	got, _, err := e.cfg.Store.Delivery(d.Person, d.Cadence, d.Period)
	if err != nil {
		return queued[0], fmt.Errorf("scheduler: read back %s: %w", d.Key(), err)
	}
	switch outcome {
	case "sent", "recovered":
		return got, nil
	case "skipped":
		return got, skipped(got.Note)
	}
	return got, ErrNotSent
}

// skipped is Deliver's Skipper.
type skipped string

func (n skipped) Error() string      { return "not owed: " + string(n) }
func (n skipped) SkipReason() string { return string(n) }

// carry asks coach.Carry what d's message is about, from the person, their
// plan and their ledger as they are now.
func (e *Engine) carry(d coach.Delivery) (coach.Delivery, error) {
	if !d.Cadence.Carries() {
		return coach.Carry(d, coach.Person{}, nil, coach.QuestionBank{}, nil), nil
	}
	p, found, err := e.cfg.Store.Person(d.Person)
	if err != nil || !found { // gone: the Outbox says it is no longer owed
		return d, err
	}
	var plan *coach.Plan
	if pl, found, err := e.cfg.Store.Plan(d.Person); err != nil {
		return d, err
	} else if found {
		plan = &pl
	}
	past, err := e.cfg.Store.Deliveries(d.Person, "")
	if err != nil {
		return d, err
	}
	return coach.Carry(d, p, plan, e.cfg.Questions, past), nil
}

func (e *Engine) finish(d coach.Delivery, state coach.DeliveryState, ch, ts string, at time.Time, note string) {
	_, err := e.cfg.Store.UpdateDelivery(d.Person, d.Cadence, d.Period, func(x *coach.Delivery) error {
		x.State, x.Note = state, note
		if state == coach.DeliverySent {
			x.Channel, x.TS, x.SentAt = ch, ts, at
		}
		return nil
	})
	if err != nil {
		// The message went out but the ledger did not record it: the next
		// Tick finds it through Find and does not send it again.
		e.log.Error("record delivery", "person", d.Person, "cadence", d.Cadence, "period", d.Period, "state", state, "error", err)
	}
	if e.cfg.Observe != nil {
		e.cfg.Observe(d, string(state), at.Sub(d.Due))
	}
}

// fold applies the retention rule to the people this tick looked at: their
// pages are being read anyway. A failure is logged and tried again the
// next time they are due.
func (e *Engine) fold(people map[string]map[coach.Cadence]time.Time, before time.Time) {
	ids := make([]string, 0, len(people))
	for id := range people {
		ids = append(ids, id)
	}
	n, err := e.cfg.Store.FoldLedger(ids, before)
	if err != nil {
		e.log.Error("fold old ledger entries", "error", err)
		return
	}
	if n > 0 {
		e.log.Info("old ledger entries folded into quarter counts", "entries", n, "before", before.Format(time.DateOnly))
	}
}

// NextWake returns when the driver should tick next: the earliest time
// in the due index (now, if that has passed), but no later than MaxWake
// from now.
func (e *Engine) NextWake(now time.Time) time.Time {
	wake := now.Add(e.cfg.MaxWake)
	t, found, err := e.cfg.Store.NextDue()
	if err != nil || !found || !t.Before(wake) {
		return wake
	}
	if t.Before(now) {
		return now
	}
	return t
}

// Run ticks whenever something is due until ctx is done: it sleeps until
// the earliest due time, and wakes at once when a change moves someone's
// due times. Slow sends never block Slack envelopes: this runs on its own
// goroutine and talks to Slack only through the Outbox.
func (e *Engine) Run(ctx context.Context) error {
	changed := e.cfg.Store.DueChanged()
	for {
		now := e.cfg.Clock.Now()
		if _, err := e.Tick(ctx, now); err != nil && ctx.Err() == nil {
			e.log.Error("tick failed", "error", err)
		}
		wait := e.NextWake(e.cfg.Clock.Now()).Sub(e.cfg.Clock.Now())
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-e.cfg.Clock.After(max(wait, 10*time.Millisecond)):
		}
	}
}

// gate holds every worker back while Slack's Retry-After runs.
type gate struct {
	clock Clock
	mu    sync.Mutex
	until time.Time
}

func (g *gate) hold(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t := g.clock.Now().Add(d); t.After(g.until) {
		g.until = t
	}
}

func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		d := g.until.Sub(g.clock.Now())
		g.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-g.clock.After(d):
		}
	}
}
