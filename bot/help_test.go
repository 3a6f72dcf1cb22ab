package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

var update = flag.Bool("update", false, "rewrite testdata/help.golden.json from the current registry")

var (
	gNow  = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	model = coach.PMwheel()
)

// TestGoldenHelp pins /coach help as the registry makes it. It is the one
// view whose input is the bot's own registry, so its golden file stays
// here; every other view's is in blocks/testdata.
func TestGoldenHelp(t *testing.T) {
	r := blocks.Help(model, helpRows(coachCommands(nil)))
	got, err := json.MarshalIndent(slack.Msg{Text: r.Text, Blocks: slack.Blocks{BlockSet: r.Blocks}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	var msg struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(got, &msg); err != nil {
		t.Fatal(err)
	}
	for _, p := range slackemu.ValidateBlocks(slackemu.SurfaceMessage, msg.Blocks) {
		t.Errorf("Block Kit: %s", p)
	}
	path := filepath.Join("testdata", "help.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run TestGoldenHelp -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./bot -run TestGoldenHelp -update and review the diff\n got: %s", path, got)
	}
}
