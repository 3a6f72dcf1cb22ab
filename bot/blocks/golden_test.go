package blocks

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current views")

// golden compares v's JSON with testdata/<name>.golden.json, and checks it
// against Block Kit's limits as the local Slack enforces them.
func golden(t *testing.T, name string, surface slackemu.Surface, v any) []byte {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	checkBlockKit(t, surface, got)
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/blocks -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./bot/blocks -run %s -update and review the diff\n got: %s", path, t.Name(), firstDiff(got, want))
	}
	return got
}

func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range g {
		if i >= len(w) || g[i] != w[i] {
			wl := ""
			if i < len(w) {
				wl = w[i]
			}
			return "line " + itoa(i+1) + ": " + strings.TrimSpace(g[i]) + "\nwant: " + strings.TrimSpace(wl)
		}
	}
	return "(golden file is longer)"
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// checkBlockKit fails the test when the view or message breaks a limit.
func checkBlockKit(t *testing.T, surface slackemu.Surface, raw []byte) {
	t.Helper()
	var problems []string
	switch surface {
	case slackemu.SurfaceModal, slackemu.SurfaceHome:
		problems = slackemu.ValidateView(raw)
	default:
		var msg struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(raw, &msg); err != nil {
			t.Fatal(err)
		}
		problems = slackemu.ValidateBlocks(surface, msg.Blocks)
	}
	for _, p := range problems {
		t.Errorf("Block Kit: %s", p)
	}
}

// message is how a reply goes over the wire.
func message(r Reply) slack.Msg {
	return slack.Msg{Text: r.Text, Blocks: slack.Blocks{BlockSet: r.Blocks}}
}

var (
	gNow  = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	model = coach.PMwheel()
)

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func indexOf(s, sub string) int { return strings.Index(s, sub) }
