package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// digestView is a manager's team digest: the top message, worst first, and
// the details that go in its thread. The top message never passes Slack's
// 50-block limit: people are grouped into sections of lines, and if even
// that does not fit, "everyone else" moves to the thread too.
type digestView struct {
	Top    reply
	Thread []reply
}

// chunkLines groups lines into sections of at most 3000 characters.
func chunkLines(title string, lines []string) []slack.Block {
	var blocks []slack.Block
	var cur strings.Builder
	cur.WriteString(title)
	for _, l := range lines {
		l = truncate(l, 600)
		if cur.Len()+len(l)+1 > 3000 {
			blocks = append(blocks, section(cur.String()))
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	if cur.Len() > 0 {
		blocks = append(blocks, section(cur.String()))
	}
	return blocks
}

// digestSummaryReply is a digest for a channel where not everyone may see
// the reports' data: counts only, nothing about any one person.
func digestSummaryReply(manager string, reports []coach.ReportStatus, now time.Time) reply {
	var attention, paused int
	for _, r := range reports {
		switch {
		case r.Paused:
			paused++
		case len(r.Reasons(now)) > 0:
			attention++
		}
	}
	text := fmt.Sprintf("*Team digest* for <@%s> · %s · %s attention · %d paused · %s", manager, plural(len(reports), "report"), needCount(attention), paused, slackDate(now))
	return reply{Text: text, Blocks: []slack.Block{
		section(text),
		contextBlock(fmt.Sprintf(":lock: Details are in <@%s>'s DM: coaching data is shared only with each person's manager of record.", manager)),
	}}
}

func buildDigest(model coach.Model, reports []coach.ReportStatus, now time.Time, preview bool) digestView {
	var attention, others, paused []coach.ReportStatus
	for _, r := range reports {
		switch {
		case r.Paused:
			paused = append(paused, r)
		case len(r.Reasons(now)) > 0:
			attention = append(attention, r)
		default:
			others = append(others, r)
		}
	}
	title := "Team digest"
	if preview {
		title = "Team digest (preview)"
	}
	summary := fmt.Sprintf("%s · %s your attention · %d paused · %s", plural(len(reports), "report"), needCount(len(attention)), len(paused), slackDate(now))
	var v digestView
	if len(reports) == 0 {
		text := "*" + title + "*\nYou have no reports in microcoach yet. Add the people you coach with `/coach team add @person`."
		v.Top = reply{Text: "Team digest: no reports yet", Blocks: []slack.Block{section(text)}}
		return v
	}
	blocks := []slack.Block{
		header(title),
		contextBlock(summary + ". Markers: each plan theme's latest colour — :large_green_circle: green on track · :large_yellow_circle: yellow some progress · :red_circle: red stuck · :white_circle: not checked in."),
	}
	lines := func(rs []coach.ReportStatus) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = reportLine(model, r, now)
		}
		return out
	}
	if len(attention) > 0 {
		blocks = append(blocks, chunkLines(fmt.Sprintf("*Needs your attention (%d)*", len(attention)), lines(attention))...)
	} else {
		blocks = append(blocks, section(":tada: *Nobody needs urgent attention this week.*"))
	}
	rest := chunkLines(fmt.Sprintf("*Everyone else (%d)*", len(others)), lines(others))
	if len(others) == 0 {
		rest = nil
	}
	pausedBlocks := chunkLines(fmt.Sprintf("*Paused (%d)* — not counted as silent", len(paused)), lines(paused))
	if len(paused) == 0 {
		pausedBlocks = nil
	}
	tail := contextBlock("Details for everyone who needs attention are in the thread. `/coach prep @person` builds a 1:1 agenda.")
	if len(blocks)+len(rest)+len(pausedBlocks)+1 <= maxMessageBlocks {
		blocks = append(blocks, rest...)
		blocks = append(blocks, pausedBlocks...)
	} else {
		v.Thread = append(v.Thread, reply{Text: "Everyone else", Blocks: append(rest, pausedBlocks...)})
		tail = contextBlock("Everyone else and the details for those who need attention are in the thread. `/coach prep @person` builds a 1:1 agenda.")
	}
	if len(blocks) >= maxMessageBlocks {
		blocks = blocks[:maxMessageBlocks-1]
	}
	blocks = append(blocks, tail)
	v.Top = reply{Text: fmt.Sprintf("%s: %s", title, summary), Blocks: blocks}
	// Details go in as few thread replies as fit: one section per person.
	var details []slack.Block
	for _, r := range attention {
		details = append(details, reportDetailBlock(model, r, now))
	}
	for len(details) > 0 {
		n := min(len(details), maxMessageBlocks-5)
		v.Thread = append(v.Thread, reply{Text: fmt.Sprintf("Details: %d people who need attention", n), Blocks: details[:n]})
		details = details[n:]
	}
	return v
}

// reportDetailBlock is one report's details in the digest's thread: why
// they need attention, their colour history and their biggest gaps. It
// holds no answer to any question: answers never go to a channel.
func reportDetailBlock(model coach.Model, r coach.ReportStatus, now time.Time) slack.Block {
	var lines []string
	lines = append(lines, fmt.Sprintf("*<@%s>* — %s", r.Person.ID, strings.Join(r.Reasons(now), ", ")))
	for i, hist := range r.ColourHistory {
		var dots strings.Builder
		for _, c := range hist {
			dots.WriteString(colourDot(c))
		}
		lines = append(lines, fmt.Sprintf("Theme %d colours, last %d months: %s", i+1, len(hist), dots.String()))
	}
	var gaps []string
	for _, c := range r.Comparisons {
		if c.Flagged() {
			g := fmt.Sprintf("%s %s (self %d, you %d)", escape(c.Area.Name), signed(c.Gap), c.Self.Score, c.Manager.Score)
			if c.HasPrevGap && c.PrevGap != c.Gap {
				g += fmt.Sprintf(", was %s", signed(c.PrevGap))
			}
			gaps = append(gaps, g)
		}
	}
	if len(gaps) > 0 {
		lines = append(lines, "Gaps to talk about: "+strings.Join(gaps, " · "))
	}
	if t := nonEmpty(r.Trend); t {
		lines = append(lines, "Self-rating trend, monthly: "+coach.SparklineGaps(r.Trend))
	}
	if r.Challenge != nil {
		lines = append(lines, fmt.Sprintf("Next Bigger Challenge: “%s” (%s)", escape(r.Challenge.Text), age(r.Challenge.At, now)))
	}
	return section(truncate(strings.Join(lines, "\n"), 3000))
}

func nonEmpty(xs []int) bool {
	for _, x := range xs {
		if x != 0 {
			return true
		}
	}
	return false
}
