package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// refreshHomes republishes the Home tab of subject and of their manager of
// record, whose Home lists them. Failures are logged, never shown: the
// change itself succeeded.
func (b *Bot) refreshHomes(ctx context.Context, log *slog.Logger, subject string) {
	b.publishHome(ctx, log, subject)
	if p, found, err := b.store.Person(subject); err == nil && found && p.Manager != "" {
		b.publishHome(ctx, log, p.Manager)
	}
}

// publishHome publishes a person's Home tab. Publishes for one person do
// not overlap: one asked for while another runs makes that one run once
// more when it ends, so the last publish shows the latest data and a burst
// of changes costs two renders, not one per change.
func (b *Bot) publishHome(ctx context.Context, log *slog.Logger, userID string) {
	if !b.homes.begin(userID) {
		return
	}
	for {
		b.publishHomeOnce(ctx, log, userID)
		if !b.homes.again(userID) {
			return
		}
	}
}

func (b *Bot) publishHomeOnce(ctx context.Context, log *slog.Logger, userID string) {
	d, ratings, err := b.homeData(userID)
	if err != nil {
		log.Error("build home", "user", userID, "error", err)
		return
	}
	b.homePictures(ctx, log, &d, ratings)
	publish := func(d blocks.HomeData) error {
		view := blocks.Home(b.model, d)
		view.Blocks.BlockSet = blocks.Localized(blocks.Reply{Blocks: view.Blocks.BlockSet}, d.Person.Location()).Blocks
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	}
	err = publish(d)
	if (d.Radar != nil || d.Grid != nil) && pictureFailed(err) {
		// A cached file Slack no longer accepts (deleted since): text now,
		// a fresh upload next time.
		log.Warn("home refused with pictures; publishing text", "user", userID, "error", err)
		for _, p := range []*blocks.Picture{d.Radar, d.Grid} {
			if p != nil {
				b.pictures.forget(p.FileID)
			}
		}
		d.Radar, d.Grid = nil, nil
		err = publish(d)
	}
	if err != nil {
		log.Error("publish home", "user", userID, "error", err)
	}
}

// homePictures adds the person's own radar and, for a manager, the colour
// grid, each shared in the person's DM; either stays nil (text) when it
// can't be drawn or uploaded.
func (b *Bot) homePictures(ctx context.Context, log *slog.Logger, d *blocks.HomeData, ratings []coach.Rating) {
	if b.textOnly {
		return
	}
	if !d.Newcomer() && d.RatedAny {
		d.Radar = b.radarFor(ctx, log, d.Person.ID, d.Person, ratings)
	}
	if len(d.Reports) > 0 {
		if ch, err := b.viewerDM(ctx, d.Person.ID); err != nil {
			log.Warn("grid not shared: no DM with the manager; showing text", "error", err)
		} else {
			d.Grid = b.gridFor(ctx, log, d.Person.ID, ch, d.Reports, d.Now)
		}
	}
}

// homeData reads a person's Home in one screen, with the ratings its radar
// is drawn from.
func (b *Bot) homeData(userID string) (blocks.HomeData, []coach.Rating, error) {
	var d blocks.HomeData
	var ratings []coach.Rating
	err := b.screen(func(r ScreenReader) error {
		var err error
		d, ratings, err = b.homeDataFrom(r, userID)
		return err
	})
	return d, ratings, err
}

func (b *Bot) homeDataFrom(r ScreenReader, userID string) (blocks.HomeData, []coach.Rating, error) {
	now := b.now()
	me, found, err := r.Person(userID)
	if err != nil {
		return blocks.HomeData{}, nil, err
	}
	if !found {
		me = coach.Person{ID: userID}
	}
	in, err := b.reportInputs(r, me, now)
	if err != nil {
		return blocks.HomeData{}, nil, err
	}
	st := coach.ReportStatusOf(b.model, in, now, blocks.TrendMonths)
	d := blocks.HomeData{
		Person: me, Now: now, Comparisons: st.Comparisons, AnswerRate: st.AnswerRate,
		Plan: st.Plan, Colours: st.ThemeColours(), History: map[string][]coach.Colour{},
		Challenge: st.Challenge, Proposal: st.Proposal,
	}
	if st.Plan != nil {
		for i, t := range st.Plan.Themes {
			if i < len(st.ColourHistory) {
				d.History[t.ID] = st.ColourHistory[i]
			}
		}
	}
	for _, c := range st.Comparisons {
		if c.Self != nil || c.Manager != nil {
			d.RatedAny = true
		}
	}
	if b.upcoming != nil {
		d.Upcoming = b.upcoming(me, now)
	}
	if d.Reports, err = b.teamStatusesFrom(r, userID); err != nil {
		return blocks.HomeData{}, nil, err
	}
	if !coach.GetsCoacheeCadence(me, len(d.Reports) > 0) {
		// What the schedules would bring does not come (docs/cadence.md).
		d.Upcoming = []string{"You coach others and nobody coaches you: no nudges or check-ins for you. `/coach nudges on` to get them"}
	}
	if d.Invitations, err = r.InvitationsTo(userID); err != nil {
		return blocks.HomeData{}, nil, err
	}
	open := d.Invitations[:0]
	for _, inv := range d.Invitations {
		if !inv.Expired(now) {
			open = append(open, inv)
		}
	}
	d.Invitations = open
	if d.Sent, err = r.InvitationsFrom(userID); err != nil {
		return blocks.HomeData{}, nil, err
	}
	return d, in.Ratings, nil
}

// reportStatus gathers what a manager sees of one person at a glance.
func (b *Bot) reportStatus(r ScreenReader, p coach.Person, now time.Time) (coach.ReportStatus, error) {
	in, err := b.reportInputs(r, p, now)
	if err != nil {
		return coach.ReportStatus{}, err
	}
	return coach.ReportStatusOf(b.model, in, now, blocks.TrendMonths), nil
}

// reportInputs reads what a report's status is made of. The screen that
// shows the status draws its radar from the same ratings, so the picture
// and the text never disagree.
func (b *Bot) reportInputs(r ScreenReader, p coach.Person, now time.Time) (coach.ReportInputs, error) {
	in := coach.ReportInputs{Person: p}
	plan, hasPlan, err := r.Plan(p.ID)
	if err != nil {
		return in, err
	}
	if hasPlan {
		in.Plan = &plan
		if in.Colours, err = r.Colours(p.ID); err != nil {
			return in, err
		}
	}
	if in.Ratings, err = r.Ratings(p.ID, ""); err != nil {
		return in, err
	}
	if in.Challenges, err = r.Challenges(p.ID); err != nil {
		return in, err
	}
	if in.Deliveries, err = r.DeliveriesSince(p.ID, now.AddDate(0, -3, 0)); err != nil {
		return in, err
	}
	in.Away = !p.Paused(now) && b.isAway(context.Background(), p.ID)
	return in, nil
}

// openReportDetails opens a report's read-only details for their manager.
func (b *Bot) openReportDetails(ctx context.Context, c call, reportID string) {
	p, err := b.about(c.user, reportID, coach.SeeCoaching)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	now := b.now()
	var in coach.ReportInputs
	err = b.screen(func(r ScreenReader) error {
		in, err = b.reportInputs(r, p, now)
		return err
	})
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	st := coach.ReportStatusOf(b.model, in, now, blocks.TrendMonths)
	radar := b.radarFor(ctx, c.log, c.user, p, in.Ratings)
	b.openModalPicture(ctx, c, radar, func(p *blocks.Picture) slack.ModalViewRequest {
		return blocks.ReportModal(b.model, st, st.Plan, st.ThemeColours(), p, now)
	})
}
