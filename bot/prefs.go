package bot

import (
	"context"
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

// question asks a bank question now, through the same path as the
// scheduled ones, so a DM reply answers it.
func (b *Bot) question(ctx context.Context, c call) {
	me, err := b.me(ctx, c)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	past, err := b.store.Deliveries(me.ID, "")
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	now := b.now()
	d := coach.Delivery{Person: me.ID, Cadence: coach.CadenceQuestion, Period: now.UTC().Format("2006-01-02T15:04:05.000"), Due: now, State: coach.DeliveryAttempted, Attempt: now}
	// Which question goes into the ledger with the attempt, as the
	// scheduler does for the weekly ones; Post only asks it.
	d = coach.Carry(d, me, nil, b.questions, past)
	if _, err := b.store.QueueDeliveries([]coach.Delivery{d}); err != nil {
		b.sayError(ctx, c, err)
		return
	}
	ch, ts, err := b.Post(ctx, d)
	if err != nil {
		b.sayError(ctx, c, fmt.Errorf("ask a question: %w", err))
		return
	}
	if err := b.noteDelivery(d, func(x *coach.Delivery) {
		x.State, x.Channel, x.TS, x.SentAt = coach.DeliverySent, ch, ts, b.now()
	}); err != nil {
		c.log.Error("record question", "error", err)
	}
	c.log.Info("delivered", "person", d.Person, "cadence", d.Cadence, "period", d.Period, "channel", ch, "ts", ts)
	if c.channel != ch {
		b.say(ctx, c, blocks.Text(":thought_balloon: I asked you a question in our DM. Reply there; only you will see the answer."))
	}
}
