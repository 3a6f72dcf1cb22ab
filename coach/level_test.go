package coach

import "testing"

func TestLevelOf(t *testing.T) {
	m := PMwheel()
	planning, _ := m.Area("planning")
	for score, want := range map[int]Level{1: Beginner, 3: Beginner, 4: Intermediate, 7: Intermediate, 8: Advanced, 10: Advanced} {
		l, what := m.LevelOf(planning, score)
		if l != want || what == "" {
			t.Errorf("score %d: %v %q, want %v with a description", score, l, what, want)
		}
	}
	if lo, hi := DefaultBands.Range(Intermediate); lo != 4 || hi != 7 {
		t.Errorf("intermediate is %d–%d", lo, hi)
	}
	if err := (Bands{BeginnerMax: 5, IntermediateMax: 5}).Validate(); err == nil {
		t.Error("an empty intermediate band passed")
	}
	m.Bands = Bands{BeginnerMax: 2, IntermediateMax: 9}
	if l, _ := m.LevelOf(planning, 9); l != Intermediate {
		t.Errorf("9 with 3–9 intermediate is %v", l)
	}
}
