package slackemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// interaction is a block_actions payload in the making.
type interaction struct {
	channel string // where the person clicked, for errors shown to them
	payload map[string]any
}

// Click clicks a button (or picks value in a select, overflow, radio
// buttons, date or time picker…) with the given action_id in a message or
// view the person can see, and waits for the ack. The block_actions payload
// is built from the stored blocks; it is an error if no element has that
// action_id there. For buttons, value may be empty or must equal the
// button's value.
func (s *Server) Click(ctx context.Context, userID string, where Container, actionID, value string) error {
	s.mu.Lock()
	in, err := s.blockActions(userID, where, actionID, value)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	e := s.newEnvelope("interactive", marshal(in.payload), false, 0)
	o, err := s.roundTrip(ctx, e)
	if err != nil {
		return err
	}
	if !o.acked {
		return s.notAnswered(userID, in.channel, o)
	}
	return nil
}

// Select picks the option with value optionValue in a static_select (or
// another select) with the given action_id; it is Click by another name.
func (s *Server) Select(ctx context.Context, userID string, where Container, actionID, optionValue string) error {
	return s.Click(ctx, userID, where, actionID, optionValue)
}

// blockActions builds a block_actions payload. The caller holds Server.mu.
func (s *Server) blockActions(userID string, where Container, actionID, value string) (interaction, error) {
	u, err := s.person(userID)
	if err != nil {
		return interaction{}, err
	}
	now := s.now()
	p := map[string]any{
		"type": "block_actions", "user": s.userBrief(u), "api_app_id": s.opts.AppID,
		"token": verificationToken, "team": s.team(), "enterprise": nil, "is_enterprise_install": false,
	}
	var blocks json.RawMessage
	in := interaction{payload: p}
	switch {
	case where.ViewID != "":
		v, ok := s.ws.views[where.ViewID]
		if !ok || v.user != userID {
			return in, fmt.Errorf("slackemu: %s has no view %q open", userID, where.ViewID)
		}
		if v.typ == "modal" {
			stack := s.ws.modals[userID]
			if stack[len(stack)-1] != v {
				return in, fmt.Errorf("slackemu: view %q is not the top of %s's modal stack", v.id, userID)
			}
		}
		blocks = v.blocks
		state := stateValues(v.blocks) // shared: the chosen value shows in both
		p["container"] = map[string]any{"type": "view", "view_id": v.id}
		p["trigger_id"] = s.ws.newTrigger(userID, v.id, now)
		p["view"] = s.viewJSON(v, state)
		p["state"] = map[string]any{"values": state}
	case where.ChannelID != "" && where.MessageTS != "":
		ch, ok := s.ws.channels[where.ChannelID]
		if !ok {
			return in, fmt.Errorf("slackemu: unknown channel %q", where.ChannelID)
		}
		in.channel = ch.id
		m, ok := ch.byTS[where.MessageTS]
		ephemeral := false
		if !ok {
			if m, ok = s.ws.ephemeral[where.MessageTS]; !ok || m.ephemeralFor != userID || m.channel != ch.id {
				return in, fmt.Errorf("slackemu: %s sees no message %s in %s", userID, where.MessageTS, ch.id)
			}
			ephemeral = true
		} else if !ch.members[userID] {
			return in, fmt.Errorf("slackemu: %s is not in %s", userID, ch.id)
		}
		blocks = m.blocks
		container := map[string]any{"type": "message", "message_ts": m.ts, "channel_id": ch.id, "is_ephemeral": ephemeral}
		if m.threadTS != "" {
			container["thread_ts"] = m.threadTS
		}
		p["container"] = container
		p["trigger_id"] = s.ws.newTrigger(userID, "", now)
		p["channel"] = map[string]any{"id": ch.id, "name": channelName(ch)}
		if !ephemeral {
			p["message"] = s.messageJSON(m, false)
		}
		p["state"] = map[string]any{"values": stateValues(m.blocks)}
		tok := s.ws.newResponseURL(&responseURL{user: userID, channel: ch.id, original: m.ts, ephemeral: ephemeral, created: now})
		p["response_url"] = s.base + "/response/" + tok
	default:
		return in, errors.New("slackemu: Click needs a message (channel and ts) or a view id")
	}
	ref, ok := findElement(blocks, actionID)
	if !ok {
		return in, fmt.Errorf("slackemu: no element with action_id %q there", actionID)
	}
	action, err := actionFor(ref, value, now)
	if err != nil {
		return in, err
	}
	p["actions"] = []any{action}
	if st := initialState(ref.elem); st != nil {
		// The chosen value shows in state too.
		for k, v := range action {
			if strings.HasPrefix(k, "selected_") || k == "value" {
				st[k] = v
			}
		}
		values := p["state"].(map[string]any)["values"].(map[string]map[string]any)
		if values[ref.blockID] == nil {
			values[ref.blockID] = map[string]any{}
		}
		values[ref.blockID][actionID] = st
	}
	return in, nil
}

func channelName(ch *channel) string {
	if ch.im {
		return "directmessage"
	}
	return ch.name
}

// actionFor builds one actions[] entry of a block_actions payload.
func actionFor(ref elementRef, value string, now time.Time) (map[string]any, error) {
	e := ref.elem
	typ := ref.typ()
	a := map[string]any{
		"type": typ, "action_id": ref.actionID(), "block_id": ref.blockID,
		"action_ts": formatTS(now.UnixMicro()),
	}
	if ph, ok := e["placeholder"]; ok {
		a["placeholder"] = ph
	}
	switch typ {
	case "button":
		bv, _ := e["value"].(string)
		if value != "" && value != bv {
			return nil, fmt.Errorf("slackemu: button %q has value %q, not %q", ref.actionID(), bv, value)
		}
		a["text"] = e["text"]
		if bv != "" {
			a["value"] = bv
		}
		if st, ok := e["style"]; ok {
			a["style"] = st
		}
	case "static_select", "overflow", "radio_buttons":
		o, ok := findOption(e, value)
		if !ok {
			return nil, fmt.Errorf("slackemu: %s %q has no option %q", typ, ref.actionID(), value)
		}
		a["selected_option"] = o
	case "checkboxes", "multi_static_select":
		var sel []any
		for _, v := range splitList(value) {
			o, ok := findOption(e, v)
			if !ok {
				return nil, fmt.Errorf("slackemu: %s %q has no option %q", typ, ref.actionID(), v)
			}
			sel = append(sel, o)
		}
		if sel == nil {
			sel = []any{}
		}
		a["selected_options"] = sel
	case "users_select":
		a["selected_user"] = value
	case "conversations_select":
		a["selected_conversation"] = value
	case "channels_select":
		a["selected_channel"] = value
	case "multi_users_select":
		a["selected_users"] = splitList(value)
	case "datepicker":
		a["selected_date"] = value
	case "timepicker":
		a["selected_time"] = value
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		a["value"] = value
	default:
		return nil, fmt.Errorf("slackemu: clicking %s elements is not supported", typ)
	}
	return a, nil
}
