package slackemu

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

const modalJSON = `{"type":"modal","callback_id":"rate","title":{"type":"plain_text","text":"Rate"},
"submit":{"type":"plain_text","text":"Save"},"private_metadata":"p1",
"blocks":[{"type":"input","block_id":"score","label":{"type":"plain_text","text":"Score"},
"element":{"type":"static_select","action_id":"pick","placeholder":{"type":"plain_text","text":"Pick"},
"options":[{"text":{"type":"plain_text","text":"One"},"value":"1"},{"text":{"type":"plain_text","text":"Two"},"value":"2"}]}},
{"type":"input","block_id":"note","optional":true,"label":{"type":"plain_text","text":"Note"},
"element":{"type":"plain_text_input","action_id":"text","max_length":10}}]}`

func openModal(t *testing.T, s *Server, user, view string) map[string]any {
	t.Helper()
	a := mustOK(t, form(t, s, "views.open", url.Values{"trigger_id": {s.testTrigger(user)}, "view": {view}}))
	return a.body["view"].(map[string]any)
}

func TestTriggerIDLifetime(t *testing.T) {
	clock := newClock(time.Unix(1_700_000_000, 0))
	s := newServer(t, Options{Now: clock.Now})
	expired := s.testTrigger("U1")
	clock.Advance(3*time.Second + time.Millisecond)
	fresh := s.testTrigger("U1")
	tests := []struct {
		name, trigger, wantErr string
	}{
		{"expired after 3 s", expired, "expired_trigger_id"},
		{"unknown", "123.456.abc", "invalid_trigger_id"},
		{"missing", "", "invalid_trigger_id"},
		{"fresh", fresh, ""},
		{"reused", fresh, "exchanged_trigger_id"},
	}
	for _, tc := range tests {
		a := form(t, s, "views.open", url.Values{"trigger_id": {tc.trigger}, "view": {modalJSON}})
		if tc.wantErr == "" && !a.ok() || tc.wantErr != "" && a.err() != tc.wantErr {
			t.Errorf("%s: %v, want %q", tc.name, a.body, tc.wantErr)
		}
	}
}

func TestViewsOpenAnswerAndValidation(t *testing.T) {
	s := newServer(t, Options{})
	v := openModal(t, s, "U1", modalJSON)
	for _, k := range []string{"id", "hash", "root_view_id", "app_id", "team_id", "state", "bot_id"} {
		if v[k] == nil || v[k] == "" {
			t.Errorf("view lacks %s: %v", k, v)
		}
	}
	if v["callback_id"] != "rate" || v["private_metadata"] != "p1" || v["root_view_id"] != v["id"] {
		t.Errorf("view %v", v)
	}
	if got := s.OpenViews("U1"); len(got) != 1 || got[0].ID != v["id"] || got[0].Title != "Rate" {
		t.Errorf("OpenViews = %+v", got)
	}
	if e, _ := s.WaitSeen(testCtx(t), "U1", Kind(SeenModalOpen)); !strings.Contains(e.Text(), "Score: [ Pick ▾ ]") {
		t.Errorf("person saw %q", e.Text())
	}

	bad := strings.Replace(modalJSON, `"text":"Rate"`, `"text":"`+strings.Repeat("r", 25)+`"`, 1)
	a := form(t, s, "views.open", url.Values{"trigger_id": {s.testTrigger("U1")}, "view": {bad}})
	msgs, _ := a.body["response_metadata"].(map[string]any)["messages"].([]any)
	if a.err() != "invalid_arguments" || len(msgs) != 1 || msgs[0] != "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]" {
		t.Errorf("invalid view: %v", a.body)
	}
	home := `{"type":"home","blocks":[]}`
	if a := form(t, s, "views.open", url.Values{"trigger_id": {s.testTrigger("U1")}, "view": {home}}); a.err() != "invalid_arguments" {
		t.Errorf("home view in views.open: %v", a.body)
	}
	big := `{"type":"modal","title":{"type":"plain_text","text":"x"},"blocks":[],"private_metadata":"` + strings.Repeat("x", 260*1024) + `"}`
	if a := form(t, s, "views.open", url.Values{"trigger_id": {s.testTrigger("U1")}, "view": {big}}); a.err() != "view_too_large" {
		t.Errorf("large view: %v", a.err())
	}
}

func TestViewsUpdateHashAndPush(t *testing.T) {
	s := newServer(t, Options{})
	ext := strings.Replace(modalJSON, `"callback_id":"rate"`, `"callback_id":"rate","external_id":"ext-1"`, 1)
	v := openModal(t, s, "U1", ext)
	id, hash := v["id"].(string), v["hash"].(string)

	a := mustOK(t, form(t, s, "views.update", url.Values{"view_id": {id}, "hash": {hash}, "view": {modalJSON}}))
	newHash := a.body["view"].(map[string]any)["hash"].(string)
	if newHash == hash {
		t.Error("hash unchanged by update")
	}
	tests := []struct {
		name    string
		args    url.Values
		wantErr string
	}{
		{"stale hash", url.Values{"view_id": {id}, "hash": {hash}, "view": {modalJSON}}, "hash_conflict"},
		{"current hash", url.Values{"view_id": {id}, "hash": {newHash}, "view": {ext}}, ""},
		{"by external_id", url.Values{"external_id": {"ext-1"}, "view": {ext}}, ""},
		{"unknown view", url.Values{"view_id": {"V404"}, "view": {modalJSON}}, "not_found"},
		{"no id", url.Values{"view": {modalJSON}}, "invalid_arguments"},
	}
	for _, tc := range tests {
		a := form(t, s, "views.update", tc.args)
		if tc.wantErr == "" && !a.ok() || tc.wantErr != "" && a.err() != tc.wantErr {
			t.Errorf("%s: %v, want %q", tc.name, a.body, tc.wantErr)
		}
	}
	dup := openModal(t, s, "U2", modalJSON)
	if a := form(t, s, "views.update", url.Values{"view_id": {dup["id"].(string)}, "view": {ext}}); a.err() != "duplicate_external_id" {
		t.Errorf("duplicate external_id: %v", a.body)
	}

	for i := range 2 {
		p := mustOK(t, jsonCall(t, s, "views.push", map[string]any{"trigger_id": s.testTrigger("U1"), "view": json.RawMessage(modalJSON)}))
		pv := p.body["view"].(map[string]any)
		if pv["root_view_id"] != id || pv["previous_view_id"] == nil {
			t.Errorf("push %d: %v", i, pv)
		}
	}
	if a := form(t, s, "views.push", url.Values{"trigger_id": {s.testTrigger("U1")}, "view": {modalJSON}}); a.err() != "push_limit_reached" {
		t.Errorf("fourth view: %v", a.body)
	}
	if n := len(s.OpenViews("U1")); n != 3 {
		t.Errorf("stack of %d views", n)
	}
}

func TestViewsPublish(t *testing.T) {
	s := newServer(t, Options{})
	home := `{"type":"home","blocks":[{"type":"header","text":{"type":"plain_text","text":"Your ratings"}}]}`
	a := mustOK(t, jsonCall(t, s, "views.publish", map[string]any{"user_id": "U1", "view": json.RawMessage(home)}))
	v := a.body["view"].(map[string]any)
	hv, ok := s.Home("U1")
	if !ok || hv.ID != v["id"] || hv.Type != "home" {
		t.Fatalf("Home = %+v, %v", hv, ok)
	}
	if a := form(t, s, "views.publish", url.Values{"user_id": {"U1"}, "hash": {"stale"}, "view": {home}}); a.err() != "hash_conflict" {
		t.Errorf("stale hash: %v", a.body)
	}
	a = mustOK(t, form(t, s, "views.publish", url.Values{"user_id": {"U1"}, "hash": {hv.Hash}, "view": {home}}))
	if a.body["view"].(map[string]any)["id"] != hv.ID {
		t.Error("republishing changed the view id")
	}
	if a := form(t, s, "views.publish", url.Values{"user_id": {"U404"}, "view": {home}}); a.err() != "user_not_found" {
		t.Errorf("unknown user: %v", a.body)
	}
	if a := form(t, s, "views.publish", url.Values{"user_id": {"U1"}, "view": {modalJSON}}); a.err() != "invalid_arguments" {
		t.Errorf("modal published as home: %v", a.body)
	}
	e, err := s.WaitSeen(testCtx(t), "U1", Kind(SeenHome))
	if err != nil || e.Text() != "# Your ratings" {
		t.Errorf("person saw %q, %v", e.Text(), err)
	}
}
