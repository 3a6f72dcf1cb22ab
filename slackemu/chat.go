package slackemu

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Message text limits from chat.postMessage's docs ([PM]): past 4,000
// characters Slack advises against it, past 40,000 it truncates.
// chat.update documents msg_too_long past 4,000.
const (
	textAdvised  = 4000
	textTruncate = 40000
)

// postTarget resolves chat.postMessage's channel argument: a C/G/D id, a
// channel name, or a user id meaning the app's DM with that person.
func (s *Server) postTarget(arg string) (*channel, *apiError) {
	w := &s.ws
	arg = strings.TrimPrefix(arg, "#")
	if arg == "" {
		return nil, fail("channel_not_found")
	}
	if strings.HasPrefix(arg, "U") || strings.HasPrefix(arg, "W") {
		u, ok := w.users[arg]
		if !ok || u.IsBot {
			return nil, fail("channel_not_found")
		}
		ch := w.dm(arg, s.now())
		if u.Deleted {
			// A deactivated person's DM is archived.
			return nil, fail("is_archived")
		}
		return ch, nil
	}
	ch, ok := w.channels[arg]
	if !ok {
		ch = w.channelByName(arg)
	}
	if ch == nil {
		return nil, fail("channel_not_found")
	}
	return ch, nil
}

// canPost checks the bot may post in ch: members may; others need
// chat:write.public, which covers public channels only.
func (s *Server) canPost(ch *channel) *apiError {
	switch {
	case ch.im:
		if u := s.ws.users[ch.imUser]; u != nil && u.Deleted {
			return fail("is_archived")
		}
		return nil
	case ch.archived:
		return fail("is_archived")
	case ch.members[s.opts.BotUserID]:
		return nil
	case ch.private:
		return fail("channel_not_found")
	case !s.ws.scopes["chat:write.public"]:
		return fail("not_in_channel")
	}
	return nil
}

// content reads text and blocks the way chat.postMessage does: one of text,
// blocks or attachments is needed; blocks must be valid Block Kit.
func (s *Server) content(c *call) (text string, blocks json.RawMessage, aerr *apiError) {
	text = c.args.str("text")
	if raw, ok := c.args.raw("blocks"); ok {
		blocks, aerr = s.messageBlocks(raw)
		if aerr != nil {
			return "", nil, aerr
		}
	}
	_, hasAttachments := c.args.raw("attachments")
	if text == "" && blocks == nil && !hasAttachments {
		return "", nil, fail("no_text")
	}
	if blocks != nil && text == "" {
		c.warn("missing_text: blocks without a text fallback for notifications")
	}
	if n := utf8.RuneCountInString(text); n > textTruncate {
		text = string([]rune(text)[:textTruncate])
		c.warn("text truncated to 40000 characters")
	} else if n > textAdvised {
		c.warn("text longer than 4000 characters")
	}
	return text, blocks, nil
}

// messageBlocks validates a message's blocks argument and fills in the
// block_id and action_id values Slack generates. An empty array is no blocks.
func (s *Server) messageBlocks(raw json.RawMessage) (json.RawMessage, *apiError) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fail("invalid_blocks_format")
	}
	if len(list) == 0 {
		return nil, nil
	}
	if errs := validateBlocks(SurfaceMessage, raw, ""); len(errs) > 0 {
		return nil, invalidBlocks(errs)
	}
	if errs := s.checkSlackFiles(raw, "/blocks"); len(errs) > 0 {
		return nil, invalidBlocks(errs)
	}
	return s.normalizeBlocks(raw), nil
}

// invalidBlocks is Slack's answer for bad message blocks:
// {"ok":false,"error":"invalid_blocks","errors":[…],
// "response_metadata":{"messages":["[ERROR] …"]}}.
func invalidBlocks(errs []string) *apiError {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = "[ERROR] " + e
	}
	return &apiError{code: "invalid_blocks", extra: map[string]any{
		"errors": errs, "response_metadata": map[string]any{"messages": msgs},
	}}
}

// metadata validates the metadata argument: {event_type, event_payload}.
func metadataArg(a args) (json.RawMessage, bool, *apiError) {
	raw, ok := a.raw("metadata")
	if !ok {
		return nil, false, nil
	}
	var md map[string]json.RawMessage
	if err := json.Unmarshal(raw, &md); err != nil {
		return nil, true, fail("invalid_metadata_format")
	}
	if len(md) == 0 {
		return nil, true, nil // an empty object removes metadata on chat.update
	}
	var et string
	var payload map[string]json.RawMessage
	if json.Unmarshal(md["event_type"], &et) != nil || et == "" ||
		json.Unmarshal(md["event_payload"], &payload) != nil || payload == nil {
		return nil, true, fail("invalid_metadata_schema")
	}
	compact, _ := json.Marshal(md)
	return compact, true, nil
}

func (s *Server) chatPostMessage(c *call) (reply, *apiError) {
	ch, aerr := s.postTarget(c.args.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.canPost(ch); aerr != nil {
		return nil, aerr
	}
	text, blocks, aerr := s.content(c)
	if aerr != nil {
		return nil, aerr
	}
	md, _, aerr := metadataArg(c.args)
	if aerr != nil {
		return nil, aerr
	}
	m := &message{
		channel: ch.id, ts: s.ws.nextTS(s.now()), threadTS: c.args.str("thread_ts"),
		user: s.opts.BotUserID, botID: s.opts.BotID, text: text, blocks: blocks, metadata: md,
	}
	s.postMessage(ch, m, c)
	return reply{"channel": ch.id, "ts": m.ts, "message": s.messageJSON(m, true)}, nil
}

// postMessage stores a message, shows it to the channel's people and, in
// the app's DMs, delivers the message.im event (bot posts included, with
// bot_id, as Slack does).
func (s *Server) postMessage(ch *channel, m *message, c *call) {
	ch.addMessage(m)
	for _, u := range s.ws.viewers(ch) {
		s.see(u, Seen{Kind: SeenMessage, Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS,
			From: m.user, MessageText: m.text, Blocks: m.blocks, Files: m.files})
	}
	if ch.im {
		ev := s.messageEvent(ch, m)
		s.queueEvent(c, "message.im", ev)
	}
}

// messageEvent is the message event for a new message in an IM.
func (s *Server) messageEvent(ch *channel, m *message) map[string]any {
	ev := s.messageJSON(m, false)
	ev["channel"] = ch.id
	ev["channel_type"] = "im"
	ev["event_ts"] = m.ts
	return ev
}

// queueEvent delivers an event once the method returns (and Server.mu is
// released), if the app subscribes to it.
func (s *Server) queueEvent(c *call, subscription string, ev map[string]any) {
	if !s.ws.events[subscription] {
		return
	}
	payload, eventID := s.eventCallback(ev)
	c.after = append(c.after, func() { s.sendEvent(payload, eventID, 0) })
}

func (s *Server) chatPostEphemeral(c *call) (reply, *apiError) {
	chID := c.args.str("channel")
	ch, ok := s.ws.channels[chID]
	if !ok {
		return nil, fail("channel_not_found")
	}
	if aerr := s.canPost(ch); aerr != nil {
		return nil, aerr
	}
	user := c.args.str("user")
	if _, ok := s.ws.users[user]; !ok || !ch.members[user] {
		return nil, fail("user_not_in_channel")
	}
	text, blocks, aerr := s.content(c)
	if aerr != nil {
		return nil, aerr
	}
	m := &message{
		channel: ch.id, ts: s.ws.nextTS(s.now()), threadTS: c.args.str("thread_ts"),
		user: s.opts.BotUserID, botID: s.opts.BotID, text: text, blocks: blocks, ephemeralFor: user,
	}
	s.ws.ephemeral[m.ts] = m
	s.see(user, Seen{Kind: SeenEphemeral, Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS,
		From: m.user, MessageText: text, Blocks: blocks})
	return reply{"message_ts": m.ts}, nil
}

func (s *Server) chatUpdate(c *call) (reply, *apiError) {
	ch, ok := s.ws.channels[c.args.str("channel")]
	if !ok {
		return nil, fail("channel_not_found")
	}
	m, ok := ch.byTS[c.args.str("ts")]
	if !ok {
		return nil, fail("message_not_found")
	}
	if m.user != s.opts.BotUserID {
		return nil, fail("cant_update_message")
	}
	text, hasText := c.args.str("text"), c.args.has("text")
	rawBlocks, hasBlocks := c.args.raw("blocks")
	_, hasAttachments := c.args.raw("attachments")
	if !hasText && !hasBlocks && !hasAttachments {
		return nil, fail("no_text")
	}
	if utf8.RuneCountInString(text) > textAdvised {
		return nil, fail("msg_too_long")
	}
	var blocks json.RawMessage
	if hasBlocks {
		var aerr *apiError
		if blocks, aerr = s.messageBlocks(rawBlocks); aerr != nil {
			return nil, aerr
		}
	}
	md, hasMD, aerr := metadataArg(c.args)
	if aerr != nil {
		return nil, aerr
	}
	prev := s.messageJSON(m, false)
	switch {
	case hasBlocks:
		// Slack always renders blocks; text is the notification fallback.
		m.blocks = blocks
		if hasText {
			m.text = text
		}
	case hasText:
		// Text without blocks removes the blocks.
		m.text, m.blocks = text, nil
		m.edited = true
	}
	if hasMD {
		m.metadata = md
	}
	for _, u := range s.ws.viewers(ch) {
		s.see(u, Seen{Kind: SeenMessageUpdate, Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS,
			From: m.user, MessageText: m.text, Blocks: m.blocks})
	}
	if ch.im {
		ev := map[string]any{
			"type": "message", "subtype": "message_changed", "hidden": true,
			"channel": ch.id, "channel_type": "im", "ts": s.ws.nextTS(s.now()),
			"message": s.messageJSON(m, false), "previous_message": prev,
		}
		ev["event_ts"] = ev["ts"]
		s.queueEvent(c, "message.im", ev)
	}
	return reply{"channel": ch.id, "ts": m.ts, "text": m.text, "message": s.messageJSON(m, false)}, nil
}

func (s *Server) chatDelete(c *call) (reply, *apiError) {
	ch, ok := s.ws.channels[c.args.str("channel")]
	if !ok {
		return nil, fail("channel_not_found")
	}
	m, ok := ch.byTS[c.args.str("ts")]
	if !ok {
		return nil, fail("message_not_found")
	}
	if m.user != s.opts.BotUserID {
		return nil, fail("cant_delete_message")
	}
	ch.deleteMessage(m.ts)
	for _, u := range s.ws.viewers(ch) {
		s.see(u, Seen{Kind: SeenMessageDelete, Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, From: m.user})
	}
	if ch.im {
		ts := s.ws.nextTS(s.now())
		s.queueEvent(c, "message.im", map[string]any{
			"type": "message", "subtype": "message_deleted", "hidden": true,
			"channel": ch.id, "channel_type": "im", "ts": ts, "event_ts": ts,
			"deleted_ts": m.ts, "previous_message": s.messageJSON(m, false),
		})
	}
	return reply{"channel": ch.id, "ts": m.ts}, nil
}

func (s *Server) reactionsAdd(c *call) (reply, *apiError) {
	chID, ts, name := c.args.str("channel"), c.args.str("timestamp"), c.args.str("name")
	if chID == "" || ts == "" {
		return nil, fail("no_item_specified")
	}
	if name == "" || strings.ContainsAny(name, ": ") {
		return nil, fail("invalid_name")
	}
	ch, ok := s.ws.channels[chID]
	if !ok || (ch.private && !ch.members[s.opts.BotUserID]) {
		return nil, fail("channel_not_found")
	}
	if ch.archived {
		return nil, fail("is_archived")
	}
	m, ok := ch.byTS[ts]
	if !ok {
		return nil, fail("message_not_found")
	}
	bot := s.opts.BotUserID
	found := false
	for i := range m.reactions {
		if m.reactions[i].Name != name {
			continue
		}
		found = true
		for _, u := range m.reactions[i].Users {
			if u == bot {
				return nil, fail("already_reacted")
			}
		}
		m.reactions[i].Users = append(m.reactions[i].Users, bot)
	}
	if !found {
		m.reactions = append(m.reactions, Reaction{Name: name, Users: []string{bot}})
	}
	for _, u := range s.ws.viewers(ch) {
		s.see(u, Seen{Kind: SeenReaction, Channel: ch.id, TS: m.ts, From: bot, MessageText: name})
	}
	return reply{}, nil
}

// messageJSON is a message object as Slack returns it in API answers,
// history and payloads.
func (s *Server) messageJSON(m *message, withMetadata bool) map[string]any {
	out := map[string]any{"type": "message", "ts": m.ts, "text": m.text, "user": m.user, "team": s.opts.TeamID}
	if m.botID != "" {
		out["bot_id"] = m.botID
		out["app_id"] = s.opts.AppID
		out["bot_profile"] = map[string]any{
			"id": m.botID, "app_id": s.opts.AppID, "name": s.opts.BotName,
			"team_id": s.opts.TeamID, "deleted": false,
		}
	} else {
		out["client_msg_id"] = clientMsgID(m.ts)
	}
	if m.subtype != "" {
		out["subtype"] = m.subtype
	}
	if m.blocks != nil {
		out["blocks"] = m.blocks
	}
	if m.threadTS != "" {
		out["thread_ts"] = m.threadTS
	}
	if m.replyCount > 0 {
		out["reply_count"] = m.replyCount
	}
	if m.edited {
		out["edited"] = map[string]any{"user": m.user, "ts": m.ts}
	}
	if withMetadata && m.metadata != nil {
		out["metadata"] = m.metadata
	}
	if len(m.files) > 0 {
		files := make([]map[string]any, len(m.files))
		for i, f := range m.files {
			files[i] = s.fileJSON(s.ws.files[f.ID])
		}
		out["files"] = files
	}
	if len(m.reactions) > 0 {
		rs := make([]map[string]any, len(m.reactions))
		for i, r := range m.reactions {
			rs[i] = map[string]any{"name": r.Name, "users": r.Users, "count": len(r.Users)}
		}
		out["reactions"] = rs
	}
	return out
}

// clientMsgID derives a stable UUID-shaped client_msg_id for a person's message.
func clientMsgID(ts string) string {
	h := strings.ReplaceAll(ts, ".", "")
	for len(h) < 32 {
		h += "0"
	}
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}
