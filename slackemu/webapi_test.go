package slackemu

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBotTokenChecks(t *testing.T) {
	s := newServer(t, Options{})
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	formCT := "application/x-www-form-urlencoded"
	tests := []struct {
		name    string
		method  string
		header  http.Header
		ct      string
		body    string
		wantErr string
	}{
		{name: "token form field", method: "auth.test", ct: formCT, body: "token=" + s.BotToken()},
		{name: "bearer header", method: "auth.test", header: bearer(s.BotToken()), ct: formCT},
		{name: "bearer with JSON body", method: "auth.test", header: bearer(s.BotToken()), ct: "application/json", body: `{}`},
		{name: "missing token", method: "auth.test", ct: formCT, wantErr: "not_authed"},
		{name: "wrong token", method: "auth.test", ct: formCT, body: "token=xoxb-nope", wantErr: "invalid_auth"},
		{name: "wrong bearer", method: "users.list", header: bearer("xoxb-nope"), ct: formCT, wantErr: "invalid_auth"},
		{name: "app token on a bot method", method: "chat.postMessage", header: bearer(s.AppToken()), ct: formCT, body: "channel=U1&text=hi", wantErr: "not_allowed_token_type"},
		{name: "app token in form field", method: "users.list", ct: formCT, body: "token=" + s.AppToken(), wantErr: "not_allowed_token_type"},
		{name: "token inside a JSON body is not read", method: "auth.test", ct: "application/json", body: `{"token":"` + s.BotToken() + `"}`, wantErr: "not_authed"},
		{name: "unknown method", method: "chat.frobnicate", ct: formCT, body: "token=" + s.BotToken(), wantErr: "unknown_method"},
		{name: "bad content type", method: "auth.test", header: bearer(s.BotToken()), ct: "application/xml", body: "<x/>", wantErr: "invalid_post_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, s, tc.method, tc.header, tc.ct, strings.NewReader(tc.body))
			if a.status != http.StatusOK {
				t.Fatalf("status %d", a.status)
			}
			if tc.wantErr == "" {
				mustOK(t, a)
				return
			}
			if a.ok() || a.err() != tc.wantErr {
				t.Fatalf("got %v, want %s", a.body, tc.wantErr)
			}
		})
	}
	calls := s.Calls()
	if len(calls) != len(tests) {
		t.Fatalf("Calls() has %d entries, want %d", len(calls), len(tests))
	}
	if c := calls[len(calls)-2]; c.Method != "chat.frobnicate" || c.OK || c.Error != "unknown_method" || c.Status != 200 {
		t.Errorf("call record %+v", c)
	}
}

func TestAuthTest(t *testing.T) {
	s := newServer(t, Options{})
	a := mustOK(t, form(t, s, "auth.test", nil))
	for k, v := range map[string]string{"team_id": "T0EMU", "user_id": "U0BOT", "bot_id": "B0BOT"} {
		if a.str(k) != v {
			t.Errorf("%s = %q, want %q", k, a.str(k), v)
		}
	}
}

func TestPostMessageErrors(t *testing.T) {
	s := newServer(t, Options{Scopes: []string{"chat:write", "users:read", "im:history", "im:write"}})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1", "U2"}})
	s.AddChannel(Channel{ID: "C2", Name: "with-bot", Members: []string{"U1", "U0BOT"}})
	s.AddChannel(Channel{ID: "G1", Name: "secret", Members: []string{"U1"}, Private: true})
	s.AddChannel(Channel{ID: "C3", Name: "old", Members: []string{"U0BOT"}, Archived: true})
	s.AddUser(User{ID: "U9", Name: "gone", Deleted: true})
	tests := []struct {
		name    string
		args    url.Values
		wantErr string
	}{
		{"unknown channel", url.Values{"channel": {"C404"}, "text": {"hi"}}, "channel_not_found"},
		{"unknown user", url.Values{"channel": {"U404"}, "text": {"hi"}}, "channel_not_found"},
		{"not a member without chat:write.public", url.Values{"channel": {"C1"}, "text": {"hi"}}, "not_in_channel"},
		{"private channel without the bot", url.Values{"channel": {"G1"}, "text": {"hi"}}, "channel_not_found"},
		{"archived", url.Values{"channel": {"C3"}, "text": {"hi"}}, "is_archived"},
		{"deactivated person", url.Values{"channel": {"U9"}, "text": {"hi"}}, "is_archived"},
		{"no text", url.Values{"channel": {"C2"}}, "no_text"},
		{"blocks not JSON", url.Values{"channel": {"C2"}, "blocks": {"[{"}}, "invalid_blocks_format"},
		{"metadata not JSON", url.Values{"channel": {"C2"}, "text": {"x"}, "metadata": {"{"}}, "invalid_metadata_format"},
		{"metadata without event_type", url.Values{"channel": {"C2"}, "text": {"x"}, "metadata": {`{"event_payload":{}}`}}, "invalid_metadata_schema"},
		{"member channel", url.Values{"channel": {"C2"}, "text": {"hi"}}, ""},
		{"channel by name", url.Values{"channel": {"#with-bot"}, "text": {"hi"}}, ""},
		{"user id means the app DM", url.Values{"channel": {"U1"}, "text": {"hi"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := form(t, s, "chat.postMessage", tc.args)
			if tc.wantErr != "" {
				if a.ok() || a.err() != tc.wantErr {
					t.Fatalf("got %v, want %s", a.body, tc.wantErr)
				}
				return
			}
			mustOK(t, a)
			if a.str("ts") == "" || a.body["message"] == nil {
				t.Errorf("answer %v lacks ts or message", a.body)
			}
		})
	}

	// chat:write.public (not among the default scopes) lets the bot post
	// in public channels it is not in.
	pub := newServer(t, Options{Scopes: slices.Concat(defaultScopes, []string{"chat:write.public"})})
	pub.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1"}})
	mustOK(t, form(t, pub, "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"digest"}}))
	if got := pub.Seen("U1"); len(got) != 1 || got[0].Text() != "digest" {
		t.Errorf("U1 saw %v", got)
	}

	// A user id answers with the DM's id.
	a := mustOK(t, form(t, s, "chat.postMessage", url.Values{"channel": {"U2"}, "text": {"hi"}}))
	if ch := a.str("channel"); !strings.HasPrefix(ch, "D") || ch != s.DMChannel("U2") {
		t.Errorf("channel %q, want the DM id %q", ch, s.DMChannel("U2"))
	}
}

func TestInvalidBlocksAnswer(t *testing.T) {
	s := newServer(t, Options{})
	blocks := `[{"type":"section","text":{"type":"mrkdwn","text":"hi","emoji":true}},{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]`
	a := form(t, s, "chat.postMessage", url.Values{"channel": {"U1"}, "text": {"x"}, "blocks": {blocks}})
	if a.ok() || a.err() != "invalid_blocks" {
		t.Fatalf("got %v", a.body)
	}
	errs, _ := a.body["errors"].([]any)
	want := []string{
		"invalid additional property: emoji [json-pointer:/blocks/0/text]",
		"must be less than 151 characters [json-pointer:/blocks/1/text/text]",
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %v", errs, want)
	}
	for i := range want {
		if errs[i] != want[i] {
			t.Errorf("errors[%d] = %q, want %q", i, errs[i], want[i])
		}
	}
	md, _ := a.body["response_metadata"].(map[string]any)
	msgs, _ := md["messages"].([]any)
	if len(msgs) != 2 || msgs[0] != "[ERROR] "+want[0] {
		t.Errorf("response_metadata.messages = %v", msgs)
	}
	if len(s.History(s.DMChannel("U1"))) != 0 {
		t.Error("an invalid message was stored")
	}
}

func TestHistoryPaginationAndMetadata(t *testing.T) {
	s := newServer(t, Options{})
	dm := s.DMChannel("U1")
	var ts []string
	for i := range 5 {
		a := mustOK(t, jsonCall(t, s, "chat.postMessage", map[string]any{
			"channel": dm, "text": fmt.Sprintf("m%d", i),
			"metadata": map[string]any{"event_type": "rating_saved", "event_payload": map[string]any{"n": i}},
		}))
		ts = append(ts, a.str("ts"))
	}
	// A thread reply stays out of history.
	mustOK(t, form(t, s, "chat.postMessage", url.Values{"channel": {dm}, "text": {"reply"}, "thread_ts": {ts[0]}}))

	var got []string
	cursor := ""
	for page := 0; ; page++ {
		v := url.Values{"channel": {dm}, "limit": {"2"}, "include_all_metadata": {"true"}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		a := mustOK(t, form(t, s, "conversations.history", v))
		for _, m := range a.body["messages"].([]any) {
			msg := m.(map[string]any)
			got = append(got, msg["text"].(string))
			md, _ := msg["metadata"].(map[string]any)
			if md["event_type"] != "rating_saved" {
				t.Errorf("message %v lacks metadata", msg)
			}
		}
		more, _ := a.body["has_more"].(bool)
		if !more {
			break
		}
		cursor = a.body["response_metadata"].(map[string]any)["next_cursor"].(string)
		if page > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if want := "m4 m3 m2 m1 m0"; strings.Join(got, " ") != want {
		t.Errorf("history %q, want %q (newest first, no replies)", strings.Join(got, " "), want)
	}

	a := mustOK(t, form(t, s, "conversations.history", url.Values{"channel": {dm}, "limit": {"1"}}))
	if msg := a.body["messages"].([]any)[0].(map[string]any); msg["metadata"] != nil {
		t.Errorf("metadata returned without include_all_metadata: %v", msg)
	}
	a = mustOK(t, form(t, s, "conversations.history", url.Values{"channel": {dm}, "oldest": {ts[1]}, "latest": {ts[3]}}))
	if n := len(a.body["messages"].([]any)); n != 1 {
		t.Errorf("exclusive oldest/latest gave %d messages, want 1", n)
	}
	a = mustOK(t, form(t, s, "conversations.history", url.Values{"channel": {dm}, "oldest": {ts[1]}, "latest": {ts[3]}, "inclusive": {"true"}}))
	if n := len(a.body["messages"].([]any)); n != 3 {
		t.Errorf("inclusive oldest/latest gave %d messages, want 3", n)
	}
	if a := form(t, s, "conversations.history", url.Values{"channel": {dm}, "cursor": {"bogus"}}); a.err() != "invalid_cursor" {
		t.Errorf("bad cursor: %v", a.body)
	}
	if h := s.History(dm); len(h) != 6 || h[0].Text != "m0" || h[0].ReplyCount != 1 || string(h[0].Metadata) == "" {
		t.Errorf("History() = %+v", h)
	}
}

func TestConversationsScopesAndMembership(t *testing.T) {
	s := newServer(t, Options{})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1"}})
	s.AddChannel(Channel{ID: "G1", Name: "secret", Members: []string{"U1"}, Private: true})
	s.AddChannel(Channel{ID: "G2", Name: "leads", Members: []string{"U1", "U0BOT"}, Private: true})
	a := mustOK(t, form(t, s, "conversations.open", url.Values{"users": {"U1"}}))
	dm := a.body["channel"].(map[string]any)["id"].(string)
	a = mustOK(t, form(t, s, "conversations.open", url.Values{"users": {"U1"}}))
	if a.body["channel"].(map[string]any)["id"] != dm || a.body["already_open"] != true {
		t.Errorf("second open: %v", a.body)
	}
	// The default scopes are microcoach's manifest: channels:read,
	// groups:read, channels:history and groups:history, but neither im:read
	// nor channels:join.
	tests := []struct {
		method, channel, wantErr, needed string
	}{
		{"conversations.info", dm, "missing_scope", "im:read"},
		{"conversations.info", "C1", "", ""},
		{"conversations.info", "G1", "channel_not_found", ""},
		{"conversations.info", "G2", "", ""},
		{"conversations.history", "C1", "not_in_channel", ""},
		{"conversations.history", "G1", "channel_not_found", ""},
		{"conversations.history", "G2", "", ""},
		{"conversations.history", dm, "", ""},
		{"conversations.join", "C1", "missing_scope", "channels:join"},
		{"conversations.open", "", "users_list_not_supplied", ""},
	}
	for _, tc := range tests {
		a := form(t, s, tc.method, url.Values{"channel": {tc.channel}})
		if tc.wantErr == "" && !a.ok() || tc.wantErr != "" && a.err() != tc.wantErr || (tc.needed != "" && a.body["needed"] != tc.needed) {
			t.Errorf("%s %s: %v, want %q %s", tc.method, tc.channel, a.body, tc.wantErr, tc.needed)
		}
	}
	if a := form(t, s, "conversations.open", url.Values{"users": {"U404"}}); a.err() != "user_not_found" {
		t.Errorf("unknown user: %v", a.body)
	}

	// Without channels:history and groups:history, reading channel history
	// needs the scope of the channel's kind.
	narrow := newServer(t, Options{Scopes: []string{"chat:write", "im:history"}})
	narrow.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1", "U0BOT"}})
	narrow.AddChannel(Channel{ID: "G1", Name: "secret", Members: []string{"U1", "U0BOT"}, Private: true})
	for ch, needed := range map[string]string{"C1": "channels:history", "G1": "groups:history"} {
		if a := form(t, narrow, "conversations.history", url.Values{"channel": {ch}}); a.err() != "missing_scope" || a.body["needed"] != needed {
			t.Errorf("history of %s without its scope: %v, want missing_scope %s", ch, a.body, needed)
		}
	}

	wide := newServer(t, Options{Scopes: slices.Concat(defaultScopes, []string{"im:read", "channels:join"})})
	wide.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1"}})
	info := mustOK(t, form(t, wide, "conversations.info", url.Values{"channel": {wide.DMChannel("U1")}}))
	if ch := info.body["channel"].(map[string]any); ch["is_im"] != true || ch["user"] != "U1" {
		t.Errorf("info %v", ch)
	}
	info = mustOK(t, form(t, wide, "conversations.info", url.Values{"channel": {"C1"}}))
	if info.body["channel"].(map[string]any)["is_member"] != false {
		t.Errorf("is_member: %v", info.body)
	}
	if a := form(t, wide, "conversations.history", url.Values{"channel": {"C1"}}); a.err() != "not_in_channel" {
		t.Errorf("history before joining: %v", a.body)
	}
	mustOK(t, form(t, wide, "conversations.join", url.Values{"channel": {"C1"}}))
	info = mustOK(t, form(t, wide, "conversations.info", url.Values{"channel": {"C1"}}))
	if info.body["channel"].(map[string]any)["is_member"] != true {
		t.Errorf("is_member after join: %v", info.body)
	}
	mustOK(t, form(t, wide, "conversations.history", url.Values{"channel": {"C1"}}))
}

func TestUsersInfoTimeZones(t *testing.T) {
	clock := newClock(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
	s := newServer(t, Options{Now: clock.Now})
	s.AddUser(User{ID: "U3", Name: "carol", Deleted: true})
	tests := []struct {
		user, tz, label string
		offset          float64
		deleted         bool
	}{
		{"U1", "Europe/Berlin", "Central European Summer Time", 7200, false},
		{"U2", "America/New_York", "Eastern Daylight Time", -14400, false},
		{"U3", "America/Los_Angeles", "Pacific Daylight Time", -25200, true},
	}
	for _, tc := range tests {
		u := mustOK(t, form(t, s, "users.info", url.Values{"user": {tc.user}})).body["user"].(map[string]any)
		if u["tz"] != tc.tz || u["tz_label"] != tc.label || u["tz_offset"] != tc.offset || u["deleted"] != tc.deleted {
			t.Errorf("%s: tz=%v label=%v offset=%v deleted=%v", tc.user, u["tz"], u["tz_label"], u["tz_offset"], u["deleted"])
		}
	}
	clock.Advance(183 * 24 * time.Hour) // winter
	u := mustOK(t, form(t, s, "users.info", url.Values{"user": {"U1"}})).body["user"].(map[string]any)
	if u["tz_offset"] != 3600.0 || u["tz_label"] != "Central European Time" {
		t.Errorf("winter: %v %v", u["tz_offset"], u["tz_label"])
	}
	if a := form(t, s, "users.info", url.Values{"user": {"U404"}}); a.err() != "user_not_found" {
		t.Errorf("unknown user: %v", a.body)
	}
	bot := mustOK(t, form(t, s, "users.info", url.Values{"user": {"U0BOT"}})).body["user"].(map[string]any)
	if bot["is_bot"] != true || bot["profile"].(map[string]any)["bot_id"] != "B0BOT" {
		t.Errorf("bot user %v", bot)
	}
}

func TestUsersListPagination(t *testing.T) {
	s := newServer(t, Options{})
	for i := 3; i <= 6; i++ {
		s.AddUser(User{ID: fmt.Sprintf("U%d", i), Name: fmt.Sprintf("user%d", i)})
	}
	var ids []string
	cursor := ""
	pages := 0
	for {
		v := url.Values{"limit": {"3"}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		a := mustOK(t, form(t, s, "users.list", v))
		pages++
		members := a.body["members"].([]any)
		if len(members) > 3 {
			t.Fatalf("page of %d members with limit 3", len(members))
		}
		for _, m := range members {
			ids = append(ids, m.(map[string]any)["id"].(string))
		}
		cursor = a.body["response_metadata"].(map[string]any)["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	// Six people, the bot and Slackbot.
	if want := "U0BOT U1 U2 U3 U4 U5 U6 USLACKBOT"; strings.Join(ids, " ") != want || pages != 3 {
		t.Errorf("listed %q in %d pages, want %q in 3", strings.Join(ids, " "), pages, want)
	}
	all := mustOK(t, form(t, s, "users.list", nil))
	if n := len(all.body["members"].([]any)); n != 8 {
		t.Errorf("without limit: %d members", n)
	}
	bad := base64.StdEncoding.EncodeToString([]byte("nope"))
	if a := form(t, s, "users.list", url.Values{"cursor": {bad}}); a.err() != "invalid_cursor" {
		t.Errorf("bad cursor: %v", a.body)
	}
}

func TestUpdateDeleteAndReactions(t *testing.T) {
	s := newServer(t, Options{})
	dm := s.DMChannel("U1")
	ts := mustOK(t, form(t, s, "chat.postMessage", url.Values{"channel": {dm}, "text": {"v1"}})).str("ts")
	if _, err := s.SendDM(testCtx(t), "U1", "mine"); err != nil {
		t.Fatal(err)
	}
	theirs := s.History(dm)[1].TS
	tests := []struct {
		name    string
		method  string
		args    url.Values
		wantErr string
	}{
		{"update unknown ts", "chat.update", url.Values{"channel": {dm}, "ts": {"1.000001"}, "text": {"x"}}, "message_not_found"},
		{"update a person's message", "chat.update", url.Values{"channel": {dm}, "ts": {theirs}, "text": {"x"}}, "cant_update_message"},
		{"update with nothing", "chat.update", url.Values{"channel": {dm}, "ts": {ts}}, "no_text"},
		{"update too long", "chat.update", url.Values{"channel": {dm}, "ts": {ts}, "text": {strings.Repeat("x", 4001)}}, "msg_too_long"},
		{"update by user id", "chat.update", url.Values{"channel": {"U1"}, "ts": {ts}, "text": {"x"}}, "channel_not_found"},
		{"update", "chat.update", url.Values{"channel": {dm}, "ts": {ts}, "text": {"v2"}}, ""},
		{"react", "reactions.add", url.Values{"channel": {dm}, "timestamp": {ts}, "name": {"tada"}}, ""},
		{"react twice", "reactions.add", url.Values{"channel": {dm}, "timestamp": {ts}, "name": {"tada"}}, "already_reacted"},
		{"react with colons", "reactions.add", url.Values{"channel": {dm}, "timestamp": {ts}, "name": {":tada:"}}, "invalid_name"},
		{"react to nothing", "reactions.add", url.Values{"channel": {dm}, "timestamp": {"1.000001"}, "name": {"tada"}}, "message_not_found"},
		{"delete a person's message", "chat.delete", url.Values{"channel": {dm}, "ts": {theirs}}, "cant_delete_message"},
		{"delete", "chat.delete", url.Values{"channel": {dm}, "ts": {ts}}, ""},
		{"delete again", "chat.delete", url.Values{"channel": {dm}, "ts": {ts}}, "message_not_found"},
	}
	for _, tc := range tests {
		a := form(t, s, tc.method, tc.args)
		if tc.wantErr == "" && !a.ok() || tc.wantErr != "" && a.err() != tc.wantErr {
			t.Errorf("%s: %v, want %q", tc.name, a.body, tc.wantErr)
		}
	}
	var kinds []string
	for _, e := range s.Seen("U1") {
		kinds = append(kinds, string(e.Kind)+":"+e.Text())
	}
	want := "message:v1 sent:mine message_update:v2 reaction::tada: message_delete:(message deleted)"
	if strings.Join(kinds, " ") != want {
		t.Errorf("U1 saw %q, want %q", strings.Join(kinds, " "), want)
	}
}

func TestPostEphemeral(t *testing.T) {
	s := newServer(t, Options{})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1", "U0BOT"}})
	mustOK(t, form(t, s, "chat.postEphemeral", url.Values{"channel": {"C1"}, "user": {"U1"}, "text": {"only you"}}))
	if a := form(t, s, "chat.postEphemeral", url.Values{"channel": {"C1"}, "user": {"U2"}, "text": {"x"}}); a.err() != "user_not_in_channel" {
		t.Errorf("user not in channel: %v", a.body)
	}
	if got := s.Seen("U1"); len(got) != 1 || got[0].Kind != SeenEphemeral || got[0].Text() != "only you" {
		t.Errorf("U1 saw %v", got)
	}
	if len(s.History("C1")) != 0 {
		t.Error("ephemeral message stored in history")
	}
}

func TestRateLimits(t *testing.T) {
	t.Run("forced", func(t *testing.T) {
		s := newServer(t, Options{})
		s.ForceRateLimit("users.list", 2, 1500*time.Millisecond)
		for range 2 {
			a := form(t, s, "users.list", nil)
			if a.status != http.StatusTooManyRequests || a.err() != "ratelimited" || a.header.Get("Retry-After") != "2" {
				t.Fatalf("status %d, Retry-After %q, body %v", a.status, a.header.Get("Retry-After"), a.body)
			}
		}
		mustOK(t, form(t, s, "users.list", nil))
		if c := s.Calls()[0]; c.Status != 429 || c.Error != "ratelimited" {
			t.Errorf("call record %+v", c)
		}
	})
	t.Run("per channel", func(t *testing.T) {
		clock := newClock(time.Unix(1_700_000_000, 0))
		s := newServer(t, Options{Now: clock.Now, RateLimits: RateLimits{Enabled: true, PostMessageBurst: 2}})
		post := func(ch string) answer {
			return form(t, s, "chat.postMessage", url.Values{"channel": {ch}, "text": {"x"}})
		}
		mustOK(t, post("U1"))
		mustOK(t, post("U1"))
		a := post("U1")
		if a.status != 429 || a.header.Get("Retry-After") != "1" {
			t.Fatalf("third message: status %d, Retry-After %q", a.status, a.header.Get("Retry-After"))
		}
		mustOK(t, post("U2")) // another channel has its own bucket
		clock.Advance(time.Second)
		mustOK(t, post("U1"))
	})
	t.Run("tier", func(t *testing.T) {
		clock := newClock(time.Unix(1_700_000_000, 0))
		s := newServer(t, Options{Now: clock.Now, RateLimits: RateLimits{Enabled: true, PerMethodPerMinute: map[string]int{"users.list": 2}}})
		mustOK(t, form(t, s, "users.list", nil))
		mustOK(t, form(t, s, "users.list", nil))
		if a := form(t, s, "users.list", nil); a.status != 429 || a.header.Get("Retry-After") != "30" {
			t.Fatalf("status %d, Retry-After %q", a.status, a.header.Get("Retry-After"))
		}
		clock.Advance(30 * time.Second)
		mustOK(t, form(t, s, "users.list", nil))
	})
}

func TestMinDuration(t *testing.T) {
	on := RateLimits{Enabled: true}
	tests := []struct {
		name     string
		limits   RateLimits
		method   string
		calls    int
		channels int
		want     time.Duration
	}{
		{"disabled", RateLimits{}, "chat.postMessage", 10000, 1, 0},
		{"one channel: burst then 1/s", on, "chat.postMessage", 13, 1, 10 * time.Second},
		{"workspace cap over many channels", on, "chat.postMessage", 900, 900, 2 * time.Minute},
		{"tier 2 users.list", on, "users.list", 60, 0, 2 * time.Minute},
		{"scaled", RateLimits{Enabled: true, Scale: 10}, "chat.postMessage", 130, 1, 10 * time.Second},
		{"unlimited method", on, "auth.revoke", 500, 0, 0},
	}
	for _, tc := range tests {
		if got := tc.limits.MinDuration(tc.method, tc.calls, tc.channels); got != tc.want {
			t.Errorf("%s: MinDuration = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFileUpload(t *testing.T) {
	s := newServer(t, Options{})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1"}})
	a := mustOK(t, form(t, s, "files.getUploadURLExternal", url.Values{"filename": {"report.csv"}, "length": {"11"}}))
	id, upload := a.str("file_id"), a.str("upload_url")
	if !strings.HasPrefix(upload, s.base+"/upload/") {
		t.Fatalf("upload_url %q is not on the API host", upload)
	}
	resp, err := http.Post(upload, "application/octet-stream", strings.NewReader("a,b\n1,2\n3,4"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload status %d", resp.StatusCode)
	}
	files := `[{"id":"` + id + `","title":"Weekly report"}]`
	if a := form(t, s, "files.completeUploadExternal", url.Values{"files": {files}, "channel_id": {"C1"}}); a.err() != "not_in_channel" {
		t.Errorf("sharing where the bot is not a member: %v", a.body)
	}
	if a := form(t, s, "files.completeUploadExternal", url.Values{"files": {`[{"id":"F404"}]`}}); a.err() != "file_not_found" {
		t.Errorf("unknown file: %v", a.body)
	}
	if a := form(t, s, "files.getUploadURLExternal", url.Values{"filename": {"x"}, "length": {"0"}}); a.err() != "missing_argument" {
		t.Errorf("zero length: %v", a.body)
	}
	mustOK(t, form(t, s, "files.completeUploadExternal", url.Values{"files": {files}, "channel_id": {s.DMChannel("U1")}, "initial_comment": {"Here you go"}}))
	f, ok := s.File(id)
	if !ok || string(f.Content) != "a,b\n1,2\n3,4" || f.Title != "Weekly report" {
		t.Fatalf("File(%s) = %+v, %v", id, f, ok)
	}
	e, err := s.WaitSeen(testCtx(t), "U1", Containing("[file: Weekly report]"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Text(), "Here you go") || len(e.Files) != 1 {
		t.Errorf("person saw %+v", e)
	}
}

// TestWaitCalls: a test waiting for n posts wakes when the n-th is
// answered ok; refused calls do not count.
func TestWaitCalls(t *testing.T) {
	s := newServer(t, Options{})
	got := make(chan error, 1)
	go func() {
		_, err := s.WaitCalls(testCtx(t), "chat.postMessage", 2)
		got <- err
	}()
	mustOK(t, form(t, s, "chat.postMessage", url.Values{"channel": {"U2"}, "text": {"one"}}))
	if a := form(t, s, "chat.postMessage", url.Values{"channel": {"U2"}}); a.ok() {
		t.Fatal("a post without text was accepted")
	}
	select {
	case err := <-got:
		t.Fatalf("woke after one ok post and one refused: %v", err)
	default:
	}
	if n := s.OKCalls("chat.postMessage"); n != 1 {
		t.Errorf("OKCalls = %d, want 1", n)
	}
	mustOK(t, form(t, s, "chat.postMessage", url.Values{"channel": {"U2"}, "text": {"two"}}))
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}
