package slackemu

import (
	"context"
	"fmt"
)

// EditDM is the person editing a message they wrote in their DM with the
// app: history changes and, if the app subscribes to message.im, a
// message_changed event arrives with the new message and the previous one
// (docs.slack.dev/reference/events/message/message_changed). It returns
// the event_id ("" when not subscribed) without waiting for the ack.
func (s *Server) EditDM(ctx context.Context, userID, ts, text string) (string, error) {
	return s.changeOwnDM(ctx, userID, ts, func(ch *channel, m *message) map[string]any {
		prev := s.messageJSON(m, false)
		m.text, m.blocks, m.edited = text, richText(text), true
		for _, u := range s.ws.viewers(ch) {
			s.see(u, Seen{Kind: SeenMessageUpdate, Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, From: m.user, MessageText: m.text})
		}
		now := s.ws.nextTS(s.now())
		msg := s.messageJSON(m, false)
		msg["edited"] = map[string]any{"user": userID, "ts": now}
		return map[string]any{
			"type": "message", "subtype": "message_changed", "hidden": true,
			"channel": ch.id, "channel_type": "im", "ts": now, "event_ts": now,
			"message": msg, "previous_message": prev,
		}
	})
}

// DeleteDM is the person deleting a message they wrote in their DM with
// the app: it leaves history and a message_deleted event carries its
// deleted_ts (docs.slack.dev/reference/events/message/message_deleted).
func (s *Server) DeleteDM(ctx context.Context, userID, ts string) (string, error) {
	return s.changeOwnDM(ctx, userID, ts, func(ch *channel, m *message) map[string]any {
		prev := s.messageJSON(m, false)
		ch.deleteMessage(m.ts)
		for _, u := range s.ws.viewers(ch) {
			s.see(u, Seen{Kind: SeenMessageDelete, Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, From: m.user})
		}
		now := s.ws.nextTS(s.now())
		return map[string]any{
			"type": "message", "subtype": "message_deleted", "hidden": true,
			"channel": ch.id, "channel_type": "im", "ts": now, "event_ts": now,
			"deleted_ts": m.ts, "previous_message": prev,
		}
	})
}

func (s *Server) changeOwnDM(ctx context.Context, userID, ts string, change func(*channel, *message) map[string]any) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	if _, err := s.person(userID); err != nil {
		s.mu.Unlock()
		return "", err
	}
	ch := s.ws.dm(userID, s.now())
	m, ok := ch.byTS[ts]
	if !ok || m.user != userID || m.botID != "" {
		s.mu.Unlock()
		return "", fmt.Errorf("slackemu: %s wrote no message %s in their DM with the app", userID, ts)
	}
	ev := change(ch, m)
	if !s.ws.events["message.im"] {
		s.mu.Unlock()
		return "", nil
	}
	payload, eventID := s.eventCallback(ev)
	s.mu.Unlock()
	s.sendEvent(payload, eventID, 0)
	return eventID, nil
}
