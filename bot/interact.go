package bot

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/coach"
)

// onInteraction acks an interactive envelope — after validating it when it
// is a view submission, since the validation errors travel in the ack — and
// does the rest of the work in its own goroutine.
func (b *Bot) onInteraction(ctx context.Context, log *slog.Logger, sm acker, req *socketmode.Request, cb slack.InteractionCallback) {
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		switch cb.View.CallbackID {
		case CallbackRate:
			entries, errs := parseRateSubmission(b.model, cb.View.State)
			if len(errs) > 0 {
				log.Info("modal input refused", "errors", len(errs))
				b.ack(log, sm, req, slack.NewErrorsViewSubmissionResponse(errs))
				return
			}
			b.ack(log, sm, req, nil)
			b.spawn(ctx, log, func(ctx context.Context) { b.saveRateModal(ctx, log, cb, entries) }, func(ctx context.Context, msg string) {
				b.dm(ctx, log, cb.User.ID, failureReply(msg))
			})
		default:
			b.ack(log, sm, req, nil)
			log.Warn("submission of an unknown view")
		}
	case slack.InteractionTypeBlockActions:
		b.ack(log, sm, req, nil)
		for _, a := range cb.ActionCallback.BlockActions {
			switch a.ActionID {
			case ActionOpenRate:
				b.spawn(ctx, log, func(ctx context.Context) {
					b.openRateModal(ctx, log, cb.User.ID, cb.TriggerID, rateModalMeta{}, "")
				}, nil)
			default:
				log.Debug("action ignored", "action_id", a.ActionID)
			}
		}
	default:
		b.ack(log, sm, req, nil)
		log.Debug("interaction ignored")
	}
}

func (b *Bot) saveRateModal(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback, entries []rateEntry) {
	var meta rateModalMeta
	if cb.View.PrivateMetadata != "" {
		if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
			log.Warn("rate modal metadata unreadable", "error", err)
		}
	}
	now := b.now()
	ratings := make([]coach.Rating, len(entries))
	for i, e := range entries {
		ratings[i] = coach.Rating{
			Subject: cb.User.ID, Rater: cb.User.ID, Area: e.Area,
			Score: e.Score, Note: e.Note, At: now, Via: coach.SurfaceModal,
		}
	}
	confirm := func(r reply) {
		if meta.ResponseURL != "" {
			b.respond(ctx, log, meta.ResponseURL, r)
			return
		}
		b.dm(ctx, log, cb.User.ID, r)
	}
	saved, err := b.store.AddRatings(coach.Person{ID: cb.User.ID, Name: cb.User.Name, EnrolledAt: now}, ratings)
	if err != nil {
		log.Error("save modal ratings", "error", err)
		confirm(failureReply(coach.ErrorMessage(err)))
		return
	}
	log.Info("ratings saved", "count", len(saved), "via", coach.SurfaceModal)
	confirm(savedRatingsReply(b.model, saved, ""))
}
