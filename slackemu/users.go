package slackemu

import (
	"encoding/base64"
	"sort"
	"strings"
)

// slackbotID is the Slackbot user every workspace has; users.list
// includes it, so bots that list users must cope with it.
const slackbotID = "USLACKBOT"

func (s *Server) usersInfo(c *call) (reply, *apiError) {
	id := c.args.str("user")
	if id == slackbotID {
		return reply{"user": s.slackbotJSON()}, nil
	}
	u, ok := s.ws.users[id]
	if !ok {
		return nil, fail("user_not_found")
	}
	return reply{"user": s.userJSON(u)}, nil
}

// usersList pages through every user, Slackbot and the bot included,
// sorted by id. Without limit it returns everyone; next_cursor is empty
// on the last page.
func (s *Server) usersList(c *call) (reply, *apiError) {
	ids := make([]string, 0, len(s.ws.users)+1)
	for id := range s.ws.users {
		ids = append(ids, id)
	}
	ids = append(ids, slackbotID)
	sort.Strings(ids)

	start := 0
	if cur := c.args.str("cursor"); cur != "" {
		b, err := base64.StdEncoding.DecodeString(cur)
		if err != nil || !strings.HasPrefix(string(b), "user:") {
			return nil, fail("invalid_cursor")
		}
		from := strings.TrimPrefix(string(b), "user:")
		start = sort.SearchStrings(ids, from)
	}
	limit := c.args.integer("limit", 0)
	end := len(ids)
	if limit > 0 && start+limit < end {
		end = start + limit
	}
	members := make([]map[string]any, 0, end-start)
	for _, id := range ids[start:end] {
		if id == slackbotID {
			members = append(members, s.slackbotJSON())
			continue
		}
		members = append(members, s.userJSON(s.ws.users[id]))
	}
	next := ""
	if end < len(ids) {
		next = base64.StdEncoding.EncodeToString([]byte("user:" + ids[end]))
	}
	return reply{
		"members": members, "cache_ts": s.now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next},
	}, nil
}

// userJSON is a user object as users.info returns it, with tz, tz_label
// and tz_offset (seconds) computed for the current time.
func (s *Server) userJSON(u *User) map[string]any {
	tz, label, offset := tzInfo(u.TZ, s.now())
	real := u.RealName
	if real == "" {
		real = u.Name
	}
	profile := map[string]any{
		"real_name": real, "real_name_normalized": real,
		"display_name": u.Name, "display_name_normalized": u.Name,
		"team": s.opts.TeamID,
	}
	out := map[string]any{
		"id": u.ID, "team_id": s.opts.TeamID, "name": u.Name, "deleted": u.Deleted,
		"color": "9f69e7", "real_name": real, "tz": tz, "tz_label": label, "tz_offset": offset,
		"profile": profile, "is_admin": false, "is_owner": false, "is_primary_owner": false,
		"is_restricted": false, "is_ultra_restricted": false, "is_bot": u.IsBot,
		"is_app_user": false, "updated": 1700000000,
	}
	if u.ID == s.opts.BotUserID {
		profile["bot_id"] = s.opts.BotID
		profile["api_app_id"] = s.opts.AppID
		profile["always_active"] = true
	}
	return out
}

func (s *Server) slackbotJSON() map[string]any {
	u := s.userJSON(&User{ID: slackbotID, Name: "slackbot", RealName: "Slackbot"})
	u["is_bot"] = false // Slackbot is famously not flagged as a bot
	return u
}
