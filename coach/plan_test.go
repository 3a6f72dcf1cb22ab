package coach

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var planNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func theme(id, area, title string, actions ...string) Theme {
	t := Theme{ID: id, Area: area, Title: title}
	for i, a := range actions {
		t.Actions = append(t.Actions, Action{ID: "a" + itoa(i+1), Text: a})
	}
	return t
}

func TestPlanValidate(t *testing.T) {
	m := PMwheel()
	good := Plan{Headline: "From backlog manager to strategist", Horizon: DefaultHorizon(planNow),
		Themes: []Theme{theme("t1", "problem-understanding", "Problem briefs", "Write three problem briefs")}}
	many := make([]string, 200)
	for i := range many {
		many[i] = "action"
	}
	tests := []struct {
		name string
		edit func(p *Plan)
		want string // substring of the problem; "" = valid
	}{
		{"valid", func(p *Plan) {}, ""},
		{"no themes", func(p *Plan) { p.Themes = nil }, "at least 1 theme"},
		{"six themes", func(p *Plan) {
			for i := 0; i < 5; i++ {
				p.Themes = append(p.Themes, theme("x", "team", "T", "a"))
			}
		}, "at most 5 themes"},
		{"empty theme", func(p *Plan) { p.Themes[0] = Theme{ID: "t1", Area: "team"} }, "the theme is empty"},
		{"unknown area", func(p *Plan) { p.Themes[0].Area = "marketing" }, `"marketing" is not an area`},
		{"200 actions", func(p *Plan) { p.Themes[0] = theme("t1", "team", "T", many...) }, "has 200 actions"},
		{"huge headline", func(p *Plan) { p.Headline = strings.Repeat("h", 5000) }, "is 5000 characters"},
		{"no headline", func(p *Plan) { p.Headline = " " }, "write a headline"},
		{"past horizon", func(p *Plan) { p.Horizon = planNow.AddDate(0, 0, -1) }, "in the future"},
		{"no actions", func(p *Plan) { p.Themes[0].Actions = nil }, "at least one concrete action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			p.Themes = append([]Theme(nil), good.Themes...)
			tc.edit(&p)
			err := p.Validate(m, planNow)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *PlanError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want a *PlanError with %q", err, tc.want)
			}
		})
	}
}

func TestParseActionsKeepsDone(t *testing.T) {
	done := planNow.Add(-time.Hour)
	before := []Action{{ID: "a1", Text: "Read Continuous Discovery Habits", Done: true, DoneAt: done}, {ID: "a2", Text: "Old"}}
	got := ParseActions("- Read Continuous Discovery Habits\n\n• Run two interviews solo\n   ", before)
	if len(got) != 2 || !got[0].Done || !got[0].DoneAt.Equal(done) || got[1].Text != "Run two interviews solo" || got[1].Done {
		t.Fatalf("ParseActions = %+v", got)
	}
}

func TestDiffPlans(t *testing.T) {
	m := PMwheel()
	old := Plan{Version: 2, Headline: "Old", Horizon: DefaultHorizon(planNow), Themes: []Theme{
		theme("t1", "planning", "Roadmaps", "Present the roadmap", "Write OKRs"),
		theme("t2", "team", "Hard talks", "Role-play bad news"),
	}}
	next := old
	next.Headline = "New"
	next.Themes = []Theme{theme("t1", "planning", "Roadmaps", "Present the roadmap", "Write OKRs"), theme("t3", "agile", "Small batches", "Ship weekly")}
	next.Themes[0].Actions[0].Done = true
	got := strings.Join(DiffPlans(m, old, next), "\n")
	for _, want := range []string{`headline: "Old" → "New"`, `done "Present the roadmap"`, `added theme "Small batches" (Agile)`, `retired theme "Hard talks"`} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %q:\n%s", want, got)
		}
	}
	if first := DiffPlans(m, Plan{}, next); len(first) != 1 || !strings.Contains(first[0], "created the plan") {
		t.Errorf("new plan diff = %v", first)
	}
}

func TestCurrentChallenge(t *testing.T) {
	at := planNow
	h := []Challenge{
		{ID: 1, Text: "old", Status: ChallengeSet, At: at},
		{ID: 2, Text: "proposal", Status: ChallengeProposed, At: at.Add(time.Hour)},
	}
	cur, pending := CurrentChallenge(h)
	if cur == nil || cur.ID != 1 || pending == nil || pending.ID != 2 {
		t.Fatalf("current %v pending %v", cur, pending)
	}
	h[1].Status = ChallengeAccepted
	cur, pending = CurrentChallenge(h)
	if cur.ID != 2 || pending != nil {
		t.Fatalf("after accept: current %v pending %v", cur, pending)
	}
	if err := CheckChallengeText(strings.Repeat("x", MaxChallengeLen+1)); ErrorCode(err) != EINVALID {
		t.Errorf("overlong challenge accepted: %v", err)
	}
	if err := CheckChallengeText("  "); ErrorCode(err) != EINVALID {
		t.Errorf("empty challenge accepted")
	}
}

func TestWithActionsDone(t *testing.T) {
	p := Plan{Themes: []Theme{theme("t1", "team", "Talks", "Role-play", "Weekly update"), theme("t2", "agile", "Slices", "Ship weekly")}}
	at := planNow
	next, err := p.WithActionsDone("t1", func(a Action) bool { return a.ID == "a2" }, at)
	if err != nil {
		t.Fatal(err)
	}
	got := next.Themes[0].Actions
	if got[0].Done || !got[1].Done || !got[1].DoneAt.Equal(at) || next.Themes[1].Actions[0].Done {
		t.Fatalf("actions after = %+v", next.Themes)
	}
	if p.Themes[0].Actions[1].Done {
		t.Fatal("the original plan was changed")
	}
	if _, err := p.WithActionsDone("t9", func(Action) bool { return true }, at); !errors.Is(err, ErrThemeGone) {
		t.Fatalf("missing theme: %v", err)
	}
}

func TestWithoutTheme(t *testing.T) {
	p := Plan{Themes: []Theme{theme("t1", "team", "Talks", "Role-play"), theme("t2", "agile", "Slices", "Ship weekly")}}
	next, err := p.WithoutTheme("t1")
	if err != nil || len(next.Themes) != 1 || next.Themes[0].ID != "t2" || len(p.Themes) != 2 {
		t.Fatalf("WithoutTheme = %+v, %v (original now %d themes)", next.Themes, err, len(p.Themes))
	}
	if _, err := p.WithoutTheme("t9"); !errors.Is(err, ErrThemeGone) {
		t.Errorf("a theme the plan no longer has: %v", err)
	}
	if _, err := next.WithoutTheme("t2"); !errors.Is(err, ErrLastTheme) {
		t.Errorf("the last theme: %v", err)
	}
}

func TestNextActionRotatesThroughThemes(t *testing.T) {
	p := Plan{Themes: []Theme{theme("t1", "team", "Talks", "Role-play", "Weekly update"), theme("t2", "agile", "Slices", "Ship weekly"), theme("t3", "planning", "Roadmap")}}
	var got []string
	last := ""
	for range 4 {
		ta, ok := p.NextAction(last)
		if !ok {
			t.Fatal("no action with open ones left")
		}
		got = append(got, ta.Action.Text)
		last = ta.Theme.ID
	}
	// t3 has no actions: the rotation skips it and comes back to t1.
	if want := "Role-play,Ship weekly,Role-play,Ship weekly"; strings.Join(got, ",") != want {
		t.Errorf("rotation %v, want %s", got, want)
	}
	done, _ := p.WithActionsDone("t1", func(Action) bool { return true }, planNow)
	done, _ = done.WithActionsDone("t2", func(Action) bool { return true }, planNow)
	if ta, ok := done.NextAction(""); ok {
		t.Errorf("everything done, yet %+v", ta)
	}
}

func TestWeakestArea(t *testing.T) {
	m := PMwheel()
	at := planNow
	cmp := Compare(m, "pm", "boss", []Rating{
		{Subject: "pm", Rater: "pm", Area: "team", Score: 7, At: at},
		{Subject: "pm", Rater: "pm", Area: "agile", Score: 3, At: at},
		{Subject: "pm", Rater: "boss", Area: "planning", Score: 1, At: at}, // the manager's view doesn't count
	})
	if a := WeakestArea(m, cmp); a.ID != "agile" {
		t.Errorf("weakest = %s, want agile", a.ID)
	}
	if a := WeakestArea(m, Compare(m, "pm", "", nil)); a.ID != m.Areas[0].ID {
		t.Errorf("nothing rated: %s, want the model's first area", a.ID)
	}
	if a := WeakestArea(Model{}, nil); a.ID != "" {
		t.Errorf("empty model: %+v", a)
	}
}
