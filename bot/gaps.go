package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

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
	b.say(ctx, c, gapsReply(subject, c.user, cmp))
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

// gapTable renders comparisons as a monospaced table: area, self, manager,
// gap (flagged), change of the gap since the previous assessment.
func gapTable(cmp []coach.AreaComparison) string {
	width := 4
	for _, c := range cmp {
		width = max(width, min(len([]rune(c.Area.Name)), 24))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-*s  Self  Mgr  Gap  Change\n", width, "Area")
	score := func(r *coach.Rating) string {
		if r == nil {
			return "–"
		}
		return fmt.Sprint(r.Score)
	}
	for _, c := range cmp {
		gap, change := "–", ""
		if c.HasGap {
			gap = signed(c.Gap)
			if c.Flagged() {
				gap += "!"
			}
			if c.HasPrevGap && c.PrevGap != c.Gap {
				change = fmt.Sprintf("%s → %s", signed(c.PrevGap), signed(c.Gap))
			}
		}
		name := truncate(c.Area.Name, 24)
		fmt.Fprintf(&sb, "%-*s  %4s  %3s  %3s  %s\n", width, name, score(c.Self), score(c.Manager), gap, change)
	}
	return strings.TrimRight(sb.String(), "\n")
}

func gapsReply(subject coach.Person, viewer string, cmp []coach.AreaComparison) reply {
	whose := "Your own view beside your manager's"
	if subject.ID != viewer {
		whose = fmt.Sprintf("<@%s>'s own view beside yours", subject.ID)
	}
	var flagged []string
	for _, c := range cmp {
		if c.Flagged() {
			flagged = append(flagged, fmt.Sprintf("%s (%s)", escape(c.Area.Name), signed(c.Gap)))
		}
	}
	head := "*Perception gaps* — " + whose
	blocks := []slack.Block{
		section(head),
		section("```" + escape(gapTable(cmp)) + "```"),
	}
	var note string
	switch {
	case subject.Manager == "" && subject.ID == viewer:
		note = "You have no manager of record yet, so there is nothing to compare with. Your manager can add you with /coach team add."
	case len(flagged) > 0:
		note = fmt.Sprintf(":triangular_flag_on_post: Gaps of %d or more are worth a conversation: %s. Positive: rated higher by the person than by the manager.", coach.GapThreshold, strings.Join(flagged, ", "))
	default:
		note = fmt.Sprintf("No gap of %d or more. Positive gaps mean the person rates themselves higher than the manager does.", coach.GapThreshold)
	}
	blocks = append(blocks, contextBlock(note))
	return reply{Text: head, Blocks: blocks}
}
