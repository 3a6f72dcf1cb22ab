package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/bot/picture"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

// shownImage is an image block as a person received it.
type shownImage struct {
	BlockID string
	FileID  string
	Alt     string
}

// imagesIn returns the image blocks with a slack_file in raw blocks.
func imagesIn(raw json.RawMessage) []shownImage {
	var blocks []struct {
		Type      string `json:"type"`
		BlockID   string `json:"block_id"`
		AltText   string `json:"alt_text"`
		SlackFile *struct {
			ID string `json:"id"`
		} `json:"slack_file"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var out []shownImage
	for _, b := range blocks {
		if b.Type == "image" && b.SlackFile != nil {
			out = append(out, shownImage{BlockID: b.BlockID, FileID: b.SlackFile.ID, Alt: b.AltText})
		}
	}
	return out
}

// hasImage matches something seen with an image block whose id and alt
// text are as given.
func hasImage(kind slackemu.SeenKind, blockID string, altParts ...string) func(slackemu.Seen) bool {
	return func(s slackemu.Seen) bool {
		if s.Kind != kind {
			return false
		}
		for _, im := range imagesIn(s.Blocks) {
			if im.BlockID == blockID && containsAll(im.Alt, altParts...) {
				return true
			}
		}
		return false
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// imageOf returns the first image block of a seen item with the block id.
func imageOf(t *testing.T, s slackemu.Seen, blockID string) shownImage {
	t.Helper()
	for _, im := range imagesIn(s.Blocks) {
		if im.BlockID == blockID {
			return im
		}
	}
	t.Fatalf("no %s image in:\n%s", blockID, s.Text())
	return shownImage{}
}

// audience checks that exactly the allowed people (of everyone) can see a
// file.
func audience(t *testing.T, h *harness, fileID string, allowed []slackemu.User, everyone ...slackemu.User) {
	t.Helper()
	for _, u := range everyone {
		want := slices.Contains(allowed, u)
		if got := h.emu.CanSeeFile(u.ID, fileID); got != want {
			t.Errorf("file %s: %s can see it = %v, want %v", fileID, u.Name, got, want)
		}
	}
}

// fileCalls counts the files.* Web API calls so far.
func fileCalls(h *harness) int {
	n := 0
	for _, c := range h.emu.Calls() {
		if strings.HasPrefix(c.Method, "files.") {
			n++
		}
	}
	return n
}

// TestPicturesRadarWhereItIsShown: Ana's perception-gap radar on her Home,
// in /coach gaps, in her 1:1 agenda; her manager's view of it in /coach
// gaps @ana, the agenda and the report details; the manager's colour grid
// on their Home. Each image's file is shared only where its viewer is: the
// viewer can see it, a peer, a former manager or the person (for the
// manager's copy) cannot. The radar shows the Planning gap: in the alt
// text's numbers and in the PNG read back from the local Slack.
func TestPicturesRadarWhereItIsShown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	eve := slackemu.User{ID: "UEVE", Name: "eve", RealName: "Eve Ray", TZ: "UTC"}
	h.emu.AddUser(eve)
	everyone := []slackemu.User{ana, bob, maya, cleo, eve}
	h.team(maya, ana, eve)
	h.slash(ana, "/rate", "planning 8")
	h.slash(ana, "/rate", "execution 6")
	n := h.emu.SeenCount(ana.ID)
	h.slash(maya, "/rate", "@ana planning 5")

	planningGap := []string{"Ana Lima", "Planning: self 8, manager 5, gap +3", "Execution: self 6, no manager rating"}
	home := h.waitSeen(ana, n, hasImage(slackemu.SeenHome, "picture.radar", planningGap...))
	radar := imageOf(t, home, "picture.radar")
	audience(t, h, radar.FileID, []slackemu.User{ana}, everyone...)
	f, ok := h.emu.File(radar.FileID)
	if !ok {
		t.Fatalf("file %s not uploaded", radar.FileID)
	}
	img, err := png.Decode(bytes.NewReader(f.Content))
	if err != nil {
		t.Fatalf("the radar is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 800 {
		t.Errorf("radar is %v, want 800×800", b)
	}
	// The bytes are those the renderer draws for exactly these numbers (the
	// same input always gives the same bytes), and bot/picture's own tests
	// sample that picture for the Planning gap (TestRadarShowsPlanningGap).
	want := picture.RadarInput{Title: "Ana Lima"}
	for _, a := range coach.PMwheel().Areas {
		ax := picture.Axis{Name: a.Name}
		switch a.ID {
		case "planning":
			ax.Self, ax.Manager = 8, 5
		case "execution":
			ax.Self = 6
		}
		want.Axes = append(want.Axes, ax)
	}
	wantPNG, err := picture.Radar(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.Content, wantPNG) {
		t.Errorf("the radar read back is not the picture of Planning 8/5, Execution 6/–")
	}
	if radar.Alt != picture.RadarAlt(want) {
		t.Errorf("alt text %q, want %q", radar.Alt, picture.RadarAlt(want))
	}
	mustContain(t, home.Text(), "What your scores mean", "*Planning* 8 — advanced (8–10)", "your manager: 5, intermediate")

	// /coach gaps: the same picture in the same DM: no upload at all.
	before := fileCalls(h)
	got := h.slash(ana, "/coach", "gaps")
	mustContain(t, got, "[image: Perception gaps — Ana Lima]")
	mustNotContain(t, got, "Self Mgr")
	if after := fileCalls(h); after != before {
		t.Errorf("/coach gaps uploaded an unchanged radar again: %d files.* calls", after-before)
	}

	// The manager's /coach gaps @ana: the radar shared in Maya's DM.
	nm := h.emu.SeenCount(maya.ID)
	h.slash(maya, "/coach", "gaps @ana")
	reply := h.waitSeen(maya, nm, hasImage(slackemu.SeenEphemeral, "picture.radar", planningGap...))
	mine := imageOf(t, reply, "picture.radar")
	audience(t, h, mine.FileID, []slackemu.User{maya}, everyone...)

	// The 1:1 agenda in each one's DM.
	for _, who := range []slackemu.User{ana, maya} {
		k := h.emu.SeenCount(who.ID)
		text := "prep"
		if who == maya {
			text = "prep @ana"
		}
		h.command(who, "/coach", text)
		agenda := h.waitSeen(who, k, hasImage(slackemu.SeenMessage, "picture.radar", planningGap...))
		audience(t, h, imageOf(t, agenda, "picture.radar").FileID, []slackemu.User{who}, everyone...)
	}

	// The manager's Home: the colour grid, in Maya's DM only.
	nm = h.emu.SeenCount(maya.ID)
	if _, err := h.emu.OpenHome(ctxT(t), maya.ID); err != nil {
		t.Fatal(err)
	}
	mh := h.waitSeen(maya, nm, hasImage(slackemu.SeenHome, "picture.grid", "Ana Lima", "Eve Ray"))
	grid := imageOf(t, mh, "picture.grid")
	audience(t, h, grid.FileID, []slackemu.User{maya}, everyone...)

	// Report details from the Home's button: the radar, for Maya.
	nm = h.emu.SeenCount(maya.ID)
	view, _ := h.emu.Home(maya.ID)
	if err := h.emu.Click(ctxT(t), maya.ID, slackemu.InView(view.ID), "microcoach.report_details~"+ana.ID, ana.ID); err != nil {
		t.Fatal(err)
	}
	details := h.waitSeen(maya, nm, hasImage(slackemu.SeenModalOpen, "picture.radar", planningGap...))
	audience(t, h, imageOf(t, details, "picture.radar").FileID, []slackemu.User{maya}, everyone...)

	// Every picture was uploaded once per conversation: nothing twice.
	seen := map[string]bool{}
	for _, f := range h.emu.Files() {
		key := string(f.Content) + strings.Join(f.Channels, ",")
		if seen[key] {
			t.Errorf("file %s (%s) is a second upload of the same picture to %v", f.ID, f.Title, f.Channels)
		}
		seen[key] = true
	}
}

// TestPicturesHomeCostsNoUploadWhenUnchanged: opening an unchanged Home
// again and again uploads nothing.
func TestPicturesHomeCostsNoUploadWhenUnchanged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.team(maya, ana)
	h.slash(ana, "/rate", "planning 8")
	n := h.emu.SeenCount(ana.ID)
	h.slash(maya, "/rate", "@ana planning 5")
	h.waitSeen(ana, n, hasImage(slackemu.SeenHome, "picture.radar", "gap +3"))
	nm := h.emu.SeenCount(maya.ID)
	h.emu.OpenHome(ctxT(t), maya.ID)
	h.waitSeen(maya, nm, hasImage(slackemu.SeenHome, "picture.grid"))

	before := fileCalls(h)
	for range 5 {
		for _, who := range []slackemu.User{ana, maya} {
			k := h.emu.SeenCount(who.ID)
			if _, err := h.emu.OpenHome(ctxT(t), who.ID); err != nil {
				t.Fatal(err)
			}
			h.waitSeen(who, k, slackemu.Kind(slackemu.SeenHome))
		}
	}
	if after := fileCalls(h); after != before {
		t.Errorf("10 Home opens without a change made %d files.* calls, want 0", after-before)
	}
	// A change uploads the new picture once.
	n = h.emu.SeenCount(ana.ID)
	h.slash(ana, "/rate", "planning 6")
	h.waitSeen(ana, n, hasImage(slackemu.SeenHome, "picture.radar", "Planning: self 6, manager 5"))
	if got := fileCalls(h) - before; got < 2 || got > 4 {
		t.Errorf("a changed radar made %d files.* calls; want one upload (2 calls), or two with the manager's grid unchanged", got)
	}
}

// TestPicturesFallBackToText: when Slack refuses the upload (rate limited,
// or the app was installed without files:write), each surface shows
// today's text and nobody sees an error.
func TestPicturesFallBackToText(t *testing.T) {
	t.Parallel()
	t.Run("rate limited", func(t *testing.T) {
		h := newHarness(t, slackemu.Options{}, nil)
		h.team(maya, ana)
		h.slash(ana, "/rate", "planning 8")
		h.slash(maya, "/rate", "@ana planning 5")
		h.emu.ForceRateLimit("files.getUploadURLExternal", 100, time.Minute)
		got := h.slash(maya, "/coach", "gaps @ana")
		mustContain(t, got, "Self Mgr", "Planning", "+3!")
		mustNotContain(t, got, "[image", "error", "went wrong")
	})
	t.Run("no files:write", func(t *testing.T) {
		// The manifest's scopes but files:write.
		scopes := []string{"chat:write", "commands", "im:write", "im:history", "users:read", "users:read.email", "reactions:write", "channels:read", "groups:read", "channels:history", "groups:history"}
		h := newHarness(t, slackemu.Options{Scopes: scopes}, nil)
		h.team(maya, ana)
		h.slash(ana, "/rate", "planning 8")
		n := h.emu.SeenCount(ana.ID)
		h.slash(maya, "/rate", "@ana planning 5")
		home := h.waitSeen(ana, n, func(s slackemu.Seen) bool {
			return s.Kind == slackemu.SeenHome && strings.Contains(s.Text(), "+3!")
		})
		if len(imagesIn(home.Blocks)) != 0 {
			t.Errorf("an image without an upload:\n%s", home.Text())
		}
		got := h.slash(ana, "/coach", "gaps")
		mustContain(t, got, "Self Mgr", "+3!")
		mustNotContain(t, got, "missing_scope", "error")
	})
}

// TestPicturesDeletedFile: a picture's file is deleted (people can't
// delete an app's files; a workspace admin can). The next Home names the
// cached file and Slack refuses it: microcoach publishes the text Home
// instead, with no error for the person, and forgets the file; the Home
// after that uploads the picture afresh, and /coach gaps shows the new one.
func TestPicturesDeletedFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.team(maya, ana)
	h.slash(ana, "/rate", "planning 8")
	n := h.emu.SeenCount(ana.ID)
	h.slash(maya, "/rate", "@ana planning 5")
	home := h.waitSeen(ana, n, hasImage(slackemu.SeenHome, "picture.radar", "gap +3"))
	old := imageOf(t, home, "picture.radar")
	if !h.emu.DeleteFile(old.FileID) {
		t.Fatalf("no file %s", old.FileID)
	}
	n = h.emu.SeenCount(ana.ID)
	if _, err := h.emu.OpenHome(ctxT(t), ana.ID); err != nil {
		t.Fatal(err)
	}
	text := h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenHome, slackemu.SeenError))
	if text.Kind != slackemu.SeenHome || len(imagesIn(text.Blocks)) != 0 {
		t.Fatalf("after the file was deleted, Home: %s", text)
	}
	mustContain(t, text.Text(), "+3!")

	n = h.emu.SeenCount(ana.ID)
	if _, err := h.emu.OpenHome(ctxT(t), ana.ID); err != nil {
		t.Fatal(err)
	}
	again := imageOf(t, h.waitSeen(ana, n, hasImage(slackemu.SeenHome, "picture.radar", "gap +3")), "picture.radar")
	if again.FileID == old.FileID || !h.emu.CanSeeFile(ana.ID, again.FileID) {
		t.Errorf("Home shows file %s after %s was deleted", again.FileID, old.FileID)
	}
	mustContain(t, h.slash(ana, "/coach", "gaps"), "[image: Perception gaps — Ana Lima]")
	for _, s := range h.emu.Seen(ana.ID) {
		if s.Kind == slackemu.SeenError {
			t.Errorf("Ana saw an error: %s", s)
		}
	}
}

// TestPicturesDigestGrid: the digest carries the colour grid where every
// reader may see every row (the manager's own channel, or their DM), and
// never in a shared channel: there the summary has no picture, and no file
// about the reports is shared with its members.
func TestPicturesDigestGrid(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.emu.AddChannel(slackemu.Channel{ID: "COWN", Name: "maya-coaching", Members: []string{maya.ID, h.emu.BotUserID()}})
	h.emu.AddChannel(slackemu.Channel{ID: "CPM", Name: "pm-coaching", Members: []string{bob.ID, ana.ID, h.emu.BotUserID()}})
	h.team(maya, ana)
	h.team(bob, cleo)
	h.slash(ana, "/rate", "planning 8")
	h.slash(maya, "/rate", "@ana planning 5")
	mustContain(t, h.slash(maya, "/coach", "digest #maya-coaching"), "full digest")
	mustContain(t, h.slash(bob, "/coach", "digest #pm-coaching"), "summary with counts only")

	h.env = cadenceEnv(never, never)
	h.env["MICROCOACH_DIGEST_SCHEDULE"] = "@every 1s"
	h.restart()
	own := h.waitSeen(maya, 0, func(s slackemu.Seen) bool {
		return s.Channel == "COWN" && strings.Contains(s.Text(), "Team digest") && len(imagesIn(s.Blocks)) > 0
	})
	grid := imageOf(t, own, "picture.grid")
	if !strings.Contains(grid.Alt, "Ana Lima") {
		t.Errorf("grid alt text does not name the report: %s", grid.Alt)
	}
	audience(t, h, grid.FileID, []slackemu.User{maya}, ana, bob, cleo)

	summary := h.waitSeen(ana, 0, func(s slackemu.Seen) bool {
		return s.Channel == "CPM" && strings.Contains(s.Text(), "Team digest")
	})
	if len(imagesIn(summary.Blocks)) != 0 {
		t.Errorf("a picture in a shared channel:\n%s", summary.Text())
	}
	details := h.waitSeen(bob, 0, func(s slackemu.Seen) bool {
		return strings.HasPrefix(s.Channel, "D") && strings.Contains(s.Text(), "Team digest") && len(imagesIn(s.Blocks)) > 0
	})
	audience(t, h, imageOf(t, details, "picture.grid").FileID, []slackemu.User{bob}, ana, maya, cleo)
	for _, f := range h.emu.Files() {
		if slices.Contains(f.Channels, "CPM") {
			t.Errorf("file %s (%s) was shared in the shared channel", f.ID, f.Title)
		}
	}
}
