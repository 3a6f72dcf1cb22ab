package bot

import (
	"context"
	"log/slog"

	"github.com/slack-go/slack/slackevents"
)

// onEvent handles an Events API event after its ack.
func (b *Bot) onEvent(ctx context.Context, log *slog.Logger, ev slackevents.EventsAPIEvent) {
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		b.onDirectMessage(ctx, log, eventID(ev), e)
	case *slackevents.UserChangeEvent:
		// A profile changed (a status set or cleared, a new time zone):
		// the next lookup asks Slack again.
		b.users.forget(e.User.ID)
		log.Debug("user changed; cached profile dropped")
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab != "home" {
			return
		}
		b.publishHome(ctx, log, e.User)
	default:
		log.Debug("event ignored")
	}
}

// eventID is the Events API event id, the same on every retry of one event.
func eventID(ev slackevents.EventsAPIEvent) string {
	switch d := ev.Data.(type) {
	case *slackevents.EventsAPICallbackEvent:
		return d.EventID
	case slackevents.EventsAPICallbackEvent:
		return d.EventID
	}
	return ""
}
