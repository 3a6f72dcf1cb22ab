package slackemu

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// membersOf decodes a conversations.members answer: the members and the
// next_cursor (which must be present, "" on the last page).
func membersOf(t testing.TB, a answer) ([]string, string) {
	t.Helper()
	raw, ok := a.body["members"].([]any)
	if !ok {
		t.Fatalf("no members array in %v", a.body)
	}
	ids := make([]string, len(raw))
	for i, m := range raw {
		ids[i] = m.(string)
	}
	md, _ := a.body["response_metadata"].(map[string]any)
	next, ok := md["next_cursor"].(string)
	if !ok {
		t.Fatalf("no response_metadata.next_cursor in %v", a.body)
	}
	return ids, next
}

func TestConversationsMembers(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(User{ID: "U3", Name: "carol"})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U2", "U1", "U3"}})
	s.AddChannel(Channel{ID: "C2", Name: "team", Members: []string{"U1", "U0BOT"}})
	s.AddChannel(Channel{ID: "C3", Name: "old", Members: []string{"U1"}, Archived: true})
	s.AddChannel(Channel{ID: "G1", Name: "secret", Members: []string{"U1"}, Private: true})
	s.AddChannel(Channel{ID: "G2", Name: "leads", Members: []string{"U2"}, Private: true})
	if err := s.InviteBot("G2"); err != nil {
		t.Fatal(err)
	}
	dm := s.DMChannel("U1")

	// A server that may also read DMs and group DMs.
	wide := newServer(t, Options{Scopes: slices.Concat(defaultScopes, []string{"im:read", "mpim:read", "mpim:write"})})
	wideDM := wide.DMChannel("U2")
	mp := mustOK(t, form(t, wide, "conversations.open", url.Values{"users": {"U1,U2"}})).body["channel"].(map[string]any)["id"].(string)

	tests := []struct {
		name        string
		server      *Server
		args        url.Values
		wantErr     string
		wantNeeded  string
		wantMembers string
	}{
		{name: "public channel the bot is not in", args: url.Values{"channel": {"C1"}}, wantMembers: "U1 U2 U3"},
		{name: "the bot is listed when it is a member", args: url.Values{"channel": {"C2"}}, wantMembers: "U0BOT U1"},
		{name: "archived channel", args: url.Values{"channel": {"C3"}}, wantMembers: "U1"},
		{name: "private channel the bot is not in", args: url.Values{"channel": {"G1"}}, wantErr: "channel_not_found"},
		{name: "private channel the bot was invited to", args: url.Values{"channel": {"G2"}}, wantMembers: "U0BOT U2"},
		{name: "DM without im:read", args: url.Values{"channel": {dm}}, wantErr: "missing_scope", wantNeeded: "im:read"},
		{name: "DM with im:read", server: wide, args: url.Values{"channel": {wideDM}}, wantMembers: "U0BOT U2"},
		{name: "group DM with mpim:read", server: wide, args: url.Values{"channel": {mp}}, wantMembers: "U0BOT U1 U2"},
		{name: "unknown channel", args: url.Values{"channel": {"C404"}}, wantErr: "channel_not_found"},
		{name: "no channel", args: url.Values{}, wantErr: "channel_not_found"},
		{name: "limit 999", args: url.Values{"channel": {"C1"}, "limit": {"999"}}, wantMembers: "U1 U2 U3"},
		{name: "limit 1000", args: url.Values{"channel": {"C1"}, "limit": {"1000"}}, wantErr: "invalid_limit"},
		{name: "negative limit", args: url.Values{"channel": {"C1"}, "limit": {"-1"}}, wantErr: "invalid_limit"},
		{name: "limit not a number", args: url.Values{"channel": {"C1"}, "limit": {"ten"}}, wantErr: "invalid_limit"},
		{name: "cursor not base64", args: url.Values{"channel": {"C1"}, "cursor": {"%%%"}}, wantErr: "invalid_cursor"},
		{name: "cursor of another shape", args: url.Values{"channel": {"C1"}, "cursor": {"bmV4dF90czox"}}, wantErr: "invalid_cursor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.server
			if srv == nil {
				srv = s
			}
			a := form(t, srv, "conversations.members", tc.args)
			if tc.wantErr != "" {
				if a.ok() || a.err() != tc.wantErr || (tc.wantNeeded != "" && a.body["needed"] != tc.wantNeeded) {
					t.Fatalf("got %v, want %s %s", a.body, tc.wantErr, tc.wantNeeded)
				}
				return
			}
			ids, next := membersOf(t, mustOK(t, a))
			if got := strings.Join(ids, " "); got != tc.wantMembers || next != "" {
				t.Errorf("members %q next_cursor %q, want %q and \"\"", got, next, tc.wantMembers)
			}
		})
	}
}

func TestConversationsMembersPagination(t *testing.T) {
	s := newServer(t, Options{})
	var want []string
	for i := range 150 {
		id := fmt.Sprintf("U%03d", i+100)
		s.AddUser(User{ID: id, Name: fmt.Sprintf("user%d", i)})
		want = append(want, id)
	}
	s.AddChannel(Channel{ID: "C1", Name: "all-hands", Members: want})
	if err := s.InviteBot("C1"); err != nil {
		t.Fatal(err)
	}
	want = append([]string{"U0BOT"}, want...)

	pages := func(limit string) ([]string, []int) {
		var got []string
		var sizes []int
		cursor := ""
		for range 200 {
			v := url.Values{"channel": {"C1"}}
			if limit != "" {
				v.Set("limit", limit)
			}
			if cursor != "" {
				v.Set("cursor", cursor)
			}
			ids, next := membersOf(t, mustOK(t, form(t, s, "conversations.members", v)))
			got = append(got, ids...)
			sizes = append(sizes, len(ids))
			if next == "" {
				return got, sizes
			}
			cursor = next
		}
		t.Fatal("pagination does not end")
		return nil, nil
	}
	tests := []struct {
		limit     string
		wantSizes []int
	}{
		{"", []int{100, 51}}, // the documented default of 100
		{"0", []int{100, 51}},
		{"60", []int{60, 60, 31}},
		{"151", []int{151}},
		{"999", []int{151}},
	}
	for _, tc := range tests {
		got, sizes := pages(tc.limit)
		if !slices.Equal(got, want) || !slices.Equal(sizes, tc.wantSizes) {
			t.Errorf("limit %q: %d members in pages %v, want %d in %v", tc.limit, len(got), sizes, len(want), tc.wantSizes)
		}
	}

	// Someone leaving between two pages does not make the next page skip
	// anyone else.
	a := mustOK(t, form(t, s, "conversations.members", url.Values{"channel": {"C1"}, "limit": {"2"}}))
	first, next := membersOf(t, a)
	if err := s.RemoveMembers("C1", "U100"); err != nil {
		t.Fatal(err)
	}
	a = mustOK(t, form(t, s, "conversations.members", url.Values{"channel": {"C1"}, "limit": {"2"}, "cursor": {next}}))
	second, _ := membersOf(t, a)
	if strings.Join(first, " ") != "U0BOT U100" || strings.Join(second, " ") != "U101 U102" {
		t.Errorf("pages %v then %v, want [U0BOT U100] then [U101 U102]", first, second)
	}
}

func TestMembershipHelpers(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(User{ID: "U9", Name: "gone", Deleted: true})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1"}})
	s.AddChannel(Channel{ID: "G1", Name: "secret", Members: []string{"U1"}, Private: true})
	dm := s.DMChannel("U1")

	errs := []struct {
		name string
		err  error
	}{
		{"unknown channel", s.AddMembers("C404", "U2")},
		{"a DM", s.AddMembers(dm, "U2")},
		{"unknown user", s.AddMembers("C1", "U2", "U404")},
		{"deactivated user", s.AddMembers("C1", "U9")},
		{"invite to unknown channel", s.InviteBot("C404")},
		{"remove from a DM", s.RemoveMembers(dm, "U1")},
	}
	for _, e := range errs {
		if e.err == nil {
			t.Errorf("%s: no error", e.name)
		}
	}
	if got := s.Members("C1"); !slices.Equal(got, []string{"U1"}) {
		t.Errorf("a failed AddMembers changed the members: %v", got)
	}
	if s.Members("C404") != nil {
		t.Error("Members of an unknown channel is not nil")
	}

	post := func(ch string) answer {
		return form(t, s, "chat.postMessage", url.Values{"channel": {ch}, "text": {"digest"}})
	}
	history := func(ch string) answer {
		return form(t, s, "conversations.history", url.Values{"channel": {ch}})
	}
	// Default scopes have no chat:write.public: the bot posts and reads
	// only where it is a member.
	steps := []struct {
		name                  string
		do                    func() error
		channel               string
		wantPost, wantHistory string
		wantMembers           string
	}{
		{"public, not a member", nil, "C1", "not_in_channel", "not_in_channel", "U1"},
		{"private, not a member", nil, "G1", "channel_not_found", "channel_not_found", ""},
		{"bob added to the public channel", func() error { return s.AddMembers("C1", "U2") }, "C1", "not_in_channel", "not_in_channel", "U1 U2"},
		{"bot invited to the public channel", func() error { return s.InviteBot("C1") }, "C1", "", "", "U0BOT U1 U2"},
		{"bot invited to the private channel", func() error { return s.InviteBot("G1") }, "G1", "", "", "U0BOT U1"},
		{"inviting twice is harmless", func() error { return s.AddMembers("G1", "U0BOT", "U1") }, "G1", "", "", "U0BOT U1"},
		{"bot removed from the private channel", func() error { return s.RemoveMembers("G1", "U0BOT") }, "G1", "channel_not_found", "channel_not_found", ""},
		{"bot removed from the public channel", func() error { return s.RemoveMembers("C1", s.BotUserID()) }, "C1", "not_in_channel", "not_in_channel", "U1 U2"},
	}
	for _, st := range steps {
		if st.do != nil {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		if a := post(st.channel); a.err() != st.wantPost || (st.wantPost == "") != a.ok() {
			t.Errorf("%s: chat.postMessage %v, want %q", st.name, a.body, st.wantPost)
		}
		if a := history(st.channel); a.err() != st.wantHistory || (st.wantHistory == "") != a.ok() {
			t.Errorf("%s: conversations.history %v, want %q", st.name, a.body, st.wantHistory)
		}
		a := form(t, s, "conversations.members", url.Values{"channel": {st.channel}})
		if st.wantMembers == "" {
			if a.err() != "channel_not_found" {
				t.Errorf("%s: conversations.members %v, want channel_not_found", st.name, a.body)
			}
			continue
		}
		if ids, _ := membersOf(t, mustOK(t, a)); strings.Join(ids, " ") != st.wantMembers {
			t.Errorf("%s: members %v, want %s", st.name, ids, st.wantMembers)
		}
	}
	// Bob, added to #general, sees the bot's post there.
	if err := s.InviteBot("C1"); err != nil {
		t.Fatal(err)
	}
	mustOK(t, post("C1"))
	if _, err := s.WaitSeen(testCtx(t), "U2", Containing("digest")); err != nil {
		t.Error(err)
	}
}

func TestUsersLookupByEmail(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice Liddell", TZ: "Europe/Berlin", Email: "alice@example.com"})
	s.AddUser(User{ID: "U3", Name: "gone", Email: "gone@example.com", Deleted: true})
	s.AddUser(User{ID: "U4", Name: "helper", Email: "helper@example.com", IsBot: true})
	noEmail := newServer(t, Options{Scopes: []string{"users:read"}})
	noEmail.AddUser(User{ID: "U1", Name: "alice", Email: "alice@example.com"})

	tests := []struct {
		name       string
		server     *Server
		email      string
		wantErr    string
		wantNeeded string
		wantUser   string
	}{
		{name: "found", email: "alice@example.com", wantUser: "U1"},
		{name: "case does not matter", email: "Alice@Example.COM", wantUser: "U1"},
		{name: "nobody has it", email: "nobody@example.com", wantErr: "users_not_found"},
		{name: "deactivated person", email: "gone@example.com", wantErr: "users_not_found"},
		{name: "bots have no e-mail", email: "helper@example.com", wantErr: "users_not_found"},
		{name: "no email argument", email: "", wantErr: "invalid_arguments"},
		{name: "without users:read.email", server: noEmail, email: "alice@example.com", wantErr: "missing_scope", wantNeeded: "users:read.email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.server
			if srv == nil {
				srv = s
			}
			v := url.Values{}
			if tc.email != "" {
				v.Set("email", tc.email)
			}
			a := form(t, srv, "users.lookupByEmail", v)
			if tc.wantErr != "" {
				if a.ok() || a.err() != tc.wantErr || (tc.wantNeeded != "" && a.body["needed"] != tc.wantNeeded) {
					t.Fatalf("got %v, want %s %s", a.body, tc.wantErr, tc.wantNeeded)
				}
				return
			}
			u := mustOK(t, a).body["user"].(map[string]any)
			p := u["profile"].(map[string]any)
			if u["id"] != tc.wantUser || p["email"] != "alice@example.com" || u["tz"] != "Europe/Berlin" || u["deleted"] != false {
				t.Errorf("user %v", u)
			}
		})
	}
}

func TestProfileEmailNeedsScope(t *testing.T) {
	people := []User{
		{ID: "U1", Name: "alice", Email: "alice@example.com"},
		{ID: "U2", Name: "bob"}, // no address
		{ID: "U3", Name: "gone", Email: "gone@example.com", Deleted: true},
		{ID: "U4", Name: "helper", Email: "helper@example.com", IsBot: true},
	}
	tests := []struct {
		name   string
		scopes []string
		want   map[string]string // user id -> profile.email, absent when ""
	}{
		{"default scopes include users:read.email", nil,
			map[string]string{"U1": "alice@example.com", "U3": "gone@example.com"}},
		{"users:read alone", []string{"users:read"}, map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, Options{Scopes: tc.scopes})
			for _, u := range people {
				s.AddUser(u)
			}
			listed := map[string]map[string]any{}
			for _, m := range mustOK(t, form(t, s, "users.list", nil)).body["members"].([]any) {
				u := m.(map[string]any)
				listed[u["id"].(string)] = u["profile"].(map[string]any)
			}
			for _, id := range []string{"U0BOT", "U1", "U2", "U3", "U4", "USLACKBOT"} {
				info := mustOK(t, form(t, s, "users.info", url.Values{"user": {id}})).body["user"].(map[string]any)
				for method, p := range map[string]map[string]any{"users.info": info["profile"].(map[string]any), "users.list": listed[id]} {
					got, has := p["email"]
					want, wantHas := tc.want[id]
					if has != wantHas || (has && got != want) {
						t.Errorf("%s %s: profile.email = %v (present %v), want %q (present %v)", method, id, got, has, want, wantHas)
					}
				}
			}
		})
	}
}

func TestNewMethodTiers(t *testing.T) {
	on := RateLimits{Enabled: true}
	tests := []struct {
		method string
		calls  int
		want   time.Duration
	}{
		{"conversations.members", 200, time.Minute}, // tier 4: 100 a minute
		{"users.lookupByEmail", 100, time.Minute},   // tier 3: 50 a minute
	}
	for _, tc := range tests {
		if got := on.MinDuration(tc.method, tc.calls, 0); got != tc.want {
			t.Errorf("%s: MinDuration(%d) = %v, want %v", tc.method, tc.calls, got, tc.want)
		}
	}
	clock := newClock(time.Unix(1_700_000_000, 0))
	s := newServer(t, Options{Now: clock.Now, RateLimits: RateLimits{Enabled: true, Scale: 0.02}})
	s.AddUser(User{ID: "U1", Name: "alice", Email: "alice@example.com"})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1"}})
	// Scale 0.02: tier 4 allows 2 calls at once, tier 3 one.
	for method, args := range map[string]url.Values{
		"conversations.members": {"channel": {"C1"}},
		"users.lookupByEmail":   {"email": {"alice@example.com"}},
	} {
		n := 0
		for ; n < 5; n++ {
			if a := form(t, s, method, args); a.status == 429 {
				break
			}
		}
		want := map[string]int{"conversations.members": 2, "users.lookupByEmail": 1}[method]
		if n != want {
			t.Errorf("%s: %d calls before 429, want %d", method, n, want)
		}
	}
}

// TestSlackGoMembersAndEmail drives the new methods through slack-go's
// client, as the bot calls them.
func TestSlackGoMembersAndEmail(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice Liddell", TZ: "Europe/Berlin", Email: "alice@example.com"})
	s.AddUser(User{ID: "U3", Name: "carol", Email: "carol@example.com"})
	s.AddChannel(Channel{ID: "G1", Name: "leads", Members: []string{"U1", "U2", "U3"}, Private: true})
	api := slack.New(s.BotToken(), slack.OptionAPIURL(s.APIURL()))
	ctx := testCtx(t)

	_, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "G1"})
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "channel_not_found" {
		t.Fatalf("members of a private channel the bot is not in: %v", err)
	}
	if err := s.InviteBot("G1"); err != nil {
		t.Fatal(err)
	}
	var all []string
	cursor := ""
	for page := 0; ; page++ {
		ids, next, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "G1", Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids...)
		if next == "" {
			break
		}
		if page > 3 {
			t.Fatal("pagination does not end")
		}
		cursor = next
	}
	if want := []string{"U0BOT", "U1", "U2", "U3"}; !slices.Equal(all, want) {
		t.Errorf("members %v, want %v", all, want)
	}

	u, err := api.GetUserByEmailContext(ctx, "alice@example.com")
	if err != nil || u.ID != "U1" || u.Profile.Email != "alice@example.com" || u.TZ != "Europe/Berlin" || u.RealName != "Alice Liddell" {
		t.Fatalf("GetUserByEmail = %+v, %v", u, err)
	}
	info, err := api.GetUserInfoContext(ctx, "U3")
	if err != nil || info.Profile.Email != "carol@example.com" {
		t.Fatalf("GetUserInfo = %+v, %v", info, err)
	}
	_, err = api.GetUserByEmailContext(ctx, "nobody@example.com")
	if !errors.As(err, &se) || se.Err != "users_not_found" {
		t.Fatalf("unknown address: %v", err)
	}

	s.ForceRateLimit("conversations.members", 1, 2*time.Second)
	_, _, err = api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "G1"})
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("rate limited members: %v", err)
	}
}
