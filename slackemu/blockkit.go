package slackemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Surface is where blocks are shown; limits and allowed blocks differ.
type Surface string

// The Block Kit surfaces.
const (
	SurfaceMessage Surface = "message"
	SurfaceModal   Surface = "modal"
	SurfaceHome    Surface = "home"
)

// Block Kit limits (SLACK.md; python-slack-sdk models; Slack's Block Kit
// reference).
const (
	maxMessageBlocks   = 50
	maxViewBlocks      = 100
	maxSectionText     = 3000
	maxSectionFields   = 10
	maxFieldText       = 2000
	maxHeaderText      = 150
	maxIDLength        = 255
	maxButtonText      = 75
	maxButtonValue     = 2000
	maxURL             = 3000
	maxSelectOptions   = 100
	maxOptionText      = 75
	maxOptionValue     = 150
	maxActionsElements = 25
	maxContextElements = 10
	maxPlaceholder     = 150
	maxLabel           = 2000
	maxAltText         = 2000
	maxModalText       = 24
	maxPrivateMetadata = 3000
	maxViewBytes       = 250_000 // "greater than 250kb"; the stricter reading
	maxMarkdownText    = 12000
	maxCheckboxOptions = 10
	maxOverflowOptions = 5
	maxInputLength     = 3000
)

// ValidateBlocks checks a blocks array for a surface the way Slack does and
// returns Slack-style messages, e.g.
// "must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
// An empty result means Slack would accept the blocks.
func ValidateBlocks(surface Surface, blocks json.RawMessage) []string {
	return validateBlocks(surface, blocks, "")
}

func validateBlocks(surface Surface, blocks json.RawMessage, prefix string) []string {
	v := newValidator(surface)
	doc, err := decodeJSON(blocks)
	if err != nil {
		return []string{"must provide an array [json-pointer:" + prefix + "/blocks]"}
	}
	v.blocks(prefix+"/blocks", doc)
	return v.errs
}

// ValidateView checks a modal or Home tab view object (as passed to
// views.open/update/push/publish) and returns Slack-style messages with
// pointers under /view. An empty result means Slack would accept it.
func ValidateView(view json.RawMessage) []string {
	if len(view) > maxViewBytes {
		return []string{fmt.Sprintf("view is larger than %d bytes (view_too_large) [json-pointer:/view]", maxViewBytes)}
	}
	doc, err := decodeJSON(view)
	if err != nil {
		return []string{"must provide an object [json-pointer:/view]"}
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return []string{"must provide an object [json-pointer:/view]"}
	}
	typ, _ := obj["type"].(string)
	var v *validator
	switch typ {
	case "modal":
		v = newValidator(SurfaceModal)
	case "home":
		v = newValidator(SurfaceHome)
	case "":
		return []string{"missing required field: type [json-pointer:/view]"}
	default:
		return []string{"unsupported type: " + typ + " [json-pointer:/view/type]"}
	}
	v.view("/view", obj)
	return v.errs
}

type validator struct {
	surface   Surface
	errs      []string
	blockIDs  map[string]bool
	actionIDs map[string]bool
	inputs    int // index of the first input block, -1 if none
}

func newValidator(s Surface) *validator {
	return &validator{surface: s, blockIDs: map[string]bool{}, actionIDs: map[string]bool{}, inputs: -1}
}

func (v *validator) errf(ptr, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

func decodeJSON(raw json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return doc, nil
}

var viewFields = map[string][]string{
	"modal": {"type", "title", "blocks", "close", "submit", "private_metadata", "callback_id",
		"clear_on_close", "notify_on_close", "external_id", "submit_disabled"},
	"home": {"type", "blocks", "private_metadata", "callback_id", "external_id"},
}

func (v *validator) view(ptr string, obj map[string]any) {
	typ := obj["type"].(string)
	v.known(ptr, obj, viewFields[typ]...)
	if typ == "modal" {
		v.textField(ptr, obj, "title", plainOnly, maxModalText, true)
		v.textField(ptr, obj, "submit", plainOnly, maxModalText, false)
		v.textField(ptr, obj, "close", plainOnly, maxModalText, false)
		v.boolField(ptr, obj, "clear_on_close")
		v.boolField(ptr, obj, "notify_on_close")
		v.boolField(ptr, obj, "submit_disabled")
	}
	v.stringField(ptr, obj, "private_metadata", maxPrivateMetadata, false)
	v.stringField(ptr, obj, "callback_id", maxIDLength, false)
	v.stringField(ptr, obj, "external_id", maxIDLength, false)
	blocks, ok := obj["blocks"]
	if !ok {
		v.errf(ptr, "missing required field: blocks")
		return
	}
	v.blocks(ptr+"/blocks", blocks)
	if typ == "modal" && v.inputs >= 0 {
		if _, ok := obj["submit"]; !ok {
			v.errf(fmt.Sprintf("%s/blocks/%d", ptr, v.inputs), "must define `submit` to use an `input` block in modals")
		}
	}
}

func (v *validator) blocks(ptr string, doc any) {
	list, ok := doc.([]any)
	if !ok {
		v.errf(ptr, "must provide an array")
		return
	}
	limit := maxViewBlocks
	if v.surface == SurfaceMessage {
		limit = maxMessageBlocks
	}
	if len(list) > limit {
		v.errf(ptr, "no more than %d items allowed", limit)
	}
	for i, b := range list {
		v.block(fmt.Sprintf("%s/%d", ptr, i), i, b)
	}
}

var blockFields = map[string][]string{
	"section":   {"text", "fields", "accessory", "expand"},
	"header":    {"text"},
	"divider":   {},
	"context":   {"elements"},
	"actions":   {"elements"},
	"input":     {"label", "element", "dispatch_action", "hint", "optional"},
	"image":     {"image_url", "slack_file", "alt_text", "title", "image_width", "image_height", "image_bytes", "is_animated", "fallback"},
	"rich_text": {"elements"},
	"markdown":  {"text"},
	"video": {"alt_text", "author_name", "description", "provider_icon_url", "provider_name",
		"title", "title_url", "thumbnail_url", "video_url"},
	"file":  {"external_id", "source", "file_id", "file"},
	"table": {"rows", "column_settings"},
}

func (v *validator) block(ptr string, index int, doc any) {
	b, ok := doc.(map[string]any)
	if !ok {
		v.errf(ptr, "must provide an object")
		return
	}
	typ, ok := b["type"].(string)
	if !ok {
		v.errf(ptr, "missing required field: type")
		return
	}
	fields, known := blockFields[typ]
	if !known {
		v.errf(ptr+"/type", "unsupported type: %s", typ)
		return
	}
	v.known(ptr, b, append([]string{"type", "block_id"}, fields...)...)
	if id, present := b["block_id"]; present {
		s, ok := id.(string)
		switch {
		case !ok:
			v.errf(ptr+"/block_id", "must provide a string")
		case utf8.RuneCountInString(s) > maxIDLength:
			v.errf(ptr+"/block_id", "must be less than %d characters", maxIDLength+1)
		case v.blockIDs[s]:
			v.errf(ptr+"/block_id", "duplicate block_id: %s", s)
		default:
			v.blockIDs[s] = true
		}
	}
	switch typ {
	case "section":
		v.section(ptr, b)
	case "header":
		v.textField(ptr, b, "text", plainOnly, maxHeaderText, true)
	case "context":
		list := v.array(ptr, b, "elements", 1, maxContextElements)
		for i, e := range list {
			ep := fmt.Sprintf("%s/elements/%d", ptr, i)
			if m, ok := e.(map[string]any); ok && m["type"] == "image" {
				v.element(ep, e, elemContext)
			} else {
				v.text(ep, e, anyText, maxSectionText)
			}
		}
	case "actions":
		for i, e := range v.array(ptr, b, "elements", 1, maxActionsElements) {
			v.element(fmt.Sprintf("%s/elements/%d", ptr, i), e, elemActions)
		}
	case "input":
		if v.surface != SurfaceModal {
			v.errf(ptr, "unsupported type: input is only available in modals")
		}
		if v.inputs < 0 {
			v.inputs = index
		}
		v.textField(ptr, b, "label", plainOnly, maxLabel, true)
		v.textField(ptr, b, "hint", plainOnly, maxLabel, false)
		v.boolField(ptr, b, "optional")
		v.boolField(ptr, b, "dispatch_action")
		if e, ok := b["element"]; ok {
			v.element(ptr+"/element", e, elemInput)
		} else {
			v.errf(ptr, "missing required field: element")
		}
	case "image":
		v.image(ptr, b, true)
	case "rich_text":
		v.array(ptr, b, "elements", 0, -1)
	case "markdown":
		v.stringField(ptr, b, "text", maxMarkdownText, true)
	case "video":
		for _, f := range []string{"alt_text", "title", "thumbnail_url", "video_url"} {
			v.stringField(ptr, b, f, maxURL, true)
		}
	case "file":
		if v.surface != SurfaceMessage {
			v.errf(ptr, "unsupported type: file is only available in messages")
		}
	}
}

func (v *validator) section(ptr string, b map[string]any) {
	_, hasText := b["text"]
	_, hasFields := b["fields"]
	if !hasText && !hasFields {
		v.errf(ptr, "must provide text or fields")
	}
	v.textField(ptr, b, "text", anyText, maxSectionText, false)
	if hasFields {
		for i, f := range v.array(ptr, b, "fields", 1, maxSectionFields) {
			v.text(fmt.Sprintf("%s/fields/%d", ptr, i), f, anyText, maxFieldText)
		}
	}
	if a, ok := b["accessory"]; ok {
		v.element(ptr+"/accessory", a, elemSection)
	}
	v.boolField(ptr, b, "expand")
}

// where an element sits, which decides the types allowed.
type elemPlace int

const (
	elemSection elemPlace = iota
	elemActions
	elemInput
	elemContext
)

var selectCommon = []string{"action_id", "confirm", "focus_on_load", "placeholder"}

var elementFields = map[string][]string{
	"button": {"text", "action_id", "url", "value", "style", "confirm", "accessibility_label",
		"agent_prompt", "agent_prompt_display", "visible_to_user_ids"},
	"static_select":              append([]string{"options", "option_groups", "initial_option"}, selectCommon...),
	"multi_static_select":        append([]string{"options", "option_groups", "initial_options", "max_selected_items"}, selectCommon...),
	"external_select":            append([]string{"initial_option", "min_query_length"}, selectCommon...),
	"multi_external_select":      append([]string{"initial_options", "min_query_length", "max_selected_items"}, selectCommon...),
	"users_select":               append([]string{"initial_user"}, selectCommon...),
	"multi_users_select":         append([]string{"initial_users", "max_selected_items"}, selectCommon...),
	"conversations_select":       append([]string{"initial_conversation", "default_to_current_conversation", "response_url_enabled", "filter"}, selectCommon...),
	"multi_conversations_select": append([]string{"initial_conversations", "default_to_current_conversation", "max_selected_items", "filter"}, selectCommon...),
	"channels_select":            append([]string{"initial_channel", "response_url_enabled"}, selectCommon...),
	"multi_channels_select":      append([]string{"initial_channels", "max_selected_items"}, selectCommon...),
	"overflow":                   {"action_id", "options", "confirm"},
	"datepicker":                 append([]string{"initial_date"}, selectCommon...),
	"timepicker":                 append([]string{"initial_time", "timezone"}, selectCommon...),
	"datetimepicker":             {"action_id", "initial_date_time", "confirm", "focus_on_load"},
	"checkboxes":                 {"action_id", "options", "initial_options", "confirm", "focus_on_load"},
	"radio_buttons":              {"action_id", "options", "initial_option", "confirm", "focus_on_load"},
	"plain_text_input":           {"action_id", "initial_value", "multiline", "min_length", "max_length", "dispatch_action_config", "focus_on_load", "placeholder"},
	"email_text_input":           {"action_id", "initial_value", "dispatch_action_config", "focus_on_load", "placeholder"},
	"url_text_input":             {"action_id", "initial_value", "dispatch_action_config", "focus_on_load", "placeholder"},
	"number_input":               {"action_id", "is_decimal_allowed", "initial_value", "min_value", "max_value", "dispatch_action_config", "focus_on_load", "placeholder"},
	"rich_text_input":            {"action_id", "initial_value", "dispatch_action_config", "focus_on_load", "placeholder"},
	"file_input":                 {"action_id", "filetypes", "max_files"},
	"image":                      {"image_url", "slack_file", "alt_text"},
	"workflow_button":            {"text", "workflow", "action_id", "style", "accessibility_label"},
}

// inputOnly element types are only valid in input blocks.
var inputOnly = map[string]bool{
	"plain_text_input": true, "email_text_input": true, "url_text_input": true,
	"number_input": true, "rich_text_input": true, "file_input": true,
}

func (v *validator) element(ptr string, doc any, place elemPlace) {
	e, ok := doc.(map[string]any)
	if !ok {
		v.errf(ptr, "must provide an object")
		return
	}
	typ, ok := e["type"].(string)
	if !ok {
		v.errf(ptr, "missing required field: type")
		return
	}
	fields, known := elementFields[typ]
	allowed := known
	switch place {
	case elemContext:
		allowed = typ == "image"
	case elemInput:
		allowed = known && typ != "button" && typ != "overflow" && typ != "image" && typ != "workflow_button"
	case elemSection, elemActions:
		allowed = known && !inputOnly[typ] && !(place == elemActions && typ == "image")
	}
	if !allowed {
		v.errf(ptr+"/type", "unsupported type: %s", typ)
		return
	}
	v.known(ptr, e, append([]string{"type"}, fields...)...)
	if id, present := e["action_id"]; present {
		s, ok := id.(string)
		switch {
		case !ok:
			v.errf(ptr+"/action_id", "must provide a string")
		case utf8.RuneCountInString(s) > maxIDLength:
			v.errf(ptr+"/action_id", "must be less than %d characters", maxIDLength+1)
		case v.actionIDs[s]:
			v.errf(ptr+"/action_id", "duplicate action_id: %s", s)
		default:
			v.actionIDs[s] = true
		}
	}
	v.textField(ptr, e, "placeholder", plainOnly, maxPlaceholder, false)
	v.confirm(ptr, e)
	switch typ {
	case "button":
		v.textField(ptr, e, "text", plainOnly, maxButtonText, true)
		v.stringField(ptr, e, "value", maxButtonValue, false)
		v.stringField(ptr, e, "url", maxURL, false)
		if st, ok := e["style"]; ok && st != "primary" && st != "danger" {
			v.errf(ptr+"/style", "must be one of: primary, danger")
		}
	case "static_select", "multi_static_select":
		v.selectOptions(ptr, e)
	case "overflow":
		v.options(ptr, e, "options", 1, maxOverflowOptions, plainOnly)
	case "checkboxes", "radio_buttons":
		opts := v.options(ptr, e, "options", 1, maxCheckboxOptions, anyText)
		v.initialOptions(ptr, e, opts)
	case "plain_text_input":
		for _, f := range []string{"min_length", "max_length"} {
			if n, ok := e[f]; ok {
				if i, err := strconv.Atoi(fmt.Sprint(n)); err != nil || i < 0 || i > maxInputLength {
					v.errf(ptr+"/"+f, "must be an integer between 0 and %d", maxInputLength)
				}
			}
		}
	case "datepicker":
		if d, ok := e["initial_date"].(string); ok && !dateRE.MatchString(d) {
			v.errf(ptr+"/initial_date", "must match format YYYY-MM-DD")
		}
	case "timepicker":
		if d, ok := e["initial_time"].(string); ok && !timeRE.MatchString(d) {
			v.errf(ptr+"/initial_time", "must match format HH:mm")
		}
	case "image":
		v.image(ptr, e, false)
	}
}

var (
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	timeRE = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

// image checks an image block or element: exactly one of image_url and
// slack_file, and a slack_file names its file by exactly one of id and url
// (docs.slack.dev/reference/block-kit/blocks/image-block,
// .../composition-objects/slack-file-object). Whether the file exists and
// is an image is checked against the workspace (checkSlackFiles).
func (v *validator) image(ptr string, e map[string]any, block bool) {
	_, url := e["image_url"]
	raw, file := e["slack_file"]
	switch {
	case !url && !file:
		v.errf(ptr, "missing required field: image_url")
	case url && file:
		v.errf(ptr, "must provide exactly one of image_url or slack_file")
	case file:
		sf, ok := raw.(map[string]any)
		_, id := sf["id"]
		_, u := sf["url"]
		switch {
		case !ok:
			v.errf(ptr+"/slack_file", "must provide an object")
		case id == u:
			v.errf(ptr+"/slack_file", "must provide exactly one of id or url")
		}
	}
	v.stringField(ptr, e, "image_url", maxURL, false)
	v.stringField(ptr, e, "alt_text", maxAltText, true)
	if block {
		v.textField(ptr, e, "title", plainOnly, maxAltText, false)
	}
}

// selectOptions checks options or option_groups (exactly one) and initial_option(s).
func (v *validator) selectOptions(ptr string, e map[string]any) {
	_, hasOpts := e["options"]
	_, hasGroups := e["option_groups"]
	var all []map[string]any
	switch {
	case hasOpts && hasGroups:
		v.errf(ptr, "must provide exactly one of options or option_groups")
	case hasOpts:
		all = v.options(ptr, e, "options", 1, maxSelectOptions, plainOnly)
	case hasGroups:
		for i, g := range v.array(ptr, e, "option_groups", 1, maxSelectOptions) {
			gp := fmt.Sprintf("%s/option_groups/%d", ptr, i)
			gm, ok := g.(map[string]any)
			if !ok {
				v.errf(gp, "must provide an object")
				continue
			}
			v.known(gp, gm, "label", "options")
			v.textField(gp, gm, "label", plainOnly, maxOptionText, true)
			all = append(all, v.options(gp, gm, "options", 1, maxSelectOptions, plainOnly)...)
		}
	default:
		v.errf(ptr, "missing required field: options")
	}
	v.initialOptions(ptr, e, all)
}

// initialOptions checks initial_option(s) are among the options, as Slack requires.
func (v *validator) initialOptions(ptr string, e map[string]any, opts []map[string]any) {
	has := func(o any) bool {
		om, ok := o.(map[string]any)
		if !ok {
			return false
		}
		for _, x := range opts {
			if x["value"] == om["value"] {
				return true
			}
		}
		return false
	}
	if o, ok := e["initial_option"]; ok && !has(o) {
		v.errf(ptr+"/initial_option", "must match one of the options")
	}
	if list, ok := e["initial_options"].([]any); ok {
		for i, o := range list {
			if !has(o) {
				v.errf(fmt.Sprintf("%s/initial_options/%d", ptr, i), "must match one of the options")
			}
		}
	}
}

func (v *validator) options(ptr string, e map[string]any, field string, minN, maxN int, kind textKind) []map[string]any {
	var out []map[string]any
	for i, o := range v.array(ptr, e, field, minN, maxN) {
		op := fmt.Sprintf("%s/%s/%d", ptr, field, i)
		om, ok := o.(map[string]any)
		if !ok {
			v.errf(op, "must provide an object")
			continue
		}
		v.known(op, om, "text", "value", "description", "url")
		v.textField(op, om, "text", kind, maxOptionText, true)
		v.textField(op, om, "description", kind, maxOptionText, false)
		v.stringField(op, om, "value", maxOptionValue, true)
		v.stringField(op, om, "url", maxURL, false)
		out = append(out, om)
	}
	return out
}

func (v *validator) confirm(ptr string, e map[string]any) {
	c, ok := e["confirm"]
	if !ok {
		return
	}
	cp := ptr + "/confirm"
	cm, ok := c.(map[string]any)
	if !ok {
		v.errf(cp, "must provide an object")
		return
	}
	v.known(cp, cm, "title", "text", "confirm", "deny", "style")
	v.textField(cp, cm, "title", plainOnly, 100, true)
	v.textField(cp, cm, "text", anyText, 300, true)
	v.textField(cp, cm, "confirm", plainOnly, 30, true)
	v.textField(cp, cm, "deny", plainOnly, 30, true)
}

type textKind int

const (
	anyText textKind = iota
	plainOnly
)

// textField checks obj[field] is a text object.
func (v *validator) textField(ptr string, obj map[string]any, field string, kind textKind, maxLen int, required bool) {
	t, ok := obj[field]
	if !ok {
		if required {
			v.errf(ptr, "missing required field: %s", field)
		}
		return
	}
	v.text(ptr+"/"+field, t, kind, maxLen)
}

// text checks a text object: type plain_text or mrkdwn, non-empty text
// within maxLen characters, emoji only on plain_text, verbatim only on mrkdwn.
func (v *validator) text(ptr string, doc any, kind textKind, maxLen int) {
	t, ok := doc.(map[string]any)
	if !ok {
		v.errf(ptr, "must provide an object")
		return
	}
	typ, _ := t["type"].(string)
	switch {
	case typ == "":
		v.errf(ptr, "missing required field: type")
		return
	case typ != "plain_text" && typ != "mrkdwn":
		v.errf(ptr+"/type", "must be one of: plain_text, mrkdwn")
		return
	case kind == plainOnly && typ != "plain_text":
		v.errf(ptr+"/type", "must be plain_text")
		return
	}
	fields := []string{"type", "text", "emoji"}
	if typ == "mrkdwn" {
		fields = []string{"type", "text", "verbatim"}
	}
	v.known(ptr, t, fields...)
	s, present := t["text"]
	str, ok := s.(string)
	switch {
	case !present:
		v.errf(ptr, "missing required field: text")
	case !ok:
		v.errf(ptr+"/text", "must provide a string")
	case str == "":
		v.errf(ptr+"/text", "must be more than 0 characters")
	case utf8.RuneCountInString(str) > maxLen:
		v.errf(ptr+"/text", "must be less than %d characters", maxLen+1)
	}
}

// stringField checks obj[field] is a string of at most maxLen characters.
func (v *validator) stringField(ptr string, obj map[string]any, field string, maxLen int, required bool) {
	x, ok := obj[field]
	if !ok {
		if required {
			v.errf(ptr, "missing required field: %s", field)
		}
		return
	}
	s, ok := x.(string)
	switch {
	case !ok:
		v.errf(ptr+"/"+field, "must provide a string")
	case required && s == "":
		v.errf(ptr+"/"+field, "must be more than 0 characters")
	case utf8.RuneCountInString(s) > maxLen:
		v.errf(ptr+"/"+field, "must be less than %d characters", maxLen+1)
	}
}

func (v *validator) boolField(ptr string, obj map[string]any, field string) {
	if x, ok := obj[field]; ok {
		if _, ok := x.(bool); !ok {
			v.errf(ptr+"/"+field, "must provide a boolean")
		}
	}
}

// array checks obj[field] is an array of minN..maxN items (maxN < 0: no limit).
func (v *validator) array(ptr string, obj map[string]any, field string, minN, maxN int) []any {
	x, ok := obj[field]
	if !ok {
		v.errf(ptr, "missing required field: %s", field)
		return nil
	}
	list, ok := x.([]any)
	if !ok {
		v.errf(ptr+"/"+field, "must provide an array")
		return nil
	}
	if len(list) < minN {
		v.errf(ptr+"/"+field, "must provide at least %d items", minN)
	}
	if maxN >= 0 && len(list) > maxN {
		v.errf(ptr+"/"+field, "no more than %d items allowed", maxN)
	}
	return list
}

// known flags properties Slack's schema does not allow, in a stable order.
func (v *validator) known(ptr string, obj map[string]any, fields ...string) {
	var extra []string
	for k := range obj {
		if !slices.Contains(fields, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		v.errf(ptr, "invalid additional property: %s", k)
	}
}
