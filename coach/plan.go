package coach

import (
	"fmt"
	"strings"
	"time"
)

// Plan limits. The method recommends 3–5 themes; 1–2 are allowed (a plan in
// progress is better than none), more than 5 is not.
const (
	MinThemes           = 1
	RecommendedMin      = 3
	MaxThemes           = 5
	MaxHeadlineLen      = 150
	MaxThemeTitleLen    = 150
	MaxThemeDescLen     = 500
	MaxActionsPerTheme  = 10
	MaxActionLen        = 200
	DefaultHorizonMonth = 6
)

// Plan is a person's development plan. The person owns it: only they create
// and edit it; their manager sees it read-only.
type Plan struct {
	Owner    string
	Headline string
	Themes   []Theme
	Horizon  time.Time // when the plan should be refreshed; about six months out
	// Version counts edits; it is 1 for a new plan. An edit names the
	// version it started from, so two editors can't overwrite each other.
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// Theme is one development theme, tied to an area of the model.
type Theme struct {
	ID          string // stable within the plan: t1, t2, …
	Area        string // Area.ID
	Title       string // short, e.g. "Discovery without hand-holding"
	Description string
	Actions     []Action
}

// Action is one concrete step of a theme.
type Action struct {
	ID     string // stable within the theme: a1, a2, …
	Text   string
	Done   bool
	DoneAt time.Time `json:",omitzero"`
}

// DefaultHorizon is six months after now, at the start of that day.
func DefaultHorizon(now time.Time) time.Time {
	y, m, d := now.AddDate(0, DefaultHorizonMonth, 0).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, now.Location())
}

// PlanProblem is one broken rule of a plan, placed on a field: "headline",
// "horizon", or "theme N" (1-based) with a Part of "area", "title",
// "description" or "actions".
type PlanProblem struct {
	Theme   int // 0 for the plan as a whole
	Part    string
	Message string
}

// PlanError lists every problem of a plan, so a form can show them all.
type PlanError struct{ Problems []PlanProblem }

func (e *PlanError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		if p.Theme > 0 {
			parts[i] = fmt.Sprintf("theme %d %s: %s", p.Theme, p.Part, p.Message)
		} else {
			parts[i] = p.Part + ": " + p.Message
		}
	}
	return "coach: plan: " + strings.Join(parts, "; ")
}

// Validate checks a plan against the method's rules and the model.
func (p Plan) Validate(m Model, now time.Time) error {
	var probs []PlanProblem
	add := func(theme int, part, format string, args ...any) {
		probs = append(probs, PlanProblem{Theme: theme, Part: part, Message: fmt.Sprintf(format, args...)})
	}
	if n := len([]rune(strings.TrimSpace(p.Headline))); n == 0 {
		add(0, "headline", "write a headline: the one sentence this plan is about")
	} else if n > MaxHeadlineLen {
		add(0, "headline", "is %d characters; keep it to %d", n, MaxHeadlineLen)
	} else if err := CheckNote(p.Headline); err != nil {
		add(0, "headline", "%s", ErrorMessage(err))
	}
	switch n := len(p.Themes); {
	case n < MinThemes:
		add(0, "themes", "a plan needs at least %d theme (%d–%d are recommended)", MinThemes, RecommendedMin, MaxThemes)
	case n > MaxThemes:
		add(0, "themes", "a plan has at most %d themes; you have %d — focus beats breadth", MaxThemes, n)
	}
	if !p.Horizon.IsZero() && !p.Horizon.After(now) {
		add(0, "horizon", "the horizon must be in the future")
	}
	for i, t := range p.Themes {
		n := i + 1
		if _, ok := m.Area(t.Area); !ok {
			add(n, "area", "%q is not an area of the %s model", t.Area, m.Name)
		}
		title := strings.TrimSpace(t.Title)
		if title == "" && strings.TrimSpace(t.Description) == "" && len(t.Actions) == 0 {
			add(n, "title", "the theme is empty; give it a title and at least one action")
			continue
		}
		if title == "" {
			add(n, "title", "give the theme a short title")
		} else if l := len([]rune(title)); l > MaxThemeTitleLen {
			add(n, "title", "is %d characters; keep it to %d", l, MaxThemeTitleLen)
		}
		if l := len([]rune(t.Description)); l > MaxThemeDescLen {
			add(n, "description", "is %d characters; keep it to %d", l, MaxThemeDescLen)
		}
		switch l := len(t.Actions); {
		case l == 0:
			add(n, "actions", "add at least one concrete action, one per line")
		case l > MaxActionsPerTheme:
			add(n, "actions", "has %d actions; keep it to %d per theme — pick the ones that matter this half-year", l, MaxActionsPerTheme)
		}
		for _, a := range t.Actions {
			if l := len([]rune(a.Text)); l > MaxActionLen {
				add(n, "actions", "an action is %d characters; keep each to %d", l, MaxActionLen)
				break
			}
		}
		for _, s := range []string{t.Title, t.Description} {
			if err := CheckNote(s); err != nil {
				add(n, "description", "%s", ErrorMessage(err))
			}
		}
	}
	if len(probs) > 0 {
		return &PlanError{Problems: probs}
	}
	return nil
}

// OpenActions returns the actions not yet done, theme by theme.
func (p Plan) OpenActions() []ThemeAction {
	var out []ThemeAction
	for _, t := range p.Themes {
		for _, a := range t.Actions {
			if !a.Done {
				out = append(out, ThemeAction{Theme: t, Action: a})
			}
		}
	}
	return out
}

// ThemeAction is an action with the theme it belongs to.
type ThemeAction struct {
	Theme  Theme
	Action Action
}

// Overdue reports whether the plan is past its horizon.
func (p Plan) Overdue(now time.Time) bool { return !p.Horizon.IsZero() && now.After(p.Horizon) }

// Theme returns the theme with the given id.
func (p Plan) Theme(id string) (Theme, bool) {
	for _, t := range p.Themes {
		if t.ID == id {
			return t, true
		}
	}
	return Theme{}, false
}

// ParseActions splits a block of text into actions, one per non-empty
// line, keeping the done state of actions whose text is unchanged.
func ParseActions(text string, before []Action) []Action {
	done := map[string]Action{}
	for _, a := range before {
		done[strings.TrimSpace(a.Text)] = a
	}
	var out []Action
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*•·"))
		if line == "" {
			continue
		}
		a := Action{ID: fmt.Sprintf("a%d", len(out)+1), Text: line}
		if old, ok := done[line]; ok && old.Done {
			a.Done, a.DoneAt = true, old.DoneAt
		}
		out = append(out, a)
	}
	return out
}

// PlanChange is one entry of a plan's history: who changed it, when, and a
// readable summary of what changed.
type PlanChange struct {
	Owner   string
	Version int
	By      string
	At      time.Time
	Changes []string
}

// DiffPlans describes what changed from old to new, one line per change.
// An empty old plan (Version 0) is a new plan.
func DiffPlans(m Model, old, new Plan) []string {
	if old.Version == 0 {
		return []string{fmt.Sprintf("created the plan %q with %d themes", new.Headline, len(new.Themes))}
	}
	var out []string
	if old.Headline != new.Headline {
		out = append(out, fmt.Sprintf("headline: %q → %q", old.Headline, new.Headline))
	}
	if !old.Horizon.Equal(new.Horizon) {
		out = append(out, fmt.Sprintf("horizon: %s → %s", old.Horizon.Format(time.DateOnly), new.Horizon.Format(time.DateOnly)))
	}
	oldByID := map[string]Theme{}
	for _, t := range old.Themes {
		oldByID[t.ID] = t
	}
	for _, t := range new.Themes {
		o, ok := oldByID[t.ID]
		delete(oldByID, t.ID)
		if !ok {
			out = append(out, fmt.Sprintf("added theme %q (%s)", t.Title, m.AreaName(t.Area)))
			continue
		}
		if o.Title != t.Title {
			out = append(out, fmt.Sprintf("theme %q renamed to %q", o.Title, t.Title))
		}
		if o.Area != t.Area {
			out = append(out, fmt.Sprintf("theme %q moved from %s to %s", t.Title, m.AreaName(o.Area), m.AreaName(t.Area)))
		}
		if o.Description != t.Description {
			out = append(out, fmt.Sprintf("theme %q description changed", t.Title))
		}
		out = append(out, diffActions(t.Title, o.Actions, t.Actions)...)
	}
	for _, t := range old.Themes {
		if _, gone := oldByID[t.ID]; gone {
			out = append(out, fmt.Sprintf("retired theme %q", t.Title))
		}
	}
	return out
}

func diffActions(theme string, old, new []Action) []string {
	var out []string
	oldText := map[string]Action{}
	for _, a := range old {
		oldText[a.Text] = a
	}
	newText := map[string]bool{}
	for _, a := range new {
		newText[a.Text] = true
		o, ok := oldText[a.Text]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("theme %q: added action %q", theme, a.Text))
		case !o.Done && a.Done:
			out = append(out, fmt.Sprintf("theme %q: done %q", theme, a.Text))
		case o.Done && !a.Done:
			out = append(out, fmt.Sprintf("theme %q: reopened %q", theme, a.Text))
		}
	}
	for _, a := range old {
		if !newText[a.Text] {
			out = append(out, fmt.Sprintf("theme %q: removed action %q", theme, a.Text))
		}
	}
	return out
}

// PlanEdit turns the stored plan (Version 0 when there is none) into the
// new one and says what changed. Storage runs it inside the transaction
// that saves the result; an error changes nothing.
type PlanEdit func(old Plan) (Plan, PlanChange, error)

// ErrPlanChanged is returned by an edit that started from an older version
// of the plan than the one stored: someone saved in between.
var ErrPlanChanged = Errorf(ECONFLICT, "the plan was changed elsewhere after this form was opened")

// ErrThemeGone is returned when an edit names a theme the plan no longer
// has (a stale message or Home tab).
var ErrThemeGone = Errorf(ECONFLICT, "that theme is no longer in your plan; the message you clicked was out of date")

// ErrLastTheme refuses to retire a plan's only theme.
var ErrLastTheme = Errorf(EINVALID, "that is your last theme; a plan needs at least one. Change it instead, or start a new plan with /coach plan")

// WithoutTheme returns a copy of p without one theme (retired at a
// quarterly refresh). It refuses a theme the plan no longer has
// (ErrThemeGone) and the last theme (ErrLastTheme). p is not changed.
func (p Plan) WithoutTheme(themeID string) (Plan, error) {
	next := p
	next.Themes = nil
	for _, t := range p.Themes {
		if t.ID != themeID {
			next.Themes = append(next.Themes, t)
		}
	}
	switch {
	case len(next.Themes) == len(p.Themes):
		return Plan{}, ErrThemeGone
	case len(next.Themes) == 0:
		return Plan{}, ErrLastTheme
	}
	return next, nil
}

// ThemeAction returns one action of the plan with its theme, if the plan
// still has it.
func (p Plan) ThemeAction(themeID, actionID string) (ThemeAction, bool) {
	t, ok := p.Theme(themeID)
	if !ok {
		return ThemeAction{}, false
	}
	for _, a := range t.Actions {
		if a.ID == actionID {
			return ThemeAction{Theme: t, Action: a}, true
		}
	}
	return ThemeAction{}, false
}

// NextAction is what a weekly nudge is about: the first open action of the
// next theme after lastTheme (the one nudged about last time) that still
// has open actions, so nudges rotate fairly through the themes. ok is
// false when every action is done.
func (p Plan) NextAction(lastTheme string) (ta ThemeAction, ok bool) {
	n := len(p.Themes)
	start := 0
	for i, t := range p.Themes {
		if t.ID == lastTheme {
			start = i + 1
		}
	}
	for k := range n {
		t := p.Themes[(start+k)%n]
		for _, a := range t.Actions {
			if !a.Done {
				return ThemeAction{Theme: t, Action: a}, true
			}
		}
	}
	return ThemeAction{}, false
}

// WithActionsDone returns a copy of p in which each action of one theme is
// done or not as decide says, stamping newly done ones with now. p itself
// is not changed.
func (p Plan) WithActionsDone(themeID string, decide func(Action) bool, now time.Time) (Plan, error) {
	next := p
	next.Themes = append([]Theme(nil), p.Themes...)
	for i, t := range next.Themes {
		if t.ID != themeID {
			continue
		}
		acts := append([]Action(nil), t.Actions...)
		for j := range acts {
			if d := decide(acts[j]); d != acts[j].Done {
				acts[j].Done, acts[j].DoneAt = d, time.Time{}
				if d {
					acts[j].DoneAt = now
				}
			}
		}
		next.Themes[i].Actions = acts
		return next, nil
	}
	return Plan{}, ErrThemeGone
}
