package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
)

// Sending a view or a reply with a picture, and text when Slack refuses
// the picture (a cached file deleted since: invalid_blocks for messages,
// invalid_arguments for views). The file is forgotten so the next view
// uploads it afresh.

// sayPicture answers like say with build(pic), and with build(nil) when
// Slack refuses the reply with its picture.
func (b *Bot) sayPicture(ctx context.Context, c call, pic *blocks.Picture, build func(*blocks.Picture) blocks.Reply) {
	if pic == nil || c.responseURL == "" || !b.slackURL(c.responseURL) {
		b.say(ctx, c, build(pic))
		return
	}
	r := blocks.Localized(build(pic), b.zoneOf(c.user))
	err := slack.PostWebhookCustomHTTPContext(ctx, c.responseURL, b.http, &slack.WebhookMessage{
		Text: r.Text, Blocks: &slack.Blocks{BlockSet: r.Blocks}, ResponseType: slack.ResponseTypeEphemeral,
	})
	if err == nil {
		return
	}
	c.log.Warn("reply refused with its picture; answering with text", "file_id", pic.FileID, "error", err)
	b.pictures.forget(pic.FileID)
	b.say(ctx, c, build(nil))
}

// openModalPicture opens build(pic), or build(nil) when Slack refuses the
// view with its picture (Slack checks the view before it takes the
// trigger, so the trigger is still good for the second try).
func (b *Bot) openModalPicture(ctx context.Context, c call, pic *blocks.Picture, build func(*blocks.Picture) slack.ModalViewRequest) {
	if pic == nil {
		b.openModal(ctx, c, build(nil))
		return
	}
	_, err := b.api.OpenViewContext(ctx, c.triggerID, build(pic))
	if err == nil {
		return
	}
	if !pictureFailed(err) {
		c.log.Error("open modal", "error", err)
		b.openModal(ctx, c, build(nil)) // says what went wrong if it fails again
		return
	}
	c.log.Warn("view refused with its picture; opening it with text", "file_id", pic.FileID, "error", err)
	b.pictures.forget(pic.FileID)
	b.openModal(ctx, c, build(nil))
}
