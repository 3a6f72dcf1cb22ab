package bot

import (
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// eventUser is the person an Events API event comes from, for the
// envelope's log line.
func eventUser(ev slackevents.EventsAPIEvent) string {
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		return e.User
	case *slackevents.AppHomeOpenedEvent:
		return e.User
	}
	return ""
}

// causeOf is what may be logged of a Socket Mode error: its cause, never
// the raw frame, which can hold what a person wrote.
func causeOf(data any) any {
	switch d := data.(type) {
	case *socketmode.ErrorBadMessage:
		return d.Cause
	case *socketmode.ErrorWriteFailed:
		return d.Cause
	}
	return data
}
