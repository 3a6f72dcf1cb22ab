package slackemu

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"
)

// requiredMessage is what Slack's client shows under an empty required input.
const requiredMessage = "Please complete this required field."

// SubmitView submits the person's top modal with the values they entered,
// by block_id and action_id (inputs left out keep their initial values),
// and waits for the ack. Slack's client checks required inputs and lengths
// first and sends nothing when they fail (see SubmitResult.ClientErrors).
// The ack's response_action is applied to the person's modal stack:
// errors are shown, update replaces the view, push stacks a view, clear
// closes them all, and no payload closes the submitted view.
func (s *Server) SubmitView(ctx context.Context, userID, viewID string, values map[string]map[string]Value) (SubmitResult, error) {
	s.mu.Lock()
	u, err := s.person(userID)
	if err != nil {
		s.mu.Unlock()
		return SubmitResult{}, err
	}
	v, err := s.topModal(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return SubmitResult{}, err
	}
	state, clientErrs, err := submissionState(v, values)
	if err != nil {
		s.mu.Unlock()
		return SubmitResult{}, err
	}
	if len(clientErrs) > 0 {
		s.see(userID, Seen{Kind: SeenModalErrors, ViewID: v.id, MessageText: v.title, Blocks: v.blocks, Errors: clientErrs})
		s.mu.Unlock()
		return SubmitResult{ClientErrors: clientErrs}, nil
	}
	payload := marshal(map[string]any{
		"type": "view_submission", "team": s.team(), "user": s.userBrief(u),
		"api_app_id": s.opts.AppID, "token": verificationToken,
		"trigger_id": s.ws.newTrigger(userID, v.id, s.now()),
		"view":       s.viewJSON(v, state), "response_urls": []any{},
		"enterprise": nil, "is_enterprise_install": false,
	})
	s.mu.Unlock()

	e := s.newEnvelope("interactive", payload, true, 0)
	o, err := s.roundTrip(ctx, e)
	res := SubmitResult{EnvelopeID: e.id, Acked: o.acked, Latency: o.latency}
	if err != nil {
		return res, err
	}
	if !o.acked {
		return res, s.notAnswered(userID, "", o)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applySubmission(userID, v, o.payload, &res)
	if res.Rejected != "" {
		s.see(userID, Seen{Kind: SeenError, ViewID: v.id, MessageText: "invalid view_submission response: " + res.Rejected})
	}
	if stack := s.ws.modals[userID]; len(stack) > 0 {
		top := s.exportView(stack[len(stack)-1])
		res.View = &top
	}
	return res, nil
}

// topModal finds the view on top of a person's modal stack. The caller
// holds Server.mu.
func (s *Server) topModal(userID, viewID string) (*view, error) {
	stack := s.ws.modals[userID]
	if len(stack) == 0 {
		return nil, fmt.Errorf("slackemu: %s has no modal open", userID)
	}
	top := stack[len(stack)-1]
	if top.id != viewID {
		return nil, fmt.Errorf("slackemu: view %q is not the top of %s's modal stack (%s is)", viewID, userID, top.id)
	}
	return top, nil
}

// applySubmission applies a view_submission ack. The caller holds Server.mu.
func (s *Server) applySubmission(userID string, v *view, raw json.RawMessage, res *SubmitResult) {
	if _, open := s.ws.views[v.id]; !open {
		return // the app closed or replaced it meanwhile
	}
	var ack struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &ack); err != nil {
			res.Rejected = "payload is not a JSON object"
			return
		}
	}
	res.ResponseAction = ack.ResponseAction
	switch ack.ResponseAction {
	case "":
		s.closeTop(userID, false)
		res.Closed = len(s.ws.modals[userID]) == 0
	case "clear":
		s.closeTop(userID, true)
		res.Closed = true
	case "errors":
		if len(ack.Errors) == 0 {
			res.Rejected = "errors must not be empty"
			return
		}
		inputs := map[string]bool{}
		for _, b := range decodeBlocks(v.blocks) {
			if b["type"] == "input" {
				id, _ := b["block_id"].(string)
				inputs[id] = true
			}
		}
		var bad []string
		for id := range ack.Errors {
			if !inputs[id] {
				bad = append(bad, id)
			}
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			res.Rejected = fmt.Sprintf("errors name block_ids that are not input blocks of the view: %v", bad)
			return
		}
		res.Errors = ack.Errors
		s.see(userID, Seen{Kind: SeenModalErrors, ViewID: v.id, MessageText: v.title, Blocks: v.blocks, Errors: ack.Errors})
	case "update", "push":
		body, aerr := viewBody(ack.View, "modal")
		if aerr != nil {
			res.Rejected = describe(aerr)
			return
		}
		if ack.ResponseAction == "update" {
			aerr = s.update(v, body)
		} else {
			_, aerr = s.push(userID, body)
		}
		if aerr != nil {
			res.Rejected = describe(aerr)
		}
	default:
		res.Rejected = fmt.Sprintf("unknown response_action %q", ack.ResponseAction)
	}
}

func describe(e *apiError) string {
	if md, ok := e.extra["response_metadata"].(map[string]any); ok {
		if msgs, ok := md["messages"].([]string); ok {
			return fmt.Sprintf("%s %v", e.code, msgs)
		}
	}
	return e.code
}

// submissionState builds state.values from the view's inputs and the
// person's values, and the errors Slack's client would show instead of
// submitting.
func submissionState(v *view, values map[string]map[string]Value) (map[string]map[string]any, map[string]string, error) {
	state := map[string]map[string]any{}
	type input struct {
		ref      elementRef
		optional bool
	}
	inputs := map[string]map[string]input{}
	for _, r := range elements(v.blocks) {
		st := initialState(r.elem)
		if st == nil {
			continue
		}
		if state[r.blockID] == nil {
			state[r.blockID] = map[string]any{}
		}
		state[r.blockID][r.actionID()] = st
		if r.blockType == "input" {
			opt, _ := r.block["optional"].(bool)
			if inputs[r.blockID] == nil {
				inputs[r.blockID] = map[string]input{}
			}
			inputs[r.blockID][r.actionID()] = input{ref: r, optional: opt}
		}
	}
	for blockID, byAction := range values {
		for actionID, val := range byAction {
			in, ok := inputs[blockID][actionID]
			if !ok {
				return nil, nil, fmt.Errorf("slackemu: view %q has no input %s/%s", v.id, blockID, actionID)
			}
			st, err := entered(in.ref, val)
			if err != nil {
				return nil, nil, err
			}
			state[blockID][actionID] = st
		}
	}
	clientErrs := map[string]string{}
	for blockID, byAction := range inputs {
		for actionID, in := range byAction {
			st, _ := state[blockID][actionID].(map[string]any)
			if !in.optional && isEmpty(st) {
				clientErrs[blockID] = requiredMessage
				continue
			}
			if s, ok := st["value"].(string); ok && in.ref.typ() == "plain_text_input" {
				n := utf8.RuneCountInString(s)
				if maxLen, ok := intField(in.ref.elem, "max_length"); ok && n > maxLen {
					clientErrs[blockID] = fmt.Sprintf("Must be %d characters or fewer.", maxLen)
				}
				if minLen, ok := intField(in.ref.elem, "min_length"); ok && n > 0 && n < minLen {
					clientErrs[blockID] = fmt.Sprintf("Must be at least %d characters.", minLen)
				}
			}
		}
	}
	return state, clientErrs, nil
}

func intField(e map[string]any, k string) (int, bool) {
	n, ok := e[k].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return int(i), err == nil
}

// isEmpty reports whether an input's state holds nothing.
func isEmpty(st map[string]any) bool {
	for k, v := range st {
		if k == "type" {
			continue
		}
		switch x := v.(type) {
		case nil:
		case string:
			if x != "" {
				return false
			}
		case []any:
			if len(x) > 0 {
				return false
			}
		case []string:
			if len(x) > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// entered turns a person's Value into the state entry of an input element.
func entered(ref elementRef, val Value) (map[string]any, error) {
	typ := ref.typ()
	if val.Type != "" && val.Type != typ {
		return nil, fmt.Errorf("slackemu: input %s/%s is a %s, not a %s", ref.blockID, ref.actionID(), typ, val.Type)
	}
	st := map[string]any{"type": typ}
	option := func(o *Option) (any, error) {
		if o == nil {
			return nil, nil
		}
		full, ok := findOption(ref.elem, o.Value)
		if !ok {
			return nil, fmt.Errorf("slackemu: input %s/%s has no option %q", ref.blockID, ref.actionID(), o.Value)
		}
		return full, nil
	}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		st["value"] = val.Value
	case "static_select", "radio_buttons", "external_select":
		o := val.SelectedOption
		if o == nil && val.Value != "" {
			o = &Option{Value: val.Value}
		}
		full, err := option(o)
		if err != nil {
			return nil, err
		}
		st["selected_option"] = full
	case "multi_static_select", "checkboxes", "multi_external_select":
		sel := []any{}
		for _, o := range val.SelectedOptions {
			full, err := option(&o)
			if err != nil {
				return nil, err
			}
			sel = append(sel, full)
		}
		st["selected_options"] = sel
	case "users_select":
		st["selected_user"] = orNil(val.SelectedUser, val.Value)
	case "multi_users_select":
		st["selected_users"] = slices.Clone(val.SelectedUsers)
	case "conversations_select":
		st["selected_conversation"] = orNil(val.SelectedConversation, val.Value)
	case "channels_select":
		st["selected_channel"] = orNil(val.SelectedChannel, val.Value)
	case "datepicker":
		st["selected_date"] = orNil(val.SelectedDate, val.Value)
	case "timepicker":
		st["selected_time"] = orNil(val.SelectedTime, val.Value)
	default:
		return nil, fmt.Errorf("slackemu: entering values in %s elements is not supported", typ)
	}
	return st, nil
}

func orNil(vals ...string) any {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return nil
}

// CloseView is the person clicking Close (or ×) on their top modal. With
// clear_on_close every view closes; with notify_on_close the app receives
// view_closed (is_cleared set accordingly) and CloseView waits for its ack.
func (s *Server) CloseView(ctx context.Context, userID, viewID string) error {
	s.mu.Lock()
	u, err := s.person(userID)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	v, err := s.topModal(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	var payload json.RawMessage
	if v.notifyOnClose {
		payload = marshal(map[string]any{
			"type": "view_closed", "team": s.team(), "user": s.userBrief(u),
			"api_app_id": s.opts.AppID, "token": verificationToken,
			"view": s.viewJSON(v, nil), "is_cleared": v.clearOnClose,
			"enterprise": nil, "is_enterprise_install": false,
		})
	}
	s.closeTop(userID, v.clearOnClose)
	s.mu.Unlock()
	if payload == nil {
		return nil
	}
	_, err = s.roundTrip(ctx, s.newEnvelope("interactive", payload, false, 0))
	return err
}
