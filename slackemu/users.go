package slackemu

import (
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
		from, ok := decodeUserCursor(cur)
		if !ok {
			return nil, fail("invalid_cursor")
		}
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
		next = encodeUserCursor(ids[end])
	}
	return reply{
		"members": members, "cache_ts": s.now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next},
	}, nil
}

// usersLookupByEmail finds a person by the e-mail address in their
// profile (docs.slack.dev/reference/methods/users.lookupByEmail): argument
// email, scope users:read.email, tier 3, answer {"user":{…}} like
// users.info, error users_not_found. A deactivated account is not found
// ("If the user has been deactivated, users_not_found will be returned
// instead of a user object", api.slack.com/methods/users.lookupByEmail as
// quoted in github.com/pablovarela/terraform-provider-slack/issues/251);
// bot users have no e-mail address, so they are never found either. The
// comparison ignores case: e-mail addresses are not case-sensitive in
// practice, though the page does not say. A missing email argument answers
// invalid_arguments, Slack's generic error for a missing required argument.
func (s *Server) usersLookupByEmail(c *call) (reply, *apiError) {
	email := strings.TrimSpace(c.args.str("email"))
	if email == "" {
		return nil, invalidArguments([]string{"missing required field: email"})
	}
	ids := make([]string, 0, len(s.ws.users))
	for id := range s.ws.users {
		ids = append(ids, id)
	}
	sort.Strings(ids) // the first match wins if tests give two people one address
	for _, id := range ids {
		u := s.ws.users[id]
		if u.IsBot || u.Deleted || u.Email == "" || !strings.EqualFold(u.Email, email) {
			continue
		}
		return reply{"user": s.userJSON(u)}, nil
	}
	return nil, fail("users_not_found")
}

// userJSON is a user object as users.info returns it, with tz, tz_label
// and tz_offset (seconds) computed for the current time. profile.email is
// there only when the token has users:read.email ("The users:read.email
// OAuth scope is now required to access the email field in user objects
// returned by the users.list and users.info web API methods",
// docs.slack.dev/reference/methods/users.info) and the person has an
// address (bot users have none).
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
	profile["status_emoji"], profile["status_text"], profile["status_expiration"] = u.StatusEmoji, u.StatusText, u.StatusExpiration
	if u.Email != "" && !u.IsBot && s.ws.scopes["users:read.email"] {
		profile["email"] = u.Email
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
