package blocks

import (
	"strings"
	"testing"

	"github.com/microcoach/microcoach/coach"
)

func TestLevels(t *testing.T) {
	planning := model.Areas[2]
	if got := LevelOf(model, planning, 5, 500); !strings.HasPrefix(got, "intermediate (4–7): "+planning.Levels.Intermediate) {
		t.Errorf("levelOf 5 = %q", got)
	}
	custom := model
	custom.Bands = coach.Bands{BeginnerMax: 4, IntermediateMax: 8}
	hint := levelsHint(custom, planning)
	for _, want := range []string{"1–4 beginner: ", "5–8 intermediate: ", "9–10 advanced: "} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint %q lacks %q", hint, want)
		}
	}
	if opts := scoreOptions(custom); opts[4].Text.Text != "5 · intermediate" || opts[4].Value != "5" {
		t.Errorf("option 5: %q = %q", opts[4].Value, opts[4].Text.Text)
	}
}
