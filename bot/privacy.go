package bot

import (
	"bytes"
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// PrivacyStore is what /coach export and /coach forget-me need from
// storage.
type PrivacyStore interface {
	// ExportPersonJSON returns the person's own data as a JSON document,
	// and false when nothing is stored about them.
	ExportPersonJSON(id string, now time.Time) ([]byte, bool, error)
	// ForgetPerson deletes everything about the person in one transaction.
	ForgetPerson(id string) (coach.Forgotten, error)
}

// exportData sends the person a JSON file of their own data in their DM:
// what is about them and what they wrote, never anyone else's records.
func (b *Bot) exportData(ctx context.Context, c call) {
	now := b.now()
	raw, found, err := b.store.ExportPersonJSON(c.user, now)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	p, known, err := b.store.Person(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if !found || !known {
		b.say(ctx, c, blocks.Text("microcoach has nothing stored about you, so there is nothing to export."))
		return
	}
	ch, err := b.dmChannel(ctx, p)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	f, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:         bytes.NewReader(raw),
		FileSize:       len(raw),
		Filename:       "microcoach-data-" + now.UTC().Format("2006-01-02") + ".json",
		Title:          "Your microcoach data",
		Channel:        ch,
		InitialComment: exportComment,
	})
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("export sent", "file_id", f.ID, "bytes", len(raw), "channel", ch)
	if c.responseURL != "" {
		b.respond(ctx, c.log, c.responseURL, blocks.ExportSent())
	}
}

const exportComment = "Here is everything microcoach stores about you, as JSON: your ratings (and those you gave), your plan and its history, your challenges, your answers, your check-in colours and the messages sent to you. It is personal: keep it somewhere safe."

// forgetMe asks for confirmation; the button does the deleting.
func (b *Bot) forgetMe(ctx context.Context, c call) {
	b.say(ctx, c, blocks.ForgetConfirm(c.user))
}

// onForgetMe handles the confirmation's buttons.
func (b *Bot) onForgetMe(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
	if a.ActionID == blocks.ActionForgetMeKeep {
		c.log.Info("forget-me cancelled")
		b.replaceReply(ctx, c, blocks.Text("Nothing was deleted."))
		return
	}
	// The message is ephemeral, so only the person it was shown to can
	// click; the check is for a forged payload.
	if a.Value != c.user {
		c.log.Warn("forget-me refused: the button was not offered to this person")
		return
	}
	// Whose Home tabs show this person, to refresh them afterwards.
	var others []string
	if me, found, err := b.store.Person(c.user); err == nil && found && me.Manager != "" {
		others = append(others, me.Manager)
	}
	if reports, err := b.store.Reports(c.user); err == nil {
		for _, r := range reports {
			others = append(others, r.ID)
		}
	}
	f, err := b.store.ForgetPerson(c.user)
	if err != nil {
		c.log.Error("forget-me failed; nothing was deleted", "error", err)
		b.replaceReply(ctx, c, blocks.Failure("Something went wrong and nothing was deleted. Please try again later."))
		return
	}
	c.log.Info("forgotten", "records", f.TotalRecords, "ratings", f.Ratings, "challenges", f.Challenges, "answers", f.Answers,
		"colours", f.Colours, "deliveries", f.Deliveries, "reports", f.Reports, "left_team", f.LeftTeam)
	b.replaceReply(ctx, c, blocks.Forgotten(f))
	b.publishHome(ctx, c.log, c.user)
	for _, id := range others {
		b.publishHome(ctx, c.log, id)
	}
}

// replaceReply replaces the message a button was clicked in, through its
// response_url, or sends r to the person's DM when there is none.
func (b *Bot) replaceReply(ctx context.Context, c call, r blocks.Reply) {
	if c.responseURL == "" {
		b.dm(ctx, c.log, c.user, r)
		return
	}
	b.postResponse(ctx, c.log, c.responseURL, &slack.WebhookMessage{
		Text:            r.Text,
		Blocks:          &slack.Blocks{BlockSet: r.Blocks},
		ResponseType:    slack.ResponseTypeEphemeral,
		ReplaceOriginal: true,
	})
}
