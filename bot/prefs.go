package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

const (
	usagePause  = "/coach pause 2w · /coach pause until 2026-12-24"
	usageNudges = "/coach nudges tue 14:00 · /coach nudges off · /coach nudges on"
)

// PersonStore keeps people and their preferences.
type PersonStore interface {
	Person(id string) (coach.Person, bool, error)
	Enroll(p coach.Person) (coach.Person, error)
	UpdatePerson(base coach.Person, fn func(p *coach.Person) error) (coach.Person, error)
	SetDMChannel(person, channel string) error
}

// me returns the caller's record, enrolling them on first use. It also
// keeps their time zone current: cadences run in it, and people travel.
// users.info answers are cached, so this costs a read most of the time.
func (b *Bot) me(ctx context.Context, c call) (coach.Person, error) {
	p, found, err := b.store.Person(c.user)
	if err != nil {
		return p, err
	}
	tz := p.TZ
	if u, err := b.users.get(ctx, c.user); err == nil && u.TZ != "" {
		tz = u.TZ
	}
	if found && tz == p.TZ {
		return p, nil
	}
	base := c.person(b)
	base.TZ = tz
	return b.store.UpdatePerson(base, func(x *coach.Person) error { x.TZ = tz; return nil })
}

func (b *Bot) pause(ctx context.Context, c call, cc coachCommand) {
	me, err := b.me(ctx, c)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	loc := me.Location()
	until, err := coach.ParsePause(cc.Text, b.now(), loc)
	if err != nil {
		b.sayError(ctx, c, badInput(usagePause, coach.ErrorMessage(err)))
		return
	}
	if _, err := b.store.UpdatePerson(me, func(p *coach.Person) error { p.PausedUntil = until; return nil }); err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("paused", "until", until)
	b.say(ctx, c, blocks.Paused(until, loc))
	b.refreshHomes(ctx, c.log, c.user)
}

func (b *Bot) resume(ctx context.Context, c call) {
	me, err := b.me(ctx, c)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	was := me.Paused(b.now())
	if _, err := b.store.UpdatePerson(me, func(p *coach.Person) error { p.PausedUntil = b.now(); return nil }); err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if was {
		b.say(ctx, c, blocks.Text(":arrow_forward: Welcome back — nudges and check-ins are on again."))
	} else {
		b.say(ctx, c, blocks.Text("You weren't paused; everything is running as usual."))
	}
	b.refreshHomes(ctx, c.log, c.user)
}

func (b *Bot) nudges(ctx context.Context, c call, cc coachCommand) {
	me, err := b.me(ctx, c)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	reports, err := b.store.Reports(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	uncoached := !coach.GetsCoacheeCadence(coach.Person{Manager: me.Manager}, len(reports) > 0)
	var spec string
	off := false
	switch {
	case len(cc.Args) == 1 && strings.EqualFold(cc.Args[0].text, "off"):
		off = true
	case len(cc.Args) == 1 && strings.EqualFold(cc.Args[0].text, "on"):
		spec = me.NudgeSpec
	case len(cc.Args) == 2:
		spec, err = coach.ParseNudgeTime(cc.Args[0].text, cc.Args[1].text)
		if err != nil {
			b.sayError(ctx, c, badInput(usageNudges, coach.ErrorMessage(err)))
			return
		}
	default:
		b.say(ctx, c, blocks.Nudges(me.NudgeSpec, me.NudgesOff || uncoached && !me.CoacheeOptIn, uncoached))
		return
	}
	if _, err := b.store.UpdatePerson(me, func(p *coach.Person) error {
		p.NudgesOff, p.NudgeSpec = off, spec
		// For a manager nobody coaches, on and off opt in and out of
		// the whole coachee cadence (coach.GetsCoacheeCadence).
		p.CoacheeOptIn = !off
		return nil
	}); err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("nudge preference", "off", off, "spec", spec)
	b.say(ctx, c, blocks.Nudges(spec, off, uncoached))
	b.refreshHomes(ctx, c.log, c.user)
}

// question asks a bank question now, through the scheduler's own path
// (Config.Ask), so the ledger has one writer and a DM reply answers it.
func (b *Bot) question(ctx context.Context, c call) {
	me, err := b.me(ctx, c)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if b.ask == nil {
		b.sayError(ctx, c, errors.New("bot: built without Config.Ask; questions on request need the scheduler"))
		return
	}
	now := b.now()
	d := coach.Delivery{Person: me.ID, Cadence: coach.CadenceQuestion, Period: now.UTC().Format("2006-01-02T15:04:05.000"), Due: now}
	got, err := b.ask(ctx, d)
	var skip interface{ SkipReason() string }
	switch {
	case errors.As(err, &skip):
		c.log.Info("question not asked", "reason", skip.SkipReason())
		b.say(ctx, c, blocks.Text(":thought_balloon: I have no question for you right now ("+blocks.Escape(skip.SkipReason())+")."))
	case err != nil && (got.State == coach.DeliveryQueued || got.State == coach.DeliveryAttempted):
		// Kept in the ledger: the scheduler's next tick asks it.
		c.log.Warn("question not asked yet; the scheduler retries", "error", err)
		b.say(ctx, c, blocks.Text(":thought_balloon: I couldn't ask you just now; the question will come to our DM shortly."))
	case err != nil:
		b.sayError(ctx, c, fmt.Errorf("ask a question: %w", err))
	case c.channel != got.Channel:
		b.say(ctx, c, blocks.Text(":thought_balloon: I asked you a question in our DM. Reply there; only you will see the answer."))
	}
}
