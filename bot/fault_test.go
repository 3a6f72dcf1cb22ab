package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// fullDisk is a store whose every write fails as a full disk would.
type fullDisk struct{ *storage.DB }

var errNoSpace = fmt.Errorf("storage: write: %w", syscall.ENOSPC)

func (fullDisk) AddRatings(coach.Person, []coach.Rating, string) ([]coach.Rating, error) {
	return nil, errNoSpace
}

func (fullDisk) UpdatePlan(string, string, coach.PlanEdit) (coach.Plan, error) {
	return coach.Plan{}, errNoSpace
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestFullDiskTellsThePerson: when the database cannot write, the person
// is told their change was not saved, the log says why with their id, and
// nothing is stored.
func TestFullDiskTellsThePerson(t *testing.T) {
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	emu.AddUser(slackemu.User{ID: "UANA", Name: "ana"})
	db, err := storage.Open(filepath.Join(t.TempDir(), "full.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	api := slack.New(emu.BotToken(), slack.OptionAppLevelToken(emu.AppToken()), slack.OptionAPIURL(emu.APIURL()))
	logs := &lockedBuffer{}
	b := New(Config{API: api, SlackAPIURL: emu.APIURL(), Store: fullDisk{db}, Model: model, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, socketmode.New(api)) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := emu.WaitConnected(wctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := emu.Slash(wctx, "UANA", "/rate", "planning 7 a note"); err != nil {
		t.Fatal(err)
	}
	s, err := emu.WaitSeen(wctx, "UANA", slackemu.Kind(slackemu.SeenEphemeral))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Text(), "nothing was saved") {
		t.Errorf("the person saw %q", s.Text())
	}
	if l := logs.String(); !strings.Contains(l, "no space left on device") || !strings.Contains(l, "user=UANA") {
		t.Errorf("log lacks the cause or the person:\n%s", l)
	}
	if rs, _ := db.Ratings("UANA", ""); len(rs) != 0 {
		t.Errorf("stored %d ratings on a full disk", len(rs))
	}
}
