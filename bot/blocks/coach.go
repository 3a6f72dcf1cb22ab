package blocks

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Text is a one-section message of our own mrkdwn.
func Text(text string) Reply {
	return Reply{Text: text, Blocks: []slack.Block{Section(Truncate(text, 3000))}}
}

// whatManagerSees is the one sentence every invitation and assignment
// uses to say what a manager of record sees.
const whatManagerSees = "*What they would see:* your development plan and its monthly colours (and notes you write from then on), your self-ratings next to theirs and the gaps, and your Next Bigger Challenge. They could rate you, propose challenges and prepare 1:1 agendas about you.\n*What they wouldn't:* your answers to coaching questions — those stay private unless you share one with them."

// Team is a manager's /coach team: their reports and the invitations
// they sent.
func Team(me coach.Person, reports []coach.Person, sent []coach.Invitation, now time.Time) Reply {
	var b strings.Builder
	if len(reports) == 0 {
		b.WriteString("*Your team* is empty. Invite the people you coach with `/coach team add @person`; they join when they accept.")
	} else {
		fmt.Fprintf(&b, "*Your team* (%d):", len(reports))
		for _, r := range reports {
			fmt.Fprintf(&b, "\n• <@%s>", r.ID)
			if !r.ManagerSince.IsZero() {
				fmt.Fprintf(&b, " — since %s", SlackDate(r.ManagerSince))
			}
		}
	}
	if len(sent) > 0 {
		fmt.Fprintf(&b, "\n*Invited* (%d):", len(sent))
		for _, inv := range sent {
			fmt.Fprintf(&b, "\n• %s", invitationStatus(inv, now))
		}
	}
	text := b.String()
	blocks := []slack.Block{Section(Truncate(text, 3000))}
	if me.Manager != "" {
		blocks = append(blocks, Context(fmt.Sprintf("Your manager of record is <@%s>. To leave their team: `/coach team leave`", me.Manager)))
	}
	return Reply{Text: text, Blocks: blocks}
}

// invitationStatus is one invitation as its sender sees it.
func invitationStatus(inv coach.Invitation, now time.Time) string {
	if inv.Expired(now) {
		return fmt.Sprintf("<@%s> — invited %s, expired unanswered on %s. Invite again with `/coach team add`.", inv.Report, SlackDate(inv.At), SlackDate(inv.Expires))
	}
	return fmt.Sprintf("<@%s> — invited %s, waiting for their answer (open until %s)", inv.Report, SlackDate(inv.At), SlackDate(inv.Expires))
}

// Invitation is the DM that asks a person to accept a manager of
// record: who asks, exactly what they would see, and the two buttons.
func Invitation(inv coach.Invitation, former string) Reply {
	text := fmt.Sprintf(":wave: <@%s> invites you to accept them as your manager of record in microcoach.", inv.Manager)
	notes := []string{fmt.Sprintf("Open until %s. Nothing is shared unless you accept, and you can end it any time later (`/coach team leave` or your Home tab).", SlackDate(inv.Expires))}
	if former != "" {
		notes = append(notes, fmt.Sprintf("Your manager of record now is <@%s>. Accepting moves you: they are told and stop seeing your data at once.", former))
	}
	return Reply{Text: text, Blocks: []slack.Block{
		Section(text),
		Section(whatManagerSees),
		slack.NewActionBlock("invite",
			slack.NewButtonBlockElement(ActionInviteAccept, inv.Manager, plain("Accept")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionInviteDecline, inv.Manager, plain("Decline")),
		),
		Context(notes...),
	}}
}

// Accepted replaces the invitation once accepted.
func Accepted(manager, former string) Reply {
	text := fmt.Sprintf(":white_check_mark: You accepted <@%s> as your manager of record.", manager)
	if former != "" && former != manager {
		text += fmt.Sprintf(" <@%s> no longer sees your data, and was told.", former)
	}
	return Reply{Text: text, Blocks: []slack.Block{
		Section(text),
		Context("They see your plan, colours, ratings and challenge; your answers stay private unless you share one. To end it: `/coach team leave` or your Home tab."),
	}}
}

// FormerManager tells a manager that a report moved away.
func FormerManager(report string) Reply {
	return Text(fmt.Sprintf("<@%s> has a new manager of record in microcoach, so you no longer see their coaching data.", report))
}

// Assigned tells a person that an admin or an import set their
// manager of record, and what that manager sees.
func Assigned(who, manager string) Reply {
	text := fmt.Sprintf(":wave: %s made <@%s> your manager of record in microcoach.", who, manager)
	return Reply{Text: text, Blocks: []slack.Block{
		Section(text),
		Section(strings.NewReplacer("would see", "see", "wouldn't", "don't", "could rate", "can rate").Replace(whatManagerSees)),
		Context("Not right? Tell your admin, or end it yourself with `/coach team leave`."),
	}}
}

// OrgHelp shows an admin what they can do.
func OrgHelp(admins []string) Reply {
	names := make([]string, len(admins))
	for i, a := range admins {
		names[i] = "<@" + a + ">"
	}
	text := "*Admin: the org chart*\n`/coach org set @person @manager` makes someone's manager of record without an invitation; both are told, and a former manager loses access at once.\n`/coach org unset @person` ends it.\nFor a whole organisation, the operator runs `microcoach org import FILE.csv`."
	return Reply{Text: text, Blocks: []slack.Block{
		Section(text),
		Context("Admins: " + strings.Join(names, ", ") + ". Being an admin lets you assign managers, and shows you nobody's coaching data."),
	}}
}

// Proposal offers a proposed challenge to the person it is for.
func Proposal(ch coach.Challenge) Reply {
	text := fmt.Sprintf("<@%s> proposes a Next Bigger Challenge for you: “%s”", ch.By, Escape(ch.Text))
	return Reply{Text: text, Blocks: []slack.Block{
		Section(text),
		slack.NewActionBlock("",
			slack.NewButtonBlockElement(ActionAcceptChallenge, fmt.Sprint(ch.ID), plain("Accept")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionEditChallenge, fmt.Sprint(ch.ID), plain("Write my own")),
		),
		Context("It is your plan: accept it as it is, or edit it into the challenge you want."),
	}}
}

// Challenges is a person's current Next Bigger Challenge, a pending
// proposal and the history, as viewer sees them.
func Challenges(subject, viewer string, history []coach.Challenge) Reply {
	whose, set := "Your", "Set one with `/coach challenge <text>`, e.g. `/coach challenge lead the H2 strategy planning`."
	if subject != viewer {
		whose, set = fmt.Sprintf("<@%s>'s", subject), fmt.Sprintf("Propose one with `/coach challenge <@%s> <text>`.", subject)
	}
	current, pending := coach.CurrentChallenge(history)
	var lines []string
	if current != nil {
		lines = append(lines, fmt.Sprintf("*%s Next Bigger Challenge:* “%s” (since %s)", whose, Escape(current.Text), SlackDate(current.At)))
	} else {
		lines = append(lines, fmt.Sprintf("*%s Next Bigger Challenge* is not set yet. %s", whose, set))
	}
	if pending != nil {
		lines = append(lines, fmt.Sprintf("Waiting for an answer: “%s”, proposed by <@%s> on %s", Escape(pending.Text), pending.By, SlackDate(pending.At)))
	}
	if len(history) > 1 {
		var hist []string
		for i := len(history) - 1; i >= 0 && len(hist) < 10; i-- {
			h := history[i]
			hist = append(hist, fmt.Sprintf("%s · %s · “%s”", SlackDate(h.At), h.Status, Escape(Truncate(h.Text, 120))))
		}
		lines = append(lines, "*History*\n"+strings.Join(hist, "\n"))
	}
	text := strings.Join(lines, "\n")
	return Reply{Text: lines[0], Blocks: []slack.Block{Section(Truncate(text, 3000))}}
}

// ColourMark is how a colour shows in text: an emoji and the word, so a
// screen reader and a colour-blind reader tell them apart.
func ColourMark(c coach.Colour) string {
	if !c.Valid() {
		return colourDot(c) + " no colour yet"
	}
	return colourDot(c) + " " + string(c)
}

// colourDot is the compact marker of a colour in one-line summaries.
func colourDot(c coach.Colour) string {
	switch c {
	case coach.Green:
		return ":large_green_circle:"
	case coach.Yellow:
		return ":large_yellow_circle:"
	case coach.Red:
		return ":red_circle:"
	}
	return ":white_circle:"
}

// planBlocks shows a plan; with editable, each theme's actions are
// checkboxes the owner can tick.
func planBlocks(model coach.Model, p coach.Plan, colours map[string]coach.Colour, now time.Time, editable bool) []slack.Block {
	head := fmt.Sprintf("*%s*", Escape(p.Headline))
	horizon := "until " + SlackDate(p.Horizon)
	if p.Overdue(now) {
		horizon = "past its horizon (" + SlackDate(p.Horizon) + ") — time to refresh it"
	}
	blocks := []slack.Block{Section(head), Context(fmt.Sprintf("Development plan, %s · %d themes · last edited %s", horizon, len(p.Themes), SlackDate(p.UpdatedAt)))}
	for _, t := range p.Themes {
		title := fmt.Sprintf("%s  *%s* · %s", ColourMark(colours[t.ID]), Escape(t.Title), Escape(model.AreaName(t.Area)))
		if t.Description != "" {
			title += "\n" + Escape(t.Description)
		}
		if !editable {
			var acts []string
			for _, a := range t.Actions {
				box := "☐"
				if a.Done {
					box = "☑"
				}
				acts = append(acts, box+" "+Escape(a.Text))
			}
			blocks = append(blocks, Section(Truncate(title+"\n"+strings.Join(acts, "\n"), 3000)))
			continue
		}
		blocks = append(blocks, Section(Truncate(title, 3000)))
		if len(t.Actions) == 0 {
			continue
		}
		var opts, done []*slack.OptionBlockObject
		var whole []string
		for i, a := range t.Actions {
			// A checkbox holds 75 characters and an action up to 200:
			// a longer one is numbered and shown whole below.
			label := a.Text
			if len([]rune(label)) > 75 {
				label = Truncate(fmt.Sprintf("%d. %s", i+1, a.Text), 75)
				whole = append(whole, fmt.Sprintf("%d. %s", i+1, Escape(a.Text)))
			}
			o := slack.NewOptionBlockObject(a.ID, plain(label), nil)
			opts = append(opts, o)
			if a.Done {
				done = append(done, o)
			}
		}
		cb := slack.NewCheckboxGroupsBlockElement(ActionID(ActionActionsDone, t.ID), opts...)
		if len(done) > 0 {
			cb.InitialOptions = done
		}
		blocks = append(blocks, slack.NewActionBlock(actionsBlockID(t.ID), cb))
		if len(whole) > 0 {
			blocks = append(blocks, Context(Truncate("In full: "+strings.Join(whole, "\n"), 3000)))
		}
	}
	return blocks
}

// Plan shows someone's plan read-only, or says they have none (p nil).
func Plan(model coach.Model, owner coach.Person, p *coach.Plan, colours map[string]coach.Colour, now time.Time) Reply {
	if p == nil {
		text := fmt.Sprintf("<@%s> has no development plan yet. The plan is theirs to write: they can start one with `/coach plan`.", owner.ID)
		return Reply{Text: text, Blocks: []slack.Block{Section(text)}}
	}
	blocks := append([]slack.Block{Section(fmt.Sprintf("<@%s>'s development plan (read-only: the plan is theirs to edit)", owner.ID))}, planBlocks(model, *p, colours, now, false)...)
	return Reply{Text: fmt.Sprintf("<@%s>'s development plan: %s", owner.ID, Escape(p.Headline)), Blocks: blocks}
}
