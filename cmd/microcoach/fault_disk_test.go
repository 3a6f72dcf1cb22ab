package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microcoach/microcoach/slackemu"
)

// smallDisk mounts a tmpfs of size bytes for the test, or skips it when
// that is not possible (not root, no mount).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a real full disk needs a tmpfs mount, which needs root; run the suite as root to include this test")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s); skipping the full-disk test", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes path until the disk is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	// Fill the last partial block too.
	for range 64 {
		if _, err := f.Write(buf[:512]); err != nil {
			break
		}
	}
	f.Sync()
}

// TestFullDisk: on a real full disk /readyz fails with the reason and the
// failed-writes metric rises; a command is either kept or the person is
// told it was not saved; when space returns, both recover by themselves.
func TestFullDisk(t *testing.T) {
	t.Parallel()
	dir := smallDisk(t, "4m")
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	emu.AddUser(ana)
	cfg := DefaultConfig()
	cfg.AppToken, cfg.BotToken, cfg.SlackAPIURL = emu.AppToken(), emu.BotToken(), emu.APIURL()
	cfg.DBPath, cfg.AdminAddr, cfg.LogLevel = filepath.Join(dir, "microcoach.db"), "127.0.0.1:0", "warn"
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	admin := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, logs, &hooks{probeEvery: 50 * time.Millisecond, admin: func(a string) { admin <- a }})
	}()
	defer func() { cancel(); <-done }()
	base := "http://" + <-admin
	if err := emu.WaitConnected(ctxT(t), 1); err != nil {
		t.Fatal(err)
	}
	readyz := func() (int, string) { return httpGet(t, base+"/readyz") }
	eventually(t, "ready", func() bool { c, _ := readyz(); return c == http.StatusOK })
	failures := func() float64 {
		fams := scrape(t, base)
		return fams["microcoach_db_write_failures_total"].GetMetric()[0].GetCounter().GetValue()
	}
	if n := failures(); n != 0 {
		t.Fatalf("%v write failures before the disk filled", n)
	}

	filler := filepath.Join(dir, "filler")
	fill(t, filler)
	eventually(t, "/readyz to fail", func() bool { c, _ := readyz(); return c == http.StatusServiceUnavailable })
	_, body := readyz()
	mustContain(t, body, "database not writable", "no space left on device")
	if n := failures(); n == 0 {
		t.Error("microcoach_db_write_failures_total did not rise")
	}
	// A command now is kept, or the person is told it was not.
	n := emu.SeenCount(ana.ID)
	res, err := emu.Slash(ctxT(t), ana.ID, "/rate", "planning 4 on a full disk")
	if err != nil || !res.Acked {
		t.Fatalf("command on a full disk: acked=%v err=%v", res.Acked, err)
	}
	s, err := emu.WaitSeenAfter(ctxT(t), ana.ID, n, slackemu.Kind(slackemu.SeenEphemeral))
	if err != nil {
		t.Fatalf("no answer on a full disk: %v\n%s", err, logs)
	}
	t.Logf("answer on a full disk: %s", s.Text())

	os.Remove(filler)
	eventually(t, "/readyz to recover", func() bool { c, _ := readyz(); return c == http.StatusOK })
	n = emu.SeenCount(ana.ID)
	if _, err := emu.Slash(ctxT(t), ana.ID, "/rate", "planning 8 after the disk recovered"); err != nil {
		t.Fatal(err)
	}
	s, err = emu.WaitSeenAfter(ctxT(t), ana.ID, n, slackemu.Kind(slackemu.SeenEphemeral))
	if err != nil || !strings.Contains(s.Text(), "*8*/10") {
		t.Fatalf("after recovery: %v %q\n%s", err, s.Text(), logs)
	}
}
