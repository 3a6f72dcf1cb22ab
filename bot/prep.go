package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// agenda is a 1:1 agenda: what changed since the previous one.
type agenda struct {
	Subject  coach.Person
	ForSelf  bool      // the person prepares their own side
	Since    time.Time // zero: the first agenda
	Colours  []string
	Ratings  []string
	Done     []string
	Answers  []coach.Answer // shared ones (for the manager), or all (for the person)
	Current  *coach.Challenge
	Focus    coach.Area
	Reason   string // why this area: a gap, or the lowest score
	Asks     []string
	Trends   []string
	Response coach.Responsiveness
	Radar    *shownPicture // the subject's radar, shared in the asker's DM; nil: none
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
	r := agendaReply(b.model, a, now)
	if a.Radar != nil {
		ch, ts, err := b.api.PostMessageContext(ctx, c.user, msgOptions(r)...)
		switch {
		case pictureFailed(err):
			c.log.Warn("agenda refused with its radar; sending text", "error", err)
			b.pictures.forget(a.Radar.FileID)
			a.Radar = nil
			b.dm(ctx, c.log, c.user, agendaReply(b.model, a, now))
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
		b.say(ctx, c, plainReply(":memo: Your 1:1 agenda is in our DM."))
	}
}

// buildAgenda gathers what viewer may see of subject since the last
// agenda: notes and answers each pass the policy on their own.
func (b *Bot) buildAgenda(viewer string, subject coach.Person, since, now time.Time) (agenda, error) {
	var a agenda
	err := b.screen(func(r ScreenReader) error {
		var err error
		a, err = b.buildAgendaFrom(r, viewer, subject, since, now)
		return err
	})
	return a, err
}

func (b *Bot) buildAgendaFrom(r ScreenReader, viewer string, subject coach.Person, since, now time.Time) (agenda, error) {
	forSelf := viewer == subject.ID
	a := agenda{Subject: subject, ForSelf: forSelf, Since: since}
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
			line := fmt.Sprintf("*%s*: %s", escape(t.Title), colourMark(after.Colour))
			if before != nil && before.Colour != after.Colour {
				line = fmt.Sprintf("*%s*: %s → %s", escape(t.Title), colourMark(before.Colour), colourMark(after.Colour))
			}
			if after.Note != "" && b.policy.Authorize(viewer, coach.SeeNote, coach.NoteOf(subject, after.At)) == nil {
				line += " — “" + escape(truncate(after.Note, 200)) + "”"
			}
			a.Colours = append(a.Colours, line)
		}
		for _, t := range plan.Themes {
			for _, x := range t.Actions {
				if x.Done && changed(x.DoneAt) {
					a.Done = append(a.Done, fmt.Sprintf("%s (%s)", escape(x.Text), escape(t.Title)))
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
		line := fmt.Sprintf("*%s*: %s", escape(c.Area.Name), strings.Join(moved, ", "))
		if c.HasGap {
			line += " · gap " + signed(c.Gap)
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
		a.Focus, a.Reason = big.Area, fmt.Sprintf("the biggest gap (%s)", signed(big.Gap))
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
		if self := coach.MonthlySeries(ratings, subject.ID, c.Area.ID, subject.ID, trendMonths, now); points(self) >= 3 {
			parts = append(parts, "self, monthly "+coach.SparklineGaps(self))
		}
		if subject.Manager != "" {
			if mgr := coach.MonthlySeries(ratings, subject.ID, c.Area.ID, subject.Manager, trendMonths, now); points(mgr) >= 3 {
				parts = append(parts, "manager, monthly "+coach.SparklineGaps(mgr))
			}
		}
		if q := coach.QuarterlySeries(ratings, subject.ID, c.Area.ID, subject.ID, 4, now); points(q) >= 3 {
			parts = append(parts, "self, quarterly "+coach.SparklineGaps(q))
		}
		if len(parts) > 0 {
			a.Trends = append(a.Trends, "*"+escape(c.Area.Name)+"*: "+strings.Join(parts, " · "))
		}
	}
	ds, err := r.Deliveries(subject.ID, "")
	if err != nil {
		return a, err
	}
	a.Response = coach.ResponsivenessOf(ds, now.AddDate(0, -3, 0))
	return a, nil
}

func agendaReply(model coach.Model, a agenda, now time.Time) reply {
	title := fmt.Sprintf("1:1 agenda — <@%s>", a.Subject.ID)
	if a.ForSelf {
		title = "Your side of the next 1:1"
	}
	since := "This is the first agenda, so it covers everything so far."
	if !a.Since.IsZero() {
		since = "What changed since the last agenda on " + slackDate(a.Since) + "."
	}
	blocks := []slack.Block{section("*" + title + "*"), contextBlock(since)}
	add := func(head string, lines []string, empty string) {
		if len(lines) == 0 {
			if empty != "" {
				blocks = append(blocks, section("*"+head+"*\n_"+empty+"_"))
			}
			return
		}
		blocks = append(blocks, chunkLines("*"+head+"*", lines)...)
	}
	add("Colours", a.Colours, "No colour changes.")
	add("Ratings and gaps", a.Ratings, "No new ratings.")
	if a.Radar != nil {
		blocks = append(blocks, imageBlock(blockRadar, a.Radar))
	}
	add("Actions done", a.Done, "No actions ticked off.")
	var answers []string
	for _, x := range a.Answers {
		q := x.Question
		if q == "" {
			q = x.QuestionID
		}
		ans := x.Text
		if x.Emotion != "" {
			ans = strings.TrimSpace(x.Emotion + " — " + x.Text)
		}
		answers = append(answers, fmt.Sprintf("_%s_\n> %s", escape(truncate(q, 200)), strings.ReplaceAll(escape(ans), "\n", "\n> ")))
	}
	answersHead := "Answers shared with you"
	if a.ForSelf {
		answersHead = "Your answers (private unless you share them)"
	}
	// Answers are shown whole: one section each (up to 3000 characters;
	// a longer one says where the rest is).
	if len(answers) == 0 {
		add(answersHead, nil, "None.")
	} else {
		blocks = append(blocks, section("*"+answersHead+"*"))
		for _, x := range answers {
			if len([]rune(x)) > 3000 {
				x = truncate(x, 2900) + "\n_…the rest is longer than Slack shows in one block; the whole answer is in `/coach answers` for its author._"
			}
			blocks = append(blocks, section(x))
		}
	}
	if a.Current != nil {
		blocks = append(blocks, section(fmt.Sprintf("*Next Bigger Challenge:* “%s” (%s)", escape(a.Current.Text), age(a.Current.At, now))))
	} else {
		blocks = append(blocks, section("*Next Bigger Challenge:* not set yet — worth agreeing on one."))
	}
	if len(a.Asks) > 0 {
		var qs []string
		for i, q := range a.Asks {
			qs = append(qs, fmt.Sprintf("%d. %s", i+1, escape(q)))
		}
		head := fmt.Sprintf("*Questions to ask* — about %s, %s", escape(a.Focus.Name), a.Reason)
		if a.Focus.ID == "" {
			// Nothing rated yet: say so, and suggest a first step.
			who := fmt.Sprintf("<@%s> hasn't", a.Subject.ID)
			step := "ask them to rate themselves with `/rate` before the 1:1 (one form, every area, a minute)"
			if a.ForSelf {
				who, step = "You haven't", "rate yourself with `/rate` before the 1:1 (one form, every area, a minute)"
			}
			head = fmt.Sprintf("*Questions to ask* — %s rated any area yet, so nothing points to one. A first step: %s. To open with:", who, step)
		}
		blocks = append(blocks, section(head+"\n"+strings.Join(qs, "\n")))
	}
	if len(a.Trends) > 0 {
		blocks = append(blocks, chunkLines("*Trends* (last "+fmt.Sprint(trendMonths)+" months, last 4 quarters; drawn from three ratings or more)", a.Trends)...)
	}
	if rate := a.Response.Rate(); rate >= 0 {
		blocks = append(blocks, contextBlock(fmt.Sprintf("Answered %d of %d check-ins and questions in the last three months (%d%%).", a.Response.Answered, a.Response.Sent, int(rate*100+0.5))))
	}
	if len(blocks) > maxMessageBlocks {
		blocks = blocks[:maxMessageBlocks]
	}
	return reply{Text: title, Blocks: blocks}
}
