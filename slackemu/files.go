package slackemu

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxUpload bounds an upload's size in the emulator.
const maxUpload = 64 << 20

func (s *Server) filesGetUploadURLExternal(c *call) (reply, *apiError) {
	name := c.args.str("filename")
	if name == "" {
		return nil, invalidArguments([]string{"missing required field: filename"})
	}
	length := c.args.integer("length", 0)
	if length <= 0 {
		return nil, fail("missing_argument")
	}
	if len(c.args.str("alt_txt")) > 1000 {
		return nil, fail("alt_txt_too_large")
	}
	f := &File{ID: s.ws.nextID("F"), Name: name, Title: name, Length: length}
	s.ws.files[f.ID] = f
	ticket := randomToken()
	s.ws.uploads[ticket] = f.ID
	return reply{"upload_url": s.base + "/upload/v1/" + ticket, "file_id": f.ID}, nil
}

// serveUpload receives a file's bytes at the URL files.getUploadURLExternal
// returned: the raw body, or the "file" part of a multipart form.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ticket := strings.TrimPrefix(r.URL.Path, "/upload/v1/")
	var content []byte
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		var part io.ReadCloser
		if err = r.ParseMultipartForm(maxUpload); err == nil {
			part, _, err = r.FormFile("file")
		}
		if err == nil {
			content, err = io.ReadAll(io.LimitReader(part, maxUpload))
			part.Close()
		}
	} else {
		content, err = io.ReadAll(io.LimitReader(r.Body, maxUpload))
	}
	if err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	id, ok := s.ws.uploads[ticket]
	if ok {
		delete(s.ws.uploads, ticket)
		s.ws.files[id].Content = content
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown upload url", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "OK - %d", len(content))
}

func (s *Server) filesCompleteUploadExternal(c *call) (reply, *apiError) {
	raw, ok := c.args.raw("files")
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if !ok || json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, invalidArguments([]string{"missing required field: files"})
	}
	var files []*File
	for _, it := range list {
		f, ok := s.ws.files[it.ID]
		if !ok || f.Content == nil {
			return nil, fail("file_not_found")
		}
		files = append(files, f)
	}
	var targets []*channel
	add := func(id string) *apiError {
		var ch *channel
		if strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") {
			if u, ok := s.ws.users[id]; ok && !u.IsBot && !u.Deleted {
				ch = s.ws.dm(id, s.now())
			}
		} else {
			ch = s.ws.channels[id]
		}
		switch {
		case ch == nil || ch.private && !ch.members[s.opts.BotUserID]:
			return fail("channel_not_found")
		case !ch.im && !ch.members[s.opts.BotUserID]:
			// chat:write.public does not cover files: membership is required.
			return fail("not_in_channel")
		}
		targets = append(targets, ch)
		return nil
	}
	if id := c.args.str("channel_id"); id != "" {
		if strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") {
			return nil, fail("invalid_channel")
		}
		if aerr := add(id); aerr != nil {
			return nil, aerr
		}
	}
	chans := splitList(c.args.str("channels"))
	if len(chans) > 100 {
		return nil, fail("channels_limit_exceeded")
	}
	for _, id := range chans {
		if aerr := add(id); aerr != nil {
			return nil, aerr
		}
	}
	comment := c.args.str("initial_comment")
	var blocks json.RawMessage
	if raw, ok := c.args.raw("blocks"); ok && comment == "" {
		var aerr *apiError
		if blocks, aerr = s.messageBlocks(raw); aerr != nil {
			return nil, fail("invalid_blocks")
		}
	}
	out := make([]map[string]any, len(files))
	refs := make([]FileRef, len(files))
	for i, f := range files {
		if list[i].Title != "" {
			f.Title = list[i].Title
		}
		refs[i] = FileRef{ID: f.ID, Name: f.Name, Title: f.Title}
		out[i] = map[string]any{"id": f.ID, "title": f.Title}
	}
	for _, ch := range targets {
		m := &message{channel: ch.id, ts: s.ws.nextTS(s.now()), threadTS: c.args.str("thread_ts"),
			user: s.opts.BotUserID, botID: s.opts.BotID, subtype: "file_share", text: comment,
			blocks: blocks, files: refs}
		for _, f := range files {
			f.Channels = append(f.Channels, ch.id)
		}
		s.postMessage(ch, m, c)
	}
	return reply{"files": out}, nil
}

// fileJSON is a file object as messages carry it.
func (s *Server) fileJSON(f *File) map[string]any {
	if f == nil {
		return map[string]any{}
	}
	return map[string]any{
		"id": f.ID, "name": f.Name, "title": f.Title, "size": len(f.Content),
		"user": s.opts.BotUserID, "mode": "hosted", "is_external": false,
		"url_private": s.base + "/files/" + f.ID, "channels": f.Channels,
	}
}

// serveFile serves a file's url_private: GET with the bot token as Bearer.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	if bearer(r) != s.opts.BotToken {
		http.Error(w, "not authed", http.StatusUnauthorized)
		return
	}
	f, ok := s.File(strings.TrimPrefix(r.URL.Path, "/files/"))
	if !ok || f.Content == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(f.Content)
}

// checkSlackFiles checks every slack_file in blocks against the workspace:
// the file exists, was uploaded completely, is a PNG, JPEG or GIF image,
// and the poster (the app) has access to it. ptr is the JSON pointer of
// blocks, for the messages. The caller holds s.mu.
// (docs.slack.dev/reference/block-kit/composition-objects/slack-file-object:
// "This file must be an image ... the user posting these blocks must have
// access to this file ... Currently only png, jpg, jpeg, and gif".)
func (s *Server) checkSlackFiles(blocks json.RawMessage, ptr string) []string {
	if len(blocks) == 0 || !strings.Contains(string(blocks), "slack_file") {
		return nil
	}
	doc, err := decodeJSON(blocks)
	if err != nil {
		return nil // the block validator reports it
	}
	var errs []string
	var walk func(p string, n any)
	walk = func(p string, n any) {
		switch x := n.(type) {
		case map[string]any:
			if sf, ok := x["slack_file"].(map[string]any); ok {
				if problem := s.slackFileProblem(sf); problem != "" {
					errs = append(errs, fmt.Sprintf("%s [json-pointer:%s/slack_file]", problem, p))
				}
			}
			for k, v := range x {
				if k != "slack_file" {
					walk(p+"/"+k, v)
				}
			}
		case []any:
			for i, v := range x {
				walk(fmt.Sprintf("%s/%d", p, i), v)
			}
		}
	}
	walk(ptr, doc)
	return errs
}

// slackFileProblem says why a slack_file object can't be shown, or "".
func (s *Server) slackFileProblem(sf map[string]any) string {
	f := s.fileOf(sf)
	switch {
	case f == nil || f.Content == nil:
		return "invalid slack file: no such file, or its upload was never completed"
	case imageType(f.Content) == "":
		return "invalid slack file: only png, jpg, jpeg and gif images can be shown"
	}
	return ""
}

// fileOf finds the file a slack_file object names, by id or by its
// url_private.
func (s *Server) fileOf(sf map[string]any) *File {
	if id, ok := sf["id"].(string); ok {
		return s.ws.files[id]
	}
	if u, ok := sf["url"].(string); ok && strings.HasPrefix(u, s.base+"/files/") {
		return s.ws.files[strings.TrimPrefix(u, s.base+"/files/")]
	}
	return nil
}

// imageType sniffs an image's type from its first bytes: "png", "jpeg",
// "gif" or "" for anything else.
func imageType(b []byte) string {
	switch {
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "png"
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "jpeg"
	case len(b) >= 6 && (string(b[:6]) == "GIF87a" || string(b[:6]) == "GIF89a"):
		return "gif"
	}
	return ""
}

// CanSeeFile reports whether a person can see a file: it was shared in a
// conversation they are a member of (a file uploaded without a channel is
// private to the app: files.completeUploadExternal, "If not specified the
// file will be private"). An image block naming a file its viewer can't
// see shows them nothing.
func (s *Server) CanSeeFile(userID, fileID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.ws.files[fileID]
	if !ok {
		return false
	}
	for _, id := range f.Channels {
		if ch, ok := s.ws.channels[id]; ok && ch.members[userID] {
			return true
		}
	}
	return false
}
