package slackemu

import (
	"context"
	"sort"
	"time"
)

// SetStatus is the person setting (or, with empty emoji and text,
// clearing) their Slack status. users.info shows it in profile.status_emoji,
// status_text and status_expiration; when the app subscribes to
// user_change, the event carries the whole user object
// (docs.slack.dev/reference/events/user_change; it needs users:read). It
// returns the event_id ("" when not subscribed) without waiting for the ack.
func (s *Server) SetStatus(ctx context.Context, userID, emoji, text string, expiration time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	u, err := s.person(userID)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	u.StatusEmoji, u.StatusText, u.StatusExpiration = emoji, text, 0
	if !expiration.IsZero() {
		u.StatusExpiration = expiration.Unix()
	}
	if !s.ws.events["user_change"] || !s.ws.scopes["users:read"] {
		s.mu.Unlock()
		return "", nil
	}
	ts := s.ws.nextTS(s.now())
	payload, eventID := s.eventCallback(map[string]any{
		"type": "user_change", "user": s.userJSON(u), "cache_ts": s.now().Unix(), "event_ts": ts,
	})
	s.mu.Unlock()
	s.sendEvent(payload, eventID, 0)
	return eventID, nil
}

// BotEvents lists the bot events the app subscribes to, sorted.
func (s *Server) BotEvents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for e, on := range s.ws.events {
		if on {
			out = append(out, e)
		}
	}
	sort.Strings(out)
	return out
}
