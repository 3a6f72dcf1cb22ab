package slackemu

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// marshal encodes v without escaping <, > and &, so mrkdwn stays readable.
func marshal(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage("null")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// decodeBlocks decodes a blocks array for inspection, keeping numbers exact.
func decodeBlocks(raw json.RawMessage) []map[string]any {
	doc, err := decodeJSON(raw)
	if err != nil {
		return nil
	}
	list, _ := doc.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, b := range list {
		if m, ok := b.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// normalizeBlocks fills in the block_id and action_id values Slack
// generates when a block or interactive element has none. The caller holds
// Server.mu. blocks must already be valid.
func (s *Server) normalizeBlocks(raw json.RawMessage) json.RawMessage {
	blocks := decodeBlocks(raw)
	changed := false
	for _, b := range blocks {
		if _, ok := b["block_id"]; !ok {
			b["block_id"] = s.generatedID()
			changed = true
		}
		for _, e := range blockElements(b) {
			if _, ok := e["action_id"]; !ok && e["type"] != "image" {
				e["action_id"] = s.generatedID()
				changed = true
			}
		}
	}
	if !changed {
		return raw
	}
	return marshal(blocks)
}

// generatedID is a short id like Slack's generated block_id values.
func (s *Server) generatedID() string {
	s.ws.seq++
	id := strings.ToUpper(strconv.FormatUint(s.ws.seq, 36))
	for len(id) < 5 {
		id = "0" + id
	}
	return id
}

// blockElements returns a block's interactive elements: a section's
// accessory, an actions block's elements, an input block's element.
func blockElements(b map[string]any) []map[string]any {
	var out []map[string]any
	add := func(x any) {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	switch b["type"] {
	case "section":
		add(b["accessory"])
	case "actions":
		if list, ok := b["elements"].([]any); ok {
			for _, e := range list {
				add(e)
			}
		}
	case "input":
		add(b["element"])
	}
	return out
}

// elementRef is an interactive element and the block that holds it.
type elementRef struct {
	blockID   string
	blockType string
	block     map[string]any
	elem      map[string]any
}

func (r elementRef) actionID() string { s, _ := r.elem["action_id"].(string); return s }
func (r elementRef) typ() string      { s, _ := r.elem["type"].(string); return s }

// elements lists the interactive elements of a blocks array, in order.
func elements(raw json.RawMessage) []elementRef {
	var out []elementRef
	for _, b := range decodeBlocks(raw) {
		id, _ := b["block_id"].(string)
		bt, _ := b["type"].(string)
		for _, e := range blockElements(b) {
			out = append(out, elementRef{blockID: id, blockType: bt, block: b, elem: e})
		}
	}
	return out
}

// findElement finds the element with an action_id.
func findElement(raw json.RawMessage, actionID string) (elementRef, bool) {
	for _, r := range elements(raw) {
		if r.actionID() == actionID {
			return r, true
		}
	}
	return elementRef{}, false
}

// findOption finds an option by value among an element's options and
// option groups.
func findOption(e map[string]any, value string) (map[string]any, bool) {
	var all []any
	if list, ok := e["options"].([]any); ok {
		all = append(all, list...)
	}
	if groups, ok := e["option_groups"].([]any); ok {
		for _, g := range groups {
			if gm, ok := g.(map[string]any); ok {
				if list, ok := gm["options"].([]any); ok {
					all = append(all, list...)
				}
			}
		}
	}
	for _, o := range all {
		if om, ok := o.(map[string]any); ok && om["value"] == value {
			return om, true
		}
	}
	return nil, false
}

// initialState is an element's state value before the person touches it,
// as it appears in state.values.
func initialState(e map[string]any) map[string]any {
	typ, _ := e["type"].(string)
	st := map[string]any{"type": typ}
	pick := func(key, from string, def any) {
		if v, ok := e[from]; ok {
			st[key] = v
		} else {
			st[key] = def
		}
	}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		pick("value", "initial_value", nil)
	case "rich_text_input":
		pick("rich_text_value", "initial_value", nil)
	case "static_select", "external_select", "radio_buttons":
		pick("selected_option", "initial_option", nil)
	case "multi_static_select", "multi_external_select", "checkboxes":
		pick("selected_options", "initial_options", []any{})
	case "users_select":
		pick("selected_user", "initial_user", nil)
	case "multi_users_select":
		pick("selected_users", "initial_users", []any{})
	case "conversations_select":
		pick("selected_conversation", "initial_conversation", nil)
	case "multi_conversations_select":
		pick("selected_conversations", "initial_conversations", []any{})
	case "channels_select":
		pick("selected_channel", "initial_channel", nil)
	case "multi_channels_select":
		pick("selected_channels", "initial_channels", []any{})
	case "datepicker":
		pick("selected_date", "initial_date", nil)
	case "timepicker":
		pick("selected_time", "initial_time", nil)
	case "datetimepicker":
		pick("selected_date_time", "initial_date_time", nil)
	case "file_input":
		st["files"] = []any{}
	default:
		return nil
	}
	return st
}

// stateValues builds state.values for blocks: every input element (and
// stateful element in actions/section blocks) by block_id and action_id.
func stateValues(raw json.RawMessage) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range elements(raw) {
		st := initialState(r.elem)
		if st == nil {
			continue
		}
		if out[r.blockID] == nil {
			out[r.blockID] = map[string]any{}
		}
		out[r.blockID][r.actionID()] = st
	}
	return out
}
