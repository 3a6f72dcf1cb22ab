package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microcoach/microcoach/slackemu"
)

func TestWatchSignals(t *testing.T) {
	t.Parallel()
	sigs := make(chan os.Signal, 2)
	exited := make(chan int, 1)
	var stderr syncBuffer
	ctx, stop := watchSignals(context.Background(), sigs, &stderr, func(code int) { exited <- code })
	defer stop()

	sigs <- syscall.SIGTERM
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the first signal did not start the shutdown")
	}
	select {
	case code := <-exited:
		t.Fatalf("exited with %d after one signal", code)
	default:
	}
	sigs <- os.Interrupt
	select {
	case code := <-exited:
		if code != 1 {
			t.Errorf("second signal: exit %d, want 1", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second signal did not exit")
	}
	mustContain(t, stderr.String(), "second signal (interrupt): exiting now")
}

// TestOpsHelperProcess is microcoach's main in a child process, for the
// tests below; it does nothing in a normal test run.
func TestOpsHelperProcess(t *testing.T) {
	if os.Getenv("MICROCOACH_OPS_HELPER") != "1" {
		t.Skip("helper process")
	}
	os.Args = []string{"microcoach", "serve"}
	main()
}

// child starts the real main in a process of its own with env.
func child(t *testing.T, env map[string]string) (*exec.Cmd, *syncBuffer, chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpsHelperProcess$")
	cmd.Env = append(os.Environ(), "MICROCOACH_OPS_HELPER=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	return cmd, stderr, done
}

func exitStatus(t *testing.T, done chan error, within time.Duration, stderr *syncBuffer) int {
	t.Helper()
	select {
	case err := <-done:
		done <- err // for the cleanup
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(within):
		t.Fatalf("the process did not exit within %s\n%s", within, stderr)
		return -1
	}
}

// TestSignalsEndToEnd sends real signals to a real process: SIGTERM stops
// it cleanly with status 0; a second SIGINT while sends hang exits at once
// with status 1.
func TestSignalsEndToEnd(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Run("SIGTERM", func(t *testing.T) {
		emu := slackemu.New(slackemu.Options{})
		if err := emu.Start(); err != nil {
			t.Fatal(err)
		}
		defer emu.Close()
		cmd, stderr, done := child(t, map[string]string{
			"SLACK_APP_TOKEN": emu.AppToken(), "SLACK_BOT_TOKEN": emu.BotToken(),
			"MICROCOACH_SLACK_API_URL": emu.APIURL(), "MICROCOACH_DB_PATH": filepath.Join(t.TempDir(), "db"),
			"MICROCOACH_ADMIN_ADDR": "127.0.0.1:0",
		})
		if err := emu.WaitConnected(ctxT(t), 1); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		if code := exitStatus(t, done, 15*time.Second, stderr); code != 0 {
			t.Fatalf("exit %d after SIGTERM, want 0\n%s", code, stderr)
		}
		mustContain(t, stderr.String(), "shutting down", "stopped")
	})
	t.Run("second SIGINT", func(t *testing.T) {
		f := newStopFanout(t, 10)
		cmd, stderr, done := child(t, map[string]string{
			"SLACK_APP_TOKEN": f.emu.AppToken(), "SLACK_BOT_TOKEN": f.emu.BotToken(),
			"MICROCOACH_SLACK_API_URL": f.slow.apiURL(), "MICROCOACH_DB_PATH": f.dbPath,
			"MICROCOACH_ADMIN_ADDR": "", "MICROCOACH_NUDGE_SCHEDULE": "@every 1h",
		})
		eventually(t, "a post in flight", func() bool { return f.slow.posts.Load() > 0 })
		cmd.Process.Signal(os.Interrupt)
		eventually(t, "the shutdown to begin", func() bool { return strings.Contains(stderr.String(), "shutting down") })
		start := time.Now()
		cmd.Process.Signal(os.Interrupt)
		if code := exitStatus(t, done, 5*time.Second, stderr); code != 1 {
			t.Fatalf("exit %d after a second SIGINT, want 1\n%s", code, stderr)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("the second signal took %s to exit", took)
		}
		if !bytes.Contains([]byte(stderr.String()), []byte("second signal (interrupt)")) {
			t.Errorf("no word of the second signal:\n%s", stderr)
		}
	})
}
