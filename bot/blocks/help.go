package blocks

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Command is one line of help: a command's form and what it does.
type Command struct {
	Usage   string // our own mrkdwn-free text, escaped here
	Summary string
}

// Help lists the commands, the model's areas, and a button to rate.
func Help(model coach.Model, cmds []Command) Reply {
	var lines []string
	for _, c := range cmds {
		lines = append(lines, fmt.Sprintf("`%s` — %s", Escape(c.Usage), Escape(c.Summary)))
	}
	areas := make([]string, len(model.Areas))
	for i, a := range model.Areas {
		areas[i] = fmt.Sprintf("`%s` %s", a.ID, Escape(a.Name))
	}
	head := "*microcoach* helps you grow as a product manager through small, frequent check-ins."
	blocks := []slack.Block{
		Section(head),
		Section(strings.Join(lines, "\n")),
		Context(Truncate("Areas of the "+Escape(model.Name)+" model: "+strings.Join(areas, " · ")+". Type an area's id, its name, or the first letters.", 3000)),
		slack.NewActionBlock("", slack.NewButtonBlockElement(ActionOpenRate, "open", plain("Rate yourself"))),
	}
	return Reply{Text: head, Blocks: blocks}
}
