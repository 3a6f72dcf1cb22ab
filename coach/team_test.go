package coach

import (
	"errors"
	"testing"
	"time"
)

func TestCheckManager(t *testing.T) {
	// ceo ← vp ← lead; pm has no manager; other has manager "vp".
	managers := map[string]string{"vp": "ceo", "lead": "vp", "other": "vp"}
	managerOf := func(id string) string { return managers[id] }
	tests := []struct {
		name    string
		manager string
		report  Person
		want    TeamRefusal // 0: allowed
	}{
		{"new report", "lead", Person{ID: "pm"}, 0},
		{"moves from another manager", "lead", Person{ID: "other", Manager: "vp"}, 0},
		{"yourself", "lead", Person{ID: "lead", Manager: "vp"}, RefuseSelf},
		{"already yours", "vp", Person{ID: "other", Manager: "vp"}, RefuseAlreadyYours},
		{"your own manager", "lead", Person{ID: "vp", Manager: "ceo"}, RefuseCycle},
		{"top of your chain", "lead", Person{ID: "ceo"}, RefuseCycle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckManager(tc.manager, tc.report, managerOf)
			if tc.want == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var te *TeamError
			if !errors.As(err, &te) || te.Reason != tc.want {
				t.Fatalf("CheckManager = %v, want reason %d", err, tc.want)
			}
		})
	}
}

func TestCheckManagerSurvivesOldCycle(t *testing.T) {
	managers := map[string]string{"a": "b", "b": "a"}
	if err := CheckManager("a", Person{ID: "c"}, func(id string) string { return managers[id] }); err != nil {
		t.Fatalf("refused: %v", err)
	}
}

func TestInvitationExpires(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	inv := NewInvitation("maya", "ana", at)
	if inv.Expired(at.Add(InvitationLifetime - time.Second)) {
		t.Error("expired a second before its lifetime ends")
	}
	if !inv.Expired(at.Add(InvitationLifetime)) {
		t.Error("still open when its lifetime has ended")
	}
}

func TestCompare(t *testing.T) {
	m := PMwheel()
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	r := func(rater, area string, score, day int) Rating {
		return Rating{Subject: "pm", Rater: rater, Area: area, Score: score, At: at.AddDate(0, 0, day)}
	}
	ratings := []Rating{
		r("pm", "planning", 8, 0), r("boss", "planning", 7, 1), // gap +1
		r("boss", "planning", 5, 10),                   // gap widens to +3
		r("pm", "team", 4, 2), r("boss", "team", 7, 3), // -3
		r("old-boss", "agile", 2, 0), r("pm", "agile", 7, 1), // former manager ignored
		r("pm", "execution", 6, 0),
	}
	cmp := Compare(m, "pm", "boss", ratings)
	byArea := map[string]AreaComparison{}
	for _, c := range cmp {
		byArea[c.Area.ID] = c
	}
	if len(cmp) != len(m.Areas) {
		t.Fatalf("%d comparisons, want one per area", len(cmp))
	}
	pl := byArea["planning"]
	if !pl.HasGap || pl.Gap != 3 || !pl.Flagged() || !pl.HasPrevGap || pl.PrevGap != 1 {
		t.Errorf("planning = gap %d (prev %d, %v), want +3 after +1", pl.Gap, pl.PrevGap, pl.HasPrevGap)
	}
	if got := pl.ManagerSeries; len(got) != 2 || got[1] != 5 {
		t.Errorf("planning manager series = %v", got)
	}
	if tm := byArea["team"]; tm.Gap != -3 || !tm.Flagged() {
		t.Errorf("team gap = %d, want -3 flagged", tm.Gap)
	}
	if ag := byArea["agile"]; ag.HasGap || ag.Manager != nil {
		t.Errorf("a former manager's rating counts: %+v", ag)
	}
	if ex := byArea["execution"]; ex.HasGap || ex.Self == nil || ex.Self.Score != 6 {
		t.Errorf("execution = %+v", ex)
	}
	big, ok := BiggestGap(cmp)
	if !ok || big.Area.ID != "planning" {
		t.Errorf("BiggestGap = %s, want planning (first of the ±3 gaps)", big.Area.ID)
	}
}

func TestSortWorstFirst(t *testing.T) {
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	ss := []ReportStatus{
		{Person: Person{ID: "fine", Name: "a"}, HasPlan: true},
		{Person: Person{ID: "red", Name: "b"}, HasPlan: true, RedThemes: 1},
		{Person: Person{ID: "paused", Name: "c"}, Paused: true, RedThemes: 2},
		{Person: Person{ID: "noplan", Name: "d"}},
		{Person: Person{ID: "silent", Name: "e"}, HasPlan: true, Unanswered: 2},
	}
	SortWorstFirst(ss, now)
	var got []string
	for _, s := range ss {
		got = append(got, s.Person.ID)
	}
	want := []string{"red", "silent", "noplan", "fine", "paused"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	if r := ss[4].Reasons(now); len(r) != 0 {
		t.Errorf("a paused person has reasons: %v", r)
	}
}
