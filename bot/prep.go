package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// PrepStore remembers when an agenda was last prepared, so the next one
// starts from there.
type PrepStore interface {
	LastPrep(viewer, subject string) (time.Time, bool, error)
	RecordPrep(viewer, subject string, at time.Time) error
}

// prep builds a 1:1 agenda: /coach prep @person for a manager, /coach prep
// for the person's own side. It goes to the asker's DM and is remembered,
// so the next one starts from here.
func (b *Bot) prep(ctx context.Context, c call, cc coachCommand) {
	subject, err := b.subject(ctx, c, cc, "/coach prep [@person]", coach.Prep)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	now := b.now()
	since, _, err := b.store.LastPrep(c.user, subject.ID)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	a, err := b.buildAgenda(c.user, subject, since, now)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if ratings, err := b.store.Ratings(subject.ID, ""); err == nil {
		a.Radar = b.radarFor(ctx, c.log, c.user, subject, ratings)
	}
	r := blocks.Agenda(b.model, a, now)
	if a.Radar != nil {
		ch, ts, err := b.api.PostMessageContext(ctx, c.user, msgOptions(r)...)
		switch {
		case pictureFailed(err):
			c.log.Warn("agenda refused with its radar; sending text", "error", err)
			b.pictures.forget(a.Radar.FileID)
			a.Radar = nil
			b.dm(ctx, c.log, c.user, blocks.Agenda(b.model, a, now))
		case err != nil:
			c.log.Error("direct message failed", "to", c.user, "error", err)
		default:
			c.log.Info("direct message sent", "to", c.user, "channel", ch, "ts", ts)
		}
	} else {
		b.dm(ctx, c.log, c.user, r)
	}
	if err := b.store.RecordPrep(c.user, subject.ID, now); err != nil {
		c.log.Error("record prep", "error", err)
	}
	c.log.Info("agenda sent", "subject", subject.ID, "since", since)
	if c.channel == "" || !strings.HasPrefix(c.channel, "D") {
		b.say(ctx, c, blocks.Text(":memo: Your 1:1 agenda is in our DM."))
	}
}

// buildAgenda gathers what viewer may see of subject since the last
// agenda: notes and answers each pass the policy on their own.
func (b *Bot) buildAgenda(viewer string, subject coach.Person, since, now time.Time) (blocks.AgendaData, error) {
	var a blocks.AgendaData
	err := b.screen(func(r ScreenReader) error {
		var err error
		a, err = b.buildAgendaFrom(r, viewer, subject, since, now)
		return err
	})
	return a, err
}

func (b *Bot) buildAgendaFrom(r ScreenReader, viewer string, subject coach.Person, since, now time.Time) (blocks.AgendaData, error) {
	forSelf := viewer == subject.ID
	a := blocks.AgendaData{Subject: subject, ForSelf: forSelf, Since: since}
	changed := func(t time.Time) bool { return t.After(since) }

	// Colour changes per theme.
	plan, hasPlan, err := r.Plan(subject.ID)
	if err != nil {
		return a, err
	}
	choices, err := r.Colours(subject.ID)
	if err != nil {
		return a, err
	}
	if hasPlan {
		for _, t := range plan.Themes {
			var before, after *coach.ColourChoice
			for i := range choices {
				ch := &choices[i]
				if ch.Theme != t.ID {
					continue
				}
				if changed(ch.At) {
					after = ch
				} else {
					before = ch
				}
			}
			if after == nil {
				continue
			}
			line := fmt.Sprintf("*%s*: %s", blocks.Escape(t.Title), blocks.ColourMark(after.Colour))
			if before != nil && before.Colour != after.Colour {
				line = fmt.Sprintf("*%s*: %s → %s", blocks.Escape(t.Title), blocks.ColourMark(before.Colour), blocks.ColourMark(after.Colour))
			}
			if after.Note != "" && b.policy.Authorize(viewer, coach.SeeNote, coach.NoteOf(subject, after.At)) == nil {
				line += " — “" + blocks.Escape(blocks.Truncate(after.Note, 200)) + "”"
			}
			a.Colours = append(a.Colours, line)
		}
		for _, t := range plan.Themes {
			for _, x := range t.Actions {
				if x.Done && changed(x.DoneAt) {
					a.Done = append(a.Done, fmt.Sprintf("%s (%s)", blocks.Escape(x.Text), blocks.Escape(t.Title)))
				}
			}
		}
	}

	// Rating changes and gaps.
	ratings, err := r.Ratings(subject.ID, "")
	if err != nil {
		return a, err
	}
	cmp := coach.Compare(b.model, subject.ID, subject.Manager, ratings)
	for _, c := range cmp {
		var moved []string
		for _, r := range []*coach.Rating{c.Self, c.Manager} {
			if r != nil && changed(r.At) {
				who := "self"
				if !r.Self() {
					who = "manager"
				}
				moved = append(moved, fmt.Sprintf("%s now %d", who, r.Score))
			}
		}
		if len(moved) == 0 {
			continue
		}
		line := fmt.Sprintf("*%s*: %s", blocks.Escape(c.Area.Name), strings.Join(moved, ", "))
		if c.HasGap {
			line += " · gap " + blocks.Signed(c.Gap)
			if c.Flagged() {
				line += " :triangular_flag_on_post:"
			}
		}
		a.Ratings = append(a.Ratings, line)
	}

	// Answers: the person's own, or only those they shared with viewer.
	answers, err := r.Answers(subject.ID)
	if err != nil {
		return a, err
	}
	for _, x := range answers {
		if b.policy.Authorize(viewer, coach.SeeAnswer, coach.AnswerOf(subject, x)) != nil {
			continue
		}
		if changed(x.At) || (x.Shared() && changed(x.SharedAt)) {
			a.Answers = append(a.Answers, x)
		}
	}

	history, err := r.Challenges(subject.ID)
	if err != nil {
		return a, err
	}
	a.Current, _ = coach.CurrentChallenge(history)

	// Three questions for the most disputed area, else the weakest; with
	// no self-rating at all nothing points to an area, and the agenda
	// says so (the questions are general ones).
	selfRated := false
	for _, c := range cmp {
		selfRated = selfRated || c.Self != nil
	}
	if big, ok := coach.BiggestGap(cmp); ok && big.Flagged() {
		a.Focus, a.Reason = big.Area, fmt.Sprintf("the biggest gap (%s)", blocks.Signed(big.Gap))
	} else if selfRated {
		a.Focus = coach.WeakestArea(b.model, cmp) // from the ratings read above
		a.Reason = "the lowest self-rating"
	}
	for _, q := range b.questions.ForArea(a.Focus.ID, 3, coach.QuestionSeed(subject.ID)^uint64(now.Unix()/86400)) {
		a.Asks = append(a.Asks, q.Render(a.Focus))
	}

	// Trends: monthly and quarterly, self and manager, for rated areas;
	// a series is drawn only from three points or more.
	for _, c := range cmp {
		if c.Self == nil && c.Manager == nil {
			continue
		}
		var parts []string
		if self := coach.MonthlySeries(ratings, subject.ID, c.Area.ID, subject.ID, blocks.TrendMonths, now); coach.HasTrend(self) {
			parts = append(parts, "self, monthly "+coach.SparklineGaps(self))
		}
		if subject.Manager != "" {
			if mgr := coach.MonthlySeries(ratings, subject.ID, c.Area.ID, subject.Manager, blocks.TrendMonths, now); coach.HasTrend(mgr) {
				parts = append(parts, "manager, monthly "+coach.SparklineGaps(mgr))
			}
		}
		if q := coach.QuarterlySeries(ratings, subject.ID, c.Area.ID, subject.ID, 4, now); coach.HasTrend(q) {
			parts = append(parts, "self, quarterly "+coach.SparklineGaps(q))
		}
		if len(parts) > 0 {
			a.Trends = append(a.Trends, "*"+blocks.Escape(c.Area.Name)+"*: "+strings.Join(parts, " · "))
		}
	}
	ds, err := r.Deliveries(subject.ID, "")
	if err != nil {
		return a, err
	}
	a.Response = coach.ResponsivenessOf(ds, now.AddDate(0, -3, 0))
	return a, nil
}
