package blocks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Native fuzz tests for what Slack submits from a modal. Seeds live in
// testdata/fuzz/<FuzzName>/ and run with every `go test`; to explore, run
// one target at a time, e.g.
//
//	go test -run='^$' -fuzz='^FuzzParseRateSubmission$' -fuzztime=30s ./bot/blocks

var (
	fzModel = coach.PMwheel()
	fzNow   = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
)

// fzBlock is one block of a view as Slack sees it.
type fzBlock struct {
	Type    string `json:"type"`
	BlockID string `json:"block_id"`
	Element struct {
		Type          string `json:"type"`
		ActionID      string `json:"action_id"`
		InitialValue  string `json:"initial_value"`
		InitialDate   string `json:"initial_date"`
		InitialOption *struct {
			Value string `json:"value"`
		} `json:"initial_option"`
	} `json:"element"`
}

// fzViewBlocks reads a modal's blocks from its JSON.
func fzViewBlocks(t testing.TB, v slack.ModalViewRequest) []fzBlock {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var view struct{ Blocks []fzBlock }
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	return view.Blocks
}

func fzBlockIDs(fbs []fzBlock) map[string]bool {
	ids := map[string]bool{}
	for _, b := range fbs {
		if b.BlockID != "" {
			ids[b.BlockID] = true
		}
	}
	return ids
}

// fzPrefill is the state Slack submits for a modal nobody touched: every
// input block, with its initial value if it has one.
func fzPrefill(fbs []fzBlock) *slack.ViewState {
	st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
	for _, b := range fbs {
		if b.Type != "input" {
			continue
		}
		var v slack.BlockAction
		v.ActionID, v.BlockID, v.Type = b.Element.ActionID, b.BlockID, slack.ActionType(b.Element.Type)
		v.Value, v.SelectedDate = b.Element.InitialValue, b.Element.InitialDate
		if o := b.Element.InitialOption; o != nil {
			v.SelectedOption.Value = o.Value
		}
		st.Values[b.BlockID] = map[string]slack.BlockAction{b.Element.ActionID: v}
	}
	return st
}

// fzSet puts one element's value into a state, replacing the block.
func fzSet(st *slack.ViewState, block, action string, v slack.BlockAction) {
	v.BlockID, v.ActionID = block, action
	st.Values[block] = map[string]slack.BlockAction{action: v}
}

// FuzzParseRateSubmission: a submitted rate modal never panics; errors sit
// on blocks of the modal (or on the submitted block the model no longer
// has); accepted entries are areas of the model scored 1..10 with notes
// that CheckNote accepts. prefill starts from the state of an untouched
// modal; three fuzzed (block, action, selected option, value) elements are
// put on top.
func FuzzParseRateSubmission(f *testing.F) {
	fbs := fzViewBlocks(f, RateModal(fzModel, nil, RateModalMeta{}, time.UTC))
	modalIDs := fzBlockIDs(fbs)
	f.Fuzz(func(t *testing.T, prefill bool, b1, a1, s1, v1, b2, a2, s2, v2, b3, a3, s3, v3 string) {
		st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
		if prefill {
			st = fzPrefill(fbs)
		}
		for _, e := range [][4]string{{b1, a1, s1, v1}, {b2, a2, s2, v2}, {b3, a3, s3, v3}} {
			if e == ([4]string{}) {
				continue
			}
			fzSet(st, e[0], e[1], slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: e[2]}, Value: e[3]})
		}
		entries, errs := ParseRateModal(fzModel, st)
		if len(errs) > 0 {
			if entries != nil {
				t.Fatalf("entries %+v with errors %v", entries, errs)
			}
			for k, msg := range errs {
				if msg == "" {
					t.Fatalf("empty error message on %q", k)
				}
				if modalIDs[k] {
					continue
				}
				if _, submitted := st.Values[k]; !submitted || len(errs) != 1 {
					t.Fatalf("error on %q, a block neither in the modal nor (alone) in the submission: %v", k, errs)
				}
			}
			return
		}
		if len(entries) == 0 {
			t.Fatalf("no entries and no errors")
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if _, ok := fzModel.Area(e.Area); !ok || seen[e.Area] {
				t.Fatalf("entry %+v: area not in the model, or twice", e)
			}
			seen[e.Area] = true
			if e.Score < coach.MinScore || e.Score > coach.MaxScore {
				t.Fatalf("entry %+v: score out of range", e)
			}
			if err := coach.CheckNote(e.Note); err != nil {
				t.Fatalf("entry %+v: note: %v", e, err)
			}
			sel, _ := Field(st, ScoreBlockID(e.Area))
			if n, err := coach.ParseScore(sel.SelectedOption.Value); err != nil || n != e.Score {
				t.Fatalf("entry %+v: the submitted score was %q", e, sel.SelectedOption.Value)
			}
			r := coach.Rating{Subject: "U1", Rater: "U1", Area: e.Area, Score: e.Score, Note: e.Note, At: fzNow, Via: coach.SurfaceModal}
			if err := r.Validate(); err != nil {
				t.Fatalf("entry %+v does not make a valid rating: %v", e, err)
			}
		}
	})
}

// fzOldPlan is a plan being edited: two themes, one action done.
func fzOldPlan() coach.Plan {
	created := fzNow.AddDate(0, -2, 0)
	return coach.Plan{
		Owner: "U1", Headline: "From backlog manager to product lead", Version: 3,
		Horizon: fzNow.AddDate(0, 4, 0), CreatedAt: created, UpdatedAt: created, UpdatedBy: "U1",
		Themes: []coach.Theme{
			{ID: "t1", Area: "planning", Title: "Outcome roadmaps", Actions: []coach.Action{
				{ID: "a1", Text: "Write OKRs", Done: true, DoneAt: created.AddDate(0, 0, 7)},
				{ID: "a2", Text: "Present the roadmap"},
			}},
			{ID: "t3", Area: "team", Title: "Lead without authority", Actions: []coach.Action{{ID: "a1", Text: "Run the retro"}}},
		},
	}
}

// FuzzParsePlanSubmission: a submitted plan modal never panics; errors sit
// on blocks of the modal, and an error about one theme on a slot that
// holds a theme; an accepted plan passes Plan.Validate and keeps the ids
// of the themes it edits. Two fuzzed themes land in fuzzed slots, over the
// state of an untouched modal when prefill is set, with one more fuzzed
// element anywhere (a forged block, action or date).
func FuzzParsePlanSubmission(f *testing.F) {
	// The modal for a new plan and for editing fzOldPlan.
	blocksFor := map[bool][]fzBlock{
		false: fzViewBlocks(f, PlanModal(fzModel, coach.Plan{}, fzNow, PlanModalMeta{})),
		true:  fzViewBlocks(f, PlanModal(fzModel, fzOldPlan(), fzNow, PlanModalMeta{Version: fzOldPlan().Version})),
	}
	f.Fuzz(func(t *testing.T, prefill, edit bool, headline, horizon string,
		slotA uint8, areaA, titleA, actionsA string,
		slotB uint8, areaB, titleB, actionsB string,
		extraBlock, extraAction, extraValue string) {
		var old coach.Plan
		if edit {
			old = fzOldPlan()
		}
		fbs := blocksFor[edit]
		modalIDs := fzBlockIDs(fbs)
		st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
		if prefill {
			st = fzPrefill(fbs)
		}
		fzSet(st, BlockPlanHeadline, ActionPlanHeadline, slack.BlockAction{Value: headline})
		fzSet(st, BlockPlanHorizon, ActionPlanHorizon, slack.BlockAction{SelectedDate: horizon})
		for _, th := range []struct {
			slot                 uint8
			area, title, actions string
		}{{slotA, areaA, titleA, actionsA}, {slotB, areaB, titleB, actionsB}} {
			n := 1 + int(th.slot)%coach.MaxThemes
			slot := fmt.Sprint(n)
			fzSet(st, ThemeBlockID(n, ActionThemeArea), ActionID(ActionThemeArea, slot), slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: th.area}})
			fzSet(st, ThemeBlockID(n, ActionThemeTitle), ActionID(ActionThemeTitle, slot), slack.BlockAction{Value: th.title})
			fzSet(st, ThemeBlockID(n, ActionThemeActions), ActionID(ActionThemeActions, slot), slack.BlockAction{Value: th.actions})
		}
		if extraBlock != "" {
			fzSet(st, extraBlock, extraAction, slack.BlockAction{Value: extraValue, SelectedDate: extraValue, SelectedOption: slack.OptionBlockObject{Value: extraValue}})
		}

		p, errs := ParsePlanModal(fzModel, old, st, fzNow)

		// Which slots hold a theme, as the parser reads them.
		filled := map[int]bool{}
		for n := 1; n <= coach.MaxThemes; n++ {
			area, _ := Field(st, ThemeBlockID(n, ActionThemeArea))
			title, _ := Field(st, ThemeBlockID(n, ActionThemeTitle))
			acts, _ := Field(st, ThemeBlockID(n, ActionThemeActions))
			if area.SelectedOption.Value != "" || strings.TrimSpace(title.Value) != "" || strings.TrimSpace(acts.Value) != "" {
				filled[n] = true
			}
		}
		if len(errs) > 0 {
			for k, msg := range errs {
				if msg == "" {
					t.Fatalf("empty error message on %q", k)
				}
				if !modalIDs[k] {
					t.Fatalf("error on %q, not a block of the plan modal: %v", k, errs)
				}
				// An error on an empty theme slot only makes sense when
				// there is no theme at all ("a plan needs at least 1 theme").
				if n, ok := fzThemeSlot(k); ok && !filled[n] && len(filled) > 0 {
					t.Fatalf("error %q on %s, but slot %d is empty (filled: %v); state %s", msg, k, n, filled, fzStateString(st))
				}
			}
			return
		}
		if err := p.Validate(fzModel, fzNow); err != nil {
			t.Fatalf("accepted plan does not validate: %v", err)
		}
		if len(p.Themes) != len(filled) {
			t.Fatalf("%d themes from %d filled slots", len(p.Themes), len(filled))
		}
		if p.Owner != old.Owner || !p.UpdatedAt.Equal(fzNow) || !p.Horizon.After(fzNow) {
			t.Fatalf("plan owner %q updated %s horizon %s", p.Owner, p.UpdatedAt, p.Horizon)
		}
		if want := old.CreatedAt; (want.IsZero() && !p.CreatedAt.Equal(fzNow)) || (!want.IsZero() && !p.CreatedAt.Equal(want)) {
			t.Fatalf("plan created %s, old plan created %s", p.CreatedAt, old.CreatedAt)
		}
		ids := map[string]bool{}
		i := 0
		for n := 1; n <= coach.MaxThemes; n++ {
			if !filled[n] {
				continue
			}
			th := p.Themes[i]
			i++
			if th.ID == "" || ids[th.ID] {
				t.Fatalf("theme %d has id %q, empty or taken: %+v", n, th.ID, p.Themes)
			}
			ids[th.ID] = true
			if n <= len(old.Themes) && th.ID != old.Themes[n-1].ID {
				t.Fatalf("slot %d edits theme %s but got id %s", n, old.Themes[n-1].ID, th.ID)
			}
			actionIDs := map[string]bool{}
			for _, a := range th.Actions {
				if a.ID == "" || actionIDs[a.ID] {
					t.Fatalf("theme %s: action id %q empty or taken", th.ID, a.ID)
				}
				actionIDs[a.ID] = true
			}
		}
	})
}

// fzThemeSlot reads the slot number from a theme block id.
func fzThemeSlot(block string) (int, bool) {
	rest, ok := strings.CutPrefix(block, BlockThemePrefix)
	if !ok || rest == "" {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:1])
	return n, err == nil
}

func fzStateString(st *slack.ViewState) string {
	var b strings.Builder
	keys := make([]string, 0, len(st.Values))
	for k := range st.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for a, v := range st.Values[k] {
			fmt.Fprintf(&b, "%s/%s=%q|%q|%q ", k, a, v.Value, v.SelectedOption.Value, v.SelectedDate)
		}
	}
	return b.String()
}
