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
		if a := messageAuthor(e); a != "" {
			return a
		}
		return e.User // a bot's post (the app's own come back too): its user id
	case *slackevents.AppHomeOpenedEvent:
		return e.User
	}
	return ""
}

// messageAuthor is the person a message event is about: the writer of a
// new message, of an edited one (message_changed carries it in message),
// or of a deleted one (message_deleted, in previous_message); "" for a
// bot's message or any other subtype.
func messageAuthor(e *slackevents.MessageEvent) string {
	switch e.SubType {
	case "":
		if e.BotID == "" {
			return e.User
		}
	case "message_changed":
		if e.Message != nil && e.Message.BotID == "" {
			return e.Message.User
		}
	case "message_deleted":
		if e.PreviousMessage != nil && e.PreviousMessage.BotID == "" {
			return e.PreviousMessage.User
		}
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
