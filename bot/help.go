package bot

import "github.com/microcoach/microcoach/bot/blocks"

// helpRows are the lines of help: the two forms of /rate and the rate
// form, then every /coach row of the registry, in its order.
func helpRows(subs []subcommand) []blocks.Command {
	rows := []blocks.Command{
		{Usage: usageRate, Summary: "rate yourself in one area, e.g. `/rate planning 7 led the Q3 roadmap`"},
		{Usage: "/rate", Summary: "rate every area in a form"},
		{Usage: usageRateOther, Summary: "a manager's assessment of a report"},
	}
	for _, s := range subs {
		rows = append(rows, blocks.Command{Usage: s.Usage, Summary: s.Summary})
	}
	return rows
}
