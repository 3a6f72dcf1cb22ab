package slackemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// apiPost calls a method with the bot token from any goroutine.
func apiPost(s *Server, method string, v url.Values) (map[string]any, error) {
	v.Set("token", s.BotToken())
	resp, err := http.PostForm(s.APIURL()+method, v)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if out["ok"] != true {
		return out, fmt.Errorf("%s: %v", method, out["error"])
	}
	return out, nil
}

func TestModalSubmissionFlow(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	bot.serve(func(f frame) any {
		p := decode(t, f.Payload)
		switch p["type"] {
		case nil: // slash command
			if _, err := apiPost(s, "views.open", url.Values{"trigger_id": {p["trigger_id"].(string)}, "view": {modalJSON}}); err != nil {
				t.Error(err)
			}
			return nil
		case "view_submission":
			values := p["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
			score := values["score"].(map[string]any)["pick"].(map[string]any)["selected_option"].(map[string]any)["value"]
			note, _ := values["note"].(map[string]any)["text"].(map[string]any)["value"].(string)
			switch {
			case note == "bad ids":
				return map[string]any{"response_action": "errors", "errors": map[string]string{"nope": "x"}}
			case score == "1":
				return map[string]any{"response_action": "errors", "errors": map[string]string{"score": "Too low"}}
			case note == "more":
				return map[string]any{"response_action": "push", "view": json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"More"},"blocks":[]}`)}
			}
		}
		return nil
	})
	ctx := testCtx(t)
	if _, err := s.Slash(ctx, "U1", "/rate", ""); err != nil {
		t.Fatal(err)
	}
	opened, err := s.WaitSeen(ctx, "U1", Kind(SeenModalOpen))
	if err != nil {
		t.Fatal(err)
	}
	id := opened.ViewID

	// Slack's client refuses an empty required field without sending anything.
	res, err := s.SubmitView(ctx, "U1", id, nil)
	if err != nil || res.ClientErrors["score"] != requiredMessage || res.EnvelopeID != "" {
		t.Fatalf("empty submit: %+v, %v", res, err)
	}
	if _, err := s.SubmitView(ctx, "U1", id, map[string]map[string]Value{"score": {"pick": Choice("7")}}); err == nil {
		t.Error("an option that does not exist was accepted")
	}
	if res, _ := s.SubmitView(ctx, "U1", id, map[string]map[string]Value{"score": {"pick": Choice("2")}, "note": {"text": TextValue("far too long")}}); res.ClientErrors["note"] == "" {
		t.Errorf("max_length not enforced: %+v", res)
	}

	res, err = s.SubmitView(ctx, "U1", id, map[string]map[string]Value{"score": {"pick": Choice("1")}})
	if err != nil || res.ResponseAction != "errors" || res.Errors["score"] != "Too low" || res.View == nil || res.View.ID != id {
		t.Fatalf("errors: %+v, %v", res, err)
	}
	e, err := s.WaitSeen(ctx, "U1", func(e Seen) bool {
		return e.Kind == SeenModalErrors && len(e.Errors) > 0 && e.Errors["score"] == "Too low"
	})
	if err != nil || !strings.Contains(e.Text(), "⚠ Score: Too low") {
		t.Fatalf("person saw %q, %v", e.Text(), err)
	}

	res, err = s.SubmitView(ctx, "U1", id, map[string]map[string]Value{"score": {"pick": Choice("2")}, "note": {"text": TextValue("bad ids")}})
	if err != nil || res.Rejected == "" {
		t.Fatalf("errors for unknown blocks: %+v, %v", res, err)
	}

	res, err = s.SubmitView(ctx, "U1", id, map[string]map[string]Value{"score": {"pick": Choice("2")}, "note": {"text": TextValue("more")}})
	if err != nil || res.ResponseAction != "push" || res.View == nil || res.View.Title != "More" {
		t.Fatalf("push: %+v, %v", res, err)
	}
	if err := s.CloseView(ctx, "U1", res.View.ID); err != nil {
		t.Fatal(err)
	}
	res, err = s.SubmitView(ctx, "U1", id, map[string]map[string]Value{"score": {"pick": Choice("2")}})
	if err != nil || !res.Closed || res.View != nil {
		t.Fatalf("close: %+v, %v", res, err)
	}
	if n := len(s.OpenViews("U1")); n != 0 {
		t.Errorf("%d views still open", n)
	}
}

func TestViewSubmissionPayload(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	v := openModal(t, s, "U1", modalJSON)
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := s.SubmitView(ctx, "U1", v["id"].(string), map[string]map[string]Value{"score": {"pick": Choice("2")}, "note": {"text": TextValue("ok")}})
		done <- err
	}()
	f := bot.next()
	if f.Type != "interactive" || f.AcceptsResponsePayload == nil || !*f.AcceptsResponsePayload {
		t.Fatalf("envelope %s", f.raw)
	}
	p := decode(t, f.Payload)
	view := p["view"].(map[string]any)
	if p["type"] != "view_submission" || p["user"].(map[string]any)["id"] != "U1" || p["trigger_id"] == "" {
		t.Errorf("payload %s", f.Payload)
	}
	if view["id"] != v["id"] || view["callback_id"] != "rate" || view["private_metadata"] != "p1" || view["hash"] != v["hash"] {
		t.Errorf("view %v", view)
	}
	values := view["state"].(map[string]any)["values"].(map[string]any)
	opt := values["score"].(map[string]any)["pick"].(map[string]any)
	if opt["type"] != "static_select" || opt["selected_option"].(map[string]any)["text"].(map[string]any)["text"] != "Two" {
		t.Errorf("score state %v", opt)
	}
	if note := values["note"].(map[string]any)["text"].(map[string]any); note["value"] != "ok" || note["type"] != "plain_text_input" {
		t.Errorf("note state %v", note)
	}
	bot.ack(f.EnvelopeID, nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSubmitNotAckedKeepsTheModal(t *testing.T) {
	s := newServer(t, Options{AckTimeout: 50 * time.Millisecond})
	connectBot(t, s) // never acks
	v := openModal(t, s, "U1", modalJSON)
	_, err := s.SubmitView(testCtx(t), "U1", v["id"].(string), map[string]map[string]Value{"score": {"pick": Choice("1")}})
	if !errors.Is(err, ErrOperationTimeout) {
		t.Fatalf("err = %v", err)
	}
	if len(s.OpenViews("U1")) != 1 {
		t.Error("modal closed although the app never answered")
	}
}

func TestClickBuildsBlockActions(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	blocks := `[{"type":"section","block_id":"q","text":{"type":"mrkdwn","text":"How was it?"},
		"accessory":{"type":"static_select","action_id":"mood","options":` + options(3, "Mood", "m") + `}},
		{"type":"actions","block_id":"act","elements":[` + button("yes", "Yes", "y") + `,{"type":"button","text":{"type":"plain_text","text":"Later"}}]}]`
	a := mustOK(t, form(t, s, "chat.postMessage", url.Values{"channel": {"U1"}, "text": {"How was it?"}, "blocks": {blocks}}))
	ch, ts := a.str("channel"), a.str("ts")
	ev := bot.next() // the bot's own message comes back as message.im
	if p := decode(t, ev.Payload); p["event"].(map[string]any)["bot_id"] != "B0BOT" {
		t.Errorf("own message event lacks bot_id: %s", ev.Payload)
	}
	bot.ack(ev.EnvelopeID, nil)

	ctx := testCtx(t)
	click := func(actionID, value string) (map[string]any, error) {
		done := make(chan error, 1)
		go func() { done <- s.Click(ctx, "U1", InMessage(ch, ts), actionID, value) }()
		f := bot.next()
		bot.ack(f.EnvelopeID, nil)
		if f.AcceptsResponsePayload == nil || *f.AcceptsResponsePayload {
			t.Errorf("block_actions accepts_response_payload must be false: %s", f.raw)
		}
		return decode(t, f.Payload), <-done
	}
	p, err := click("yes", "")
	if err != nil {
		t.Fatal(err)
	}
	act := p["actions"].([]any)[0].(map[string]any)
	if act["action_id"] != "yes" || act["block_id"] != "act" || act["type"] != "button" || act["value"] != "y" || act["action_ts"] == "" {
		t.Errorf("action %v", act)
	}
	c := p["container"].(map[string]any)
	if c["type"] != "message" || c["message_ts"] != ts || c["channel_id"] != ch || c["is_ephemeral"] != false {
		t.Errorf("container %v", c)
	}
	if p["type"] != "block_actions" || p["message"].(map[string]any)["ts"] != ts || p["response_url"] == "" || p["trigger_id"] == "" {
		t.Errorf("payload %v", p)
	}

	p, err = click("mood", "m1")
	if err != nil {
		t.Fatal(err)
	}
	act = p["actions"].([]any)[0].(map[string]any)
	if act["selected_option"].(map[string]any)["value"] != "m1" || act["block_id"] != "q" {
		t.Errorf("select action %v", act)
	}

	// The button without action_id got one from Slack: clicking needs it.
	stored := s.History(ch)[0]
	var generated string
	for _, r := range elements(stored.Blocks) {
		if r.typ() == "button" && r.actionID() != "yes" {
			generated = r.actionID()
		}
	}
	if generated == "" {
		t.Fatalf("no generated action_id in %s", stored.Blocks)
	}
	if _, err := click(generated, ""); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []struct{ action, value string }{{"nope", ""}, {"yes", "other"}, {"mood", "m9"}} {
		if err := s.Click(ctx, "U1", InMessage(ch, ts), bad.action, bad.value); err == nil {
			t.Errorf("Click(%s, %s) succeeded", bad.action, bad.value)
		}
	}
	if err := s.Click(ctx, "U2", InMessage(ch, ts), "yes", ""); err == nil {
		t.Error("bob clicked in alice's DM")
	}
}

func TestClickInHomeTab(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	home := `{"type":"home","blocks":[{"type":"actions","block_id":"h","elements":[` + button("refresh", "Refresh", "r") + `]}]}`
	mustOK(t, form(t, s, "views.publish", url.Values{"user_id": {"U1"}, "view": {home}}))
	hv, _ := s.Home("U1")
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() { done <- s.Click(ctx, "U1", InView(hv.ID), "refresh", "") }()
	f := bot.next()
	bot.ack(f.EnvelopeID, nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p := decode(t, f.Payload)
	if c := p["container"].(map[string]any); c["type"] != "view" || c["view_id"] != hv.ID {
		t.Errorf("container %v", c)
	}
	if p["view"].(map[string]any)["type"] != "home" || p["response_url"] != nil {
		t.Errorf("payload %v", p)
	}

	// Opening the Home tab sends app_home_opened with the published view.
	if _, err := s.OpenHome(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	f = bot.next()
	bot.ack(f.EnvelopeID, nil)
	ev := decode(t, f.Payload)["event"].(map[string]any)
	if ev["type"] != "app_home_opened" || ev["tab"] != "home" || ev["user"] != "U1" || ev["view"].(map[string]any)["id"] != hv.ID {
		t.Errorf("event %v", ev)
	}
	if ch, _ := ev["channel"].(string); !strings.HasPrefix(ch, "D") {
		t.Errorf("channel %q", ch)
	}
}

func TestResponseURL(t *testing.T) {
	s := newServer(t, Options{})
	s.AddChannel(Channel{ID: "C1", Name: "team", Members: []string{"U1", "U2", "U0BOT"}})
	bot := connectBot(t, s)
	urls := make(chan string, 1)
	bot.serve(func(f frame) any {
		if f.Type == "slash_commands" {
			urls <- decode(t, f.Payload)["response_url"].(string)
		}
		return nil
	})
	ctx := testCtx(t)
	if _, err := s.SlashIn(ctx, "U1", "C1", "/rate", "@bob 4"); err != nil {
		t.Fatal(err)
	}
	ru := <-urls
	post := func(body string) int {
		resp, err := http.Post(ru, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	steps := []struct {
		body   string
		status int
	}{
		{`{"text":"Only you see this"}`, 200},
		{`{"text":"Still only you","replace_original":true}`, 200},
		{`{"text":"Everyone sees this","response_type":"in_channel"}`, 200},
		{`{"delete_original":true}`, 200},
		{`{"blocks":[{"type":"nope"}]}`, 400},
		{`{"text":"sixth use"}`, 404},
	}
	for i, st := range steps {
		if got := post(st.body); got != st.status {
			t.Errorf("step %d: status %d, want %d", i, got, st.status)
		}
	}
	var alice, bob []string
	for _, e := range s.Seen("U1") {
		alice = append(alice, string(e.Kind)+":"+e.Text())
	}
	for _, e := range s.Seen("U2") {
		bob = append(bob, string(e.Kind)+":"+e.Text())
	}
	wantAlice := []string{
		"command:/rate @bob 4", "ephemeral:Only you see this", "message_update:Still only you",
		"message:Everyone sees this", "message_delete:(message deleted)",
		`error:⚠ failed with the error "invalid_blocks"`,
	}
	if strings.Join(alice, "|") != strings.Join(wantAlice, "|") {
		t.Errorf("alice saw\n  %q\nwant\n  %q", alice, wantAlice)
	}
	wantBob := []string{"message:/rate @bob 4", "message:Everyone sees this", "message_delete:(message deleted)"}
	if strings.Join(bob, "|") != strings.Join(wantBob, "|") {
		t.Errorf("bob saw\n  %q\nwant\n  %q", bob, wantBob)
	}
}

func TestTranscript(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	bot.serve(func(f frame) any { return nil })
	ctx := testCtx(t)
	if _, err := s.SendDM(ctx, "U1", "hello"); err != nil {
		t.Fatal(err)
	}
	blocks := `[{"type":"header","text":{"type":"plain_text","text":"Hi"}},{"type":"section","text":{"type":"mrkdwn","text":"Welcome <@U1>"},"fields":[{"type":"mrkdwn","text":"*Score*\n4"}]},{"type":"actions","elements":[` + button("go", "Start", "s") + `]}]`
	mustOK(t, form(t, s, "chat.postMessage", url.Values{"channel": {"U1"}, "text": {"hi"}, "blocks": {blocks}}))
	got := s.Transcript("U1")
	want := "[sent] alice: hello\n[message] microcoach: # Hi\n    Welcome @alice\n      *Score* 4\n    [ Start ]\n"
	if got != want {
		t.Errorf("Transcript =\n%s\nwant\n%s", got, want)
	}
}

func TestCloseViewNotifies(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	view := strings.Replace(modalJSON, `"callback_id":"rate"`, `"callback_id":"rate","notify_on_close":true`, 1)
	v := openModal(t, s, "U1", view)
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() { done <- s.CloseView(ctx, "U1", v["id"].(string)) }()
	f := bot.next()
	bot.ack(f.EnvelopeID, nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p := decode(t, f.Payload)
	if p["type"] != "view_closed" || p["is_cleared"] != false || p["view"].(map[string]any)["id"] != v["id"] {
		t.Errorf("payload %v", p)
	}
	if len(s.OpenViews("U1")) != 0 {
		t.Error("view still open")
	}
	if a := form(t, s, "views.update", url.Values{"view_id": {v["id"].(string)}, "view": {modalJSON}}); a.err() != "not_found" {
		t.Errorf("updating a closed view: %v", a.body)
	}
}

func TestSlashRefusals(t *testing.T) {
	s := newServer(t, Options{Commands: []string{"/rate"}})
	s.AddUser(User{ID: "U3", Name: "gone", Deleted: true})
	tests := []struct {
		name, user, channel, command string
	}{
		{"unknown user", "U404", "", "/rate"},
		{"deactivated user", "U3", "", "/rate"},
		{"bot user", "U0BOT", "", "/rate"},
		{"not a command", "U1", "", "rate"},
		{"command the app does not have", "U1", "", "/other"},
		{"unknown channel", "U1", "C404", "/rate"},
	}
	for _, tc := range tests {
		if _, err := s.SlashIn(testCtx(t), tc.user, tc.channel, tc.command, ""); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if n := len(s.Envelopes()); n != 0 {
		t.Errorf("%d envelopes sent for refused commands", n)
	}
}
