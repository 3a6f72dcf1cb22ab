package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

func helpReply(model coach.Model, subs []subcommand) reply {
	var lines []string
	lines = append(lines,
		"`"+escape(usageRate)+"` — rate yourself in one area, e.g. `/rate planning 7 led the Q3 roadmap`",
		"`/rate` — rate every area in a form",
		"`"+escape(usageRateOther)+"` — a manager's assessment of a report",
	)
	for _, s := range subs {
		lines = append(lines, fmt.Sprintf("`%s` — %s", escape(s.Usage), escape(s.Summary)))
	}
	areas := make([]string, len(model.Areas))
	for i, a := range model.Areas {
		areas[i] = fmt.Sprintf("`%s` %s", a.ID, escape(a.Name))
	}
	head := "*microcoach* helps you grow as a product manager through small, frequent check-ins."
	blocks := []slack.Block{
		section(head),
		section(strings.Join(lines, "\n")),
		contextBlock(truncate("Areas of the "+escape(model.Name)+" model: "+strings.Join(areas, " · ")+". Type an area's id, its name, or the first letters.", 3000)),
		slack.NewActionBlock("", slack.NewButtonBlockElement(ActionOpenRate, "open", plain("Rate yourself"))),
	}
	return reply{Text: head, Blocks: blocks}
}
