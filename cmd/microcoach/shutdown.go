package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/scheduler"
)

// drainTimeout bounds what shutdown waits for: Slack calls already in
// flight (scheduled posts, replies to commands) and the inbox's workers
// get this long; what is not done by then stays in the inbox (and the
// ledger) for the next start. 7 s leaves room within docker stop's
// default 10 s, and Kubernetes' 30 s grace, for closing the database.
const drainTimeout = 7 * time.Second

// exitForced is the exit status after a second signal. It is 1, the code
// for "anything else" that the interface documents, rather than the shell's
// 128+signal: the same signal handling covers SIGTERM (143) and SIGINT
// (130), and supervisors only need to tell 0 from failure.
const exitForced = 1

// watchSignals cancels the returned context at the first signal on sigs,
// so that serve shuts down gracefully, and calls exit(exitForced) at the
// second, for an operator who will not wait. stop ends the watch.
func watchSignals(parent context.Context, sigs <-chan os.Signal, stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "microcoach: second signal (%s): exiting now without waiting for in-flight work; unsent messages go out at the next start\n", s)
			exit(exitForced)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		cancel()
	}
}

// drainContext returns a context that ctx's cancellation does not end:
// it ends grace after ctx does, or when cancel is called.
func drainContext(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	drain, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-drain.Done():
		}
	})
	return drain, func() {
		stop()
		cancel()
	}
}

// drainOutbox lets a scheduled post that has begun finish after shutdown
// starts. The scheduler stops handing out work when its context ends; a
// post already running goes on until drain ends, instead of being cut off
// between Slack accepting it and the ledger recording it.
type drainOutbox struct {
	scheduler.Outbox
	drain context.Context
}

func (o drainOutbox) Post(ctx context.Context, d coach.Delivery) (string, string, error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(o.drain, cancel)()
	return o.Outbox.Post(ctx, d)
}
