package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// RatingStore keeps ratings.
type RatingStore interface {
	// AddRatings stores ratings in one transaction, enrolling the rater.
	AddRatings(rater coach.Person, ratings []coach.Rating, submission string) ([]coach.Rating, error)
	// Ratings returns a person's ratings in one area ("" for all), oldest first.
	Ratings(subject, area string) ([]coach.Rating, error)
}

func (b *Bot) rate(ctx context.Context, c call, text string) {
	rc, err := parseRate(b.model, text)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if rc == nil {
		b.openRateModal(ctx, c, c.user, blocks.RateModalMeta{ResponseURL: c.responseURL})
		return
	}
	subject := c.user
	if rc.Subject != nil && rc.Subject.ID != c.user {
		p, err := b.about(c.user, rc.Subject.ID, coach.Assess)
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		subject = p.ID
	}
	r := coach.Rating{
		Subject: subject, Rater: c.user, Area: rc.Area.ID,
		Score: rc.Score, Note: rc.Note, At: b.now(), Via: coach.SurfaceCommand,
	}
	saved, err := b.store.AddRatings(c.person(b), []coach.Rating{r}, commandSubmission(ctx))
	if errors.Is(err, coach.ErrDuplicate) {
		// Saved by a run that stopped before it was done: confirm late
		// rather than never, and store nothing twice.
		c.log.Info("rating saved before a restart; confirming it now", "subject", subject, "area", r.Area)
		b.say(ctx, c, blocks.Reply{Text: fmt.Sprintf("Saved: %s %d/10 (this confirmation was held up by a restart).", rc.Area.Name, rc.Score)})
		return
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("rating saved", "subject", subject, "area", r.Area, "rating_id", saved[0].ID, "via", r.Via)
	summary, err := b.summarize(rc.Area, saved[0])
	if err != nil {
		// The rating is stored; say so even though the comparison failed.
		c.log.Error("summarize rating", "error", err)
		summary = blocks.RateSummary{Area: rc.Area, Rating: saved[0]}
	}
	summary.Level = blocks.LevelOf(b.model, rc.Area, rc.Score, 500)
	b.say(ctx, c, blocks.Rated(summary))
	b.refreshHomes(ctx, c.log, subject)
}

// summarize gathers the series around a just-saved rating: the rater's own
// series in the area and the latest rating from the other side.
func (b *Bot) summarize(area coach.Area, r coach.Rating) (blocks.RateSummary, error) {
	all, err := b.store.Ratings(r.Subject, area.ID)
	if err != nil {
		return blocks.RateSummary{}, err
	}
	subject, _, err := b.store.Person(r.Subject)
	if err != nil {
		return blocks.RateSummary{}, err
	}
	s := blocks.RateSummary{Area: area, Rating: r}
	var mine []coach.Rating
	for i := range all {
		x := all[i]
		switch {
		case x.Rater == r.Rater:
			mine = append(mine, x)
		case r.Self() && x.Rater == subject.Manager, !r.Self() && x.Self():
			s.Other = &all[i]
		}
	}
	s.Trend, _ = coach.TrendOf(mine)
	for _, x := range mine {
		s.Series = append(s.Series, x.Score)
	}
	return s, nil
}

// openRateModal opens the rate form for subject: the person themselves, or
// a report whose manager asked (/coach assess).
func (b *Bot) openRateModal(ctx context.Context, c call, subject string, meta blocks.RateModalMeta) {
	latest := map[string]coach.Rating{}
	all, err := b.store.Ratings(subject, "")
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	for _, r := range all {
		if r.Rater == c.user {
			latest[r.Area] = r
		}
	}
	if subject != c.user {
		meta.Subject = subject
	}
	b.openModal(ctx, c, blocks.RateModal(b.model, latest, meta, b.zoneOf(c.user))) // dates in the rater's zone
}

// openModal opens a view with the call's trigger, and says so when the
// trigger has expired (Slack allows 3 seconds).
func (b *Bot) openModal(ctx context.Context, c call, view slack.ModalViewRequest) {
	if _, err := b.api.OpenViewContext(ctx, c.triggerID, view); err != nil {
		c.log.Error("open modal", "callback_id", view.CallbackID, "error", err)
		msg := "I couldn't open the form. Please try again."
		if strings.Contains(err.Error(), "trigger") {
			msg = "The form took too long to open. Please try again."
		}
		b.say(ctx, c, blocks.Failure(msg))
	}
}

// assess opens the rating form for a report: /coach assess @person.
func (b *Bot) assess(ctx context.Context, c call, cc coachCommand) {
	m, err := oneMention("/coach assess @person", cc.Args)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if m.ID == c.user {
		// Your own assessment is a self-rating.
		b.openRateModal(ctx, c, c.user, blocks.RateModalMeta{ResponseURL: c.responseURL})
		return
	}
	p, err := b.about(c.user, m.ID, coach.Assess)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	b.openRateModal(ctx, c, p.ID, blocks.RateModalMeta{ResponseURL: c.responseURL})
}
