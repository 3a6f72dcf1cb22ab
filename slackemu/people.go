package slackemu

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// person returns a user who can act: known, not deleted, not a bot.
// The caller holds Server.mu.
func (s *Server) person(userID string) (*User, error) {
	if s.closed {
		return nil, ErrClosed
	}
	u, ok := s.ws.users[userID]
	switch {
	case !ok:
		return nil, fmt.Errorf("slackemu: unknown user %q", userID)
	case u.Deleted:
		return nil, fmt.Errorf("slackemu: user %q is deactivated", userID)
	case u.IsBot:
		return nil, fmt.Errorf("slackemu: user %q is a bot", userID)
	}
	return u, nil
}

// userBrief is the user object of interaction payloads.
func (s *Server) userBrief(u *User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Name, "name": u.Name, "team_id": s.opts.TeamID}
}

func (s *Server) team() map[string]any {
	return map[string]any{"id": s.opts.TeamID, "domain": s.opts.TeamDomain}
}

// notAnswered shows the person Slack's error for an envelope the bot did
// not ack in time and returns the matching error.
func (s *Server) notAnswered(user, channel string, o outcome) error {
	err, code := ErrOperationTimeout, "operation_timeout"
	if !o.delivered {
		err, code = ErrDispatchFailed, "dispatch_failed"
	}
	s.mu.Lock()
	s.see(user, Seen{Kind: SeenError, Channel: channel, MessageText: code})
	s.mu.Unlock()
	return err
}

// Slash runs a slash command in the person's DM with the app, like typing
// "/command text" there. It waits for the ack (or the deadline); the ack's
// payload is shown to the person like a response_url reply.
func (s *Server) Slash(ctx context.Context, userID, command, text string) (SlashResult, error) {
	return s.SlashIn(ctx, userID, "", command, text)
}

// SlashIn is Slash in a given channel ("" for the person's DM with the app).
func (s *Server) SlashIn(ctx context.Context, userID, channelID, command, text string) (SlashResult, error) {
	s.mu.Lock()
	u, err := s.person(userID)
	if err != nil {
		s.mu.Unlock()
		return SlashResult{}, err
	}
	if !strings.HasPrefix(command, "/") || len(s.ws.commands) > 0 && !s.ws.commands[command] {
		s.mu.Unlock()
		return SlashResult{}, fmt.Errorf("slackemu: %s is not a valid command", command)
	}
	var ch *channel
	if channelID == "" {
		ch = s.ws.dm(userID, s.now())
	} else if ch = s.ws.channels[channelID]; ch == nil {
		s.mu.Unlock()
		return SlashResult{}, fmt.Errorf("slackemu: unknown channel %q", channelID)
	}
	chName := ch.name
	if ch.im {
		chName = "directmessage"
	} else if ch.private {
		chName = "privategroup"
	}
	now := s.now()
	resp := &responseURL{user: userID, channel: ch.id, created: now, ephemeral: true}
	resp.command = strings.TrimSpace(command + " " + text)
	tok := s.ws.newResponseURL(resp)
	payload := marshal(map[string]any{
		"token": verificationToken, "team_id": s.opts.TeamID, "team_domain": s.opts.TeamDomain,
		"channel_id": ch.id, "channel_name": chName, "user_id": u.ID, "user_name": u.Name,
		"command": command, "text": s.escapeText(text), "api_app_id": s.opts.AppID,
		"is_enterprise_install": "false", "response_url": s.base + "/response/" + tok,
		"trigger_id": s.ws.newTrigger(userID, "", now),
	})
	s.see(userID, Seen{Kind: SeenCommand, Channel: ch.id, From: userID, MessageText: strings.TrimSpace(command + " " + text)})
	s.mu.Unlock()

	e := s.newEnvelope("slash_commands", payload, true, 0)
	o, err := s.roundTrip(ctx, e)
	res := SlashResult{EnvelopeID: e.id, Acked: o.acked, Latency: o.latency, Response: o.payload}
	if err != nil {
		return res, err
	}
	if !o.acked {
		return res, s.notAnswered(userID, ch.id, o)
	}
	if len(o.payload) > 0 {
		s.applyResponse(resp, o.payload)
	}
	return res, nil
}

var (
	mentionRE = regexp.MustCompile(`(^|[\s(])@([a-zA-Z0-9._-]+)`)
	channelRE = regexp.MustCompile(`(^|[\s(])#([a-z0-9_-]+)`)
)

// escapeText applies the manifest's should_escape: true: "@name" of a
// known user becomes "<@U123|name>", "#name" of a known channel becomes
// "<#C123|name>"; anything else stays as typed. The caller holds Server.mu.
func (s *Server) escapeText(text string) string {
	text = mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := mentionRE.FindStringSubmatch(m)
		if u := s.ws.userByName(sub[2]); u != nil {
			return sub[1] + "<@" + u.ID + "|" + u.Name + ">"
		}
		return m
	})
	return channelRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := channelRE.FindStringSubmatch(m)
		if c := s.ws.channelByName(sub[2]); c != nil {
			return sub[1] + "<#" + c.id + "|" + c.name + ">"
		}
		return m
	})
}

// SendDM writes a message in the person's DM with the app: it is stored in
// history and delivered as a message.im event (retried when not acked).
// It returns the event_id without waiting for the ack; the person does not
// wait for bots.
func (s *Server) SendDM(ctx context.Context, userID, text string) (eventID string, err error) {
	return s.Post(ctx, userID, "", text, "")
}

// Post writes a message as the person in a channel ("" for their DM with
// the app), optionally in a thread, and delivers the matching message
// event (message.im, message.channels, message.groups or message.mpim) if
// the app subscribes to it. It returns the event_id ("" when not subscribed).
func (s *Server) Post(ctx context.Context, userID, channelID, text, threadTS string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	if _, err := s.person(userID); err != nil {
		s.mu.Unlock()
		return "", err
	}
	var ch *channel
	if channelID == "" {
		ch = s.ws.dm(userID, s.now())
	} else if ch = s.ws.channels[channelID]; ch == nil || !ch.members[userID] {
		s.mu.Unlock()
		return "", fmt.Errorf("slackemu: %s cannot post in %q", userID, channelID)
	}
	m := &message{channel: ch.id, ts: s.ws.nextTS(s.now()), threadTS: threadTS, user: userID,
		text: text, blocks: richText(text)}
	ch.addMessage(m)
	for _, u := range s.ws.viewers(ch) {
		kind := SeenMessage
		if u == userID {
			kind = SeenSent
		}
		s.see(u, Seen{Kind: kind, Channel: ch.id, TS: m.ts, ThreadTS: threadTS, From: userID, MessageText: text})
	}
	sub, chType := "message.channels", "channel"
	switch kind := s.channelKind(ch.id); kind {
	case "im":
		sub, chType = "message.im", "im"
	case "groups":
		sub, chType = "message.groups", "group"
	case "mpim":
		sub, chType = "message.mpim", "mpim"
	}
	if !s.ws.events[sub] || (!ch.im && !ch.members[s.opts.BotUserID]) {
		s.mu.Unlock()
		return "", nil
	}
	ev := s.messageJSON(m, false)
	ev["channel"], ev["channel_type"], ev["event_ts"] = ch.id, chType, m.ts
	payload, eventID := s.eventCallback(ev)
	s.mu.Unlock()
	s.sendEvent(payload, eventID, 0)
	return eventID, nil
}

// richText is the rich_text block Slack's client attaches to what people type.
func richText(text string) json.RawMessage {
	return marshal([]any{map[string]any{
		"type": "rich_text", "block_id": "rt" + fmt.Sprint(len(text)),
		"elements": []any{map[string]any{
			"type":     "rich_text_section",
			"elements": []any{map[string]any{"type": "text", "text": text}},
		}},
	}})
}

// OpenHome is the person opening the app's Home tab: an app_home_opened
// event (tab "home", with the published view if any). It returns the
// event_id without waiting for the ack.
func (s *Server) OpenHome(ctx context.Context, userID string) (string, error) {
	return s.openApp(ctx, userID, "home")
}

// OpenMessages is the person opening the app's Messages tab.
func (s *Server) OpenMessages(ctx context.Context, userID string) (string, error) {
	return s.openApp(ctx, userID, "messages")
}

func (s *Server) openApp(ctx context.Context, userID, tab string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	if _, err := s.person(userID); err != nil {
		s.mu.Unlock()
		return "", err
	}
	if !s.ws.events["app_home_opened"] {
		s.mu.Unlock()
		return "", nil
	}
	ch := s.ws.dm(userID, s.now())
	ev := map[string]any{
		"type": "app_home_opened", "user": userID, "channel": ch.id, "tab": tab,
		"event_ts": s.ws.nextTS(s.now()),
	}
	if v, ok := s.ws.homes[userID]; ok && tab == "home" {
		ev["view"] = s.viewJSON(v, nil)
	}
	payload, eventID := s.eventCallback(ev)
	s.mu.Unlock()
	s.sendEvent(payload, eventID, 0)
	return eventID, nil
}
