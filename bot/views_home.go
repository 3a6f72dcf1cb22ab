package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Block Kit's limits for the surfaces microcoach builds.
const (
	maxHomeBlocks    = 100
	maxMessageBlocks = 50
	maxSelectOptions = 100
)

func header(s string) *slack.HeaderBlock { return slack.NewHeaderBlock(plain(truncate(s, 150))) }

// homeView is the App Home of one person: a welcome for a newcomer; their
// challenge, plan, ratings and cadence; and, for a manager, their reports
// worst first. It never passes 100 blocks.
func homeView(model coach.Model, d homeData) slack.HomeTabViewRequest {
	var blocks []slack.Block
	for i, inv := range d.Invitations {
		if i == 3 {
			break // the oldest three; more arrive as those are answered
		}
		blocks = append(blocks, invitationBlocks(inv)...)
	}
	if d.newcomer() {
		blocks = append(blocks, newcomerBlocks(model)...)
	} else {
		blocks = append(blocks, personBlocks(model, d)...)
	}
	if len(d.Sent) > 0 {
		blocks = append(blocks, sentBlocks(d.Sent, d.Now)...)
	}
	if len(d.Reports) > 0 {
		blocks = append(blocks, teamBlocks(model, d.Reports, d.Grid, d.Now, maxHomeBlocks-len(blocks))...)
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func newcomerBlocks(model coach.Model) []slack.Block {
	return []slack.Block{
		header("Welcome to microcoach"),
		section("microcoach helps you grow as a product manager through small, frequent check-ins instead of a big review twice a year."),
		section(fmt.Sprintf("*How it works*\n1. *Put a pin on the map:* rate yourself from 1 to 10 in the %d areas of the %s model. Your manager does the same; where your views differ by 2 or more is what a coaching talk is for.\n2. *Own a plan:* 3–5 themes for the next six months, each with concrete actions.\n3. *Keep it going:* a short nudge each week, a green / yellow / red check-in each month, a refresh each quarter.", len(model.Areas), escape(model.Name))),
		slack.NewActionBlock("home.start",
			slack.NewButtonBlockElement(ActionOpenRate, "open", plain("Rate yourself")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionOpenPlan, "open", plain("Start my plan")),
		),
		contextBlock("Your plan and ratings are shared with your manager of record only. Answers to coaching questions stay private unless you share them. `/coach help` lists every command."),
	}
}

func personBlocks(model coach.Model, d homeData) []slack.Block {
	blocks := []slack.Block{header("Your coaching")}
	switch {
	case d.Challenge != nil:
		blocks = append(blocks, section(fmt.Sprintf(":dart: *Next Bigger Challenge:* “%s”", escape(d.Challenge.Text))),
			contextBlock(fmt.Sprintf("Since %s (%s)", slackDate(d.Challenge.At), age(d.Challenge.At, d.Now))))
	default:
		blocks = append(blocks, section(":dart: *Next Bigger Challenge:* not set yet — the assignment you'd take on next if you were ready. `/coach challenge <text>`"))
	}
	if p := d.Proposal; p != nil {
		blocks = append(blocks,
			section(fmt.Sprintf("<@%s> proposes: “%s”", p.By, escape(p.Text))),
			slack.NewActionBlock("home.proposal",
				slack.NewButtonBlockElement(ActionAcceptChallenge, fmt.Sprint(p.ID), plain("Accept")).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement(ActionEditChallenge, fmt.Sprint(p.ID), plain("Write my own")),
			))
	}
	blocks = append(blocks, slack.NewDividerBlock())
	if d.Plan != nil {
		blocks = append(blocks, planBlocks(model, *d.Plan, d.Colours, d.Now, true)...)
		if h := historyLine(*d.Plan, d.History, d.Now); h != "" {
			blocks = append(blocks, contextBlock(h))
		}
		blocks = append(blocks, slack.NewActionBlock("home.plan",
			slack.NewButtonBlockElement(ActionOpenPlan, "open", plain("Edit plan")),
			slack.NewButtonBlockElement(ActionOpenRate, "open", plain("Rate yourself")),
		))
	} else {
		blocks = append(blocks,
			section("*Development plan:* none yet. Three to five themes for the next six months, each with concrete actions — written by you, for you."),
			slack.NewActionBlock("home.plan",
				slack.NewButtonBlockElement(ActionOpenPlan, "open", plain("Start my plan")).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement(ActionOpenRate, "open", plain("Rate yourself")),
			))
	}
	blocks = append(blocks, slack.NewDividerBlock(), section("*Your ratings*"))
	note := "Self = your latest rating, Mgr = your manager's. A gap marked ! (2 or more) is worth talking about."
	if d.Radar != nil {
		blocks = append(blocks, imageBlock(blockRadar, d.Radar))
		note = "Solid blue: you; dashed orange: your manager; faint: last quarter. An area tagged “gap” (2 or more apart) is worth talking about."
	} else {
		blocks = append(blocks, section("```"+escape(ratingsTable(d.Comparisons))+"```"))
	}
	blocks = append(blocks, levelBlocks(model, d.Comparisons, true)...)
	if d.Person.Manager == "" {
		note = "You have no manager of record yet; once you accept your manager's invitation (they send it with /coach team add), their view shows next to yours."
	}
	if d.AnswerRate >= 0 {
		note += fmt.Sprintf(" You answered %d%% of check-ins and questions in the last three months.", int(d.AnswerRate*100+0.5))
	}
	blocks = append(blocks, contextBlock(note))
	if d.Person.Manager != "" {
		blocks = append(blocks, managerOfRecordBlock(d.Person))
	}
	if len(d.Upcoming) > 0 {
		blocks = append(blocks, contextBlock(truncate(":calendar: "+strings.Join(d.Upcoming, " · "), 3000)))
	}
	return blocks
}

// invitationBlocks offers an open invitation on the invited person's Home.
func invitationBlocks(inv coach.Invitation) []slack.Block {
	return []slack.Block{
		section(fmt.Sprintf(":wave: <@%s> invites you to accept them as your manager of record.", inv.Manager)),
		section(whatManagerSees),
		slack.NewActionBlock("home.invite."+inv.Manager,
			slack.NewButtonBlockElement(ActionInviteAccept, inv.Manager, plain("Accept")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionInviteDecline, inv.Manager, plain("Decline")),
		),
		contextBlock(fmt.Sprintf("Open until %s. Nothing is shared unless you accept.", slackDate(inv.Expires))),
		slack.NewDividerBlock(),
	}
}

// managerOfRecordBlock says who the person's manager of record is, what
// they see, and offers to end it.
func managerOfRecordBlock(p coach.Person) slack.Block {
	text := fmt.Sprintf(":bust_in_silhouette: Your manager of record is <@%s>", p.Manager)
	if !p.ManagerSince.IsZero() {
		text += " (since " + slackDate(p.ManagerSince) + ")"
	}
	text += ". They see your plan, colours, ratings and challenge; your answers stay private unless you share one."
	end := slack.NewButtonBlockElement(ActionLeaveTeam, "leave", plain("End this")).WithConfirm(slack.NewConfirmationBlockObject(
		plain("Leave your manager's team?"),
		plain("They stop seeing your coaching data at once and are told. Your data stays yours."),
		plain("Leave"), plain("Cancel"),
	))
	return slack.NewSectionBlock(mrkdwn(text), nil, slack.NewAccessory(end))
}

// sentBlocks lists the invitations a manager is waiting on.
func sentBlocks(sent []coach.Invitation, now time.Time) []slack.Block {
	blocks := []slack.Block{slack.NewDividerBlock(), section(fmt.Sprintf("*Invited, waiting* (%d)", len(sent)))}
	for i, inv := range sent {
		if i == 10 {
			blocks = append(blocks, contextBlock(fmt.Sprintf("…and %d more: `/coach team` lists them all.", len(sent)-i)))
			break
		}
		withdraw := slack.NewButtonBlockElement(ActionInviteWithdraw, inv.Report, plain("Withdraw"))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(invitationStatus(inv, now)), nil, slack.NewAccessory(withdraw)))
	}
	return blocks
}

// historyLine shows each theme's colours in the months since the plan was
// written, oldest first, in words, or "" when no theme has a colour yet.
func historyLine(p coach.Plan, history map[string][]coach.Colour, now time.Time) string {
	var lines []string
	coloured := false
	months := monthsSince(p.CreatedAt, now)
	for _, t := range p.Themes {
		h := colourMonths(history[t.ID], months, now)
		if h != "not checked in yet" {
			coloured = true
		}
		lines = append(lines, escape(truncate(t.Title, 40))+": "+h)
	}
	if !coloured {
		return ""
	}
	return truncate("Colours since the plan began\n"+strings.Join(lines, "\n"), 3000)
}

// ratingsTable shows self, manager, gap and, where there are three
// ratings or more to draw it from, the self trend per area.
func ratingsTable(cmp []coach.AreaComparison) string {
	return areaTable(cmp, "Trend", func(c coach.AreaComparison) string {
		if len(c.SelfSeries) < 3 {
			return ""
		}
		return coach.Sparkline(c.SelfSeries, 8)
	})
}

// age says how long ago t was, roughly.
func age(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 48*time.Hour:
		return "new"
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d weeks", int(d.Hours()/24/7))
	default:
		return fmt.Sprintf("%d months", int(d.Hours()/24/30))
	}
}

// reportLine is one report at a glance, in words: the most important
// reason they need attention first (coach.ReportStatus.Flags), or how
// they are doing when they need none.
func reportLine(model coach.Model, s coach.ReportStatus, now time.Time) string {
	name := fmt.Sprintf("<@%s>", s.Person.ID)
	switch {
	case s.Paused:
		return name + " — :double_vertical_bar: paused, not silent"
	case s.Away:
		return name + " — :palm_tree: away (Slack status), not silent"
	}
	if flags := s.Flags(now); len(flags) > 0 {
		line := name + " — " + escape(flags[0].Text)
		if len(flags) > 1 {
			line += "; also " + escape(flags[1].Text)
		}
		if len(flags) > 2 {
			line += fmt.Sprintf(" (+%d)", len(flags)-2)
		}
		return line
	}
	return name + " — " + calmWords(s, now)
}

// calmWords sums up a report who needs no attention, in words.
func calmWords(s coach.ReportStatus, now time.Time) string {
	if !s.HasPlan {
		if a := age(s.Since(), now); a != "new" {
			return "no plan yet; joined " + a + " ago"
		}
		return "no plan yet; just joined"
	}
	counts := map[coach.Colour]int{}
	for _, c := range s.Colours {
		counts[c]++
	}
	var parts []string
	for _, c := range []coach.Colour{coach.Green, coach.Yellow} {
		if counts[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[c], c))
		}
	}
	text := "plan written, no check-in yet"
	if len(parts) > 0 {
		text = "latest colours " + strings.Join(parts, ", ")
	}
	if b := s.Biggest; b != nil && b.Flagged() {
		text += fmt.Sprintf("; gap of %d on %s", abs(b.Gap), escape(b.Area.Name))
	}
	return text
}

// teamBlocks lists reports worst first in at most budget blocks: one
// section with a Details button per report while they fit, then the rest as
// grouped lines and a select to open anyone's details.
func teamBlocks(model coach.Model, reports []coach.ReportStatus, grid *shownPicture, now time.Time, budget int) []slack.Block {
	attention := 0
	for _, r := range reports {
		if len(r.Reasons(now)) > 0 {
			attention++
		}
	}
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		header(fmt.Sprintf("Your team (%d)", len(reports))),
		contextBlock(fmt.Sprintf("Worst first, the most important reason first. %s your attention.", needCount(attention))),
	}
	if grid != nil {
		blocks = append(blocks, imageBlock(blockGrid, grid))
	}
	room := budget - len(blocks)
	withButtons := len(reports)
	if withButtons > room {
		// Keep two blocks for the grouped rest and one for the select.
		withButtons = max(0, room-3)
	}
	for _, r := range reports[:withButtons] {
		s := section(truncate(reportLine(model, r, now), 3000))
		s.Accessory = slack.NewAccessory(slack.NewButtonBlockElement(actionID(ActionReportDetails, r.Person.ID), r.Person.ID, plain("Details")))
		blocks = append(blocks, s)
	}
	rest := reports[withButtons:]
	if len(rest) == 0 {
		return blocks
	}
	// The rest: as many lines per section as fit in 3000 characters.
	var chunk []string
	size := 0
	flush := func() {
		if len(chunk) > 0 {
			blocks = append(blocks, section(strings.Join(chunk, "\n")))
			chunk, size = nil, 0
		}
	}
	for _, r := range rest {
		line := truncate(reportLine(model, r, now), 300)
		if size+len(line)+1 > 3000 {
			flush()
		}
		chunk = append(chunk, line)
		size += len(line) + 1
	}
	flush()
	var opts []*slack.OptionBlockObject
	for _, r := range reports {
		if len(opts) == maxSelectOptions {
			break
		}
		name := r.Person.Name
		if name == "" {
			name = r.Person.ID
		}
		opts = append(opts, slack.NewOptionBlockObject(r.Person.ID, plain(truncate(name, 75)), nil))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Open details for…"), ActionReportPick, opts...)
	blocks = append(blocks, slack.NewActionBlock("home.report_pick", sel))
	return blocks
}

// reportModal is a manager's read-only view of one report.
func reportModal(model coach.Model, st coach.ReportStatus, plan *coach.Plan, colours map[string]coach.Colour, radar *shownPicture, now time.Time) modalView {
	name := st.Person.Name
	if name == "" {
		name = "Report"
	}
	blocks := []slack.Block{section(fmt.Sprintf("*<@%s>*", st.Person.ID))}
	if st.Challenge != nil {
		blocks = append(blocks, section(fmt.Sprintf(":dart: *Next Bigger Challenge:* “%s” (%s)", escape(st.Challenge.Text), age(st.Challenge.At, now))))
	} else {
		blocks = append(blocks, section(fmt.Sprintf(":dart: No Next Bigger Challenge yet. Propose one: `/coach challenge <@%s> <text>`", st.Person.ID)))
	}
	blocks = append(blocks, slack.NewDividerBlock())
	if plan != nil {
		blocks = append(blocks, planBlocks(model, *plan, colours, now, false)...)
	} else {
		blocks = append(blocks, section("No development plan yet. The plan is theirs to write; you can encourage them to start one."))
	}
	blocks = append(blocks, slack.NewDividerBlock(), section("*Their view and yours*"))
	if radar != nil {
		blocks = append(blocks, imageBlock(blockRadar, radar))
	} else {
		blocks = append(blocks, section("```"+escape(gapTable(st.Comparisons))+"```"))
	}
	if rs := st.Reasons(now); len(rs) > 0 {
		blocks = append(blocks, contextBlock(":warning: Needs attention: "+escape(strings.Join(rs, "; "))))
	}
	if len(blocks) > maxHomeBlocks {
		blocks = blocks[:maxHomeBlocks]
	}
	return modalView{
		Type:       slack.VTModal,
		CallbackID: CallbackReport,
		Title:      plain(truncate(name, 24)),
		Close:      plain("Close"),
		Blocks:     slack.Blocks{BlockSet: blocks},
	}
}

// needCount says "1 needs", "3 need".
func needCount(n int) string {
	if n == 1 {
		return "1 needs"
	}
	return fmt.Sprintf("%d need", n)
}
