package bot

import (
	"context"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// gaps shows /coach gaps (your own) or /coach gaps @person (manager only).
func (b *Bot) gaps(ctx context.Context, c call, cc coachCommand) {
	subject, err := b.subject(ctx, c, cc, "/coach gaps [@person]", coach.SeeCoaching)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	ratings, err := b.store.Ratings(subject.ID, "")
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	cmp := coach.Compare(b.model, subject.ID, subject.Manager, ratings)
	// The reply is ephemeral where the command was typed; its picture is
	// shared in the viewer's DM, which only they (and the app) are in.
	radar := b.radarFor(ctx, c.log, c.user, subject, ratings)
	b.sayPicture(ctx, c, radar, func(p *blocks.Picture) blocks.Reply { return blocks.Gaps(subject, c.user, cmp, p) })
}

// subject reads an optional @person: yourself without one, or someone the
// policy lets the caller have access to, and coach.ErrNotYours otherwise.
func (b *Bot) subject(ctx context.Context, c call, cc coachCommand, usage string, access coach.Access) (coach.Person, error) {
	if len(cc.Args) == 0 {
		me, found, err := b.store.Person(c.user)
		if err != nil {
			return coach.Person{}, err
		}
		if !found {
			me = c.person(b)
		}
		return me, nil
	}
	m, err := oneMention(usage, cc.Args)
	if err != nil {
		return coach.Person{}, err
	}
	if m.ID == c.user {
		return b.subject(ctx, c, coachCommand{}, usage, access)
	}
	return b.about(c.user, m.ID, access)
}
