package postgres

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// A replica in a process of its own, for the tests that kill one with
// SIGKILL.

// startChild runs this test binary as a replica doing role (see
// TestChildReplica) against url and returns once it says "ready" and the
// rest of its output.
func startChild(t *testing.T, url, role string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildReplica$")
	cmd.Env = append(os.Environ(), "MICROCOACH_CHILD_ROLE="+role, "MICROCOACH_CHILD_URL="+url)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if lines.Text() == "ready" {
			return cmd, lines
		}
	}
	t.Fatalf("child replica (%s) did not get ready: %v", role, lines.Err())
	return nil, nil
}

// TestChildReplica is the replica startChild runs in a process of its
// own; it is skipped as a test. It prints "ready" when it has done its
// part and then waits to be killed.
func TestChildReplica(t *testing.T) {
	role, url := os.Getenv("MICROCOACH_CHILD_ROLE"), os.Getenv("MICROCOACH_CHILD_URL")
	if role == "" {
		t.Skip("run by the tests that kill a replica")
	}
	db, err := Open(context.Background(), url, Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	switch role {
	case "inbox":
		in, err := db.OpenInbox(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		add(t, in, nil, "e1", "e2")
		add(t, in, nil, "e3")
		fmt.Println("ready")
	case "leader":
		l := db.Leader(LeaderOptions{Interval: 100 * time.Millisecond})
		l.Run(context.Background(), func(ctx context.Context) {
			fmt.Println("ready")
			<-ctx.Done()
		})
	}
	time.Sleep(time.Hour) // until killed
}
