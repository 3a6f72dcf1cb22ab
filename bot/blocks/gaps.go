package blocks

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// gapTable renders comparisons as a monospaced table: area, self, manager,
// gap (flagged), change of the gap since the previous assessment.
func gapTable(cmp []coach.AreaComparison) string {
	return areaTable(cmp, "Change", func(c coach.AreaComparison) string {
		if c.HasGap && c.HasPrevGap && c.PrevGap != c.Gap {
			return fmt.Sprintf("%s→%s", Signed(c.PrevGap), Signed(c.Gap))
		}
		return ""
	})
}

// phoneWidth is the widest monospace line a phone shows without wrapping.
const phoneWidth = 40

// areaTable is a monospace table of self, manager and gap per area, at
// most phoneWidth wide: long area names are shortened, and the extra
// column is left out when no row has anything in it.
func areaTable(cmp []coach.AreaComparison, extraHead string, extra func(coach.AreaComparison) string) string {
	extras := make([]string, len(cmp))
	extraWidth := 0
	for i, c := range cmp {
		extras[i] = extra(c)
		extraWidth = max(extraWidth, utf8.RuneCountInString(extras[i]))
	}
	if extraWidth > 0 {
		extraWidth = max(extraWidth, utf8.RuneCountInString(extraHead))
	}
	const numbers = 4 + 1 + 3 + 1 + 4 // " Self" "Mgr" " Gap" with their spaces
	room := phoneWidth - 1 - numbers
	if extraWidth > 0 {
		room -= extraWidth + 1
	}
	width := 4
	for _, c := range cmp {
		width = max(width, utf8.RuneCountInString(c.Area.Name))
	}
	width = min(width, room)
	score := func(r *coach.Rating) string {
		if r == nil {
			return "–"
		}
		return fmt.Sprint(r.Score)
	}
	var sb strings.Builder
	row := func(name, self, mgr, gap, x string) {
		line := fmt.Sprintf("%-*s %4s %3s %4s", width, name, self, mgr, gap)
		if extraWidth > 0 {
			line += " " + x
		}
		sb.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	row("Area", "Self", "Mgr", "Gap", extraHead)
	for i, c := range cmp {
		gap := "–"
		if c.HasGap {
			gap = Signed(c.Gap)
			if c.Flagged() {
				gap += "!"
			}
		}
		row(Truncate(c.Area.Name, width), score(c.Self), score(c.Manager), gap, extras[i])
	}
	return strings.TrimRight(sb.String(), "\n")
}

// Gaps is /coach gaps: self beside manager per area, as a radar or a
// table, and the gaps worth a conversation.
func Gaps(subject coach.Person, viewer string, cmp []coach.AreaComparison, radar *Picture) Reply {
	whose := "Your own view beside your manager's"
	if subject.ID != viewer {
		whose = fmt.Sprintf("<@%s>'s own view beside yours", subject.ID)
	}
	var flagged []string
	for _, c := range cmp {
		if c.Flagged() {
			g := Signed(c.Gap)
			if c.HasPrevGap && c.PrevGap != c.Gap {
				g += ", was " + Signed(c.PrevGap)
			}
			flagged = append(flagged, fmt.Sprintf("%s (%s)", Escape(c.Area.Name), g))
		}
	}
	head := "*Perception gaps* — " + whose
	blocks := []slack.Block{Section(head)}
	if radar != nil {
		blocks = append(blocks, imageBlock(BlockRadar, radar))
	} else {
		blocks = append(blocks, Section("```"+Escape(gapTable(cmp))+"```"))
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
	blocks = append(blocks, Context(note))
	return Reply{Text: head, Blocks: blocks}
}
