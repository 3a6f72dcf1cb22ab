package blocks

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// PlanModalMeta travels in the plan modal: the version it was opened on,
// so a save over someone else's newer edit is caught.
type PlanModalMeta struct {
	Version     int    `json:"v"`
	ResponseURL string `json:"r,omitempty"`
}

// PlanModal is the plan form: headline, horizon and five theme slots, each
// with an area, a short description and actions one per line.
func PlanModal(model coach.Model, p coach.Plan, now time.Time, meta PlanModalMeta) slack.ModalViewRequest {
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
		areaOpts[i] = slack.NewOptionBlockObject(a.ID, plain(Truncate(a.Name, 75)), nil)
	}
	intro := "Your plan, in your words. Three to five themes for the next six months work best; each tied to an area, with concrete actions."
	if p.Version > 0 {
		intro = "Edit your plan. Clear every field of a theme to retire it."
	}
	blocks := []slack.Block{
		Context(intro),
		slack.NewInputBlock(BlockPlanHeadline, plain("Headline"), plain("One sentence: where this plan takes you."), headline),
		slack.NewInputBlock(BlockPlanHorizon, plain("Horizon"), plain("When to refresh the plan; about six months out."), horizon),
	}
	for n := 1; n <= coach.MaxThemes; n++ {
		var t coach.Theme
		if n <= len(p.Themes) {
			t = p.Themes[n-1]
		}
		// Every theme's inputs are optional, and Slack marks them
		// "(optional)" itself: the label says nothing more.
		label := fmt.Sprintf("Theme %d", n)
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Area"), ActionID(ActionThemeArea, fmt.Sprint(n)), areaOpts...)
		for _, o := range areaOpts {
			if o.Value == t.Area {
				sel.InitialOption = o
			}
		}
		title := slack.NewPlainTextInputBlockElement(plain("e.g. Discovery without hand-holding"), ActionID(ActionThemeTitle, fmt.Sprint(n)))
		title.MaxLength = coach.MaxThemeTitleLen
		title.InitialValue = t.Title
		actions := slack.NewPlainTextInputBlockElement(plain("One per line, e.g. Run two stakeholder interviews solo"), ActionID(ActionThemeActions, fmt.Sprint(n)))
		actions.Multiline = true
		actions.MaxLength = 3000
		var lines []string
		for _, a := range t.Actions {
			lines = append(lines, a.Text)
		}
		actions.InitialValue = strings.Join(lines, "\n")
		areaIn := slack.NewInputBlock(ThemeBlockID(n, ActionThemeArea), plain(label+" — area"), nil, sel)
		titleIn := slack.NewInputBlock(ThemeBlockID(n, ActionThemeTitle), plain(label+" — what it is about"), nil, title)
		actIn := slack.NewInputBlock(ThemeBlockID(n, ActionThemeActions), plain(label+" — actions"), nil, actions)
		areaIn.Optional, titleIn.Optional, actIn.Optional = true, true, true
		blocks = append(blocks, slack.NewDividerBlock(), areaIn, titleIn, actIn)
	}
	title := "Start your plan"
	if p.Version > 0 {
		title = "Your plan"
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackPlan,
		Title:           plain(title),
		Submit:          plain("Save plan"),
		Close:           plain("Cancel"),
		PrivateMetadata: mustJSON(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// ParsePlanModal turns the form's state into a plan, keeping theme and
// action ids (and done marks) of the plan it edits. It returns block-id
// errors for Slack to show inline.
func ParsePlanModal(model coach.Model, old coach.Plan, state *slack.ViewState, now time.Time) (coach.Plan, map[string]string) {
	if state == nil {
		state = &slack.ViewState{}
	}
	v := func(block, _ string) slack.BlockAction { x, _ := Field(state, block); return x }
	p := coach.Plan{
		Owner:     old.Owner,
		Headline:  strings.TrimSpace(v(BlockPlanHeadline, ActionPlanHeadline).Value),
		CreatedAt: old.CreatedAt,
		UpdatedAt: now,
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	errs := map[string]string{}
	if d := v(BlockPlanHorizon, ActionPlanHorizon).SelectedDate; d != "" {
		t, err := time.ParseInLocation(time.DateOnly, d, time.UTC)
		if err != nil {
			errs[BlockPlanHorizon] = "Pick a date."
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
		area := v(ThemeBlockID(n, ActionThemeArea), ActionThemeArea).SelectedOption.Value
		title := strings.TrimSpace(v(ThemeBlockID(n, ActionThemeTitle), ActionThemeTitle).Value)
		actions := v(ThemeBlockID(n, ActionThemeActions), ActionThemeActions).Value
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
			errs[ThemeBlockID(n, ActionThemeArea)] = "Pick the area this theme develops."
		case title == "":
			errs[ThemeBlockID(n, ActionThemeTitle)] = "Say in a few words what this theme is about."
		case len(t.Actions) == 0:
			errs[ThemeBlockID(n, ActionThemeActions)] = "Add at least one concrete action, one per line."
		}
		p.Themes = append(p.Themes, t)
	}
	if len(errs) > 0 {
		return p, errs
	}
	if err := p.Validate(model, now); err != nil {
		var pe *coach.PlanError
		if !errors.As(err, &pe) {
			return p, map[string]string{BlockPlanHeadline: coach.ErrorMessage(err)}
		}
		for _, prob := range pe.Problems {
			block := BlockPlanHeadline
			switch {
			case prob.Part == "horizon":
				block = BlockPlanHorizon
			case prob.Part == "themes":
				block = ThemeBlockID(max(firstEmpty, 1), ActionThemeTitle)
			case prob.Theme > 0:
				part := prob.Part
				if part == "description" {
					part = ActionThemeTitle
				}
				block = ThemeBlockID(themeSlot(state, p.Themes, prob.Theme), part)
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
		title, _ := Field(state, ThemeBlockID(slot, ActionThemeTitle))
		area, _ := Field(state, ThemeBlockID(slot, ActionThemeArea))
		acts, _ := Field(state, ThemeBlockID(slot, ActionThemeActions))
		if strings.TrimSpace(title.Value) != "" || area.SelectedOption.Value != "" || strings.TrimSpace(acts.Value) != "" {
			seen++
			if seen == n {
				return slot
			}
		}
	}
	return min(n, coach.MaxThemes)
}

// PlanSaved confirms a saved plan.
func PlanSaved(p coach.Plan) Reply {
	verb := "Updated"
	if p.Version == 1 {
		verb = "Saved"
	}
	text := fmt.Sprintf(":white_check_mark: %s your plan “%s” with %d themes, until %s.", verb, Escape(p.Headline), len(p.Themes), SlackDate(p.Horizon))
	blocks := []slack.Block{Section(text)}
	if len(p.Themes) < coach.RecommendedMin {
		blocks = append(blocks, Context("Three to five themes work best; you can add more any time with /coach plan."))
	}
	return Reply{Text: text, Blocks: blocks}
}

// PlanConflict gives back what someone typed when their save lost to
// an edit made elsewhere, so nothing they wrote is lost.
func PlanConflict(model coach.Model, p coach.Plan) Reply {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Headline: %s\n", p.Headline)
	for i, t := range p.Themes {
		fmt.Fprintf(&sb, "Theme %d (%s): %s\n", i+1, model.AreaName(t.Area), t.Title)
		for _, a := range t.Actions {
			fmt.Fprintf(&sb, "  - %s\n", a.Text)
		}
	}
	text := ":warning: Your plan was changed elsewhere while you were editing, so your edit was *not* saved. Here is what you wrote; open /coach plan to merge it in."
	return Reply{Text: text, Blocks: []slack.Block{Section(text), Section(Truncate("```"+Escape(sb.String())+"```", 3000))}}
}
