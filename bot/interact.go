package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// onInteraction acks an interactive envelope — after validating it when it
// is a view submission, since the validation errors travel in the ack — and
// does the rest of the work in its own goroutine.
func (b *Bot) onInteraction(ctx context.Context, log *slog.Logger, sm acker, req *socketmode.Request, cb slack.InteractionCallback) {
	c := call{log: log, user: cb.User.ID, userName: cb.User.Name, triggerID: cb.TriggerID, responseURL: cb.ResponseURL}
	fail := func(ctx context.Context, msg string) { b.dm(ctx, log, c.user, blocks.Failure(msg)) }
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		var work func(context.Context)
		var ackPayload any
		if submit, ok := b.submits[cb.View.CallbackID]; ok {
			ackPayload, work = submit(c, cb)
		} else {
			log.Warn("submission of an unknown view")
		}
		b.ack(log, sm, req, ackPayload)
		if work != nil {
			b.spawn(ctx, log, work, fail)
		}
	case slack.InteractionTypeBlockActions:
		b.ack(log, sm, req, nil)
		for _, a := range cb.ActionCallback.BlockActions {
			b.spawn(ctx, log.With("action_id", a.ActionID), func(ctx context.Context) { b.onAction(ctx, c, cb, a) }, fail)
		}
	default:
		b.ack(log, sm, req, nil)
		log.Debug("interaction ignored")
	}
}

// actionHandler answers one button, checkbox or select.
type actionHandler func(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction)

// submitHandler validates a view submission (its errors travel in the ack)
// and returns the ack's payload and the work to do after it.
type submitHandler func(c call, cb slack.InteractionCallback) (ack any, work func(context.Context))

// actionHandlers is the registry of action ids, built in New. Actions
// whose id carries a suffix (a theme, a colour) are found by blocks.BaseAction;
// colour buttons by their prefix (see onAction).
func actionHandlers(b *Bot) map[string]actionHandler {
	h := map[string]actionHandler{
		blocks.ActionOpenRate: func(ctx context.Context, c call, _ slack.InteractionCallback, _ *slack.BlockAction) {
			b.openRateModal(ctx, c, c.user, blocks.RateModalMeta{})
		},
		blocks.ActionOpenPlan: func(ctx context.Context, c call, _ slack.InteractionCallback, _ *slack.BlockAction) {
			b.openPlanModal(ctx, c)
		},
		blocks.ActionActionsDone: func(ctx context.Context, c call, _ slack.InteractionCallback, a *slack.BlockAction) {
			b.toggleActions(ctx, c, a)
		},
		blocks.ActionAcceptChallenge: func(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
			id, err := strconv.ParseUint(a.Value, 10, 64)
			if err != nil {
				c.log.Warn("challenge id unreadable", "value", a.Value)
				return
			}
			b.acceptChallenge(ctx, c, cb, id)
		},
		blocks.ActionEditChallenge: func(ctx context.Context, c call, _ slack.InteractionCallback, a *slack.BlockAction) {
			b.openChallengeModal(ctx, c, a.Value)
		},
		blocks.ActionReportDetails: func(ctx context.Context, c call, _ slack.InteractionCallback, a *slack.BlockAction) {
			b.openReportDetails(ctx, c, a.Value)
		},
		blocks.ActionReportPick: func(ctx context.Context, c call, _ slack.InteractionCallback, a *slack.BlockAction) {
			b.openReportDetails(ctx, c, a.SelectedOption.Value)
		},
		blocks.ActionColourNote: func(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
			b.openColourNote(ctx, c, a, cb)
		},
		blocks.ActionMood: b.onMood,
		blocks.ActionAnswerEdit: func(ctx context.Context, c call, _ slack.InteractionCallback, a *slack.BlockAction) {
			b.openAnswerEdit(ctx, c, a)
		},
		blocks.ActionLeaveTeam: func(ctx context.Context, c call, _ slack.InteractionCallback, _ *slack.BlockAction) {
			b.teamLeave(ctx, c)
		},
	}
	for _, group := range []struct {
		ids []string
		run actionHandler
	}{
		{[]string{blocks.ActionNudgeDone, blocks.ActionNudgeNotYet, blocks.ActionNudgeSnooze}, b.onNudgeButton},
		{[]string{blocks.ActionRefreshKeep, blocks.ActionRefreshEdit, blocks.ActionRefreshDrop}, b.onRefresh},
		{[]string{blocks.ActionShareAnswer, blocks.ActionUnshare}, b.onShare},
		{[]string{blocks.ActionForgetMe, blocks.ActionForgetMeKeep}, b.onForgetMe},
		{[]string{blocks.ActionInviteAccept, blocks.ActionInviteDecline, blocks.ActionInviteWithdraw}, func(ctx context.Context, c call, _ slack.InteractionCallback, a *slack.BlockAction) {
			b.onInvitation(ctx, c, a)
		}},
	} {
		for _, id := range group.ids {
			h[id] = group.run
		}
	}
	return h
}

// submitHandlers is the registry of view callback ids, built in New.
func submitHandlers(b *Bot) map[string]submitHandler {
	return map[string]submitHandler{
		blocks.CallbackRate:       b.submitRate,
		blocks.CallbackPlan:       b.submitPlan,
		blocks.CallbackChallenge:  b.submitChallenge,
		blocks.CallbackColourNote: b.submitColourNote,
		blocks.CallbackAnswerEdit: b.submitAnswerEdit,
	}
}

// onAction answers a block action through the registry. A button in a
// message answers in that message's place; one on the Home tab or in a
// modal has no response_url, so answers go to the DM.
func (b *Bot) onAction(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
	id := blocks.BaseAction(a.ActionID)
	if run, ok := b.actions[id]; ok {
		run(ctx, c, cb, a)
		return
	}
	if strings.HasPrefix(id, blocks.ActionColour+".") {
		b.onColour(ctx, c, cb, a)
		return
	}
	c.log.Debug("action ignored")
}

// submitRate validates the rate modal (self or a manager's assessment).
func (b *Bot) submitRate(c call, cb slack.InteractionCallback) (any, func(context.Context)) {
	entries, errs := blocks.ParseRateModal(b.model, cb.View.State)
	if len(errs) > 0 {
		c.log.Info("modal input refused", "errors", len(errs))
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	var meta blocks.RateModalMeta
	if cb.View.PrivateMetadata != "" {
		if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
			c.log.Warn("rate modal metadata unreadable", "error", err)
		}
	}
	c.responseURL = meta.ResponseURL
	return nil, func(ctx context.Context) { b.saveRateModal(ctx, c, cb.View.ID, meta.Subject, entries) }
}

func (b *Bot) saveRateModal(ctx context.Context, c call, viewID, subject string, entries []blocks.RateEntry) {
	if subject == "" {
		subject = c.user
	} else if _, err := b.about(c.user, subject, coach.Assess); err != nil {
		// Checked again at save time: the person may have left the team
		// while the form was open.
		b.sayError(ctx, c, err)
		return
	}
	now := b.now()
	ratings := make([]coach.Rating, len(entries))
	for i, e := range entries {
		ratings[i] = coach.Rating{
			Subject: subject, Rater: c.user, Area: e.Area,
			Score: e.Score, Note: e.Note, At: now, Via: coach.SurfaceModal,
		}
	}
	saved, err := b.store.AddRatings(c.person(b), ratings, "rate:"+viewID)
	if errors.Is(err, coach.ErrDuplicate) {
		c.log.Info("modal submitted twice; the first one was saved")
		return
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("ratings saved", "subject", subject, "count", len(saved), "via", coach.SurfaceModal)
	who := ""
	if subject != c.user {
		who = subject
	}
	b.say(ctx, c, blocks.SavedRatings(b.model, saved, who))
	b.refreshHomes(ctx, c.log, subject)
}
