package bot

import (
	"context"
	"log/slog"

	"github.com/slack-go/slack/slackevents"
)

// onEvent handles an Events API event after its ack.
func (b *Bot) onEvent(ctx context.Context, log *slog.Logger, ev slackevents.EventsAPIEvent) {
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab != "home" {
			return
		}
		b.publishHome(ctx, log.With("user", e.User), e.User)
	default:
		log.Debug("event ignored")
	}
}
