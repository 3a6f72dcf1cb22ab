package main

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/microcoach/microcoach/slackemu"
)

// TestManifestScopesAreWhatTheTestsRunWith: the end-to-end tests and the
// demo run against a local Slack that grants exactly the manifest's bot
// scopes, so a method that needs a scope the manifest lacks fails here
// (missing_scope) before it fails in a real workspace.
func TestManifestScopesAreWhatTheTestsRunWith(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../deploy/slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, emu.APIURL()+"auth.test", nil)
	req.Header.Set("Authorization", "Bearer "+emu.BotToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	granted := strings.Split(resp.Header.Get("X-OAuth-Scopes"), ",")
	manifest := slices.Clone(m.OAuth.Scopes.Bot)
	slices.Sort(granted)
	slices.Sort(manifest)
	if !slices.Equal(granted, manifest) {
		t.Errorf("the local Slack grants %v, the manifest asks for %v", granted, manifest)
	}
	var ev struct {
		Settings struct {
			Events struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	events := slices.Clone(ev.Settings.Events.Bot)
	slices.Sort(events)
	if got := emu.BotEvents(); !slices.Equal(got, events) {
		t.Errorf("the local Slack delivers %v, the manifest subscribes to %v", got, events)
	}
	for _, gone := range []string{"chat:write.public", "im:read"} {
		if slices.Contains(manifest, gone) {
			t.Errorf("the manifest asks for %s, which microcoach does not use", gone)
		}
	}
}
