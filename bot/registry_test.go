package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"

	"github.com/microcoach/microcoach/bot/blocks"
)

// TestCoachRegistry: every /coach row has a handler and a unique name,
// help shows every row, and the manifest's usage hint (what Slack's
// command menu shows) names every subcommand.
func TestCoachRegistry(t *testing.T) {
	b := New(Config{Model: model})
	raw, err := os.ReadFile("../deploy/slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			Commands []struct {
				Command   string `yaml:"command"`
				UsageHint string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	hint := ""
	for _, c := range m.Features.Commands {
		if c.Command == "/coach" {
			hint = " " + strings.ReplaceAll(c.UsageHint, "|", " ") + " "
		}
	}
	var help strings.Builder
	for _, bl := range blocks.Help(b.model, helpRows(b.subcommands)).Blocks {
		if sec, ok := bl.(*slack.SectionBlock); ok && sec.Text != nil {
			help.WriteString(sec.Text.Text)
		}
	}
	seen := map[string]bool{}
	for _, s := range b.subcommands {
		if s.run == nil {
			t.Errorf("/coach %s has no handler", s.Name)
		}
		if seen[s.Name] {
			t.Errorf("/coach %s is registered twice", s.Name)
		}
		seen[s.Name] = true
		if !strings.Contains(help.String(), blocks.Escape(s.Usage)) {
			t.Errorf("help does not show %q", s.Usage)
		}
		if !strings.Contains(hint, " "+s.Name+" ") {
			t.Errorf("the manifest's /coach usage hint lacks %q: %q", s.Name, hint)
		}
	}
}

// TestEveryButtonHasAHandler: every action id the golden views carry is
// answered by the registry (input elements inside forms are read at
// submission, not answered).
func TestEveryButtonHasAHandler(t *testing.T) {
	b := New(Config{Model: model})
	files, _ := filepath.Glob("blocks/testdata/*.golden.json")
	help, _ := filepath.Glob("testdata/*.golden.json")
	files = append(files, help...)
	inputs := map[string]bool{blocks.ActionScore: true, blocks.ActionNote: true, blocks.ActionPlanHeadline: true, blocks.ActionPlanHorizon: true,
		blocks.ActionThemeArea: true, blocks.ActionThemeTitle: true, blocks.ActionThemeActions: true, blocks.ActionChallengeText: true}
	ids := regexp.MustCompile(`"action_id":\s*"([^"]+)"`)
	checked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ids.FindAllStringSubmatch(string(raw), -1) {
			id := blocks.BaseAction(m[1])
			if inputs[id] || inputs[strings.SplitN(id, "~", 2)[0]] || strings.Contains(f, "modal_") {
				continue
			}
			checked++
			if _, ok := b.actions[id]; !ok && !strings.HasPrefix(id, blocks.ActionColour+".") {
				t.Errorf("%s: action %q has no handler", filepath.Base(f), m[1])
			}
		}
	}
	if checked == 0 {
		t.Fatal("no action ids found in the golden views")
	}
}
