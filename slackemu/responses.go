package slackemu

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// responseBody is what a response_url (or a slash command ack) accepts.
type responseBody struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

// applyResponse shows a response_url body (or slash ack payload). It
// returns Slack's error code when the body is refused.
func (s *Server) applyResponse(r *responseURL, raw json.RawMessage) string {
	var body responseBody
	if err := json.Unmarshal(raw, &body); err != nil {
		return "invalid_payload"
	}
	s.mu.Lock()
	code, after := s.respond(r, body)
	if code != "" {
		s.see(r.user, Seen{Kind: SeenError, Channel: r.channel, MessageText: code})
	}
	s.mu.Unlock()
	for _, f := range after {
		f()
	}
	return code
}

// respond applies a response body. The caller holds Server.mu and runs
// the returned functions after releasing it.
func (s *Server) respond(r *responseURL, body responseBody) (string, []func()) {
	ch := s.ws.channels[r.channel]
	if ch == nil {
		return "channel_not_found", nil
	}
	if body.DeleteOriginal {
		if r.original == "" {
			return "", nil
		}
		if r.ephemeral {
			delete(s.ws.ephemeral, r.original)
			s.see(r.user, Seen{Kind: SeenMessageDelete, Channel: ch.id, TS: r.original, From: s.opts.BotUserID})
		} else if m, ok := ch.byTS[r.original]; ok && m.user == s.opts.BotUserID {
			ch.deleteMessage(m.ts)
			for _, u := range s.ws.viewers(ch) {
				s.see(u, Seen{Kind: SeenMessageDelete, Channel: ch.id, TS: m.ts, From: m.user})
			}
		}
		r.original = ""
		return "", nil
	}
	var blocks json.RawMessage
	if len(body.Blocks) > 0 && string(body.Blocks) != "null" {
		var aerr *apiError
		if blocks, aerr = s.messageBlocks(body.Blocks); aerr != nil {
			return aerr.code, nil
		}
	}
	if body.Text == "" && blocks == nil {
		return "no_text", nil
	}
	if body.ReplaceOriginal && r.original != "" {
		if r.ephemeral {
			if m, ok := s.ws.ephemeral[r.original]; ok {
				m.text, m.blocks = body.Text, blocks
			}
			s.see(r.user, Seen{Kind: SeenMessageUpdate, Channel: ch.id, TS: r.original, From: s.opts.BotUserID, MessageText: body.Text, Blocks: blocks})
			return "", nil
		}
		if m, ok := ch.byTS[r.original]; ok {
			m.text, m.blocks = body.Text, blocks
			for _, u := range s.ws.viewers(ch) {
				s.see(u, Seen{Kind: SeenMessageUpdate, Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, From: m.user, MessageText: m.text, Blocks: m.blocks})
			}
			return "", nil
		}
	}
	m := &message{channel: ch.id, ts: s.ws.nextTS(s.now()), threadTS: body.ThreadTS,
		user: s.opts.BotUserID, botID: s.opts.BotID, text: body.Text, blocks: blocks}
	if body.ResponseType != "in_channel" {
		m.ephemeralFor = r.user
		s.ws.ephemeral[m.ts] = m
		s.see(r.user, Seen{Kind: SeenEphemeral, Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, From: m.user, MessageText: m.text, Blocks: m.blocks})
		r.original, r.ephemeral = m.ts, true
		return "", nil
	}
	if r.command != "" {
		// An in_channel reply makes the command itself visible to everyone.
		echo := &message{channel: ch.id, ts: s.ws.nextTS(s.now()), user: r.user, text: r.command}
		ch.addMessage(echo)
		for _, u := range s.ws.viewers(ch) {
			if u != r.user {
				s.see(u, Seen{Kind: SeenMessage, Channel: ch.id, TS: echo.ts, From: r.user, MessageText: echo.text})
			}
		}
		r.command = ""
		m.ts = s.ws.nextTS(s.now())
	}
	c := &call{}
	s.postMessage(ch, m, c)
	r.original, r.ephemeral = m.ts, false
	return "", c.after
}

// serveResponseURL takes a POST to a response_url: JSON with text,
// blocks, response_type, replace_original, delete_original. Each URL works
// 5 times within 30 minutes.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_payload"})
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("payload") != "" {
			body = []byte(form.Get("payload"))
		}
	}
	tok := strings.TrimPrefix(r.URL.Path, "/response/")
	s.mu.Lock()
	resp, ok := s.ws.responses[tok]
	code := ""
	switch {
	case !ok:
		code = "expired_url"
	case s.now().Sub(resp.created) > responseURLLifetime:
		code = "expired_url"
	case resp.uses >= responseURLUses:
		code = "used_url"
	default:
		resp.uses++
	}
	s.mu.Unlock()
	if code != "" {
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": code})
		return
	}
	if code := s.applyResponse(resp, body); code != "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": code})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
