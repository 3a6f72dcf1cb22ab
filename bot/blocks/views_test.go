package blocks

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

func samplePlan() coach.Plan {
	return coach.Plan{
		Owner: "UANA", Headline: "From backlog manager to strategic product lead", Version: 3,
		Horizon: time.Date(2027, 5, 21, 0, 0, 0, 0, time.UTC), CreatedAt: gNow.AddDate(0, -1, 0), UpdatedAt: gNow.AddDate(0, 0, -2),
		Themes: []coach.Theme{
			{ID: "t1", Area: "problem-understanding", Title: "Problem briefs before discovery", Actions: []coach.Action{
				{ID: "a1", Text: "Write three problem briefs before discovery starts", Done: true, DoneAt: gNow.AddDate(0, 0, -3)},
				{ID: "a2", Text: "Review each brief with engineering"},
			}},
			{ID: "t2", Area: "team", Title: "Deliver bad news early", Actions: []coach.Action{{ID: "a1", Text: "Send a weekly stakeholder update"}}},
			{ID: "t3", Area: "listen-learn", Title: "Decide on evidence", Actions: []coach.Action{{ID: "a1", Text: "Define a success metric for every epic"}}},
		},
	}
}

func sampleRatings() []coach.Rating {
	r := func(rater, area string, score, daysAgo int) coach.Rating {
		return coach.Rating{Subject: "UANA", Rater: rater, Area: area, Score: score, At: gNow.AddDate(0, 0, -daysAgo)}
	}
	return []coach.Rating{
		r("UANA", "planning", 6, 60), r("UANA", "planning", 8, 10), r("UBOSS", "planning", 5, 9),
		r("UANA", "team", 5, 30), r("UBOSS", "team", 7, 20),
		r("UANA", "execution", 8, 5), r("UBOSS", "execution", 8, 4),
	}
}

func sampleStatus(id, name string, i int) coach.ReportStatus {
	p := coach.Person{ID: id, Name: name, Manager: "UBOSS"}
	st := coach.ReportStatus{Person: p, AnswerRate: -1}
	switch i % 4 {
	case 0:
		st.HasPlan, st.Colours, st.RedThemes = true, []coach.Colour{coach.Red, coach.Green, coach.Yellow}, 1
	case 1:
		st.HasPlan, st.Colours = true, []coach.Colour{coach.Green, coach.Green, ""}
	case 2:
		// no plan
	case 3:
		st.HasPlan, st.PlanOverdue, st.Colours = true, true, []coach.Colour{coach.Yellow}
	}
	cmp := coach.Compare(model, id, "UBOSS", []coach.Rating{
		{Subject: id, Rater: id, Area: "planning", Score: 5 + i%5, At: gNow.AddDate(0, 0, -10)},
		{Subject: id, Rater: "UBOSS", Area: "planning", Score: 6, At: gNow.AddDate(0, 0, -9)},
	})
	st.Comparisons = cmp
	if big, ok := coach.BiggestGap(cmp); ok {
		st.Biggest = &big
		if big.Flagged() {
			st.FlaggedGaps = 1
		}
	}
	st.Challenge = &coach.Challenge{Text: "Lead the H2 strategy planning", At: gNow.AddDate(0, -2, 0), Status: coach.ChallengeSet}
	return st
}

func TestGoldenReplies(t *testing.T) {
	area, _ := model.Area("planning")
	prev := coach.Rating{Subject: "UANA", Rater: "UANA", Area: "planning", Score: 6, At: gNow.AddDate(0, 0, -14)}
	now := coach.Rating{Subject: "UANA", Rater: "UANA", Area: "planning", Score: 8, Note: "led the Q3 review <!channel> & more", At: gNow}
	mgr := coach.Rating{Subject: "UANA", Rater: "UBOSS", Area: "planning", Score: 5, At: gNow.AddDate(0, 0, -3)}
	tr, _ := coach.TrendOf([]coach.Rating{prev, now})
	first, _ := coach.TrendOf([]coach.Rating{now})
	mgrNow := coach.Rating{Subject: "UANA", Rater: "UBOSS", Area: "planning", Score: 5, At: gNow}
	mtr, _ := coach.TrendOf([]coach.Rating{mgrNow})
	cmp := coach.Compare(model, "UANA", "UBOSS", sampleRatings())
	history := []coach.Challenge{
		{ID: 1, Subject: "UANA", By: "UANA", Text: "Lead discovery", Status: coach.ChallengeSet, At: gNow.AddDate(0, -3, 0)},
		{ID: 2, Subject: "UANA", By: "UBOSS", Text: "Lead the H2 strategy planning", Status: coach.ChallengeProposed, At: gNow.AddDate(0, 0, -1)},
	}
	p := samplePlan()
	cases := map[string]Reply{
		"rate_first":       Rated(RateSummary{Area: area, Rating: now, Trend: first, Series: []int{8}}),
		"rate_trend_gap":   Rated(RateSummary{Area: area, Rating: now, Trend: tr, Series: []int{6, 8}, Other: &mgr}),
		"rate_manager":     Rated(RateSummary{Area: area, Rating: mgrNow, Trend: mtr, Series: []int{5}, Other: &now}),
		"rate_saved_modal": SavedRatings(model, []coach.Rating{now, {Area: "team", Score: 6}}, ""),
		"error_typo":       InputError(`unknown area "plnning" — did you mean planning?`, "/rate <area> <1-10> [note]"),
		"failure":          Failure(coach.ErrorMessage(fmt.Errorf("disk full"))),
		"team_list": Team(coach.Person{ID: "UBOSS", Manager: "UCEO"}, []coach.Person{{ID: "UANA", ManagerSince: gNow}, {ID: "UBOB"}},
			[]coach.Invitation{coach.NewInvitation("UBOSS", "UCLEO", gNow.AddDate(0, 0, -2)), coach.NewInvitation("UBOSS", "UDAN", gNow.AddDate(0, 0, -20))}, gNow),
		"team_empty":          Team(coach.Person{ID: "UBOSS"}, nil, nil, gNow),
		"invitation_dm":       Invitation(coach.NewInvitation("UBOSS", "UANA", gNow), ""),
		"invitation_move":     Invitation(coach.NewInvitation("UBOSS", "UANA", gNow), "UOLD"),
		"invitation_accepted": Accepted("UBOSS", "UOLD"),
		"assigned_dm":         Assigned("<@UADMIN>, a microcoach admin,", "UBOSS"),
		"org_help":            OrgHelp([]string{"UADMIN", "UROOT"}),
		"challenge_propose":   Proposal(history[1]),
		"challenge_history":   Challenges("UANA", "UANA", history),
		"gaps_self":           Gaps(coach.Person{ID: "UANA", Manager: "UBOSS"}, "UANA", cmp, nil),
		"gaps_manager":        Gaps(coach.Person{ID: "UANA", Manager: "UBOSS"}, "UBOSS", cmp, nil),
		"gaps_no_manager":     Gaps(coach.Person{ID: "UANA"}, "UANA", coach.Compare(model, "UANA", "", nil), nil),
		"gaps_radar":          Gaps(coach.Person{ID: "UANA", Manager: "UBOSS"}, "UANA", cmp, sampleRadar()),
		"plan_readonly":       Plan(model, coach.Person{ID: "UANA"}, &p, map[string]coach.Colour{"t1": coach.Green, "t2": coach.Red}, gNow),
		"plan_none":           Plan(model, coach.Person{ID: "UANA"}, nil, nil, gNow),
		"plan_saved":          PlanSaved(p),
		"plan_conflict":       PlanConflict(model, p),
		"answers_list": Answers([]coach.Answer{
			{ID: 2, Question: "What would make you more successful?", Text: "More time with customers <!channel>\nand fewer status meetings", At: gNow, SharedWith: "UBOSS", SharedAt: gNow},
			{ID: 1, Question: "How do you feel this week?", Emotion: "hopeful", At: gNow.AddDate(0, 0, -7)},
		}, 2, true),
		"answers_none": Answers(nil, 0, false),
		"plan_invite":  PlanInvite(),
		"plan_long_action": func() Reply {
			lp := samplePlan()
			lp.Themes[1].Actions = append(lp.Themes[1].Actions, coach.Action{ID: "a2", Text: strings.Repeat("Send the stakeholder update before the Monday planning meeting, with the risks first and the asks second, ", 2)[:coach.MaxActionLen]})
			return Plan(model, coach.Person{ID: "UANA"}, &lp, nil, gNow)
		}(),
		"checkin_with_action": func() Reply {
			r := Checkin(model, DeliveryRef{Person: "UANA", Cadence: "checkin", Period: "2026-12-01T10:00"}, p, nil, false)
			r.Blocks = append(r.Blocks, WeekAction(coach.ThemeAction{Theme: p.Themes[1], Action: p.Themes[1].Actions[0]}))
			return r
		}(),
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			raw := golden(t, name, slackemu.SurfaceMessage, message(r))
			if strings.Contains(string(raw), "<!channel>") {
				t.Error("user text reached the message unescaped: <!channel> would ping")
			}
		})
	}
}

func TestGoldenModals(t *testing.T) {
	p := samplePlan()
	latest := map[string]coach.Rating{"planning": {Score: 7, At: gNow.AddDate(0, 0, -7)}}
	cases := map[string]slack.ModalViewRequest{
		"modal_rate_self":    RateModal(model, latest, RateModalMeta{ResponseURL: "https://hooks.example/r"}, time.UTC),
		"modal_rate_assess":  RateModal(model, nil, RateModalMeta{Subject: "UANA"}, time.UTC),
		"modal_answer_edit":  AnswerEditModal(coach.Answer{ID: 7, Question: "What would make you more successful?", Text: "More time with customers.\nFewer status meetings."}),
		"modal_plan_new":     PlanModal(model, coach.Plan{}, gNow, PlanModalMeta{}),
		"modal_plan_edit":    PlanModal(model, p, gNow, PlanModalMeta{Version: p.Version}),
		"modal_challenge":    ChallengeModal("Lead the H2 strategy planning"),
		"modal_report":       ReportModal(model, sampleStatus("UANA", "ana", 0), &p, map[string]coach.Colour{"t1": coach.Red}, nil, gNow),
		"modal_report_radar": ReportModal(model, sampleStatus("UANA", "ana", 0), &p, map[string]coach.Colour{"t1": coach.Red}, sampleRadar(), gNow),
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, slackemu.SurfaceModal, v) })
	}
}

func TestGoldenHome(t *testing.T) {
	p := samplePlan()
	cmp := coach.Compare(model, "UANA", "UBOSS", sampleRatings())
	ch := &coach.Challenge{ID: 1, Text: "Lead the H2 strategy planning", At: gNow.AddDate(0, -1, 0), Status: coach.ChallengeAccepted}
	pm := HomeData{
		Person: coach.Person{ID: "UANA", Manager: "UBOSS"}, Plan: &p, Challenge: ch,
		Colours:     map[string]coach.Colour{"t1": coach.Green, "t2": coach.Red},
		History:     map[string][]coach.Colour{"t1": {"", "", coach.Red, coach.Yellow, coach.Green, coach.Green}, "t2": {"", "", "", coach.Yellow, coach.Red, coach.Red}},
		AnswerRate:  0.75,
		Comparisons: cmp, RatedAny: true, Now: gNow,
		Upcoming: []string{"Weekly nudge: Mon 23 Nov, 09:30", "Colour check-in: Tue 1 Dec, 10:00"},
	}
	manager := func(n int) HomeData {
		d := HomeData{Person: coach.Person{ID: "UBOSS"}, Comparisons: coach.Compare(model, "UBOSS", "", nil), Now: gNow}
		for i := range n {
			d.Reports = append(d.Reports, sampleStatus(fmt.Sprintf("U%03d", i), fmt.Sprintf("pm%03d", i), i))
		}
		coach.SortWorstFirst(d.Reports, gNow)
		return d
	}
	cases := map[string]HomeData{
		"home_newcomer":    {Person: coach.Person{ID: "UNEW"}, Comparisons: coach.Compare(model, "UNEW", "", nil), Now: gNow},
		"home_pm":          pm,
		"home_manager_2":   manager(2),
		"home_manager_50":  manager(50),
		"home_manager_120": manager(120),
	}
	withRadar := pm
	withRadar.Radar = sampleRadar()
	cases["home_pm_radar"] = withRadar
	for _, n := range []int{2, 120} {
		d := manager(n)
		d.Grid = &Picture{FileID: "F0GRID", Title: "Themes by month, worst first", Alt: "Colour grid: 2 reports by 6 months."}
		cases[fmt.Sprintf("home_manager_%d_grid", n)] = d
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			v := Home(model, d)
			raw := golden(t, name, slackemu.SurfaceHome, v)
			if n := len(v.Blocks.BlockSet); n > MaxHomeBlocks {
				t.Errorf("%d blocks, Slack allows %d", n, MaxHomeBlocks)
			}
			if strings.HasPrefix(name, "home_manager") {
				// Every report is on the Home, worst first.
				for _, r := range d.Reports {
					if !strings.Contains(string(raw), `\u003c@`+r.Person.ID+`\u003e`) {
						t.Errorf("report %s missing", r.Person.ID)
					}
				}
				t.Logf("%s: %d blocks, %d bytes", name, len(v.Blocks.BlockSet), len(raw))
			}
		})
	}
}

func TestParseRateSubmission(t *testing.T) {
	state := func(values map[string]map[string]slack.BlockAction) *slack.ViewState {
		return &slack.ViewState{Values: values}
	}
	score := func(v string) map[string]slack.BlockAction {
		return map[string]slack.BlockAction{ActionScore: {SelectedOption: slack.OptionBlockObject{Value: v}}}
	}
	note := func(v string) map[string]slack.BlockAction {
		return map[string]slack.BlockAction{ActionNote: {Value: v}}
	}
	tests := []struct {
		name    string
		values  map[string]map[string]slack.BlockAction
		entries int
		errOn   string
		errText string
	}{
		{"two areas", map[string]map[string]slack.BlockAction{"score:planning": score("7"), "score:team": score("9"), "note:team": note("good quarter")}, 2, "", ""},
		{"nothing chosen", nil, 0, "score:problem-understanding", "at least one area"},
		{"note without score", map[string]map[string]slack.BlockAction{"note:agile": note("hmm")}, 0, "score:agile", "Pick a score for Agile"},
		{"forged score", map[string]map[string]slack.BlockAction{"score:planning": score("11")}, 0, "score:planning", "whole number from 1 to 10"},
		{"long note", map[string]map[string]slack.BlockAction{"score:planning": score("7"), "note:planning": note(strings.Repeat("x", 1001))}, 0, "note:planning", "1001 characters"},
		{"area gone", map[string]map[string]slack.BlockAction{"score:marketing": score("7")}, 0, "score:marketing", "model changed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries, errs := ParseRateModal(model, state(tc.values))
			if len(entries) != tc.entries {
				t.Errorf("%d entries, want %d", len(entries), tc.entries)
			}
			if tc.errOn == "" {
				if len(errs) > 0 {
					t.Errorf("errors %v", errs)
				}
				return
			}
			if msg := errs[tc.errOn]; !strings.Contains(msg, tc.errText) {
				t.Errorf("errors %v, want %q on %s", errs, tc.errText, tc.errOn)
			}
		})
	}
}

func TestParsePlanSubmission(t *testing.T) {
	in := func(block, action, v string) (string, string, slack.BlockAction) {
		if action == ActionThemeArea {
			return block, action, slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: v}}
		}
		return block, action, slack.BlockAction{Value: v}
	}
	build := func(fields ...[3]string) *slack.ViewState {
		st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
		for _, f := range fields {
			b, a, v := in(f[0], f[1], f[2])
			if st.Values[b] == nil {
				st.Values[b] = map[string]slack.BlockAction{}
			}
			st.Values[b][a] = v
		}
		return st
	}
	headline := [3]string{BlockPlanHeadline, ActionPlanHeadline, "Grow into strategy"}
	theme := func(n int, area, title, actions string) [][3]string {
		return [][3]string{
			{ThemeBlockID(n, ActionThemeArea), ActionThemeArea, area},
			{ThemeBlockID(n, ActionThemeTitle), ActionThemeTitle, title},
			{ThemeBlockID(n, ActionThemeActions), ActionThemeActions, actions},
		}
	}
	fields := func(parts ...[][3]string) [][3]string {
		var out [][3]string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	hundreds := strings.Repeat("do a thing\n", 200)
	tests := []struct {
		name    string
		fields  [][3]string
		themes  int
		errOn   string
		errText string
	}{
		{"one theme", fields([][3]string{headline}, theme(1, "planning", "Roadmaps", "Present the roadmap\nWrite OKRs")), 1, "", ""},
		{"gap in slots", fields([][3]string{headline}, theme(1, "planning", "A", "x"), theme(3, "team", "B", "y")), 2, "", ""},
		{"no themes", [][3]string{headline}, 0, ThemeBlockID(1, ActionThemeTitle), "at least 1 theme"},
		{"no area", fields([][3]string{headline}, theme(1, "", "A", "x")), 1, ThemeBlockID(1, ActionThemeArea), "Pick the area"},
		{"no actions", fields([][3]string{headline}, theme(2, "team", "A", " ")), 1, ThemeBlockID(2, ActionThemeActions), "at least one concrete action"},
		{"forged area", fields([][3]string{headline}, theme(1, "marketing", "A", "x")), 1, ThemeBlockID(1, ActionThemeArea), `"marketing" is not an area`},
		{"200 actions", fields([][3]string{headline}, theme(1, "team", "A", hundreds)), 1, ThemeBlockID(1, ActionThemeActions), "has 200 actions"},
		{"5000 headline", fields([][3]string{{BlockPlanHeadline, ActionPlanHeadline, strings.Repeat("h", 5000)}}, theme(1, "team", "A", "x")), 1, BlockPlanHeadline, "5000 characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, errs := ParsePlanModal(model, coach.Plan{}, build(tc.fields...), gNow)
			if len(p.Themes) != tc.themes {
				t.Errorf("%d themes, want %d", len(p.Themes), tc.themes)
			}
			if tc.errOn == "" {
				if len(errs) > 0 {
					t.Fatalf("errors %v", errs)
				}
				return
			}
			if !strings.Contains(errs[tc.errOn], tc.errText) {
				t.Errorf("errors %v, want %q on %s", errs, tc.errText, tc.errOn)
			}
		})
	}
}

// The plan modal's block ids are what the errors above point at.
func TestPlanModalHasErrorBlocks(t *testing.T) {
	raw, _ := json.Marshal(PlanModal(model, coach.Plan{}, gNow, PlanModalMeta{}))
	for _, id := range []string{BlockPlanHeadline, BlockPlanHorizon, ThemeBlockID(1, ActionThemeArea), ThemeBlockID(5, ActionThemeActions)} {
		if !strings.Contains(string(raw), `"block_id":"`+id+`"`) {
			t.Errorf("plan modal has no block %s", id)
		}
	}
}

// sampleRadar is a radar as a view gets it once uploaded.
func sampleRadar() *Picture {
	return &Picture{FileID: "F0RADAR", Title: "Perception gaps — Ana Lima", Alt: "Perception-gap radar for Ana Lima, 6 areas. Planning: self 8, manager 5, gap +3."}
}
