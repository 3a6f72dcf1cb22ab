package slackemu

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// renderDate renders a <!date^unix^format[^link]> target as Slack's client
// does for a reader in zone tz (docs.slack.dev, "Formatting text for app
// surfaces": date formatting tokens {date_num}, {date}, {date_short},
// {date_long}, their _pretty forms, {time} and {time_secs}). Times use the
// 24-hour clock. It reports false for a token it does not know, and the
// caller shows the fallback text instead, as Slack does when it cannot
// format.
func renderDate(target, tz string, now time.Time) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(target, "!date^"), "^")
	if len(parts) < 2 {
		return "", false
	}
	sec, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return "", false
	}
	name, _, _ := tzInfo(tz, now)
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	t := time.Unix(sec, 0).In(loc)
	day := func(t time.Time) string {
		d := t.Day()
		suffix := "th"
		if d%100 < 11 || d%100 > 13 {
			switch d % 10 {
			case 1:
				suffix = "st"
			case 2:
				suffix = "nd"
			case 3:
				suffix = "rd"
			}
		}
		return fmt.Sprintf("%d%s", d, suffix)
	}
	formats := map[string]string{
		"date_num":   t.Format("2006-01-02"),
		"date":       t.Format("January") + " " + day(t) + ", " + t.Format("2006"),
		"date_short": t.Format("Jan 2, 2006"),
		"date_long":  t.Format("Monday, January") + " " + day(t) + ", " + t.Format("2006"),
		"time":       t.Format("15:04"),
		"time_secs":  t.Format("15:04:05"),
	}
	ny, nm, nd := now.In(loc).Date()
	today := time.Date(ny, nm, nd, 0, 0, 0, 0, loc)
	var relative string
	switch d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc); {
	case d.Equal(today):
		relative = "today"
	case d.Equal(today.AddDate(0, 0, -1)):
		relative = "yesterday"
	case d.Equal(today.AddDate(0, 0, 1)):
		relative = "tomorrow"
	}
	for _, base := range []string{"date", "date_short", "date_long"} {
		formats[base+"_pretty"] = formats[base]
		if relative != "" {
			formats[base+"_pretty"] = relative
		}
	}
	out, rest, ok := "", parts[1], true
	for rest != "" {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			out += rest
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			out += rest
			break
		}
		token := rest[i+1 : i+j]
		f, known := formats[token]
		if !known {
			ok = false
		}
		out += rest[:i] + f
		rest = rest[i+j+1:]
	}
	return out, ok
}
