package blocks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/microcoach/microcoach/coach"
)

// TestGoldenViewsAreTidy sweeps every golden view for what reads badly:
// monospace tables wider than a phone (40 characters), a doubled
// "(optional)", separators left dangling at the start or end of a line or
// doubled, and text cut short without a way to read the rest.
func TestGoldenViewsAreTidy(t *testing.T) {
	files, err := filepath.Glob("testdata/*.golden.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	code := regexp.MustCompile("(?s)```(.*?)```")
	dangling := regexp.MustCompile(`(?m)(^\s*[·|] )|( [·|]\s*$)|( · +· )`)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				if x["type"] == "input" && x["optional"] == true {
					// Slack marks an optional input "(optional)" itself.
					if strings.Contains(string(mustMarshal(t, x)), "(optional)") {
						t.Errorf("%s: an optional input says (optional) again: %v", filepath.Base(f), x["label"])
					}
				}
				for k, y := range x {
					if s, ok := y.(string); ok && k == "text" {
						texts = append(texts, s)
					}
					walk(y)
				}
			case []any:
				for _, y := range x {
					walk(y)
				}
			}
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walk(doc)
		for _, s := range texts {
			s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
			if filepath.Base(f) == "plan_conflict.golden.json" {
				// The plan as text to copy back into the form: a code
				// block keeps its lines, and it is not a table.
				continue
			}
			for _, m := range code.FindAllStringSubmatch(s, -1) {
				for _, line := range strings.Split(m[1], "\n") {
					if n := utf8.RuneCountInString(line); n > 40 {
						t.Errorf("%s: a monospace line of %d characters (a phone shows 40): %q", filepath.Base(f), n, line)
					}
				}
			}
			if strings.Count(strings.ToLower(s), "(optional)") > 1 && strings.Contains(strings.ToLower(s), "(optional) (optional)") {
				t.Errorf("%s: doubled (optional): %q", filepath.Base(f), s)
			}
			if dangling.MatchString(s) {
				t.Errorf("%s: a dangling separator: %q", filepath.Base(f), s)
			}
		}
	}
}

// An action of the 200 characters a plan allows is readable whole on the
// Home tab, where checkboxes hold 75.
func TestLongActionShownWhole(t *testing.T) {
	p := samplePlan()
	long := strings.Repeat("Send the stakeholder update before planning, risks first. ", 4)[:200]
	p.Themes[1].Actions = append(p.Themes[1].Actions, coachAction("a2", long))
	raw := string(mustMarshal(t, planBlocks(model, p, nil, gNow, true)))
	if !strings.Contains(raw, "In full: 2. "+long) {
		t.Fatalf("the whole action is not shown:\n%s", raw)
	}
}

func coachAction(id, text string) coach.Action { return coach.Action{ID: id, Text: text} }
