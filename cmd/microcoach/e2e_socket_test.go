package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

func TestReconnects(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{WarningGrace: 200 * time.Millisecond}, nil)
	for _, fault := range []struct {
		name string
		do   func()
	}{
		{"refresh_requested", func() { h.emu.Disconnect("refresh_requested") }},
		{"warning", func() { h.emu.Disconnect("warning") }},
		{"dropped socket", h.emu.DropSockets},
	} {
		t.Run(fault.name, func(t *testing.T) {
			before := h.emu.Connects()
			fault.do()
			// A command typed while the bot reconnects is still answered:
			// Slack holds it for a connection until its ack deadline.
			got := h.slash(ana, "/rate", "execution 7")
			mustContain(t, got, "you rated yourself *7*/10")
			ctx := ctxT(t)
			if err := h.emu.WaitConnects(ctx, before+1); err != nil {
				t.Fatalf("the bot did not reconnect: %v", err)
			}
			if err := h.emu.WaitConnected(ctx, 1); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, a := range h.emu.Acks() {
		if a.Late || a.Dropped {
			t.Errorf("ack %s late or dropped: %+v", a.EnvelopeID, a)
		}
	}
}

// runOnce runs microcoach with env and returns what it logged and its error.
func runOnce(t *testing.T, env map[string]string) (string, error) {
	t.Helper()
	// No admin listener unless asked for: 127.0.0.1:9090 may be taken on
	// the machine, which is not what these tests are about.
	t.Setenv("MICROCOACH_ADMIN_ADDR", "")
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out, logs bytes.Buffer
	err := run(ctx, []string{"serve"}, &out, &logs)
	return logs.String(), err
}

func TestRefusedTokensExitTwo(t *testing.T) {
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	base := map[string]string{
		"MICROCOACH_SLACK_API_URL": emu.APIURL(),
		"MICROCOACH_DB_PATH":       filepath.Join(t.TempDir(), "db"),
		"MICROCOACH_ADMIN_ADDR":    "",
	}
	for _, tc := range []struct {
		name, app, bot, variable string
	}{
		{"bad bot token", emu.AppToken(), "xoxb-wrong", "SLACK_BOT_TOKEN"},
		{"bad app token", "xapp-1-wrong", emu.BotToken(), "SLACK_APP_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SLACK_APP_TOKEN": tc.app, "SLACK_BOT_TOKEN": tc.bot}
			for k, v := range base {
				env[k] = v
			}
			logs, err := runOnce(t, env)
			var stderr bytes.Buffer
			if code := exitCode(err, &stderr); code != 2 {
				t.Fatalf("exit %d (%v), want 2\n%s", code, err, logs)
			}
			mustContain(t, stderr.String(), tc.variable, "Slack refused the token")
			if strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
				t.Errorf("more than one line: %q", stderr.String())
			}
			mustNotContain(t, stderr.String()+logs, tc.app, tc.bot)
		})
	}
}

func TestBadConfigurationExitTwo(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SLACK_APP_TOKEN": "", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN: is not set"},
		{map[string]string{"SLACK_APP_TOKEN": "xoxb-1", "SLACK_BOT_TOKEN": "xoxb-1"}, `SLACK_APP_TOKEN: must be an app-level token starting with xapp- (got one starting with "xoxb-")`},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxp-1"}, "SLACK_BOT_TOKEN: must be a bot token starting with xoxb-"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_SLACK_API_URL": "slack.com/api"}, "MICROCOACH_SLACK_API_URL"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_ADMIN_ADDR": "nonsense"}, "MICROCOACH_ADMIN_ADDR"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_NUDGE_SCHEDULE": "every monday"}, "MICROCOACH_NUDGE_SCHEDULE"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_CHECKIN_SCHEDULE": "0 0 30 2 *"}, `MICROCOACH_CHECKIN_SCHEDULE: "0 0 30 2 *" never fires`},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_ADMINS": "UADMIN1,maya"}, `MICROCOACH_ADMINS: "maya" is not a Slack user id`},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_DB_PATH": "/nonexistent-folder/microcoach.db"}, "MICROCOACH_DB_PATH: cannot open /nonexistent-folder/microcoach.db: no such file or directory"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_DB_PATH": "/dev/null/microcoach.db"}, "MICROCOACH_DB_PATH: cannot open /dev/null/microcoach.db: not a directory"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_LOG_LEVEL": "loud"}, "MICROCOACH_LOG_LEVEL"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_DB_PATH": " "}, "MICROCOACH_DB_PATH: is empty"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_MODEL_FILE": "/nonexistent/model.yaml"}, "MICROCOACH_MODEL_FILE: /nonexistent/model.yaml: file not found"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_DATABASE_URL": "mysql://coach:s3cretpw@db/microcoach"}, "MICROCOACH_DATABASE_URL: want a URL that starts with postgres://"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_DATABASE_URL": "postgres://coach:s3cretpw@127.0.0.1:1/microcoach?connect_timeout=2"}, "MICROCOACH_DATABASE_URL: "},
	} {
		t.Run(tc.want, func(t *testing.T) {
			env := map[string]string{"MICROCOACH_SLACK_API_URL": "http://127.0.0.1:1/api/", "MICROCOACH_DB_PATH": filepath.Join(t.TempDir(), "db")}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := runOnce(t, env)
			var stderr bytes.Buffer
			if code := exitCode(err, &stderr); code != 2 {
				t.Fatalf("exit %d (%v), want 2", code, err)
			}
			mustContain(t, stderr.String(), tc.want)
			if strings.Contains(stderr.String(), "s3cretpw") {
				t.Errorf("the password was printed: %s", stderr.String())
			}
			if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n"); lines > 0 {
				t.Errorf("%d lines, want one: %s", lines+1, stderr.String())
			}
		})
	}
}

func TestModelFileWithDuplicateIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.yaml")
	os.WriteFile(path, []byte("areas:\n  - id: a\n    name: A\n  - id: a\n    name: B\n"), 0o600)
	_, err := runOnce(t, map[string]string{"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1", "MICROCOACH_MODEL_FILE": path, "MICROCOACH_DB_PATH": filepath.Join(t.TempDir(), "db")})
	var stderr bytes.Buffer
	if code := exitCode(err, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	mustContain(t, stderr.String(), path+":4: areas[1].id: duplicate id")
}

func TestLockedDatabase(t *testing.T) {
	emu := slackemu.New(slackemu.Options{})
	emu.Start()
	defer emu.Close()
	path := filepath.Join(t.TempDir(), "locked.db")
	held, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	start := time.Now()
	_, err = runOnce(t, map[string]string{"SLACK_APP_TOKEN": emu.AppToken(), "SLACK_BOT_TOKEN": emu.BotToken(), "MICROCOACH_SLACK_API_URL": emu.APIURL(), "MICROCOACH_DB_PATH": path, "MICROCOACH_ADMIN_ADDR": ""})
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %s: a locked file must not hang", time.Since(start))
	}
	var stderr bytes.Buffer
	if code := exitCode(err, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	mustContain(t, stderr.String(), "locked by another process")
}
