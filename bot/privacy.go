package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Action ids of the forget-me confirmation message.
const (
	// ActionForgetMe deletes the clicking person's data (value: their
	// user id, checked against the clicker). Its button carries Slack's
	// confirm dialog.
	ActionForgetMe = "microcoach.forget_me"
	// ActionForgetMeKeep dismisses the confirmation, deleting nothing.
	ActionForgetMeKeep = "microcoach.forget_me_keep"
)

// PrivacyStore is what /coach export and /coach forget-me need from
// storage beyond Store; storage.DB has it.
type PrivacyStore interface {
	// ExportPersonJSON returns the person's own data as a JSON document,
	// and false when nothing is stored about them.
	ExportPersonJSON(id string, now time.Time) ([]byte, bool, error)
	// ForgetPerson deletes everything about the person in one transaction.
	ForgetPerson(id string) (coach.Forgotten, error)
}

func (b *Bot) privacyStore(c call) (PrivacyStore, bool) {
	ps, ok := b.store.(PrivacyStore)
	if !ok {
		c.log.Error("the store has no export or forget-me")
	}
	return ps, ok
}

// exportData sends the person a JSON file of their own data in their DM:
// what is about them and what they wrote, never anyone else's records.
func (b *Bot) exportData(ctx context.Context, c call) {
	ps, ok := b.privacyStore(c)
	if !ok {
		b.say(ctx, c, failureReply("Exports are not available on this installation."))
		return
	}
	now := b.now()
	raw, found, err := ps.ExportPersonJSON(c.user, now)
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
		b.say(ctx, c, plainReply("microcoach has nothing stored about you, so there is nothing to export."))
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
		b.respond(ctx, c.log, c.responseURL, exportSentReply())
	}
}

const exportComment = "Here is everything microcoach stores about you, as JSON: your ratings (and those you gave), your plan and its history, your challenges, your answers, your check-in colours and the messages sent to you. It is personal: keep it somewhere safe."

func exportSentReply() reply {
	return plainReply(":package: I sent you a file with all your microcoach data in our direct messages.")
}

// forgetMe asks for confirmation; the button does the deleting.
func (b *Bot) forgetMe(ctx context.Context, c call) {
	b.say(ctx, c, forgetConfirmReply(c.user))
}

// onForgetMe handles the confirmation's buttons.
func (b *Bot) onForgetMe(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
	if a.ActionID == ActionForgetMeKeep {
		c.log.Info("forget-me cancelled")
		b.replaceReply(ctx, c, plainReply("Nothing was deleted."))
		return
	}
	// The message is ephemeral, so only the person it was shown to can
	// click; the check is for a forged payload.
	if a.Value != c.user {
		c.log.Warn("forget-me refused: the button was not offered to this person")
		return
	}
	ps, ok := b.privacyStore(c)
	if !ok {
		b.replaceReply(ctx, c, failureReply("Deleting data is not available on this installation."))
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
	f, err := ps.ForgetPerson(c.user)
	if err != nil {
		c.log.Error("forget-me failed; nothing was deleted", "error", err)
		b.replaceReply(ctx, c, failureReply("Something went wrong and nothing was deleted. Please try again later."))
		return
	}
	c.log.Info("forgotten", "records", f.TotalRecords, "ratings", f.Ratings, "challenges", f.Challenges, "answers", f.Answers,
		"colours", f.Colours, "deliveries", f.Deliveries, "reports", f.Reports, "left_team", f.LeftTeam)
	b.replaceReply(ctx, c, forgottenReply(f))
	b.publishHome(ctx, c.log, c.user)
	for _, id := range others {
		b.publishHome(ctx, c.log, id)
	}
}

// replaceReply replaces the message a button was clicked in, through its
// response_url, or sends r to the person's DM when there is none.
func (b *Bot) replaceReply(ctx context.Context, c call, r reply) {
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

func forgetConfirmReply(user string) reply {
	head := ":warning: *Delete everything microcoach knows about you?*"
	what := "This deletes, for good: your ratings and the ratings you gave others, your development plan and its history, " +
		"your Next Bigger Challenge and the proposals you made, your answers to coaching questions, your check-in colours, " +
		"and the record of messages sent to you. You leave your manager's team, and the people you coach lose you as their manager of record."
	confirm := slack.NewConfirmationBlockObject(
		plain("Delete your data?"),
		plain("This can't be undone. microcoach forgets you and everything you entered."),
		plain("Delete everything"),
		plain("Keep my data"),
	).WithStyle(slack.StyleDanger)
	return reply{Text: "Delete everything microcoach knows about you?", Blocks: []slack.Block{
		section(head),
		section(what),
		contextBlock("Messages already in Slack stay where they are. To keep a copy first, use `/coach export`."),
		slack.NewActionBlock("",
			slack.NewButtonBlockElement(ActionForgetMe, user, plain("Delete everything")).WithStyle(slack.StyleDanger).WithConfirm(confirm),
			slack.NewButtonBlockElement(ActionForgetMeKeep, "keep", plain("Keep my data")),
		),
	}}
}

func forgottenReply(f coach.Forgotten) reply {
	if f.Empty() {
		return plainReply("microcoach had nothing stored about you, so nothing was deleted.")
	}
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(f.Ratings, "rating", "ratings")
	add(f.Plans, "plan", "plans")
	add(f.PlanChanges, "plan version", "plan versions")
	add(f.Challenges, "challenge", "challenges")
	add(f.Answers, "answer", "answers")
	add(f.Colours, "check-in colour", "check-in colours")
	add(f.Deliveries, "sent-message record", "sent-message records")
	add(f.Preps, "agenda record", "agenda records")
	add(f.Reports, "report's link to you as their manager", "reports' links to you as their manager")
	add(f.Invitations, "open invitation", "open invitations")
	if f.LeftTeam {
		parts = append(parts, "your place in your manager's team")
	}
	text := ":white_check_mark: microcoach has forgotten you. Deleted: " + strings.Join(parts, ", ") + "."
	blocks := []slack.Block{section(text)}
	var notes []string
	switch {
	case f.Anonymised == 1:
		notes = append(notes, "A challenge you proposed that was accepted stays with the person who accepted it, without your name.")
	case f.Anonymised > 1:
		notes = append(notes, fmt.Sprintf("%d challenges you proposed that were accepted stay with the people who accepted them, without your name.", f.Anonymised))
	}
	notes = append(notes, "If you use microcoach again, it starts afresh.")
	blocks = append(blocks, contextBlock(notes...))
	return reply{Text: text, Blocks: blocks}
}
