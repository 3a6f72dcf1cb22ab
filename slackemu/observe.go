package slackemu

import (
	"context"
	"slices"
	"strings"
)

// observations are what the Go API exposes about what happened. Guarded by
// Server.mu.
type observations struct {
	seen      map[string][]Seen
	changed   chan struct{} // closed and replaced whenever seen or calls grow
	acks      []Ack
	calls     []Call
	okCalls   map[string]int // method → calls answered ok
	envelopes []EnvelopeRecord
	envIndex  map[string]int // envelope id -> index in envelopes
}

func (o *observations) init() {
	o.seen = map[string][]Seen{}
	o.okCalls = map[string]int{}
	o.changed = make(chan struct{})
	o.envIndex = map[string]int{}
}

// see records that a person saw something. The caller holds Server.mu.
func (s *Server) see(userID string, e Seen) {
	if userID == "" || userID == s.opts.BotUserID {
		return
	}
	list := s.obs.seen[userID]
	e.Seq = len(list) + 1
	if e.At.IsZero() {
		e.At = s.now()
	}
	s.viewer = userID // <!date> renders in the viewer's zone
	e.rendered = s.renderSeen(e)
	s.viewer = ""
	s.obs.seen[userID] = append(list, e)
	s.changedNow()
}

// changedNow wakes whoever waits on what was seen or called. The caller
// holds Server.mu.
func (s *Server) changedNow() {
	close(s.obs.changed)
	s.obs.changed = make(chan struct{})
}

// Seen returns everything a person has seen, in order. The entries share
// their Blocks with the server: do not modify them.
func (s *Server) Seen(userID string) []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.obs.seen[userID])
}

// SeenCount is the number of things a person has seen so far; pass it to
// WaitSeenAfter to wait only for what comes next.
func (s *Server) SeenCount(userID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.obs.seen[userID])
}

// WaitSeen waits until the person has seen something matching match
// (anything, if match is nil), looking at everything they saw so far too.
func (s *Server) WaitSeen(ctx context.Context, userID string, match func(Seen) bool) (Seen, error) {
	return s.WaitSeenAfter(ctx, userID, 0, match)
}

// WaitSeenAfter is WaitSeen ignoring the first n things the person saw.
func (s *Server) WaitSeenAfter(ctx context.Context, userID string, n int, match func(Seen) bool) (Seen, error) {
	next := n
	for {
		s.mu.Lock()
		list := s.obs.seen[userID]
		for ; next < len(list); next++ {
			if match == nil || match(list[next]) {
				e := list[next]
				s.mu.Unlock()
				return e, nil
			}
		}
		changed := s.obs.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Seen{}, ctx.Err()
		case <-s.done:
			return Seen{}, ErrClosed
		}
	}
}

// Kind matches Seen entries of the given kinds; use it with WaitSeen.
func Kind(kinds ...SeenKind) func(Seen) bool {
	return func(e Seen) bool { return slices.Contains(kinds, e.Kind) }
}

// Containing matches Seen entries whose rendered text contains sub.
func Containing(sub string) func(Seen) bool {
	return func(e Seen) bool { return strings.Contains(e.rendered, sub) }
}

// Transcript renders everything a person saw, one entry after another,
// with the author of each message: the demo prints it.
func (s *Server) Transcript(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, e := range s.obs.seen[userID] {
		b.WriteString("[" + string(e.Kind) + "] ")
		switch e.Kind {
		case SeenMessage, SeenEphemeral, SeenMessageUpdate, SeenSent, SeenReaction, SeenCommand:
			if e.From != "" {
				b.WriteString(s.authorName(e.From) + ": ")
			}
		}
		b.WriteString(strings.ReplaceAll(e.rendered, "\n", "\n    "))
		b.WriteString("\n")
	}
	return b.String()
}

// Acks returns every ack read from Socket Mode connections, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.obs.acks)
}

// Calls returns every Web API call, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.obs.calls)
}

// OKCalls is how many calls of a Web API method were answered ok so far.
func (s *Server) OKCalls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.obs.okCalls[method]
}

// WaitCalls waits until at least n calls of method were answered ok (say,
// n messages posted), and returns how many there are.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) (int, error) {
	for {
		s.mu.Lock()
		got, changed := s.obs.okCalls[method], s.obs.changed
		s.mu.Unlock()
		if got >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got, ctx.Err()
		case <-s.done:
			return got, ErrClosed
		}
	}
}

// Envelopes returns every envelope created for Socket Mode, in order.
func (s *Server) Envelopes() []EnvelopeRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.obs.envelopes)
}

// Home returns the person's published Home tab.
func (s *Server) Home(userID string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.ws.homes[userID]
	if !ok {
		return View{}, false
	}
	return s.exportView(v), true
}

// OpenViews returns the person's modal stack, root first.
func (s *Server) OpenViews(userID string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	stack := s.ws.modals[userID]
	out := make([]View, len(stack))
	for i, v := range stack {
		out[i] = s.exportView(v)
	}
	return out
}
