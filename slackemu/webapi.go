package slackemu

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiError is a Slack error answer: {"ok":false,"error":code,...}.
type apiError struct {
	code  string
	extra map[string]any // merged into the answer, e.g. needed/provided
}

func fail(code string) *apiError { return &apiError{code: code} }

// reply is a successful answer's fields besides "ok".
type reply map[string]any

// call is one Web API request being served.
type call struct {
	method   string
	args     args
	token    string // the token presented, "" if none
	warnings []string
	after    []func() // run after Server.mu is released, e.g. event delivery
}

func (c *call) warn(w string) { c.warnings = append(c.warnings, w) }

// method is a Web API method implementation. It runs with Server.mu held.
type method struct {
	// scope is the bot scope needed ("" for none); scopeFor, when set,
	// decides it from the arguments (e.g. im:history vs channels:history).
	scope    string
	scopeFor func(s *Server, a args) string
	run      func(s *Server, c *call) (reply, *apiError)
}

// methods lists the Web API. apps.connections.open is handled separately
// because it takes the app-level token.
var methods = map[string]method{
	"auth.test":                    {run: (*Server).authTest},
	"chat.postMessage":             {scope: "chat:write", run: (*Server).chatPostMessage},
	"chat.postEphemeral":           {scope: "chat:write", run: (*Server).chatPostEphemeral},
	"chat.update":                  {scope: "chat:write", run: (*Server).chatUpdate},
	"chat.delete":                  {scope: "chat:write", run: (*Server).chatDelete},
	"conversations.open":           {scope: "im:write", run: (*Server).conversationsOpen},
	"conversations.history":        {scopeFor: historyScope, run: (*Server).conversationsHistory},
	"conversations.info":           {scopeFor: readScope, run: (*Server).conversationsInfo},
	"conversations.join":           {scope: "channels:join", run: (*Server).conversationsJoin},
	"conversations.members":        {scopeFor: readScope, run: (*Server).conversationsMembers},
	"users.info":                   {scope: "users:read", run: (*Server).usersInfo},
	"users.list":                   {scope: "users:read", run: (*Server).usersList},
	"users.lookupByEmail":          {scope: "users:read.email", run: (*Server).usersLookupByEmail},
	"views.open":                   {run: (*Server).viewsOpen},
	"views.push":                   {run: (*Server).viewsPush},
	"views.update":                 {run: (*Server).viewsUpdate},
	"views.publish":                {run: (*Server).viewsPublish},
	"reactions.add":                {scope: "reactions:write", run: (*Server).reactionsAdd},
	"files.getUploadURLExternal":   {scope: "files:write", run: (*Server).filesGetUploadURLExternal},
	"files.completeUploadExternal": {scope: "files:write", run: (*Server).filesCompleteUploadExternal},
}

// serveAPI serves POST (or GET) /api/<method>. Every answer is HTTP 200
// with ok true/false, except 429 when rate limited.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/api/")
	a, perr := parseArgs(r)
	c := &call{method: name, args: a}

	if limited, retry := s.limits.allow(name, s.rateKey(name, a.str("channel")), s.now()); limited {
		s.record(c, false, "ratelimited", http.StatusTooManyRequests)
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(retry)))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}

	var (
		out  reply
		aerr *apiError
	)
	switch {
	case perr != nil:
		aerr = perr
	case name == "apps.connections.open":
		out, aerr = s.appsConnectionsOpen(r)
	default:
		m, known := methods[name]
		if !known {
			aerr = fail("unknown_method")
			break
		}
		c.token = botToken(r, a)
		if aerr = s.checkBotToken(c.token); aerr != nil {
			break
		}
		w.Header().Set("X-OAuth-Scopes", strings.Join(s.opts.Scopes, ","))
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			aerr = fail("service_unavailable")
			break
		}
		scope := m.scope
		if m.scopeFor != nil {
			scope = m.scopeFor(s, a)
		}
		if scope != "" && !s.ws.scopes[scope] {
			aerr = &apiError{code: "missing_scope", extra: map[string]any{
				"needed": scope, "provided": strings.Join(s.opts.Scopes, ","),
			}}
		} else {
			out, aerr = m.run(s, c)
		}
		s.mu.Unlock()
	}
	for _, f := range c.after {
		f()
	}

	if aerr != nil {
		s.record(c, false, aerr.code, http.StatusOK)
		body := map[string]any{"ok": false, "error": aerr.code}
		for k, v := range aerr.extra {
			body[k] = v
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	s.record(c, true, "", http.StatusOK)
	body := map[string]any(out)
	if body == nil {
		body = map[string]any{}
	}
	body["ok"] = true
	writeJSON(w, http.StatusOK, body)
}

// rateKey is the per-channel rate limit key of chat.postMessage: a DM is
// the same channel whether named by its D id or the person's user id.
func (s *Server) rateKey(method, channel string) string {
	if method != "chat.postMessage" {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.ws.channels[channel]; ok && ch.im {
		return ch.imUser
	}
	return channel
}

func (s *Server) record(c *call, ok bool, code string, status int) {
	s.log.Debug("slackemu: api", "method", c.method, "ok", ok, "error", code, "status", status)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.obs.calls = append(s.obs.calls, Call{
		Method: c.method, OK: ok, Error: code, Status: status, Warnings: c.warnings, At: s.now(),
	})
	if ok {
		s.obs.okCalls[c.method]++
	}
	s.changedNow()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b := marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// botToken finds the token of a bot method: the Authorization header, or
// the token form field. JSON bodies cannot carry the token: Slack requires
// the header for them.
func botToken(r *http.Request, a args) string {
	if t := bearer(r); t != "" {
		return t
	}
	if a.json == nil {
		return a.form.Get("token")
	}
	return ""
}

// checkBotToken answers not_authed, not_allowed_token_type or invalid_auth.
func (s *Server) checkBotToken(tok string) *apiError {
	switch {
	case tok == "":
		return fail("not_authed")
	case tok == s.opts.BotToken:
		return nil
	case tok == s.opts.AppToken:
		return fail("not_allowed_token_type")
	default:
		return fail("invalid_auth")
	}
}

// appsConnectionsOpen takes the app-level token, which must be in the
// Authorization header: Slack refuses it as a POST parameter ([SM]).
func (s *Server) appsConnectionsOpen(r *http.Request) (reply, *apiError) {
	tok := bearer(r)
	switch {
	case tok == "":
		return nil, fail("not_authed")
	case tok == s.opts.AppToken:
	case tok == s.opts.BotToken || strings.HasPrefix(tok, "xoxb-") || strings.HasPrefix(tok, "xoxp-"):
		return nil, fail("not_allowed_token_type")
	default:
		return nil, fail("invalid_auth")
	}
	return reply{"url": s.openConnection()}, nil
}

func (s *Server) authTest(c *call) (reply, *apiError) {
	o := s.opts
	return reply{
		"url": "https://" + o.TeamDomain + ".slack.com/", "team": "Emulated Workspace",
		"user": o.BotName, "team_id": o.TeamID, "user_id": o.BotUserID,
		"bot_id": o.BotID, "is_enterprise_install": false,
	}, nil
}

// args are a request's arguments from a form, a JSON body or the query.
type args struct {
	form url.Values
	json map[string]json.RawMessage
}

// parseArgs reads arguments the ways Slack accepts them:
// application/x-www-form-urlencoded, multipart/form-data, application/json
// and the query string.
func parseArgs(r *http.Request) (args, *apiError) {
	a := args{form: url.Values{}}
	for k, v := range r.URL.Query() {
		a.form[k] = v
	}
	if r.Method != http.MethodPost {
		return a, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return a, fail("request_timeout")
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case len(bytes.TrimSpace(body)) == 0:
	case ct == "application/json":
		if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
			return a, fail("invalid_charset")
		}
		if err := json.Unmarshal(body, &a.json); err != nil {
			return a, fail("invalid_json")
		}
	case ct == "application/x-www-form-urlencoded" || ct == "text/plain":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return a, fail("invalid_form_data")
		}
		for k, vs := range v {
			a.form[k] = vs
		}
	case ct == "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return a, fail("invalid_form_data")
		}
		for k, vs := range r.MultipartForm.Value {
			a.form[k] = vs
		}
	case ct == "":
		return a, fail("missing_post_type")
	default:
		return a, fail("invalid_post_type")
	}
	if a.json == nil && len(body) > 0 && ct == "application/json" {
		a.json = map[string]json.RawMessage{}
	}
	return a, nil
}

// has reports whether an argument was given.
func (a args) has(k string) bool {
	if _, ok := a.json[k]; ok {
		return true
	}
	_, ok := a.form[k]
	return ok
}

// str returns an argument as a string ("" when absent).
func (a args) str(k string) string {
	if raw, ok := a.json[k]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		if string(raw) == "null" {
			return ""
		}
		return string(raw)
	}
	return a.form.Get(k)
}

// raw returns a JSON-valued argument (blocks, view, metadata…): a form
// field holding JSON text, or a JSON body value given directly or as a
// string. ok is false when absent.
func (a args) raw(k string) (json.RawMessage, bool) {
	if v, ok := a.json[k]; ok {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return json.RawMessage(s), true
		}
		if string(v) == "null" {
			return nil, false
		}
		return v, true
	}
	if !a.form.Has(k) {
		return nil, false
	}
	return json.RawMessage(a.form.Get(k)), true
}

// boolean reads "true"/"1" arguments.
func (a args) boolean(k string) bool {
	switch strings.ToLower(a.str(k)) {
	case "true", "1":
		return true
	}
	return false
}

// integer reads a number argument, def when absent or invalid.
func (a args) integer(k string, def int) int {
	n, err := strconv.Atoi(a.str(k))
	if err != nil {
		return def
	}
	return n
}

func retrySeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}
