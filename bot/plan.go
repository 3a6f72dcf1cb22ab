package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// planModalMeta travels in the plan modal: the version it was opened on,
// so a save over someone else's newer edit is caught.
type planModalMeta struct {
	Version     int    `json:"v"`
	ResponseURL string `json:"r,omitempty"`
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
	b.say(ctx, c, planReply(b.model, subject, pp, nil, b.now()))
}

func (b *Bot) openPlanModal(ctx context.Context, c call) {
	p, _, err := b.store.Plan(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	b.openModal(ctx, c, planModal(b.model, p, b.now(), planModalMeta{Version: p.Version, ResponseURL: c.responseURL}))
}

// planModal is the plan form: headline, horizon and five theme slots, each
// with an area, a short description and actions one per line.
func planModal(model coach.Model, p coach.Plan, now time.Time, meta planModalMeta) modalView {
	headline := slack.NewPlainTextInputBlockElement(plain("e.g. From backlog manager to strategic product lead"), ActionPlanHeadline)
	headline.MaxLength = coach.MaxHeadlineLen
	headline.InitialValue = p.Headline
	horizon := slack.NewDatePickerBlockElement(ActionPlanHorizon)
	h := p.Horizon
	if h.IsZero() {
		h = coach.DefaultHorizon(now)
	}
	horizon.InitialDate = h.Format(time.DateOnly)

	areaOpts := make([]*slack.OptionBlockObject, len(model.Areas))
	for i, a := range model.Areas {
		areaOpts[i] = slack.NewOptionBlockObject(a.ID, plain(truncate(a.Name, 75)), nil)
	}
	intro := "Your plan, in your words. Three to five themes for the next six months work best; each tied to an area, with concrete actions."
	if p.Version > 0 {
		intro = "Edit your plan. Clear every field of a theme to retire it."
	}
	blocks := []slack.Block{
		contextBlock(intro),
		slack.NewInputBlock(blockPlanHeadline, plain("Headline"), plain("One sentence: where this plan takes you."), headline),
		slack.NewInputBlock(blockPlanHorizon, plain("Horizon"), plain("When to refresh the plan; about six months out."), horizon),
	}
	for n := 1; n <= coach.MaxThemes; n++ {
		var t coach.Theme
		if n <= len(p.Themes) {
			t = p.Themes[n-1]
		}
		// Every theme's inputs are optional, and Slack marks them
		// "(optional)" itself: the label says nothing more.
		label := fmt.Sprintf("Theme %d", n)
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Area"), actionID(ActionThemeArea, fmt.Sprint(n)), areaOpts...)
		for _, o := range areaOpts {
			if o.Value == t.Area {
				sel.InitialOption = o
			}
		}
		title := slack.NewPlainTextInputBlockElement(plain("e.g. Discovery without hand-holding"), actionID(ActionThemeTitle, fmt.Sprint(n)))
		title.MaxLength = coach.MaxThemeTitleLen
		title.InitialValue = t.Title
		actions := slack.NewPlainTextInputBlockElement(plain("One per line, e.g. Run two stakeholder interviews solo"), actionID(ActionThemeActions, fmt.Sprint(n)))
		actions.Multiline = true
		actions.MaxLength = 3000
		var lines []string
		for _, a := range t.Actions {
			lines = append(lines, a.Text)
		}
		actions.InitialValue = strings.Join(lines, "\n")
		areaIn := slack.NewInputBlock(themeBlockID(n, ActionThemeArea), plain(label+" — area"), nil, sel)
		titleIn := slack.NewInputBlock(themeBlockID(n, ActionThemeTitle), plain(label+" — what it is about"), nil, title)
		actIn := slack.NewInputBlock(themeBlockID(n, ActionThemeActions), plain(label+" — actions"), nil, actions)
		areaIn.Optional, titleIn.Optional, actIn.Optional = true, true, true
		blocks = append(blocks, slack.NewDividerBlock(), areaIn, titleIn, actIn)
	}
	title := "Start your plan"
	if p.Version > 0 {
		title = "Your plan"
	}
	return modalView{
		Type:            slack.VTModal,
		CallbackID:      CallbackPlan,
		Title:           plain(title),
		Submit:          plain("Save plan"),
		Close:           plain("Cancel"),
		PrivateMetadata: mustJSON(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// parsePlanSubmission turns the form's state into a plan, keeping theme and
// action ids (and done marks) of the plan it edits. It returns block-id
// errors for Slack to show inline.
func parsePlanSubmission(model coach.Model, old coach.Plan, state *slack.ViewState, now time.Time) (coach.Plan, map[string]string) {
	if state == nil {
		state = &slack.ViewState{}
	}
	v := func(block, _ string) slack.BlockAction { x, _ := field(state, block); return x }
	p := coach.Plan{
		Owner:     old.Owner,
		Headline:  strings.TrimSpace(v(blockPlanHeadline, ActionPlanHeadline).Value),
		CreatedAt: old.CreatedAt,
		UpdatedAt: now,
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	errs := map[string]string{}
	if d := v(blockPlanHorizon, ActionPlanHorizon).SelectedDate; d != "" {
		t, err := time.ParseInLocation(time.DateOnly, d, time.UTC)
		if err != nil {
			errs[blockPlanHorizon] = "Pick a date."
		}
		p.Horizon = t
	} else {
		p.Horizon = coach.DefaultHorizon(now)
	}
	nextID := 1
	for _, t := range old.Themes {
		if n, err := strconv.Atoi(strings.TrimPrefix(t.ID, "t")); err == nil && n >= nextID {
			nextID = n + 1
		}
	}
	firstEmpty := 0
	for n := 1; n <= coach.MaxThemes; n++ {
		area := v(themeBlockID(n, ActionThemeArea), ActionThemeArea).SelectedOption.Value
		title := strings.TrimSpace(v(themeBlockID(n, ActionThemeTitle), ActionThemeTitle).Value)
		actions := v(themeBlockID(n, ActionThemeActions), ActionThemeActions).Value
		if area == "" && title == "" && strings.TrimSpace(actions) == "" {
			if firstEmpty == 0 {
				firstEmpty = n
			}
			continue
		}
		t := coach.Theme{Area: area, Title: title}
		if n <= len(old.Themes) {
			t.ID = old.Themes[n-1].ID
			t.Actions = coach.ParseActions(actions, old.Themes[n-1].Actions)
		} else {
			t.ID = fmt.Sprintf("t%d", nextID)
			nextID++
			t.Actions = coach.ParseActions(actions, nil)
		}
		switch {
		case area == "":
			errs[themeBlockID(n, ActionThemeArea)] = "Pick the area this theme develops."
		case title == "":
			errs[themeBlockID(n, ActionThemeTitle)] = "Say in a few words what this theme is about."
		case len(t.Actions) == 0:
			errs[themeBlockID(n, ActionThemeActions)] = "Add at least one concrete action, one per line."
		}
		p.Themes = append(p.Themes, t)
	}
	if len(errs) > 0 {
		return p, errs
	}
	if err := p.Validate(model, now); err != nil {
		var pe *coach.PlanError
		if !errors.As(err, &pe) {
			return p, map[string]string{blockPlanHeadline: coach.ErrorMessage(err)}
		}
		for _, prob := range pe.Problems {
			block := blockPlanHeadline
			switch {
			case prob.Part == "horizon":
				block = blockPlanHorizon
			case prob.Part == "themes":
				block = themeBlockID(max(firstEmpty, 1), ActionThemeTitle)
			case prob.Theme > 0:
				part := prob.Part
				if part == "description" {
					part = ActionThemeTitle
				}
				block = themeBlockID(themeSlot(state, p.Themes, prob.Theme), part)
			}
			if _, dup := errs[block]; !dup {
				errs[block] = prob.Message
			}
		}
	}
	return p, errs
}

// themeSlot maps the n-th non-empty theme back to its form slot.
func themeSlot(state *slack.ViewState, themes []coach.Theme, n int) int {
	seen := 0
	for slot := 1; slot <= coach.MaxThemes; slot++ {
		title, _ := field(state, themeBlockID(slot, ActionThemeTitle))
		area, _ := field(state, themeBlockID(slot, ActionThemeArea))
		acts, _ := field(state, themeBlockID(slot, ActionThemeActions))
		if strings.TrimSpace(title.Value) != "" || area.SelectedOption.Value != "" || strings.TrimSpace(acts.Value) != "" {
			seen++
			if seen == n {
				return slot
			}
		}
	}
	return min(n, coach.MaxThemes)
}

// submitPlan validates the plan form, catches a second submission of the
// same form and an edit made elsewhere since it opened, and saves.
func (b *Bot) submitPlan(c call, cb slack.InteractionCallback) (any, func(context.Context)) {
	var meta planModalMeta
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
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockPlanHeadline: coach.ErrorMessage(err)}), nil
	}
	now := b.now()
	p, errs := parsePlanSubmission(b.model, old, cb.View.State, now)
	if len(errs) > 0 {
		c.log.Info("plan form refused", "errors", len(errs))
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	if old.Version != meta.Version {
		c.log.Info("plan changed while its form was open", "opened_on", meta.Version, "now", old.Version)
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockPlanHeadline: fmt.Sprintf(
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
			b.dm(ctx, c.log, c.user, planConflictReply(b.model, p))
			return
		case err != nil:
			b.sayError(ctx, c, err)
			return
		}
		c.log.Info("plan saved", "version", saved.Version, "themes", len(saved.Themes))
		b.say(ctx, c, planSavedReply(saved))
		b.refreshHomes(ctx, c.log, c.user)
	}
}

func planSavedReply(p coach.Plan) reply {
	verb := "Updated"
	if p.Version == 1 {
		verb = "Saved"
	}
	text := fmt.Sprintf(":white_check_mark: %s your plan “%s” with %d themes, until %s.", verb, escape(p.Headline), len(p.Themes), slackDate(p.Horizon))
	blocks := []slack.Block{section(text)}
	if len(p.Themes) < coach.RecommendedMin {
		blocks = append(blocks, contextBlock("Three to five themes work best; you can add more any time with /coach plan."))
	}
	return reply{Text: text, Blocks: blocks}
}

// planConflictReply gives back what someone typed when their save lost to
// an edit made elsewhere, so nothing they wrote is lost.
func planConflictReply(model coach.Model, p coach.Plan) reply {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Headline: %s\n", p.Headline)
	for i, t := range p.Themes {
		fmt.Fprintf(&sb, "Theme %d (%s): %s\n", i+1, model.AreaName(t.Area), t.Title)
		for _, a := range t.Actions {
			fmt.Fprintf(&sb, "  - %s\n", a.Text)
		}
	}
	text := ":warning: Your plan was changed elsewhere while you were editing, so your edit was *not* saved. Here is what you wrote; open /coach plan to merge it in."
	return reply{Text: text, Blocks: []slack.Block{section(text), section(truncate("```"+escape(sb.String())+"```", 3000))}}
}

// toggleActions saves the ticks of one theme's action checkboxes.
func (b *Bot) toggleActions(ctx context.Context, c call, a *slack.BlockAction) {
	themeID := strings.TrimPrefix(a.BlockID, blockActionsPrefix)
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
