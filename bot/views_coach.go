package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// plainReply is a one-section message of our own mrkdwn.
func plainReply(text string) reply {
	return reply{Text: text, Blocks: []slack.Block{section(truncate(text, 3000))}}
}

// whatManagerSees is the one sentence every invitation and assignment
// uses to say what a manager of record sees.
const whatManagerSees = "*What they would see:* your development plan and its monthly colours (and notes you write from then on), your self-ratings next to theirs and the gaps, and your Next Bigger Challenge. They could rate you, propose challenges and prepare 1:1 agendas about you.\n*What they wouldn't:* your answers to coaching questions — those stay private unless you share one with them."

func teamReply(me coach.Person, reports []coach.Person, sent []coach.Invitation, now time.Time) reply {
	var b strings.Builder
	if len(reports) == 0 {
		b.WriteString("*Your team* is empty. Invite the people you coach with `/coach team add @person`; they join when they accept.")
	} else {
		fmt.Fprintf(&b, "*Your team* (%d):", len(reports))
		for _, r := range reports {
			fmt.Fprintf(&b, "\n• <@%s>", r.ID)
			if !r.ManagerSince.IsZero() {
				fmt.Fprintf(&b, " — since %s", slackDate(r.ManagerSince))
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
	blocks := []slack.Block{section(truncate(text, 3000))}
	if me.Manager != "" {
		blocks = append(blocks, contextBlock(fmt.Sprintf("Your manager of record is <@%s>. To leave their team: `/coach team leave`", me.Manager)))
	}
	return reply{Text: text, Blocks: blocks}
}

// invitationStatus is one invitation as its sender sees it.
func invitationStatus(inv coach.Invitation, now time.Time) string {
	if inv.Expired(now) {
		return fmt.Sprintf("<@%s> — invited %s, expired unanswered on %s. Invite again with `/coach team add`.", inv.Report, slackDate(inv.At), slackDate(inv.Expires))
	}
	return fmt.Sprintf("<@%s> — invited %s, waiting for their answer (open until %s)", inv.Report, slackDate(inv.At), slackDate(inv.Expires))
}

// invitationReply is the DM that asks a person to accept a manager of
// record: who asks, exactly what they would see, and the two buttons.
func invitationReply(inv coach.Invitation, former string) reply {
	text := fmt.Sprintf(":wave: <@%s> invites you to accept them as your manager of record in microcoach.", inv.Manager)
	notes := []string{fmt.Sprintf("Open until %s. Nothing is shared unless you accept, and you can end it any time later (`/coach team leave` or your Home tab).", slackDate(inv.Expires))}
	if former != "" {
		notes = append(notes, fmt.Sprintf("Your manager of record now is <@%s>. Accepting moves you: they are told and stop seeing your data at once.", former))
	}
	return reply{Text: text, Blocks: []slack.Block{
		section(text),
		section(whatManagerSees),
		slack.NewActionBlock("invite",
			slack.NewButtonBlockElement(ActionInviteAccept, inv.Manager, plain("Accept")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionInviteDecline, inv.Manager, plain("Decline")),
		),
		contextBlock(notes...),
	}}
}

// acceptedReply replaces the invitation once accepted.
func acceptedReply(manager, former string) reply {
	text := fmt.Sprintf(":white_check_mark: You accepted <@%s> as your manager of record.", manager)
	if former != "" && former != manager {
		text += fmt.Sprintf(" <@%s> no longer sees your data, and was told.", former)
	}
	return reply{Text: text, Blocks: []slack.Block{
		section(text),
		contextBlock("They see your plan, colours, ratings and challenge; your answers stay private unless you share one. To end it: `/coach team leave` or your Home tab."),
	}}
}

// formerManagerReply tells a manager that a report moved away.
func formerManagerReply(report string) reply {
	return plainReply(fmt.Sprintf("<@%s> has a new manager of record in microcoach, so you no longer see their coaching data.", report))
}

// assignedReply tells a person that an admin or an import set their
// manager of record, and what that manager sees.
func assignedReply(who, manager string) reply {
	text := fmt.Sprintf(":wave: %s made <@%s> your manager of record in microcoach.", who, manager)
	return reply{Text: text, Blocks: []slack.Block{
		section(text),
		section(strings.NewReplacer("would see", "see", "wouldn't", "don't", "could rate", "can rate").Replace(whatManagerSees)),
		contextBlock("Not right? Tell your admin, or end it yourself with `/coach team leave`."),
	}}
}

// orgHelpReply shows an admin what they can do.
func orgHelpReply(admins []string) reply {
	names := make([]string, len(admins))
	for i, a := range admins {
		names[i] = "<@" + a + ">"
	}
	text := "*Admin: the org chart*\n`/coach org set @person @manager` makes someone's manager of record without an invitation; both are told, and a former manager loses access at once.\n`/coach org unset @person` ends it.\nFor a whole organisation, the operator runs `microcoach org import FILE.csv`."
	return reply{Text: text, Blocks: []slack.Block{
		section(text),
		contextBlock("Admins: " + strings.Join(names, ", ") + ". Being an admin lets you assign managers, and shows you nobody's coaching data."),
	}}
}

func proposalReply(ch coach.Challenge) reply {
	text := fmt.Sprintf("<@%s> proposes a Next Bigger Challenge for you: “%s”", ch.By, escape(ch.Text))
	return reply{Text: text, Blocks: []slack.Block{
		section(text),
		slack.NewActionBlock("",
			slack.NewButtonBlockElement(ActionAcceptChallenge, fmt.Sprint(ch.ID), plain("Accept")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionEditChallenge, fmt.Sprint(ch.ID), plain("Write my own")),
		),
		contextBlock("It is your plan: accept it as it is, or edit it into the challenge you want."),
	}}
}

func challengeHistoryReply(subject, viewer string, history []coach.Challenge) reply {
	whose, set := "Your", "Set one with `/coach challenge <text>`, e.g. `/coach challenge lead the H2 strategy planning`."
	if subject != viewer {
		whose, set = fmt.Sprintf("<@%s>'s", subject), fmt.Sprintf("Propose one with `/coach challenge <@%s> <text>`.", subject)
	}
	current, pending := coach.CurrentChallenge(history)
	var lines []string
	if current != nil {
		lines = append(lines, fmt.Sprintf("*%s Next Bigger Challenge:* “%s” (since %s)", whose, escape(current.Text), slackDate(current.At)))
	} else {
		lines = append(lines, fmt.Sprintf("*%s Next Bigger Challenge* is not set yet. %s", whose, set))
	}
	if pending != nil {
		lines = append(lines, fmt.Sprintf("Waiting for an answer: “%s”, proposed by <@%s> on %s", escape(pending.Text), pending.By, slackDate(pending.At)))
	}
	if len(history) > 1 {
		var hist []string
		for i := len(history) - 1; i >= 0 && len(hist) < 10; i-- {
			h := history[i]
			hist = append(hist, fmt.Sprintf("%s · %s · “%s”", slackDate(h.At), h.Status, escape(truncate(h.Text, 120))))
		}
		lines = append(lines, "*History*\n"+strings.Join(hist, "\n"))
	}
	text := strings.Join(lines, "\n")
	return reply{Text: lines[0], Blocks: []slack.Block{section(truncate(text, 3000))}}
}

// colourMark is how a colour shows in text: an emoji and the word, so a
// screen reader and a colour-blind reader tell them apart.
func colourMark(c coach.Colour) string {
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
	head := fmt.Sprintf("*%s*", escape(p.Headline))
	horizon := "until " + slackDate(p.Horizon)
	if p.Overdue(now) {
		horizon = "past its horizon (" + slackDate(p.Horizon) + ") — time to refresh it"
	}
	blocks := []slack.Block{section(head), contextBlock(fmt.Sprintf("Development plan, %s · %d themes · last edited %s", horizon, len(p.Themes), slackDate(p.UpdatedAt)))}
	for _, t := range p.Themes {
		title := fmt.Sprintf("%s  *%s* · %s", colourMark(colours[t.ID]), escape(t.Title), escape(model.AreaName(t.Area)))
		if t.Description != "" {
			title += "\n" + escape(t.Description)
		}
		if !editable {
			var acts []string
			for _, a := range t.Actions {
				box := "☐"
				if a.Done {
					box = "☑"
				}
				acts = append(acts, box+" "+escape(a.Text))
			}
			blocks = append(blocks, section(truncate(title+"\n"+strings.Join(acts, "\n"), 3000)))
			continue
		}
		blocks = append(blocks, section(truncate(title, 3000)))
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
				label = truncate(fmt.Sprintf("%d. %s", i+1, a.Text), 75)
				whole = append(whole, fmt.Sprintf("%d. %s", i+1, escape(a.Text)))
			}
			o := slack.NewOptionBlockObject(a.ID, plain(label), nil)
			opts = append(opts, o)
			if a.Done {
				done = append(done, o)
			}
		}
		cb := slack.NewCheckboxGroupsBlockElement(actionID(ActionActionsDone, t.ID), opts...)
		if len(done) > 0 {
			cb.InitialOptions = done
		}
		blocks = append(blocks, slack.NewActionBlock(actionsBlockID(t.ID), cb))
		if len(whole) > 0 {
			blocks = append(blocks, contextBlock(truncate("In full: "+strings.Join(whole, "\n"), 3000)))
		}
	}
	return blocks
}

func planReply(model coach.Model, owner coach.Person, p *coach.Plan, colours map[string]coach.Colour, now time.Time) reply {
	if p == nil {
		text := fmt.Sprintf("<@%s> has no development plan yet. The plan is theirs to write: they can start one with `/coach plan`.", owner.ID)
		return reply{Text: text, Blocks: []slack.Block{section(text)}}
	}
	blocks := append([]slack.Block{section(fmt.Sprintf("<@%s>'s development plan (read-only: the plan is theirs to edit)", owner.ID))}, planBlocks(model, *p, colours, now, false)...)
	return reply{Text: fmt.Sprintf("<@%s>'s development plan: %s", owner.ID, escape(p.Headline)), Blocks: blocks}
}
