package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// subcommands lists what /coach knows, in the order help shows them.
var coachSubcommands = []subcommand{
	{Name: "help", Usage: "/coach help", Summary: "what microcoach can do"},
}

func (b *Bot) onSlash(ctx context.Context, log *slog.Logger, cmd slack.SlashCommand) {
	switch cmd.Command {
	case "/rate":
		b.rate(ctx, log, cmd)
	case "/coach":
		b.coach(ctx, log, cmd)
	default:
		b.respond(ctx, log, cmd.ResponseURL, errorReply(badInput(usageCoach, "microcoach doesn't know the command "+quote(cmd.Command))))
	}
}

func (b *Bot) person(cmd slack.SlashCommand) coach.Person {
	return coach.Person{ID: cmd.UserID, Name: cmd.UserName, EnrolledAt: b.now()}
}

func (b *Bot) rate(ctx context.Context, log *slog.Logger, cmd slack.SlashCommand) {
	rc, err := parseRate(b.model, cmd.Text)
	if err != nil {
		b.replyError(ctx, log, cmd.ResponseURL, err)
		return
	}
	if rc == nil {
		b.openRateModal(ctx, log, cmd.UserID, cmd.TriggerID, rateModalMeta{ResponseURL: cmd.ResponseURL, Channel: cmd.ChannelID}, cmd.ResponseURL)
		return
	}
	if rc.Subject != nil && rc.Subject.ID != cmd.UserID {
		// Rating someone else is a manager's assessment; nobody has a team
		// yet, so nobody may. The refusal says nothing about the person.
		b.respond(ctx, log, cmd.ResponseURL, errorReply(badInput(usageRate, "only a person's manager of record can rate them; you can rate yourself")))
		return
	}
	r := coach.Rating{
		Subject: cmd.UserID, Rater: cmd.UserID, Area: rc.Area.ID,
		Score: rc.Score, Note: rc.Note, At: b.now(), Via: coach.SurfaceCommand,
	}
	saved, err := b.store.AddRatings(b.person(cmd), []coach.Rating{r})
	if err != nil {
		b.fail(ctx, log, cmd.ResponseURL, "save rating", err)
		return
	}
	log.Info("rating saved", "area", r.Area, "rating_id", saved[0].ID, "via", r.Via)
	summary, err := b.summarize(rc.Area, saved[0])
	if err != nil {
		// The rating is stored; say so even though the comparison failed.
		log.Error("summarize rating", "error", err)
		summary = rateSummary{Area: rc.Area, Rating: saved[0]}
	}
	b.respond(ctx, log, cmd.ResponseURL, rateReply(summary))
}

// summarize gathers the series around a just-saved rating.
func (b *Bot) summarize(area coach.Area, r coach.Rating) (rateSummary, error) {
	all, err := b.store.Ratings(r.Subject, area.ID)
	if err != nil {
		return rateSummary{}, err
	}
	s := rateSummary{Area: area, Rating: r}
	var mine []coach.Rating
	for i := range all {
		x := all[i]
		switch {
		case x.Rater == r.Rater:
			mine = append(mine, x)
		case r.Self() || x.Self():
			// The other side: the manager's view for a self-rating, the
			// person's own view for a manager's.
			s.Other = &all[i]
		}
	}
	s.Trend, _ = coach.TrendOf(mine)
	for _, x := range mine {
		s.Series = append(s.Series, x.Score)
	}
	return s, nil
}

func (b *Bot) openRateModal(ctx context.Context, log *slog.Logger, userID, triggerID string, meta rateModalMeta, responseURL string) {
	latest := map[string]coach.Rating{}
	all, err := b.store.Ratings(userID, "")
	if err != nil {
		b.fail(ctx, log, responseURL, "load ratings for modal", err)
		return
	}
	for _, r := range all {
		if r.Self() {
			latest[r.Area] = r
		}
	}
	view := rateModal(b.model, latest, mustJSON(meta))
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		log.Error("open rate modal", "error", err)
		msg := "I couldn't open the form. Please run /rate again."
		if strings.Contains(err.Error(), "trigger") {
			msg = "The form took too long to open. Please run /rate again."
		}
		if responseURL != "" {
			b.respond(ctx, log, responseURL, failureReply(msg))
		} else {
			b.dm(ctx, log, userID, failureReply(msg))
		}
	}
}

func (b *Bot) coach(ctx context.Context, log *slog.Logger, cmd slack.SlashCommand) {
	cc, err := parseCoach(coachSubcommands, cmd.Text)
	if err != nil {
		b.replyError(ctx, log, cmd.ResponseURL, err)
		return
	}
	switch cc.Name {
	case "help":
		b.respond(ctx, log, cmd.ResponseURL, helpReply(b.model, coachSubcommands))
	}
}

// replyError shows bad input as such and anything else as a failure.
func (b *Bot) replyError(ctx context.Context, log *slog.Logger, responseURL string, err error) {
	var ie *inputError
	if errors.As(err, &ie) {
		log.Info("bad input", "problem", ie.Problem)
		b.respond(ctx, log, responseURL, errorReply(ie))
		return
	}
	if code := coach.ErrorCode(err); code != coach.EINTERNAL {
		b.respond(ctx, log, responseURL, errorReply(&inputError{Problem: coach.ErrorMessage(err)}))
		return
	}
	b.fail(ctx, log, responseURL, "command failed", err)
}
