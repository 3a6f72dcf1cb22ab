package blocks

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Block Kit's limits for the surfaces microcoach builds.
const (
	MaxHomeBlocks    = 100
	MaxMessageBlocks = 50
	maxSelectOptions = 100
)

func header(s string) *slack.HeaderBlock { return slack.NewHeaderBlock(plain(Truncate(s, 150))) }

// Home is the App Home of one person: a welcome for a newcomer; their
// challenge, plan, ratings and cadence; and, for a manager, their reports
// worst first. It never passes 100 blocks.
func Home(model coach.Model, d HomeData) slack.HomeTabViewRequest {
	var blocks []slack.Block
	for i, inv := range d.Invitations {
		if i == 3 {
			break // the oldest three; more arrive as those are answered
		}
		blocks = append(blocks, invitationBlocks(inv)...)
	}
	if d.Newcomer() {
		blocks = append(blocks, newcomerBlocks(model)...)
	} else {
		blocks = append(blocks, personBlocks(model, d)...)
	}
	if len(d.Sent) > 0 {
		blocks = append(blocks, sentBlocks(d.Sent, d.Now)...)
	}
	if len(d.Reports) > 0 {
		blocks = append(blocks, teamBlocks(model, d.Reports, d.Grid, d.Now, MaxHomeBlocks-len(blocks))...)
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func newcomerBlocks(model coach.Model) []slack.Block {
	return []slack.Block{
		header("Welcome to microcoach"),
		Section("microcoach helps you grow as a product manager through small, frequent check-ins instead of a big review twice a year."),
		Section(fmt.Sprintf("*How it works*\n1. *Put a pin on the map:* rate yourself from 1 to 10 in the %d areas of the %s model. Your manager does the same; where your views differ by 2 or more is what a coaching talk is for.\n2. *Own a plan:* 3–5 themes for the next six months, each with concrete actions.\n3. *Keep it going:* a short nudge each week, a green / yellow / red check-in each month, a refresh each quarter.", len(model.Areas), Escape(model.Name))),
		slack.NewActionBlock("home.start",
			slack.NewButtonBlockElement(ActionOpenRate, "open", plain("Rate yourself")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionOpenPlan, "open", plain("Start my plan")),
		),
		Context("Your plan and ratings are shared with your manager of record only. Answers to coaching questions stay private unless you share them. `/coach help` lists every command."),
	}
}

func personBlocks(model coach.Model, d HomeData) []slack.Block {
	blocks := []slack.Block{header("Your coaching")}
	switch {
	case d.Challenge != nil:
		blocks = append(blocks, Section(fmt.Sprintf(":dart: *Next Bigger Challenge:* “%s”", Escape(d.Challenge.Text))),
			Context(fmt.Sprintf("Since %s (%s)", SlackDate(d.Challenge.At), age(d.Challenge.At, d.Now))))
	default:
		blocks = append(blocks, Section(":dart: *Next Bigger Challenge:* not set yet — the assignment you'd take on next if you were ready. `/coach challenge <text>`"))
	}
	if p := d.Proposal; p != nil {
		blocks = append(blocks,
			Section(fmt.Sprintf("<@%s> proposes: “%s”", p.By, Escape(p.Text))),
			slack.NewActionBlock("home.proposal",
				slack.NewButtonBlockElement(ActionAcceptChallenge, fmt.Sprint(p.ID), plain("Accept")).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement(ActionEditChallenge, fmt.Sprint(p.ID), plain("Write my own")),
			))
	}
	blocks = append(blocks, slack.NewDividerBlock())
	if d.Plan != nil {
		blocks = append(blocks, planBlocks(model, *d.Plan, d.Colours, d.Now, true)...)
		if h := historyLine(*d.Plan, d.History, d.Now); h != "" {
			blocks = append(blocks, Context(h))
		}
		blocks = append(blocks, slack.NewActionBlock("home.plan",
			slack.NewButtonBlockElement(ActionOpenPlan, "open", plain("Edit plan")),
			slack.NewButtonBlockElement(ActionOpenRate, "open", plain("Rate yourself")),
		))
	} else {
		blocks = append(blocks,
			Section("*Development plan:* none yet. Three to five themes for the next six months, each with concrete actions — written by you, for you."),
			slack.NewActionBlock("home.plan",
				slack.NewButtonBlockElement(ActionOpenPlan, "open", plain("Start my plan")).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement(ActionOpenRate, "open", plain("Rate yourself")),
			))
	}
	blocks = append(blocks, slack.NewDividerBlock(), Section("*Your ratings*"))
	note := "Self = your latest rating, Mgr = your manager's. A gap marked ! (2 or more) is worth talking about."
	if d.Radar != nil {
		blocks = append(blocks, imageBlock(BlockRadar, d.Radar))
		note = "Solid blue: you; dashed orange: your manager; faint: last quarter. An area tagged “gap” (2 or more apart) is worth talking about."
	} else {
		blocks = append(blocks, Section("```"+Escape(ratingsTable(d.Comparisons))+"```"))
	}
	blocks = append(blocks, levelBlocks(model, d.Comparisons, true)...)
	if d.Person.Manager == "" {
		note = "You have no manager of record yet; once you accept your manager's invitation (they send it with /coach team add), their view shows next to yours."
	}
	if d.AnswerRate >= 0 {
		note += fmt.Sprintf(" You answered %d%% of check-ins and questions in the last three months.", int(d.AnswerRate*100+0.5))
	}
	blocks = append(blocks, Context(note))
	if d.Person.Manager != "" {
		blocks = append(blocks, managerOfRecordBlock(d.Person))
	}
	if len(d.Upcoming) > 0 {
		blocks = append(blocks, Context(Truncate(":calendar: "+strings.Join(d.Upcoming, " · "), 3000)))
	}
	return blocks
}

// invitationBlocks offers an open invitation on the invited person's Home.
func invitationBlocks(inv coach.Invitation) []slack.Block {
	return []slack.Block{
		Section(fmt.Sprintf(":wave: <@%s> invites you to accept them as your manager of record.", inv.Manager)),
		Section(whatManagerSees),
		slack.NewActionBlock("home.invite."+inv.Manager,
			slack.NewButtonBlockElement(ActionInviteAccept, inv.Manager, plain("Accept")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionInviteDecline, inv.Manager, plain("Decline")),
		),
		Context(fmt.Sprintf("Open until %s. Nothing is shared unless you accept.", SlackDate(inv.Expires))),
		slack.NewDividerBlock(),
	}
}

// managerOfRecordBlock says who the person's manager of record is, what
// they see, and offers to end it.
func managerOfRecordBlock(p coach.Person) slack.Block {
	text := fmt.Sprintf(":bust_in_silhouette: Your manager of record is <@%s>", p.Manager)
	if !p.ManagerSince.IsZero() {
		text += " (since " + SlackDate(p.ManagerSince) + ")"
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
	blocks := []slack.Block{slack.NewDividerBlock(), Section(fmt.Sprintf("*Invited, waiting* (%d)", len(sent)))}
	for i, inv := range sent {
		if i == 10 {
			blocks = append(blocks, Context(fmt.Sprintf("…and %d more: `/coach team` lists them all.", len(sent)-i)))
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
		lines = append(lines, Escape(Truncate(t.Title, 40))+": "+h)
	}
	if !coloured {
		return ""
	}
	return Truncate("Colours since the plan began\n"+strings.Join(lines, "\n"), 3000)
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
		line := name + " — " + Escape(flags[0].Text)
		if len(flags) > 1 {
			line += "; also " + Escape(flags[1].Text)
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
		text += fmt.Sprintf("; gap of %d on %s", abs(b.Gap), Escape(b.Area.Name))
	}
	return text
}

// teamBlocks lists reports worst first in at most budget blocks: one
// Section with a Details button per report while they fit, then the rest as
// grouped lines and a select to open anyone's details.
func teamBlocks(model coach.Model, reports []coach.ReportStatus, grid *Picture, now time.Time, budget int) []slack.Block {
	attention := 0
	for _, r := range reports {
		if len(r.Reasons(now)) > 0 {
			attention++
		}
	}
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		header(fmt.Sprintf("Your team (%d)", len(reports))),
		Context(fmt.Sprintf("Worst first, the most important reason first. %s your attention.", needCount(attention))),
	}
	if grid != nil {
		blocks = append(blocks, imageBlock(BlockGrid, grid))
	}
	room := budget - len(blocks)
	withButtons := len(reports)
	if withButtons > room {
		// Keep two blocks for the grouped rest and one for the select.
		withButtons = max(0, room-3)
	}
	for _, r := range reports[:withButtons] {
		s := Section(Truncate(reportLine(model, r, now), 3000))
		s.Accessory = slack.NewAccessory(slack.NewButtonBlockElement(ActionID(ActionReportDetails, r.Person.ID), r.Person.ID, plain("Details")))
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
			blocks = append(blocks, Section(strings.Join(chunk, "\n")))
			chunk, size = nil, 0
		}
	}
	for _, r := range rest {
		line := Truncate(reportLine(model, r, now), 300)
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
		opts = append(opts, slack.NewOptionBlockObject(r.Person.ID, plain(Truncate(name, 75)), nil))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Open details for…"), ActionReportPick, opts...)
	blocks = append(blocks, slack.NewActionBlock("home.report_pick", sel))
	return blocks
}

// ReportModal is a manager's read-only view of one report.
func ReportModal(model coach.Model, st coach.ReportStatus, plan *coach.Plan, colours map[string]coach.Colour, radar *Picture, now time.Time) slack.ModalViewRequest {
	name := st.Person.Name
	if name == "" {
		name = "Report"
	}
	blocks := []slack.Block{Section(fmt.Sprintf("*<@%s>*", st.Person.ID))}
	if st.Challenge != nil {
		blocks = append(blocks, Section(fmt.Sprintf(":dart: *Next Bigger Challenge:* “%s” (%s)", Escape(st.Challenge.Text), age(st.Challenge.At, now))))
	} else {
		blocks = append(blocks, Section(fmt.Sprintf(":dart: No Next Bigger Challenge yet. Propose one: `/coach challenge <@%s> <text>`", st.Person.ID)))
	}
	blocks = append(blocks, slack.NewDividerBlock())
	if plan != nil {
		blocks = append(blocks, planBlocks(model, *plan, colours, now, false)...)
	} else {
		blocks = append(blocks, Section("No development plan yet. The plan is theirs to write; you can encourage them to start one."))
	}
	blocks = append(blocks, slack.NewDividerBlock(), Section("*Their view and yours*"))
	if radar != nil {
		blocks = append(blocks, imageBlock(BlockRadar, radar))
	} else {
		blocks = append(blocks, Section("```"+Escape(gapTable(st.Comparisons))+"```"))
	}
	if rs := st.Reasons(now); len(rs) > 0 {
		blocks = append(blocks, Context(":warning: Needs attention: "+Escape(strings.Join(rs, "; "))))
	}
	if len(blocks) > MaxHomeBlocks {
		blocks = blocks[:MaxHomeBlocks]
	}
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: CallbackReport,
		Title:      plain(Truncate(name, 24)),
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

// HomeData is everything the App Home of one person shows.
type HomeData struct {
	Person      coach.Person
	Plan        *coach.Plan
	Colours     map[string]coach.Colour   // latest colour per theme id
	History     map[string][]coach.Colour // colour per month per theme id, oldest first
	AnswerRate  float64                   // share of check-ins and questions answered lately; -1: none sent
	Challenge   *coach.Challenge
	Proposal    *coach.Challenge
	Comparisons []coach.AreaComparison
	RatedAny    bool
	Upcoming    []string // what's next in the person's cadence, already phrased
	Reports     []coach.ReportStatus
	Invitations []coach.Invitation // open invitations to the person
	Radar       *Picture           // the person's own radar; nil: the text table
	Grid        *Picture           // a manager's colour grid; nil: none
	Sent        []coach.Invitation // invitations the person sent, still open or expired
	Now         time.Time
}

// Newcomer reports whether the person has done nothing yet.
func (d HomeData) Newcomer() bool {
	return d.Plan == nil && d.Challenge == nil && d.Proposal == nil && !d.RatedAny && len(d.Reports) == 0 && d.Person.Manager == ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
