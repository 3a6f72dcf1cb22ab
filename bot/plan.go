package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// PlanStore keeps development plans.
type PlanStore interface {
	Plan(owner string) (coach.Plan, bool, error)
	UpdatePlan(owner, submission string, edit coach.PlanEdit) (coach.Plan, error)
	// Submitted reports whether a form submission was saved already.
	Submitted(id string) (bool, error)
}

// plan opens your plan's modal, or shows a report's plan read-only.
func (b *Bot) plan(ctx context.Context, c call, cc coachCommand) {
	if len(cc.Args) == 0 {
		b.openPlanModal(ctx, c)
		return
	}
	subject, err := b.subject(ctx, c, cc, "/coach plan [@person]", coach.SeeCoaching)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if subject.ID == c.user {
		b.openPlanModal(ctx, c)
		return
	}
	p, found, err := b.store.Plan(subject.ID)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	var pp *coach.Plan
	if found {
		pp = &p
	}
	b.say(ctx, c, blocks.Plan(b.model, subject, pp, nil, b.now()))
}

func (b *Bot) openPlanModal(ctx context.Context, c call) {
	p, _, err := b.store.Plan(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	b.openModal(ctx, c, blocks.PlanModal(b.model, p, b.now(), blocks.PlanModalMeta{Version: p.Version, ResponseURL: c.responseURL}))
}

// submitPlan validates the plan form, catches a second submission of the
// same form and an edit made elsewhere since it opened, and saves.
func (b *Bot) submitPlan(c call, cb slack.InteractionCallback) (any, func(context.Context)) {
	var meta blocks.PlanModalMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
		c.log.Warn("plan modal metadata unreadable", "error", err)
	}
	submission := "plan:" + cb.View.ID
	if done, err := b.store.Submitted(submission); err == nil && done {
		c.log.Info("plan form submitted twice; the first one was saved")
		return nil, nil
	}
	old, _, err := b.store.Plan(c.user)
	if err != nil {
		c.log.Error("load plan", "error", err)
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blocks.BlockPlanHeadline: coach.ErrorMessage(err)}), nil
	}
	now := b.now()
	p, errs := blocks.ParsePlanModal(b.model, old, cb.View.State, now)
	if len(errs) > 0 {
		c.log.Info("plan form refused", "errors", len(errs))
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	if old.Version != meta.Version {
		c.log.Info("plan changed while its form was open", "opened_on", meta.Version, "now", old.Version)
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blocks.BlockPlanHeadline: fmt.Sprintf(
			"Your plan was changed elsewhere (%s, your time) after this form opened. Saving would overwrite that. Copy what you changed, cancel, and open /coach plan again.",
			old.UpdatedAt.In(b.zoneOf(c.user)).Format("2 Jan 15:04"))}), nil
	}
	c.responseURL = meta.ResponseURL
	return nil, func(ctx context.Context) {
		saved, err := b.store.UpdatePlan(c.user, submission, func(cur coach.Plan) (coach.Plan, coach.PlanChange, error) {
			if cur.Version != meta.Version {
				return coach.Plan{}, coach.PlanChange{}, coach.ErrPlanChanged
			}
			p.UpdatedBy = c.user
			return p, coach.PlanChange{By: c.user, At: now, Changes: coach.DiffPlans(b.model, cur, p)}, nil
		})
		switch {
		case errors.Is(err, coach.ErrDuplicate):
			return
		case errors.Is(err, coach.ErrPlanChanged):
			// Lost the race after the ack: keep the person's words.
			b.dm(ctx, c.log, c.user, blocks.PlanConflict(b.model, p))
			return
		case err != nil:
			b.sayError(ctx, c, err)
			return
		}
		c.log.Info("plan saved", "version", saved.Version, "themes", len(saved.Themes))
		b.say(ctx, c, blocks.PlanSaved(saved))
		b.refreshHomes(ctx, c.log, c.user)
	}
}

// toggleActions saves the ticks of one theme's action checkboxes.
func (b *Bot) toggleActions(ctx context.Context, c call, a *slack.BlockAction) {
	themeID := strings.TrimPrefix(a.BlockID, blocks.BlockActionsPrefix)
	done := map[string]bool{}
	for _, o := range a.SelectedOptions {
		done[o.Value] = true
	}
	err := b.editActions(c, themeID, func(a coach.Action) bool { return done[a.ID] })
	if err != nil {
		b.sayError(ctx, c, err)
	} else {
		c.log.Info("actions updated", "theme", themeID, "done", len(done))
	}
	b.refreshHomes(ctx, c.log, c.user)
}

// editActions saves the done state of one theme's actions as decide says,
// with the change in the plan's history.
func (b *Bot) editActions(c call, themeID string, decide func(coach.Action) bool) error {
	now := b.now()
	_, err := b.store.UpdatePlan(c.user, "", func(cur coach.Plan) (coach.Plan, coach.PlanChange, error) {
		if cur.Version == 0 {
			return coach.Plan{}, coach.PlanChange{}, coach.Errorf(coach.ENOTFOUND, "you have no plan yet; start one with /coach plan")
		}
		next, err := cur.WithActionsDone(themeID, decide, now)
		if err != nil {
			return coach.Plan{}, coach.PlanChange{}, err
		}
		next.UpdatedAt, next.UpdatedBy = now, c.user
		return next, coach.PlanChange{By: c.user, At: now, Changes: coach.DiffPlans(b.model, cur, next)}, nil
	})
	return err
}
