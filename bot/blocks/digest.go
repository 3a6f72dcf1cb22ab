package blocks

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// DigestView is a manager's team digest: the top message, worst first, and
// the details that go in its thread. The top message never passes Slack's
// 50-block limit: people are grouped into sections of lines, and if even
// that does not fit, "everyone else" moves to the thread too.
type DigestView struct {
	Top    Reply
	Thread []Reply
}

// chunkLines groups lines into sections of at most 3000 characters.
func chunkLines(title string, lines []string) []slack.Block {
	var blocks []slack.Block
	var cur strings.Builder
	cur.WriteString(title)
	for _, l := range lines {
		l = Truncate(l, 600)
		if cur.Len()+len(l)+1 > 3000 {
			blocks = append(blocks, Section(cur.String()))
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	if cur.Len() > 0 {
		blocks = append(blocks, Section(cur.String()))
	}
	return blocks
}

// DigestSummary is a digest for a channel where not everyone may see
// the reports' data: counts only, nothing about any one person.
func DigestSummary(manager string, reports []coach.ReportStatus, now time.Time) Reply {
	var attention, paused int
	for _, r := range reports {
		switch {
		case r.Paused || r.Away:
			paused++
		case len(r.Flags(now)) > 0:
			attention++
		}
	}
	text := fmt.Sprintf("*Team digest* for <@%s> · %s · %s attention · %d paused or away · %s", manager, plural(len(reports), "report"), needCount(attention), paused, SlackDate(now))
	return Reply{Text: text, Blocks: []slack.Block{
		Section(text),
		Context(fmt.Sprintf(":lock: Details are in <@%s>'s DM: coaching data is shared only with each person's manager of record.", manager)),
	}}
}

// digestTop is how many reports the digest names under "needs your
// attention"; the rest are counted and folded into the thread.
const digestTop = 10

// Digest is a manager's team digest for reports, worst first.
func Digest(model coach.Model, reports []coach.ReportStatus, now time.Time, preview bool) DigestView {
	var attention, others, paused []coach.ReportStatus
	for _, r := range reports { // worst first already
		switch {
		case r.Paused || r.Away:
			paused = append(paused, r)
		case len(r.Flags(now)) > 0:
			attention = append(attention, r)
		default:
			others = append(others, r)
		}
	}
	title := "Team digest"
	if preview {
		title = "Team digest (preview)"
	}
	summary := fmt.Sprintf("%s · %s your attention · %d paused or away · %s", plural(len(reports), "report"), needCount(len(attention)), len(paused), SlackDate(now))
	var v DigestView
	if len(reports) == 0 {
		text := "*" + title + "*\nYou have no reports in microcoach yet. Add the people you coach with `/coach team add @person`."
		v.Top = Reply{Text: "Team digest: no reports yet", Blocks: []slack.Block{Section(text)}}
		return v
	}
	blocks := []slack.Block{header(title), Context(summary)}
	top, folded := attention, []coach.ReportStatus(nil)
	if len(top) > digestTop {
		top, folded = attention[:digestTop], attention[digestTop:]
	}
	if len(top) > 0 {
		head := fmt.Sprintf("*Needs your attention (%d)*, most urgent first", len(top))
		if len(folded) > 0 {
			head = fmt.Sprintf("*Needs your attention: the %d most urgent of %d*", len(top), len(attention))
		}
		lines := make([]string, len(top))
		for i, r := range top {
			lines[i] = fmt.Sprintf("%d. %s", i+1, reportLine(model, r, now))
		}
		blocks = append(blocks, chunkLines(head, lines)...)
	} else {
		blocks = append(blocks, Section(":tada: *Nobody needs your attention this week.*"))
	}
	var rest []string
	if len(folded) > 0 {
		rest = append(rest, fmt.Sprintf("%d more with smaller reasons", len(folded)))
	}
	if len(others) > 0 {
		rest = append(rest, fmt.Sprintf("%d doing fine", len(others)))
	}
	if len(paused) > 0 {
		rest = append(rest, fmt.Sprintf("%d paused or away", len(paused)))
	}
	tail := "`/coach prep @person` builds a 1:1 agenda."
	if len(top) > 0 {
		tail = "Details of each are in the thread. " + tail
	}
	if len(rest) > 0 {
		tail = "In the thread: " + strings.Join(rest, " · ") + ". " + tail
	}
	blocks = append(blocks, Context(tail))
	v.Top = Reply{Text: fmt.Sprintf("%s: %s", title, summary), Blocks: blocks}

	var details []slack.Block
	for _, r := range top {
		details = append(details, reportDetailBlock(model, r, now))
	}
	for len(details) > 0 {
		n := min(len(details), MaxMessageBlocks-5)
		v.Thread = append(v.Thread, Reply{Text: fmt.Sprintf("Details: %d people who need attention", n), Blocks: details[:n]})
		details = details[n:]
	}
	var listed []slack.Block
	for _, g := range []struct {
		title string
		rs    []coach.ReportStatus
	}{
		{fmt.Sprintf("*More who need attention (%d)*", len(folded)), folded},
		{fmt.Sprintf("*Doing fine (%d)*", len(others)), others},
		{fmt.Sprintf("*Paused or away (%d)* — not counted as silent", len(paused)), paused},
	} {
		if len(g.rs) == 0 {
			continue
		}
		lines := make([]string, len(g.rs))
		for i, r := range g.rs {
			lines[i] = reportLine(model, r, now)
		}
		listed = append(listed, chunkLines(g.title, lines)...)
	}
	if len(listed) > 0 {
		v.Thread = append(v.Thread, Reply{Text: "Everyone else", Blocks: listed})
	}
	return v
}

// reportDetailBlock is one report's details in the digest's thread: why
// they need attention, each theme by name with its colours in the months
// the plan has existed, their flagged gaps, a trend only when there are
// three months to draw it from. It holds no answer to any question:
// answers never go to a channel.
func reportDetailBlock(model coach.Model, r coach.ReportStatus, now time.Time) slack.Block {
	var lines []string
	lines = append(lines, fmt.Sprintf("*<@%s>* — %s", r.Person.ID, Escape(strings.Join(r.Reasons(now), "; "))))
	if r.Plan != nil {
		months := monthsSince(r.Plan.CreatedAt, now)
		for i, t := range r.Plan.Themes {
			var hist []coach.Colour
			if i < len(r.ColourHistory) {
				hist = r.ColourHistory[i]
			}
			lines = append(lines, fmt.Sprintf("• *%s* (%s): %s", Escape(t.Title), Escape(model.AreaName(t.Area)), colourMonths(hist, months, now)))
		}
	}
	var gaps []string
	for _, c := range r.Comparisons {
		if c.Flagged() {
			g := fmt.Sprintf("%s %s (self %d, you %d)", Escape(c.Area.Name), Signed(c.Gap), c.Self.Score, c.Manager.Score)
			if c.HasPrevGap && c.PrevGap != c.Gap {
				g += fmt.Sprintf(", was %s", Signed(c.PrevGap))
			}
			gaps = append(gaps, g)
		}
	}
	if len(gaps) > 0 {
		lines = append(lines, "Gaps to talk about: "+strings.Join(gaps, " · "))
	}
	if coach.HasTrend(r.Trend) {
		lines = append(lines, "Self-rating trend, monthly: "+coach.SparklineGaps(r.Trend))
	}
	if r.Challenge != nil {
		lines = append(lines, fmt.Sprintf("Next Bigger Challenge: “%s” (%s)", Escape(r.Challenge.Text), age(r.Challenge.At, now)))
	}
	return Section(Truncate(strings.Join(lines, "\n"), 3000))
}

// monthsSince counts the calendar months from t's to now's, both included.
func monthsSince(t, now time.Time) int {
	ty, tm, _ := t.UTC().Date()
	ny, nm, _ := now.UTC().Date()
	return max(1, (ny*12+int(nm))-(ty*12+int(tm))+1)
}

// colourMonths names a theme's colours in the last months (at most those
// in hist), each month by name, each colour in words beside its emoji.
func colourMonths(hist []coach.Colour, months int, now time.Time) string {
	n := min(months, len(hist))
	if n == 0 {
		return "not checked in yet"
	}
	var parts []string
	any := false
	y, m, _ := now.UTC().Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for i := len(hist) - n; i < len(hist); i++ {
		month := first.AddDate(0, i-len(hist)+1, 0).Format("Jan")
		c := hist[i]
		if c.Valid() {
			any = true
			parts = append(parts, month+" "+ColourMark(c))
		} else {
			parts = append(parts, month+" —")
		}
	}
	if !any {
		return "not checked in yet"
	}
	return strings.Join(parts, " · ")
}
