package slackemu

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// RenderBlocks renders Block Kit as readable plain text: headers, sections
// with their fields, context, dividers, buttons as "[ Label ]", selects,
// and modal inputs as "Label: ____". mrkdwn is left mostly as is; user and
// channel mentions show as @U123 and #C123 (Server.Render shows names).
func RenderBlocks(raw json.RawMessage) string { return renderBlocks(raw, nil) }

// Render is RenderBlocks showing <@U123> as @name for users the server knows.
func (s *Server) Render(raw json.RawMessage) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return renderBlocks(raw, s.names)
}

// RenderText renders a message's mrkdwn text the same way.
func (s *Server) RenderText(text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return mrkdwn(text, s.names)
}

// names resolves ids for rendering. The caller holds Server.mu.
func (s *Server) names(kind byte, id string) (string, bool) {
	switch kind {
	case '@':
		if u, ok := s.ws.users[id]; ok {
			return u.Name, true
		}
	case '#':
		if c, ok := s.ws.channels[id]; ok && !c.im {
			return c.name, true
		}
	case 'd':
		if u, ok := s.ws.users[s.viewer]; ok {
			return renderDate(id, u.TZ, s.now())
		}
	}
	return "", false
}

type namer func(kind byte, id string) (string, bool)

func renderBlocks(raw json.RawMessage, names namer) string {
	var lines []string
	for _, b := range decodeBlocks(raw) {
		if l := renderBlock(b, names); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func renderBlock(b map[string]any, names namer) string {
	switch b["type"] {
	case "header":
		return "# " + textOf(b["text"], names)
	case "divider":
		return "────────────────────"
	case "section":
		var parts []string
		line := textOf(b["text"], names)
		if acc, ok := b["accessory"].(map[string]any); ok {
			if r := renderElement(acc, names); r != "" {
				line = strings.TrimSpace(line + "  " + r)
			}
		}
		if line != "" {
			parts = append(parts, line)
		}
		if fields, ok := b["fields"].([]any); ok {
			for _, f := range fields {
				parts = append(parts, "  "+strings.ReplaceAll(textOf(f, names), "\n", " "))
			}
		}
		return strings.Join(parts, "\n")
	case "context":
		var parts []string
		for _, e := range list(b["elements"]) {
			if m, ok := e.(map[string]any); ok && m["type"] == "image" {
				parts = append(parts, "[image: "+str(m["alt_text"])+"]")
				continue
			}
			parts = append(parts, textOf(e, names))
		}
		return "  " + strings.Join(parts, " · ")
	case "actions":
		var parts []string
		for _, e := range list(b["elements"]) {
			if m, ok := e.(map[string]any); ok {
				parts = append(parts, renderElement(m, names))
			}
		}
		return strings.Join(parts, " ")
	case "input":
		label := textOf(b["label"], names)
		if opt, _ := b["optional"].(bool); opt {
			label += " (optional)"
		}
		out := label + ": " + renderInput(asMap(b["element"]), names)
		if h := textOf(b["hint"], names); h != "" {
			out += "\n  " + h
		}
		return out
	case "image":
		if t := textOf(b["title"], names); t != "" {
			return "[image: " + t + "]"
		}
		return "[image: " + str(b["alt_text"]) + "]"
	case "rich_text":
		return mrkdwn(richTextOf(b), names)
	case "markdown":
		return str(b["text"])
	case "video":
		return "[video: " + str(b["title"]) + "]"
	case "file":
		return "[file]"
	}
	return ""
}

// renderElement renders an interactive element in a section or actions block.
func renderElement(e map[string]any, names namer) string {
	typ := str(e["type"])
	switch typ {
	case "button":
		return "[ " + textOf(e["text"], names) + " ]"
	case "overflow":
		return "[ ⋯ ]"
	case "image":
		return "[image: " + str(e["alt_text"]) + "]"
	case "checkboxes", "radio_buttons":
		return choices(e, names)
	case "workflow_button":
		return "[ " + textOf(e["text"], names) + " ]"
	}
	return "[ " + selection(e, names) + " ▾ ]"
}

// renderInput renders an input block's element.
func renderInput(e map[string]any, names namer) string {
	switch str(e["type"]) {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input":
		if v := str(e["initial_value"]); v != "" {
			return "[" + v + "]"
		}
		if ph := textOf(e["placeholder"], names); ph != "" {
			return "____ (" + ph + ")"
		}
		return "____"
	case "checkboxes", "radio_buttons":
		return choices(e, names)
	case "file_input":
		return "[ upload ]"
	}
	return renderElement(e, names)
}

// selection is a select's current choice or placeholder.
func selection(e map[string]any, names namer) string {
	if o := asMap(e["initial_option"]); o != nil {
		return textOf(o["text"], names)
	}
	for _, k := range []string{"initial_date", "initial_time", "initial_user", "initial_channel", "initial_conversation"} {
		if v := str(e[k]); v != "" {
			if k == "initial_user" {
				return mrkdwn("<@"+v+">", names)
			}
			return v
		}
	}
	if ph := textOf(e["placeholder"], names); ph != "" {
		return ph
	}
	switch str(e["type"]) {
	case "datepicker":
		return "pick a date"
	case "timepicker":
		return "pick a time"
	case "users_select", "multi_users_select":
		return "select a person"
	}
	return "select"
}

// choices renders checkboxes "[x] a [ ] b" and radio buttons "(•) a ( ) b".
func choices(e map[string]any, names namer) string {
	on, off := "[x] ", "[ ] "
	if str(e["type"]) == "radio_buttons" {
		on, off = "(•) ", "( ) "
	}
	picked := map[any]bool{}
	if o := asMap(e["initial_option"]); o != nil {
		picked[o["value"]] = true
	}
	for _, o := range list(e["initial_options"]) {
		picked[asMap(o)["value"]] = true
	}
	var parts []string
	for _, o := range list(e["options"]) {
		om := asMap(o)
		mark := off
		if picked[om["value"]] {
			mark = on
		}
		parts = append(parts, mark+textOf(om["text"], names))
	}
	return strings.Join(parts, "  ")
}

func richTextOf(b map[string]any) string {
	var sb strings.Builder
	var walk func(x any)
	walk = func(x any) {
		m := asMap(x)
		if m == nil {
			return
		}
		switch str(m["type"]) {
		case "text":
			sb.WriteString(str(m["text"]))
		case "link":
			if t := str(m["text"]); t != "" {
				sb.WriteString(t)
			} else {
				sb.WriteString(str(m["url"]))
			}
		case "user":
			sb.WriteString("<@" + str(m["user_id"]) + ">")
		case "channel":
			sb.WriteString("<#" + str(m["channel_id"]) + ">")
		case "emoji":
			sb.WriteString(":" + str(m["name"]) + ":")
		}
		for _, c := range list(m["elements"]) {
			walk(c)
		}
		if t := str(m["type"]); t == "rich_text_section" || t == "rich_text_preformatted" || t == "rich_text_quote" {
			sb.WriteString("\n")
		}
	}
	for _, e := range list(b["elements"]) {
		walk(e)
	}
	return strings.TrimRight(sb.String(), "\n")
}

// textOf renders a text object: plain_text as is, mrkdwn through mrkdwn.
func textOf(x any, names namer) string {
	m := asMap(x)
	if m == nil {
		return ""
	}
	if m["type"] == "mrkdwn" {
		return mrkdwn(str(m["text"]), names)
	}
	return str(m["text"])
}

var linkRE = regexp.MustCompile(`<([^<>]+)>`)

// mrkdwn resolves Slack's angle-bracket syntax (mentions, links, special
// mentions, dates) and entities; emphasis marks stay as they are.
func mrkdwn(text string, names namer) string {
	text = linkRE.ReplaceAllStringFunc(text, func(m string) string {
		inner := m[1 : len(m)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			if n, ok := lookup(names, '@', target[1:]); ok {
				return "@" + n
			}
			if hasLabel {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return target
		case strings.HasPrefix(target, "#"):
			if n, ok := lookup(names, '#', target[1:]); ok {
				return "#" + n
			}
			if hasLabel {
				return "#" + label
			}
			return target
		case strings.HasPrefix(target, "!subteam^"):
			if hasLabel {
				return label
			}
			return "@group"
		case strings.HasPrefix(target, "!date^"):
			if d, ok := lookup(names, 'd', target); ok {
				return d
			}
			return label
		case strings.HasPrefix(target, "!"):
			return "@" + target[1:]
		case hasLabel:
			return label + " (" + target + ")"
		}
		return target
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
}

func lookup(names namer, kind byte, id string) (string, bool) {
	if names == nil {
		return "", false
	}
	return names(kind, id)
}

func asMap(x any) map[string]any { m, _ := x.(map[string]any); return m }
func list(x any) []any           { l, _ := x.([]any); return l }
func str(x any) string           { s, _ := x.(string); return s }

// renderSeen renders a Seen entry. The caller holds Server.mu.
func (s *Server) renderSeen(e Seen) string {
	body := func() string {
		var out string
		if e.Blocks != nil {
			out = renderBlocks(e.Blocks, s.names)
		}
		if out == "" {
			out = mrkdwn(e.MessageText, s.names)
		}
		for _, f := range e.Files {
			if out != "" {
				out += "\n"
			}
			out += "[file: " + f.Title + "]"
		}
		return out
	}
	switch e.Kind {
	case SeenMessageDelete:
		return "(message deleted)"
	case SeenReaction:
		return ":" + e.MessageText + ":"
	case SeenModalOpen, SeenModalUpdate, SeenModalPush:
		return s.renderModal(e)
	case SeenModalErrors:
		return s.renderModalErrors(e)
	case SeenModalClosed:
		return "(closed " + e.MessageText + ")"
	case SeenError:
		return fmt.Sprintf("⚠ failed with the error %q", e.MessageText)
	case SeenCommand:
		return e.MessageText
	}
	return body()
}

func (s *Server) renderModal(e Seen) string {
	v := s.ws.views[e.ViewID]
	var b strings.Builder
	b.WriteString("┌ " + e.MessageText + " ┐\n")
	if r := renderBlocks(e.Blocks, s.names); r != "" {
		b.WriteString(r + "\n")
	}
	var buttons []string
	if v != nil && v.submit != "" {
		buttons = append(buttons, "[ "+v.submit+" ]")
	}
	closeText := "Cancel"
	if v != nil && v.close != "" {
		closeText = v.close
	}
	buttons = append(buttons, "[ "+closeText+" ]")
	b.WriteString(strings.Join(buttons, " "))
	return b.String()
}

func (s *Server) renderModalErrors(e Seen) string {
	labels := map[string]string{}
	for _, b := range decodeBlocks(e.Blocks) {
		if b["type"] == "input" {
			labels[str(b["block_id"])] = textOf(b["label"], s.names)
		}
	}
	ids := make([]string, 0, len(e.Errors))
	for id := range e.Errors {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	lines := []string{"┌ " + e.MessageText + " ┐"}
	for _, id := range ids {
		label := labels[id]
		if label == "" {
			label = id
		}
		lines = append(lines, "⚠ "+label+": "+e.Errors[id])
	}
	return strings.Join(lines, "\n")
}

// Transcript-friendly author names.
func (s *Server) authorName(id string) string {
	if u, ok := s.ws.users[id]; ok {
		return u.Name
	}
	return id
}
