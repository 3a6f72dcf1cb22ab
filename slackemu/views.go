package slackemu

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// maxModalStack is Slack's modal stack depth: a root view and 2 pushes.
const maxModalStack = 3

// view is a modal or Home tab. Guarded by Server.mu.
type view struct {
	id, typ, user   string
	body            map[string]json.RawMessage // the view object as the app sent it
	blocks          json.RawMessage            // with generated ids filled in
	hash            string
	rootID, prevID  string
	externalID      string
	callbackID      string
	privateMetadata string
	title           string
	submit, close   string
	notifyOnClose   bool
	clearOnClose    bool
}

// viewArg reads and validates the view argument of a views.* method.
// Validation failures answer invalid_arguments with Slack's messages in
// response_metadata; over 250 kB answers view_too_large.
func viewArg(a args, wantType string) (map[string]json.RawMessage, *apiError) {
	raw, ok := a.raw("view")
	if !ok {
		return nil, invalidArguments([]string{"missing required field: view [json-pointer:/view]"})
	}
	return viewBody(raw, wantType)
}

// viewArg is viewArg with the view's slack_file images checked against
// the workspace's files.
func (s *Server) viewArg(a args, wantType string) (map[string]json.RawMessage, *apiError) {
	body, aerr := viewArg(a, wantType)
	if aerr != nil {
		return nil, aerr
	}
	if errs := s.checkSlackFiles(body["blocks"], "/view/blocks"); len(errs) > 0 {
		return nil, invalidArguments(errs)
	}
	return body, nil
}

// viewBody validates a view object and decodes its top-level fields.
func viewBody(raw json.RawMessage, wantType string) (map[string]json.RawMessage, *apiError) {
	if len(raw) > maxViewBytes {
		return nil, fail("view_too_large")
	}
	if errs := ValidateView(raw); len(errs) > 0 {
		return nil, invalidArguments(errs)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, invalidArguments([]string{"must provide an object [json-pointer:/view]"})
	}
	var typ string
	_ = json.Unmarshal(body["type"], &typ)
	if wantType != "" && typ != wantType {
		return nil, invalidArguments([]string{fmt.Sprintf("must be %s [json-pointer:/view/type]", wantType)})
	}
	return body, nil
}

// invalidArguments is Slack's answer for a bad view:
// {"ok":false,"error":"invalid_arguments","response_metadata":{"messages":["[ERROR] …"]}}.
func invalidArguments(errs []string) *apiError {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = "[ERROR] " + e
	}
	return &apiError{code: "invalid_arguments", extra: map[string]any{
		"response_metadata": map[string]any{"messages": msgs},
	}}
}

// setBody replaces a view's content with a validated view object.
func (s *Server) setBody(v *view, body map[string]json.RawMessage) {
	str := func(k string) string {
		var x string
		_ = json.Unmarshal(body[k], &x)
		return x
	}
	flag := func(k string) bool {
		var x bool
		_ = json.Unmarshal(body[k], &x)
		return x
	}
	txt := func(k string) string {
		var t struct{ Text string }
		_ = json.Unmarshal(body[k], &t)
		return t.Text
	}
	v.body = body
	v.typ = str("type")
	v.blocks = s.normalizeBlocks(body["blocks"])
	v.externalID, v.callbackID, v.privateMetadata = str("external_id"), str("callback_id"), str("private_metadata")
	v.title, v.submit, v.close = txt("title"), txt("submit"), txt("close")
	v.notifyOnClose, v.clearOnClose = flag("notify_on_close"), flag("clear_on_close")
	v.hash = fmt.Sprintf("%d.%s", s.now().Unix(), strings.ToLower(randomToken()[:8]))
}

// newView creates a view for a person, checking external_id is unused.
func (s *Server) newView(user string, body map[string]json.RawMessage) (*view, *apiError) {
	v := &view{id: s.ws.nextID("V"), user: user}
	s.setBody(v, body)
	if v.externalID != "" {
		if _, taken := s.ws.external[v.externalID]; taken {
			return nil, fail("duplicate_external_id")
		}
		s.ws.external[v.externalID] = v
	}
	v.rootID = v.id
	s.ws.views[v.id] = v
	return v, nil
}

// forget removes a closed view.
func (s *Server) forget(v *view) {
	delete(s.ws.views, v.id)
	if v.externalID != "" && s.ws.external[v.externalID] == v {
		delete(s.ws.external, v.externalID)
	}
}

// viewJSON is the view object as views.* methods and payloads carry it.
func (s *Server) viewJSON(v *view, state map[string]map[string]any) map[string]any {
	out := make(map[string]any, len(v.body)+16)
	for k, raw := range v.body {
		out[k] = raw
	}
	if state == nil {
		state = stateValues(v.blocks)
	}
	nullable := func(x string) any {
		if x == "" {
			return nil
		}
		return x
	}
	out["id"] = v.id
	out["team_id"] = s.opts.TeamID
	out["blocks"] = v.blocks
	out["state"] = map[string]any{"values": state}
	out["hash"] = v.hash
	out["private_metadata"] = v.privateMetadata
	out["callback_id"] = v.callbackID
	out["external_id"] = v.externalID
	out["clear_on_close"] = v.clearOnClose
	out["notify_on_close"] = v.notifyOnClose
	out["root_view_id"] = v.rootID
	out["previous_view_id"] = nullable(v.prevID)
	out["app_id"] = s.opts.AppID
	out["app_installed_team_id"] = s.opts.TeamID
	out["bot_id"] = s.opts.BotID
	for _, k := range []string{"close", "submit"} {
		if _, ok := out[k]; !ok {
			out[k] = nil
		}
	}
	if v.typ == "home" {
		if _, ok := out["title"]; !ok {
			out["title"] = map[string]any{"type": "plain_text", "text": "View Title", "emoji": true}
		}
	}
	return out
}

func (s *Server) exportView(v *view) View {
	return View{
		ID: v.id, Type: v.typ, User: v.user, CallbackID: v.callbackID, ExternalID: v.externalID,
		PrivateMetadata: v.privateMetadata, Hash: v.hash, RootViewID: v.rootID, PreviousViewID: v.prevID,
		Title: v.title, Submit: v.submit, Close: v.close, NotifyOnClose: v.notifyOnClose,
		ClearOnClose: v.clearOnClose, Blocks: v.blocks, JSON: marshal(s.viewJSON(v, nil)),
	}
}

// seeView shows a view change to its person.
func (s *Server) seeView(v *view, kind SeenKind) {
	s.see(v.user, Seen{Kind: kind, ViewID: v.id, MessageText: v.title, Blocks: v.blocks})
}

// trigger reads trigger_id (or interactivity_pointer) and exchanges it.
func (s *Server) trigger(a args) (*trigger, *apiError) {
	id := a.str("trigger_id")
	if id == "" {
		id = a.str("interactivity_pointer")
	}
	t, code := s.ws.exchangeTrigger(id, s.now())
	if code != "" {
		return nil, fail(code)
	}
	return t, nil
}

// viewsOpen opens a modal for the person whose interaction made the
// trigger_id. A modal already open for them is replaced.
func (s *Server) viewsOpen(c *call) (reply, *apiError) {
	body, aerr := s.viewArg(c.args, "modal")
	if aerr != nil {
		return nil, aerr
	}
	t, aerr := s.trigger(c.args)
	if aerr != nil {
		return nil, aerr
	}
	v, aerr := s.newView(t.user, body)
	if aerr != nil {
		return nil, aerr
	}
	for _, old := range s.ws.modals[t.user] {
		s.forget(old)
	}
	s.ws.modals[t.user] = []*view{v}
	s.seeView(v, SeenModalOpen)
	return reply{"view": s.viewJSON(v, nil)}, nil
}

// viewsPush pushes a view on the modal the person has open. A root view
// and 2 pushed views are allowed.
func (s *Server) viewsPush(c *call) (reply, *apiError) {
	body, aerr := s.viewArg(c.args, "modal")
	if aerr != nil {
		return nil, aerr
	}
	t, aerr := s.trigger(c.args)
	if aerr != nil {
		return nil, aerr
	}
	v, aerr := s.push(t.user, body)
	if aerr != nil {
		return nil, aerr
	}
	return reply{"view": s.viewJSON(v, nil)}, nil
}

func (s *Server) push(user string, body map[string]json.RawMessage) (*view, *apiError) {
	stack := s.ws.modals[user]
	if len(stack) == 0 {
		return nil, fail("not_found")
	}
	if len(stack) >= maxModalStack {
		return nil, fail("push_limit_reached")
	}
	v, aerr := s.newView(user, body)
	if aerr != nil {
		return nil, aerr
	}
	v.rootID, v.prevID = stack[0].id, stack[len(stack)-1].id
	s.ws.modals[user] = append(stack, v)
	s.seeView(v, SeenModalPush)
	return v, nil
}

// viewsUpdate replaces an open modal or a Home tab, by view_id or
// external_id, refusing a stale hash with hash_conflict.
func (s *Server) viewsUpdate(c *call) (reply, *apiError) {
	var v *view
	switch id, ext := c.args.str("view_id"), c.args.str("external_id"); {
	case id != "":
		v = s.ws.views[id]
	case ext != "":
		v = s.ws.external[ext]
	default:
		return nil, invalidArguments([]string{"must provide view_id or external_id"})
	}
	if v == nil {
		return nil, fail("not_found")
	}
	body, aerr := s.viewArg(c.args, v.typ)
	if aerr != nil {
		return nil, aerr
	}
	if h := c.args.str("hash"); h != "" && h != v.hash {
		return nil, fail("hash_conflict")
	}
	if aerr := s.update(v, body); aerr != nil {
		return nil, aerr
	}
	return reply{"view": s.viewJSON(v, nil)}, nil
}

// update replaces a view's content, keeping its id and changing its hash.
func (s *Server) update(v *view, body map[string]json.RawMessage) *apiError {
	var ext string
	_ = json.Unmarshal(body["external_id"], &ext)
	if ext != "" && ext != v.externalID {
		if _, taken := s.ws.external[ext]; taken {
			return fail("duplicate_external_id")
		}
	}
	if v.externalID != "" && s.ws.external[v.externalID] == v {
		delete(s.ws.external, v.externalID)
	}
	s.setBody(v, body)
	if v.externalID != "" {
		s.ws.external[v.externalID] = v
	}
	if v.typ == "home" {
		s.seeView(v, SeenHome)
	} else {
		s.seeView(v, SeenModalUpdate)
	}
	return nil
}

// viewsPublish publishes a person's Home tab.
func (s *Server) viewsPublish(c *call) (reply, *apiError) {
	user := c.args.str("user_id")
	if user == "" {
		return nil, invalidArguments([]string{"missing required field: user_id"})
	}
	if u, ok := s.ws.users[user]; !ok || u.IsBot {
		return nil, fail("user_not_found")
	}
	body, aerr := s.viewArg(c.args, "home")
	if aerr != nil {
		return nil, aerr
	}
	if v, ok := s.ws.homes[user]; ok {
		if h := c.args.str("hash"); h != "" && h != v.hash {
			return nil, fail("hash_conflict")
		}
		if aerr := s.update(v, body); aerr != nil {
			return nil, aerr
		}
		return reply{"view": s.viewJSON(v, nil)}, nil
	}
	v, aerr := s.newView(user, body)
	if aerr != nil {
		return nil, aerr
	}
	s.ws.homes[user] = v
	s.seeView(v, SeenHome)
	return reply{"view": s.viewJSON(v, nil)}, nil
}

// closeTop closes the top view of a person's modal stack, or all of them.
func (s *Server) closeTop(user string, all bool) {
	stack := s.ws.modals[user]
	if len(stack) == 0 {
		return
	}
	n := len(stack) - 1
	if all {
		n = 0
	}
	for _, v := range stack[n:] {
		s.forget(v)
	}
	closed := stack[len(stack)-1]
	stack = slices.Clip(stack[:n])
	if len(stack) == 0 {
		delete(s.ws.modals, user)
		s.see(user, Seen{Kind: SeenModalClosed, ViewID: closed.id, MessageText: closed.title})
		return
	}
	s.ws.modals[user] = stack
	top := stack[len(stack)-1]
	s.see(user, Seen{Kind: SeenModalClosed, ViewID: closed.id, MessageText: closed.title})
	s.seeView(top, SeenModalOpen)
}
