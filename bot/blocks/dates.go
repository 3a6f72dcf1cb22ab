package blocks

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// dateToken is Slack's <!date^unix^format|fallback>.
var dateToken = regexp.MustCompile(`<!date\^(\d+)\^([^|>]*)\|([^>]*)>`)

// inZone rewrites the fallback text of every <!date> in s for a reader in
// loc: Slack's clients render the date itself in the reader's zone; the
// fallback (notifications, old clients) now says the same.
func inZone(s string, loc *time.Location) string {
	if loc == nil || !strings.Contains(s, "<!date^") {
		return s
	}
	return dateToken.ReplaceAllStringFunc(s, func(m string) string {
		sub := dateToken.FindStringSubmatch(m)
		sec, err := strconv.ParseInt(sub[1], 10, 64)
		if err != nil {
			return m
		}
		t := time.Unix(sec, 0).In(loc)
		layout := "2 Jan 2006"
		if strings.Contains(sub[2], "{time") {
			layout = "Mon 2 Jan 2006 15:04 MST"
		}
		return "<!date^" + sub[1] + "^" + sub[2] + "|" + t.Format(layout) + ">"
	})
}

// Localized is r with its dates' fallbacks in loc (see inZone). The
// blocks go through JSON: the rewrite touches only <!date> tokens.
func Localized(r Reply, loc *time.Location) Reply {
	if loc == nil || loc == time.UTC {
		return r
	}
	r.Text = inZone(r.Text, loc)
	if len(r.Blocks) == 0 {
		return r
	}
	raw, err := json.Marshal(slack.Blocks{BlockSet: r.Blocks})
	if err != nil || !strings.Contains(string(raw), "\\u003c!date^") && !strings.Contains(string(raw), "<!date^") {
		return r
	}
	s := strings.ReplaceAll(strings.ReplaceAll(string(raw), `\u003c`, "<"), `\u003e`, ">")
	var out slack.Blocks
	if err := json.Unmarshal([]byte(inZone(s, loc)), &out); err != nil {
		return r
	}
	r.Blocks = out.BlockSet
	return r
}
