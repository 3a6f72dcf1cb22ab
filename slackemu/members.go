package slackemu

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// conversations.members limits from docs.slack.dev/reference/methods/conversations.members:
// limit defaults to 100 and must be under 1000 ("To begin pagination,
// specify a limit value under 1000").
const (
	membersDefaultLimit = 100
	membersMaxLimit     = 999
)

// conversationsMembers lists the user ids of a conversation's members,
// bots included (the bot user once it joined or was invited), sorted by
// id, a page at a time. From docs.slack.dev/reference/methods/conversations.members:
//
//   - arguments channel, cursor, limit (default 100, under 1000);
//   - answer {"members":[…],"response_metadata":{"next_cursor":"…"}}, the
//     cursor being empty on the last page (docs.slack.dev/apis/web-api/pagination);
//   - errors channel_not_found, invalid_cursor, invalid_limit;
//   - scope by conversation kind: channels:read, groups:read, im:read or
//     mpim:read (readScope, as conversations.info).
//
// A public channel is readable whether or not the bot is in it (the
// channels:read scope covers every public channel). A private channel or
// group DM the bot is not in is invisible to the bot's token: Slack
// answers channel_not_found ("Value passed for channel was invalid"), the
// same rule conversations.info applies here. method_not_supported_for_channel_type
// and fetch_members_failed are documented too but no emulated
// conversation triggers them.
func (s *Server) conversationsMembers(c *call) (reply, *apiError) {
	ch, ok := s.ws.channels[c.args.str("channel")]
	if !ok || (ch.private && !ch.members[s.opts.BotUserID]) {
		return nil, fail("channel_not_found")
	}
	limit := membersDefaultLimit
	if v := c.args.str("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > membersMaxLimit {
			return nil, fail("invalid_limit")
		}
		if n > 0 {
			limit = n
		}
	}
	ids := sortedMembers(ch)
	start := 0
	if cur := c.args.str("cursor"); cur != "" {
		from, ok := decodeUserCursor(cur)
		if !ok {
			return nil, fail("invalid_cursor")
		}
		// The cursor names the first member of the next page; members who
		// left in between do not make the next page skip anyone.
		start = sort.SearchStrings(ids, from)
	}
	end := min(start+limit, len(ids))
	page := make([]string, end-start)
	copy(page, ids[start:end])
	next := ""
	if end < len(ids) {
		next = encodeUserCursor(ids[end])
	}
	return reply{"members": page, "response_metadata": map[string]any{"next_cursor": next}}, nil
}

// encodeUserCursor makes a cursor of the shape Slack's docs show,
// base64("user:U061NFTT2") = "dXNlcjpVMDYxTkZUVDI=".
func encodeUserCursor(id string) string {
	return base64.StdEncoding.EncodeToString([]byte("user:" + id))
}

// decodeUserCursor reads a cursor made by encodeUserCursor.
func decodeUserCursor(cur string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(cur)
	if err != nil || !strings.HasPrefix(string(b), "user:") {
		return "", false
	}
	return strings.TrimPrefix(string(b), "user:"), true
}

// sortedMembers is a channel's member ids in id order.
func sortedMembers(ch *channel) []string {
	ids := make([]string, 0, len(ch.members))
	for id, in := range ch.members {
		if in {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// AddMembers adds people or bots to an existing public or private channel,
// as if someone had invited them; pass BotUserID() to add the bot (or use
// InviteBot). Adding a member twice is harmless. It fails for an unknown
// channel, a DM (whose members never change), an unknown user or a
// deactivated one (Slack cannot invite deactivated accounts). No
// member_joined_channel event is sent.
func (s *Server) AddMembers(channelID string, userIDs ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.memberChannel(channelID)
	if err != nil {
		return err
	}
	for _, id := range userIDs {
		u, ok := s.ws.users[id]
		switch {
		case !ok:
			return fmt.Errorf("slackemu: unknown user %q", id)
		case u.Deleted:
			return fmt.Errorf("slackemu: user %q is deactivated", id)
		}
	}
	for _, id := range userIDs {
		ch.members[id] = true
	}
	return nil
}

// InviteBot makes the bot a member of an existing channel, as
// "/invite @microcoach" in that channel does. It is AddMembers with the
// bot user id.
func (s *Server) InviteBot(channelID string) error {
	return s.AddMembers(channelID, s.opts.BotUserID)
}

// RemoveMembers removes people or the bot (BotUserID()) from an existing
// public or private channel, as leaving or being removed does. Removing
// someone who is not a member is harmless. No member_left_channel event is
// sent.
func (s *Server) RemoveMembers(channelID string, userIDs ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.memberChannel(channelID)
	if err != nil {
		return err
	}
	for _, id := range userIDs {
		delete(ch.members, id)
	}
	return nil
}

// Members returns the user ids of a conversation's members in id order,
// the bot user included when it is a member; nil for an unknown channel.
func (s *Server) Members(channelID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.ws.channels[channelID]
	if !ok {
		return nil
	}
	return sortedMembers(ch)
}

// memberChannel finds a channel whose members a test may change. The
// caller holds Server.mu.
func (s *Server) memberChannel(id string) (*channel, error) {
	ch, ok := s.ws.channels[id]
	switch {
	case !ok:
		return nil, fmt.Errorf("slackemu: unknown channel %q", id)
	case ch.im:
		return nil, fmt.Errorf("slackemu: %s is a DM; its members never change", id)
	}
	return ch, nil
}
