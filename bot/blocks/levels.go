package blocks

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Levels in words: wherever a person rates, and on the Home tab, a score
// says which level it falls in and what that level looks like in the area,
// from the model (coach.Model.LevelOf; the bands are the model file's,
// 1–3 beginner, 4–7 intermediate, 8–10 advanced by default).

// bandName is a level with its scores: "4–7 intermediate".
func bandName(model coach.Model, l coach.Level) string {
	lo, hi := model.ScoreBands().Range(l)
	if lo == hi {
		return fmt.Sprintf("%d %s", lo, l)
	}
	return fmt.Sprintf("%d–%d %s", lo, hi, l)
}

// LevelOf says which level score falls in and what it looks like in area:
// "intermediate (4–7): Plans a quarter with the team" (the description is
// left out when the model has none).
func LevelOf(model coach.Model, area coach.Area, score int, descMax int) string {
	l, desc := model.LevelOf(area, score)
	lo, hi := model.ScoreBands().Range(l)
	s := fmt.Sprintf("%s (%d–%d)", l, lo, hi)
	if desc = strings.TrimSpace(desc); desc != "" {
		s += ": " + Truncate(desc, descMax)
	}
	return s
}

// levelsHint spells out an area's three levels for a rating form's hint:
// "1–3 beginner: … · 4–7 intermediate: … · 8–10 advanced: …".
func levelsHint(model coach.Model, a coach.Area) string {
	var parts []string
	for _, l := range []coach.Level{coach.Beginner, coach.Intermediate, coach.Advanced} {
		var desc string
		switch l {
		case coach.Beginner:
			desc = a.Levels.Beginner
		case coach.Intermediate:
			desc = a.Levels.Intermediate
		default:
			desc = a.Levels.Advanced
		}
		p := bandName(model, l)
		if desc = strings.TrimSpace(desc); desc != "" {
			p += ": " + Truncate(desc, 550)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " · ")
}

// scoreOptions are the 1–10 choices of a rating form, each naming its
// level ("4 · intermediate"); the value is the bare score.
func scoreOptions(model coach.Model) []*slack.OptionBlockObject {
	options := make([]*slack.OptionBlockObject, 0, coach.MaxScore)
	bands := model.ScoreBands()
	for s := coach.MinScore; s <= coach.MaxScore; s++ {
		v := fmt.Sprint(s)
		options = append(options, slack.NewOptionBlockObject(v, plain(v+" · "+bands.Of(s).String()), nil))
	}
	return options
}

// levelBlocks lists, per rated area, the level of the latest score and what
// it looks like: the person's own score on their Home (own), the
// manager's beside it when they differ in level.
func levelBlocks(model coach.Model, cmp []coach.AreaComparison, own bool) []slack.Block {
	var lines []string
	for _, c := range cmp {
		switch {
		case c.Self != nil:
			line := fmt.Sprintf("*%s* %d — %s", Escape(c.Area.Name), c.Self.Score, Escape(LevelOf(model, c.Area, c.Self.Score, 160)))
			if c.Manager != nil && model.ScoreBands().Of(c.Manager.Score) != model.ScoreBands().Of(c.Self.Score) {
				who := "your manager"
				if !own {
					who = "manager"
				}
				line += fmt.Sprintf(" · %s: %d, %s", who, c.Manager.Score, model.ScoreBands().Of(c.Manager.Score))
			}
			lines = append(lines, line)
		case c.Manager != nil:
			who := "Your manager"
			if !own {
				who = "Manager"
			}
			lines = append(lines, fmt.Sprintf("*%s* — %s: %d, %s", Escape(c.Area.Name), who, c.Manager.Score, Escape(LevelOf(model, c.Area, c.Manager.Score, 160))))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	head := fmt.Sprintf("*What your scores mean* (%s, %s, %s)", bandName(model, coach.Beginner), bandName(model, coach.Intermediate), bandName(model, coach.Advanced))
	return chunkLines(head, lines)
}
