package slackemu

import (
	"encoding/base64"
	"sort"
	"strings"
)

// channelKind names a conversation's kind for scope names.
func (s *Server) channelKind(id string) string {
	ch, ok := s.ws.channels[id]
	switch {
	case !ok && strings.HasPrefix(id, "D"), ok && ch.im:
		return "im"
	case ok && ch.private && ch.name != "" && strings.HasPrefix(ch.name, "mpdm-"):
		return "mpim"
	case ok && ch.private, !ok && strings.HasPrefix(id, "G"):
		return "groups"
	}
	return "channels"
}

// historyScope is the scope conversations.history needs for the channel:
// im:history, channels:history, groups:history or mpim:history.
func historyScope(s *Server, a args) string { return s.channelKind(a.str("channel")) + ":history" }

// readScope is the scope conversations.info and conversations.members
// need for the channel: channels:read, groups:read, im:read or mpim:read.
func readScope(s *Server, a args) string { return s.channelKind(a.str("channel")) + ":read" }

func (s *Server) conversationsOpen(c *call) (reply, *apiError) {
	var ch *channel
	already := false
	if id := c.args.str("channel"); id != "" {
		var ok bool
		if ch, ok = s.ws.channels[id]; !ok || !ch.members[s.opts.BotUserID] {
			return nil, fail("channel_not_found")
		}
		if !ch.im && !strings.HasPrefix(ch.name, "mpdm-") {
			return nil, fail("method_not_supported_for_channel_type")
		}
		already = true
	} else {
		users := splitList(c.args.str("users"))
		switch {
		case len(users) == 0:
			return nil, fail("users_list_not_supplied")
		case len(users) > 8:
			return nil, fail("too_many_users")
		}
		for _, id := range users {
			u, ok := s.ws.users[id]
			if !ok {
				return nil, fail("user_not_found")
			}
			if u.Deleted {
				return nil, fail("user_disabled")
			}
		}
		if len(users) == 1 {
			_, already = s.ws.dms[users[0]]
			ch = s.ws.dm(users[0], s.now())
		} else {
			ch, already = s.mpim(users)
		}
	}
	out := reply{"channel": map[string]any{"id": ch.id}}
	if c.args.boolean("return_im") {
		out["channel"] = s.channelJSON(ch)
	}
	if already {
		out["no_op"], out["already_open"] = true, true
	}
	return out, nil
}

// mpim finds or creates the multi-person DM of the bot and users.
func (s *Server) mpim(users []string) (*channel, bool) {
	members := append([]string{s.opts.BotUserID}, users...)
	sort.Strings(members)
	for _, ch := range s.ws.channels {
		if strings.HasPrefix(ch.name, "mpdm-") && len(ch.members) == len(members) {
			same := true
			for _, m := range members {
				same = same && ch.members[m]
			}
			if same {
				return ch, true
			}
		}
	}
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = s.ws.users[m].Name
	}
	id := s.ws.nextID("G")
	ch := &channel{
		id: id, name: "mpdm-" + strings.Join(names, "--") + "-1", private: true,
		members: setOf(members), created: s.now(), byTS: map[string]*message{},
	}
	s.ws.channels[id] = ch
	return ch, false
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readable finds a channel the bot may read.
func (s *Server) readable(id string) (*channel, *apiError) {
	ch, ok := s.ws.channels[id]
	if !ok || (ch.private && !ch.members[s.opts.BotUserID]) {
		return nil, fail("channel_not_found")
	}
	if !ch.members[s.opts.BotUserID] {
		// Only user tokens can read public channels they are not in.
		return nil, fail("not_in_channel")
	}
	return ch, nil
}

// conversationsHistory lists top-level messages, newest first, with
// limit/cursor pagination, oldest/latest/inclusive bounds and, with
// include_all_metadata, each message's metadata.
func (s *Server) conversationsHistory(c *call) (reply, *apiError) {
	ch, aerr := s.readable(c.args.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	limit := c.args.integer("limit", 100)
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 999)
	oldest, latest := c.args.str("oldest"), c.args.str("latest")
	if oldest != "" && !validTS(oldest) {
		return nil, fail("invalid_ts_oldest")
	}
	if latest != "" && !validTS(latest) {
		return nil, fail("invalid_ts_latest")
	}
	inclusive := c.args.boolean("inclusive")
	before := "" // cursor: only messages strictly older than this ts
	if cur := c.args.str("cursor"); cur != "" {
		b, err := base64.StdEncoding.DecodeString(cur)
		if err != nil || !strings.HasPrefix(string(b), "next_ts:") {
			return nil, fail("invalid_cursor")
		}
		before = strings.TrimPrefix(string(b), "next_ts:")
	}
	withMD := c.args.boolean("include_all_metadata")

	var msgs []map[string]any
	hasMore, next := false, ""
	for i := len(ch.messages) - 1; i >= 0; i-- {
		m := ch.messages[i]
		if m.threadTS != "" && m.threadTS != m.ts {
			continue // replies live in conversations.replies
		}
		if before != "" && !tsLess(m.ts, before) {
			continue
		}
		if latest != "" && (tsLess(latest, m.ts) || (!inclusive && m.ts == latest)) {
			continue
		}
		if oldest != "" && (tsLess(m.ts, oldest) || (!inclusive && m.ts == oldest)) {
			continue
		}
		if len(msgs) == limit {
			hasMore, next = true, base64.StdEncoding.EncodeToString([]byte("next_ts:"+msgs[len(msgs)-1]["ts"].(string)))
			break
		}
		msgs = append(msgs, s.messageJSON(m, withMD))
	}
	if msgs == nil {
		msgs = []map[string]any{}
	}
	out := reply{"messages": msgs, "has_more": hasMore, "pin_count": 0}
	if hasMore {
		out["response_metadata"] = map[string]any{"next_cursor": next}
	}
	return out, nil
}

// validTS accepts Slack timestamps and plain Unix seconds.
func validTS(ts string) bool {
	sec, frac, _ := strings.Cut(ts, ".")
	if sec == "" {
		return false
	}
	for _, r := range sec + frac {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// tsLess compares Slack timestamps numerically.
func tsLess(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) < len(bs)
	}
	if as != bs {
		return as < bs
	}
	for len(af) < 6 {
		af += "0"
	}
	for len(bf) < 6 {
		bf += "0"
	}
	return af < bf
}

func (s *Server) conversationsInfo(c *call) (reply, *apiError) {
	ch, ok := s.ws.channels[c.args.str("channel")]
	if !ok || (ch.private && !ch.members[s.opts.BotUserID]) {
		return nil, fail("channel_not_found")
	}
	info := s.channelJSON(ch)
	if c.args.boolean("include_num_members") && !ch.im {
		info["num_members"] = len(ch.members)
	}
	return reply{"channel": info}, nil
}

func (s *Server) conversationsJoin(c *call) (reply, *apiError) {
	ch, ok := s.ws.channels[c.args.str("channel")]
	if !ok || ch.private && !ch.members[s.opts.BotUserID] {
		return nil, fail("channel_not_found")
	}
	if ch.im || ch.private {
		return nil, fail("method_not_supported_for_channel_type")
	}
	if ch.archived {
		return nil, fail("is_archived")
	}
	out := reply{}
	if ch.members[s.opts.BotUserID] {
		out["warning"] = "already_in_channel"
		out["response_metadata"] = map[string]any{"warnings": []string{"already_in_channel"}}
	}
	ch.members[s.opts.BotUserID] = true
	out["channel"] = s.channelJSON(ch)
	return out, nil
}

// channelJSON is a conversation object as conversations.info returns it.
func (s *Server) channelJSON(ch *channel) map[string]any {
	if ch.im {
		u := s.ws.users[ch.imUser]
		return map[string]any{
			"id": ch.id, "created": ch.created.Unix(), "is_im": true, "is_org_shared": false,
			"user": ch.imUser, "is_user_deleted": u != nil && u.Deleted, "priority": 0,
			"is_open": true, "is_archived": false,
		}
	}
	mp := strings.HasPrefix(ch.name, "mpdm-")
	return map[string]any{
		"id": ch.id, "name": ch.name, "name_normalized": ch.name,
		"is_channel": !ch.private, "is_group": ch.private && !mp, "is_im": false, "is_mpim": mp,
		"is_private": ch.private, "created": ch.created.Unix(), "is_archived": ch.archived,
		"is_general": false, "is_shared": false, "is_org_shared": false, "is_ext_shared": false,
		"is_member": ch.members[s.opts.BotUserID], "creator": "",
		"topic":   map[string]any{"value": "", "creator": "", "last_set": 0},
		"purpose": map[string]any{"value": "", "creator": "", "last_set": 0},
	}
}
