package slackemu

import (
	"maps"
	"math"
	"sync"
	"time"
)

// RateLimits configures Web API rate limiting, off unless Enabled. Limits
// are token buckets: deterministic for a given clock (Options.Now), so a
// benchmark can compute the least time they allow with MinDuration.
//
// Slack's figures ([RL], [PM]): tier 1 ≈ 1+/min, tier 2 ≈ 20+/min, tier 3
// ≈ 50+/min, tier 4 ≈ 100+/min; chat.postMessage ≈ 1 message per second
// per channel with short bursts, plus a workspace cap of "several hundred"
// per minute. A 429 answer carries Retry-After in whole seconds.
type RateLimits struct {
	Enabled bool
	// PostMessagePerChannel is chat.postMessage's sustained rate per
	// channel, per second (default 1).
	PostMessagePerChannel float64
	// PostMessageBurst is how many messages a channel may take at once
	// (default 3).
	PostMessageBurst int
	// PostMessageWorkspacePerMinute caps chat.postMessage across the
	// workspace (default 300, the low end of "several hundred").
	PostMessageWorkspacePerMinute int
	// PerMethodPerMinute limits other methods by their tier (default: the
	// tiers table of SLACK.md; apps.connections.open is tier 1). Each
	// bucket holds one minute's worth of calls. Entries given here replace
	// the defaults (0 lifts a method's limit); methods absent from the
	// merged table are unlimited.
	PerMethodPerMinute map[string]int
	// Scale multiplies every rate and burst (default 1); 10 makes the
	// limits ten times more generous.
	Scale float64
}

// Tier rates from Slack's rate limit docs.
const (
	tier1 = 1
	tier2 = 20
	tier3 = 50
	tier4 = 100
)

// defaultTiers are the per-method limits of SLACK.md's table; methods
// it does not list carry the tier of their docs.slack.dev method page.
var defaultTiers = map[string]int{
	"apps.connections.open":        tier1,
	"auth.test":                    tier4,
	"chat.postEphemeral":           tier4,
	"chat.update":                  tier3,
	"chat.delete":                  tier3,
	"conversations.open":           tier3,
	"conversations.history":        tier3,
	"conversations.info":           tier3,
	"conversations.join":           tier3,
	"conversations.members":        tier4, // docs.slack.dev/reference/methods/conversations.members
	"users.info":                   tier4,
	"users.list":                   tier2,
	"users.lookupByEmail":          tier3, // docs.slack.dev/reference/methods/users.lookupByEmail
	"views.open":                   tier4,
	"views.update":                 tier4,
	"views.push":                   tier4,
	"views.publish":                tier4,
	"files.getUploadURLExternal":   tier4,
	"files.completeUploadExternal": tier4,
	"reactions.add":                tier3,
}

func (l RateLimits) withDefaults() RateLimits {
	if l.PostMessagePerChannel <= 0 {
		l.PostMessagePerChannel = 1
	}
	if l.PostMessageBurst <= 0 {
		l.PostMessageBurst = 3
	}
	if l.PostMessageWorkspacePerMinute <= 0 {
		l.PostMessageWorkspacePerMinute = 300
	}
	if l.Scale <= 0 {
		l.Scale = 1
	}
	merged := maps.Clone(defaultTiers)
	maps.Copy(merged, l.PerMethodPerMinute)
	l.PerMethodPerMinute = merged
	return l
}

// bucket is a token bucket: capacity tokens, refilled at rate per second.
type bucket struct {
	capacity float64
	rate     float64
	tokens   float64
	last     time.Time
}

// take consumes a token, or reports how long until one is available.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	if b.last.IsZero() {
		b.tokens, b.last = b.capacity, now
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(b.capacity, b.tokens+el*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// minTime is the least time n takes from a full bucket need.
func (b bucket) minTime(n int) time.Duration {
	extra := float64(n) - b.capacity
	if extra <= 0 {
		return 0
	}
	return time.Duration(extra / b.rate * float64(time.Second))
}

// limiter applies RateLimits and forced 429s. It has its own lock: it is
// consulted before Server.mu is taken.
type limiter struct {
	cfg RateLimits

	mu        sync.Mutex
	methods   map[string]*bucket
	channels  map[string]*bucket
	workspace *bucket
	forced    map[string]forced
}

type forced struct {
	n     int
	after time.Duration
}

func newLimiter(cfg RateLimits) *limiter {
	return &limiter{cfg: cfg, methods: map[string]*bucket{}, channels: map[string]*bucket{}, forced: map[string]forced{}}
}

func (l RateLimits) methodBucket(method string) (bucket, bool) {
	n, ok := l.PerMethodPerMinute[method]
	if !ok || n <= 0 {
		return bucket{}, false
	}
	per := float64(n) * l.Scale
	return bucket{capacity: math.Max(1, per), rate: per / 60}, true
}

func (l RateLimits) channelBucket() bucket {
	return bucket{capacity: math.Max(1, float64(l.PostMessageBurst)*l.Scale), rate: l.PostMessagePerChannel * l.Scale}
}

func (l RateLimits) workspaceBucket() bucket {
	per := float64(l.PostMessageWorkspacePerMinute) * l.Scale
	return bucket{capacity: math.Max(1, per), rate: per / 60}
}

// allow decides whether a call goes through; when not, it returns how long
// to wait (for Retry-After).
func (l *limiter) allow(method, channel string, now time.Time) (limited bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.forced[method]; ok && f.n > 0 {
		f.n--
		if f.n == 0 {
			delete(l.forced, method)
		} else {
			l.forced[method] = f
		}
		return true, f.after
	}
	if !l.cfg.Enabled {
		return false, 0
	}
	if method == "chat.postMessage" {
		if l.workspace == nil {
			b := l.cfg.workspaceBucket()
			l.workspace = &b
		}
		cb, ok := l.channels[channel]
		if !ok {
			b := l.cfg.channelBucket()
			cb = &b
			l.channels[channel] = cb
		}
		// Check both before taking either, so a refusal costs nothing.
		wOK := l.workspace.tokensAt(now) >= 1
		cOK := cb.tokensAt(now) >= 1
		if !wOK || !cOK {
			_, wWait := l.workspace.peek(now)
			_, cWait := cb.peek(now)
			return true, max(wWait, cWait)
		}
		l.workspace.take(now)
		cb.take(now)
		return false, 0
	}
	b, ok := l.methods[method]
	if !ok {
		nb, limited := l.cfg.methodBucket(method)
		if !limited {
			return false, 0
		}
		b = &nb
		l.methods[method] = b
	}
	if ok, wait := b.take(now); !ok {
		return true, wait
	}
	return false, 0
}

// tokensAt is the bucket's level at now, without consuming.
func (b *bucket) tokensAt(now time.Time) float64 {
	if b.last.IsZero() {
		return b.capacity
	}
	el := math.Max(0, now.Sub(b.last).Seconds())
	return math.Min(b.capacity, b.tokens+el*b.rate)
}

// peek reports whether a token is available at now and, if not, the wait.
func (b *bucket) peek(now time.Time) (bool, time.Duration) {
	t := b.tokensAt(now)
	if t >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - t) / b.rate * float64(time.Second))
}

// ForceRateLimit makes the next n calls of method answer HTTP 429 with
// Retry-After set to retryAfter (rounded up to whole seconds), whether or
// not rate limits are enabled.
func (s *Server) ForceRateLimit(method string, n int, retryAfter time.Duration) {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	if n <= 0 {
		delete(s.limits.forced, method)
		return
	}
	s.limits.forced[method] = forced{n: n, after: retryAfter}
}

// MinDuration is the least time the limits allow for calls calls of
// method starting from full buckets. For chat.postMessage the calls are
// spread evenly over channels channels (at least 1); the workspace cap
// and the busiest channel both bound the time. Disabled limits allow
// anything at once.
func (l RateLimits) MinDuration(method string, calls, channels int) time.Duration {
	if !l.Enabled || calls <= 0 {
		return 0
	}
	l = l.withDefaults()
	if method == "chat.postMessage" {
		channels = max(1, channels)
		perChannel := (calls + channels - 1) / channels
		return max(l.workspaceBucket().minTime(calls), l.channelBucket().minTime(perChannel))
	}
	b, ok := l.methodBucket(method)
	if !ok {
		return 0
	}
	return b.minTime(calls)
}
