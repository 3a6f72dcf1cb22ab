package slackemu

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func rep(s string, n int) string { return strings.Repeat(s, n) }

// blocksOf joins block JSON objects into an array.
func blocksOf(blocks ...string) json.RawMessage {
	return json.RawMessage("[" + strings.Join(blocks, ",") + "]")
}

func section(text string) string {
	return `{"type":"section","text":{"type":"mrkdwn","text":"` + text + `"}}`
}

func button(actionID, text, value string) string {
	return `{"type":"button","action_id":"` + actionID + `","text":{"type":"plain_text","text":"` + text + `"},"value":"` + value + `"}`
}

func options(n int, text, value string) string {
	var o []string
	for i := range n {
		o = append(o, fmt.Sprintf(`{"text":{"type":"plain_text","text":"%s"},"value":"%s%d"}`, text, value, i))
	}
	return "[" + strings.Join(o, ",") + "]"
}

func TestValidateBlocks(t *testing.T) {
	many := func(n int, b string) json.RawMessage {
		list := make([]string, n)
		for i := range list {
			list[i] = b
		}
		return blocksOf(list...)
	}
	fields := func(n, size int) string {
		var f []string
		for range n {
			f = append(f, `{"type":"mrkdwn","text":"`+rep("f", size)+`"}`)
		}
		return `{"type":"section","fields":[` + strings.Join(f, ",") + `]}`
	}
	input := `{"type":"input","block_id":"i","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"a"}}`
	tests := []struct {
		name    string
		surface Surface
		blocks  json.RawMessage
		want    []string // exact messages; nil means valid
	}{
		{"valid message", SurfaceMessage, blocksOf(
			`{"type":"header","text":{"type":"plain_text","text":"Weekly","emoji":true}}`,
			section("*hi* <@U1>"),
			`{"type":"divider"}`,
			`{"type":"context","elements":[{"type":"mrkdwn","text":"ctx"},{"type":"image","image_url":"https://x/y.png","alt_text":"y"}]}`,
			`{"type":"actions","block_id":"b","elements":[`+button("a1", "Yes", "y")+`,`+button("a2", "No", "n")+`]}`,
		), nil},
		{"50 blocks", SurfaceMessage, many(50, `{"type":"divider"}`), nil},
		{"51 blocks in a message", SurfaceMessage, many(51, `{"type":"divider"}`), []string{"no more than 50 items allowed [json-pointer:/blocks]"}},
		{"100 blocks in a modal", SurfaceModal, many(100, `{"type":"divider"}`), nil},
		{"101 blocks on home", SurfaceHome, many(101, `{"type":"divider"}`), []string{"no more than 100 items allowed [json-pointer:/blocks]"}},
		{"section text 3000", SurfaceMessage, blocksOf(section(rep("x", 3000))), nil},
		{"section text 3001", SurfaceMessage, blocksOf(section(rep("x", 3001))), []string{"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"}},
		{"section text counts characters", SurfaceMessage, blocksOf(section(rep("é", 3000))), nil},
		{"10 fields of 2000", SurfaceMessage, blocksOf(fields(10, 2000)), nil},
		{"11 fields", SurfaceMessage, blocksOf(fields(11, 1)), []string{"no more than 10 items allowed [json-pointer:/blocks/0/fields]"}},
		{"field of 2001", SurfaceMessage, blocksOf(fields(1, 2001)), []string{"must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]"}},
		{"empty section", SurfaceMessage, blocksOf(`{"type":"section"}`), []string{"must provide text or fields [json-pointer:/blocks/0]"}},
		{"empty text", SurfaceMessage, blocksOf(section("")), []string{"must be more than 0 characters [json-pointer:/blocks/0/text/text]"}},
		{"bad text type", SurfaceMessage, blocksOf(`{"type":"section","text":{"type":"markdown","text":"x"}}`), []string{"must be one of: plain_text, mrkdwn [json-pointer:/blocks/0/text/type]"}},
		{"emoji on mrkdwn", SurfaceMessage, blocksOf(`{"type":"section","text":{"type":"mrkdwn","text":"x","emoji":true}}`), []string{"invalid additional property: emoji [json-pointer:/blocks/0/text]"}},
		{"header of 150", SurfaceMessage, blocksOf(`{"type":"header","text":{"type":"plain_text","text":"` + rep("h", 150) + `"}}`), nil},
		{"header of 151", SurfaceMessage, blocksOf(`{"type":"header","text":{"type":"plain_text","text":"` + rep("h", 151) + `"}}`), []string{"must be less than 151 characters [json-pointer:/blocks/0/text/text]"}},
		{"mrkdwn header", SurfaceMessage, blocksOf(`{"type":"header","text":{"type":"mrkdwn","text":"h"}}`), []string{"must be plain_text [json-pointer:/blocks/0/text/type]"}},
		{"block_id of 256", SurfaceMessage, blocksOf(`{"type":"divider","block_id":"` + rep("b", 256) + `"}`), []string{"must be less than 256 characters [json-pointer:/blocks/0/block_id]"}},
		{"duplicate block_id", SurfaceMessage, blocksOf(`{"type":"divider","block_id":"b"}`, `{"type":"divider","block_id":"b"}`), []string{"duplicate block_id: b [json-pointer:/blocks/1/block_id]"}},
		{"duplicate action_id", SurfaceMessage, blocksOf(`{"type":"actions","elements":[`+button("a", "1", "")+`]}`, `{"type":"section","text":{"type":"plain_text","text":"t"},"accessory":`+button("a", "2", "")+`}`), []string{"duplicate action_id: a [json-pointer:/blocks/1/accessory/action_id]"}},
		{"action_id of 256", SurfaceMessage, blocksOf(`{"type":"actions","elements":[` + button(rep("a", 256), "x", "") + `]}`), []string{"must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"}},
		{"button text of 76", SurfaceMessage, blocksOf(`{"type":"actions","elements":[` + button("a", rep("t", 76), "") + `]}`), []string{"must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"}},
		{"button value of 2001", SurfaceMessage, blocksOf(`{"type":"actions","elements":[` + button("a", "t", rep("v", 2001)) + `]}`), []string{"must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"}},
		{"button style", SurfaceMessage, blocksOf(`{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"t"},"style":"green"}]}`), []string{"must be one of: primary, danger [json-pointer:/blocks/0/elements/0/style]"}},
		{"26 action elements", SurfaceMessage, blocksOf(`{"type":"actions","elements":[` + strings.Repeat(`{"type":"button","text":{"type":"plain_text","text":"t"}},`, 25) + `{"type":"button","text":{"type":"plain_text","text":"t"}}]}`), []string{"no more than 25 items allowed [json-pointer:/blocks/0/elements]"}},
		{"11 context elements", SurfaceMessage, blocksOf(`{"type":"context","elements":[` + strings.Repeat(`{"type":"plain_text","text":"c"},`, 10) + `{"type":"plain_text","text":"c"}]}`), []string{"no more than 10 items allowed [json-pointer:/blocks/0/elements]"}},
		{"select of 100 options", SurfaceMessage, blocksOf(`{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":` + options(100, "o", "v") + `}]}`), nil},
		{"select of 101 options", SurfaceMessage, blocksOf(`{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":` + options(101, "o", "v") + `}]}`), []string{"no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]"}},
		{"option text of 76", SurfaceMessage, blocksOf(`{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":` + options(1, rep("o", 76), "v") + `}]}`), []string{"must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]"}},
		{"option value of 151", SurfaceMessage, blocksOf(`{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":` + options(1, "o", rep("v", 150)) + `}]}`), []string{"must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]"}},
		{"initial option not among options", SurfaceMessage, blocksOf(`{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":` + options(2, "o", "v") + `,"initial_option":{"text":{"type":"plain_text","text":"o"},"value":"zz"}}]}`), []string{"must match one of the options [json-pointer:/blocks/0/elements/0/initial_option]"}},
		{"input in a message", SurfaceMessage, blocksOf(input), []string{"unsupported type: input is only available in modals [json-pointer:/blocks/0]"}},
		{"input in a modal", SurfaceModal, blocksOf(input), nil},
		{"input without element", SurfaceModal, blocksOf(`{"type":"input","label":{"type":"plain_text","text":"L"}}`), []string{"missing required field: element [json-pointer:/blocks/0]"}},
		{"input without label", SurfaceModal, blocksOf(`{"type":"input","element":{"type":"plain_text_input"}}`), []string{"missing required field: label [json-pointer:/blocks/0]"}},
		{"button in an input", SurfaceModal, blocksOf(`{"type":"input","label":{"type":"plain_text","text":"L"},"element":` + button("a", "b", "") + `}`), []string{"unsupported type: button [json-pointer:/blocks/0/element/type]"}},
		{"text input outside an input block", SurfaceModal, blocksOf(`{"type":"actions","elements":[{"type":"plain_text_input","action_id":"t"}]}`), []string{"unsupported type: plain_text_input [json-pointer:/blocks/0/elements/0/type]"}},
		{"unknown block type", SurfaceMessage, blocksOf(`{"type":"carousel"}`), []string{"unsupported type: carousel [json-pointer:/blocks/0/type]"}},
		{"unknown property", SurfaceMessage, blocksOf(`{"type":"divider","colour":"red"}`), []string{"invalid additional property: colour [json-pointer:/blocks/0]"}},
		{"block not an object", SurfaceMessage, blocksOf(`"divider"`), []string{"must provide an object [json-pointer:/blocks/0]"}},
		{"image without alt_text", SurfaceMessage, blocksOf(`{"type":"image","image_url":"https://x/y.png"}`), []string{"missing required field: alt_text [json-pointer:/blocks/0]"}},
		{"not an array", SurfaceMessage, json.RawMessage(`{"type":"divider"}`), []string{"must provide an array [json-pointer:/blocks]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ValidateBlocks(tc.surface, tc.blocks)
			if !slices.Equal(got, tc.want) {
				t.Errorf("ValidateBlocks =\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

func TestValidateView(t *testing.T) {
	modal := func(extra string, blocks ...string) json.RawMessage {
		return json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"Rate"}` + extra + `,"blocks":` + string(blocksOf(blocks...)) + `}`)
	}
	input := `{"type":"input","block_id":"i","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"a"}}`
	submit := `,"submit":{"type":"plain_text","text":"Save"}`
	tests := []struct {
		name string
		view json.RawMessage
		want []string
	}{
		{"valid modal", modal(submit+`,"close":{"type":"plain_text","text":"Cancel"},"callback_id":"c","private_metadata":"m","notify_on_close":true`, input), nil},
		{"title of 24", json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"` + rep("t", 24) + `"},"blocks":[]}`), nil},
		{"title of 25", json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"` + rep("t", 25) + `"},"blocks":[]}`), []string{"must be less than 25 characters [json-pointer:/view/title/text]"}},
		{"no title", json.RawMessage(`{"type":"modal","blocks":[]}`), []string{"missing required field: title [json-pointer:/view]"}},
		{"mrkdwn submit", modal(`,"submit":{"type":"mrkdwn","text":"Save"}`), []string{"must be plain_text [json-pointer:/view/submit/type]"}},
		{"close of 25", modal(`,"close":{"type":"plain_text","text":"` + rep("c", 25) + `"}`), []string{"must be less than 25 characters [json-pointer:/view/close/text]"}},
		{"private_metadata of 3001", modal(`,"private_metadata":"` + rep("m", 3001) + `"`), []string{"must be less than 3001 characters [json-pointer:/view/private_metadata]"}},
		{"callback_id of 256", modal(`,"callback_id":"` + rep("c", 256) + `"`), []string{"must be less than 256 characters [json-pointer:/view/callback_id]"}},
		{"input without submit", modal("", section("s"), input), []string{"must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/1]"}},
		{"no blocks", json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"t"}}`), []string{"missing required field: blocks [json-pointer:/view]"}},
		{"unknown type", json.RawMessage(`{"type":"workflow","blocks":[]}`), []string{"unsupported type: workflow [json-pointer:/view/type]"}},
		{"no type", json.RawMessage(`{"blocks":[]}`), []string{"missing required field: type [json-pointer:/view]"}},
		{"home", json.RawMessage(`{"type":"home","blocks":[` + section("hi") + `]}`), nil},
		{"home with submit", json.RawMessage(`{"type":"home","submit":{"type":"plain_text","text":"x"},"blocks":[]}`), []string{"invalid additional property: submit [json-pointer:/view]"}},
		{"view id sent back", modal(`,"id":"V1"`), []string{"invalid additional property: id [json-pointer:/view]"}},
		{"too large", modal(`,"private_metadata":"` + rep("m", 256*1024) + `"`), []string{"view is larger than 250000 bytes (view_too_large) [json-pointer:/view]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidateView(tc.view); !slices.Equal(got, tc.want) {
				t.Errorf("ValidateView =\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

func TestNormalizeFillsIDs(t *testing.T) {
	s := newServer(t, Options{})
	blocks := blocksOf(`{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Go"}}]}`)
	s.mu.Lock()
	got := s.normalizeBlocks(blocks)
	s.mu.Unlock()
	refs := elements(got)
	if len(refs) != 1 || refs[0].blockID == "" || refs[0].actionID() == "" {
		t.Fatalf("normalized %s", got)
	}
	if errs := ValidateBlocks(SurfaceMessage, got); errs != nil {
		t.Errorf("normalized blocks invalid: %v", errs)
	}
}
