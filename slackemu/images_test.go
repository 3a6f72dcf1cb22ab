package slackemu

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// upload uploads content as name and shares it in channel ("" for none,
// which keeps it private to the app), returning the file id.
func upload(t *testing.T, s *Server, name string, content []byte, channel string) string {
	t.Helper()
	a := mustOK(t, form(t, s, "files.getUploadURLExternal", url.Values{"filename": {name}, "length": {strconv.Itoa(len(content))}}))
	resp, err := http.Post(a.str("upload_url"), "application/octet-stream", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	v := url.Values{"files": {`[{"id":"` + a.str("file_id") + `"}]`}}
	if channel != "" {
		v.Set("channel_id", channel)
	}
	mustOK(t, form(t, s, "files.completeUploadExternal", v))
	return a.str("file_id")
}

func mustJSONString(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImageBlocksWithSlackFile: an image block may show a Slack file
// (slack_file with id or url) instead of a public URL, if the file exists
// and is an image; who can see it depends on where it was shared.
func TestImageBlocksWithSlackFile(t *testing.T) {
	s := newServer(t, Options{})
	dm := s.DMChannel("U1")
	shared := upload(t, s, "radar.png", tinyPNG(t), dm)
	private := upload(t, s, "private.png", tinyPNG(t), "")
	text := upload(t, s, "notes.txt", []byte("not an image"), dm)

	block := func(sf string) string {
		return `[{"type":"image","slack_file":` + sf + `,"alt_text":"Planning: self 7, manager 4"}]`
	}
	for _, tc := range []struct {
		name, blocks, wantErr string
	}{
		{"by id", block(`{"id":"` + shared + `"}`), ""},
		{"by url_private", block(`{"url":"` + s.base + `/files/` + shared + `"}`), ""},
		{"a private file the app uploaded", block(`{"id":"` + private + `"}`), ""},
		{"both id and url", block(`{"id":"` + shared + `","url":"` + s.base + `/files/` + shared + `"}`), "must provide exactly one of id or url"},
		{"neither", block(`{}`), "must provide exactly one of id or url"},
		{"unknown file", block(`{"id":"F404"}`), "no such file"},
		{"not an image", block(`{"id":"` + text + `"}`), "only png, jpg, jpeg and gif"},
		{"url and slack_file", `[{"type":"image","image_url":"https://example.com/a.png","slack_file":{"id":"` + shared + `"},"alt_text":"x"}]`, "exactly one of image_url or slack_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := form(t, s, "chat.postMessage", url.Values{"channel": {dm}, "text": {"radar"}, "blocks": {tc.blocks}})
			if tc.wantErr == "" {
				if !a.ok() {
					t.Fatalf("refused: %v", a.body)
				}
				return
			}
			if a.err() != "invalid_blocks" || !strings.Contains(mustJSONString(t, a.body), tc.wantErr) {
				t.Fatalf("got %v, want invalid_blocks with %q", a.body, tc.wantErr)
			}
		})
	}
	// The Home tab takes them too, and checks them the same way.
	home := `{"type":"home","blocks":` + block(`{"id":"`+shared+`"}`) + `}`
	mustOK(t, form(t, s, "views.publish", url.Values{"user_id": {"U1"}, "view": {home}}))
	bad := `{"type":"home","blocks":` + block(`{"id":"F404"}`) + `}`
	if a := form(t, s, "views.publish", url.Values{"user_id": {"U1"}, "view": {bad}}); a.ok() {
		t.Fatalf("a Home tab with a missing file was accepted")
	}

	// Who sees what: a file shared in Alice's DM is hers (and the app's);
	// Bob can't see it, and nobody sees a file shared nowhere.
	if !s.CanSeeFile("U1", shared) || s.CanSeeFile("U2", shared) {
		t.Errorf("CanSeeFile(shared): alice %v, bob %v", s.CanSeeFile("U1", shared), s.CanSeeFile("U2", shared))
	}
	if s.CanSeeFile("U1", private) {
		t.Error("a file shared nowhere is visible")
	}
	f, _ := s.File(shared)
	if _, err := png.Decode(bytes.NewReader(f.Content)); err != nil {
		t.Errorf("the uploaded PNG does not read back: %v", err)
	}
}
