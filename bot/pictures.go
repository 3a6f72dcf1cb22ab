package bot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/bot/picture"
	"github.com/microcoach/microcoach/coach"
)

// Pictures in Slack.
//
// A picture is a PNG from package picture, uploaded with files upload v2
// (files.getUploadURLExternal, the bytes, files.completeUploadExternal)
// and shown with an image block whose slack_file names the upload. Slack
// shows a file only to people who can see a conversation it was shared in
// (files.completeUploadExternal without a channel keeps it private to the
// app; docs.slack.dev/reference/block-kit/composition-objects/slack-file-object:
// "the user posting these blocks must have access to this file"), so each
// picture is shared in exactly one conversation its audience is in and
// nobody else is: the viewer's DM with the app for a radar (the person's
// own, or a manager's about a report), the manager's DM for the colour
// grid, or a channel only when coach.Policy.ChannelAudience says every
// human member may see every row. The audience always goes through
// coach.Policy.Authorize first.
//
// Uploads are cached by content hash and conversation: an unchanged
// picture in the same conversation is never uploaded again. The cache
// lives in memory; after a restart each picture is uploaded once more.
//
// Anything that goes wrong (rendering, a refused scope, a rate limit, a
// timeout) is logged and the surface shows today's text instead: a person
// never sees an error about a picture.

// maxPictureCache bounds the upload cache; past it the oldest half goes.
const maxPictureCache = 10000

// uploadTimeout bounds one upload: a Home or a reply waits for it.
const uploadTimeout = 10 * time.Second

// pictureCache remembers which file holds which picture in which
// conversation, and makes concurrent uploads of the same picture to the
// same conversation one upload.
type pictureCache struct {
	mu       sync.Mutex
	files    map[string]string // hash|channel → file id
	order    []string          // keys, oldest first
	inflight map[string]*pendingUpload
	threads  map[string]string // DM channel → ts of the message pictures are shared under
	threadMu sync.Mutex        // held while a thread is looked up or started
}

type pendingUpload struct {
	done chan struct{}
	id   string
	err  error
}

func newPictureCache() *pictureCache {
	return &pictureCache{files: map[string]string{}, inflight: map[string]*pendingUpload{}, threads: map[string]string{}}
}

// get returns the file id cached for key, or runs upload once for all
// callers asking for key at the same time. Failures are not cached.
func (c *pictureCache) get(ctx context.Context, key string, upload func() (string, error)) (id string, uploaded bool, err error) {
	c.mu.Lock()
	if id, ok := c.files[key]; ok {
		c.mu.Unlock()
		return id, false, nil
	}
	if p, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-p.done:
			return p.id, false, p.err
		case <-ctx.Done():
			return "", false, ctx.Err()
		}
	}
	p := &pendingUpload{done: make(chan struct{})}
	c.inflight[key] = p
	c.mu.Unlock()

	p.id, p.err = upload()

	c.mu.Lock()
	delete(c.inflight, key)
	if p.err == nil {
		if len(c.order) >= maxPictureCache {
			drop := c.order[:len(c.order)/2]
			for _, k := range drop {
				delete(c.files, k)
			}
			c.order = append([]string(nil), c.order[len(drop):]...)
		}
		c.files[key] = p.id
		c.order = append(c.order, key)
	}
	c.mu.Unlock()
	close(p.done)
	return p.id, p.err == nil, p.err
}

// forget drops a cached file, e.g. one Slack no longer accepts in a block
// because someone deleted it.
func (c *pictureCache) forget(fileID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, id := range c.files {
		if id == fileID {
			delete(c.files, k)
		}
	}
}

// picturePNG is one rendered picture, ready to upload.
type picturePNG struct {
	Kind  string // "radar" or "grid": names the file
	PNG   []byte
	Alt   string
	Title string
}

// share makes sure pic is uploaded and shared in channel, and returns what
// a view needs to show it. It uploads only when this picture was never
// shared in that conversation (since the process started).
func (b *Bot) share(ctx context.Context, log *slog.Logger, channel string, pic picturePNG) (*blocks.Picture, error) {
	if channel == "" {
		return nil, errors.New("no conversation to share the picture in")
	}
	hash := picture.ContentHash(pic.PNG)
	id, uploaded, err := b.pictures.get(ctx, hash+"|"+channel, func() (string, error) {
		uctx, cancel := context.WithTimeout(ctx, uploadTimeout)
		defer cancel()
		f, err := b.api.UploadFileContext(uctx, slack.UploadFileParameters{
			ThreadTimestamp: b.pictureThread(uctx, log, channel),
			Reader:          bytes.NewReader(pic.PNG),
			FileSize:        len(pic.PNG),
			Filename:        "microcoach-" + pic.Kind + "-" + hash[:12] + ".png",
			Title:           pic.Title,
			// files.getUploadURLExternal takes at most 1,000 characters.
			AltTxt:  truncateBytes(pic.Alt, 1000),
			Channel: channel,
		})
		if err != nil {
			return "", err
		}
		return f.ID, nil
	})
	if err != nil {
		return nil, err
	}
	if uploaded {
		log.Info("picture uploaded", "kind", pic.Kind, "file_id", id, "channel", channel, "bytes", len(pic.PNG))
	}
	return &blocks.Picture{FileID: id, Alt: pic.Alt, Title: pic.Title}, nil
}

// pictureThreadText heads the thread a DM's pictures are shared in.
const pictureThreadText = ":frame_with_picture: The pictures I show you (your perception-gap radar, your team's colours) are kept in this thread: Slack shows a picture only to people in a conversation it was shared in, and this DM is yours alone."

// pictureThread returns the ts of the message in a DM under which its
// pictures are shared, posting it the first time (once per process), so
// that a changed picture adds a reply in one thread instead of a message
// in the conversation. "" (share at the top level) for a channel, or when
// the message can't be posted.
func (b *Bot) pictureThread(ctx context.Context, log *slog.Logger, channel string) string {
	if !strings.HasPrefix(channel, "D") {
		return ""
	}
	c := b.pictures
	c.threadMu.Lock() // one thread per DM, even when two uploads start at once
	defer c.threadMu.Unlock()
	c.mu.Lock()
	ts, ok := c.threads[channel]
	c.mu.Unlock()
	if ok {
		return ts
	}
	_, ts, err := b.api.PostMessageContext(ctx, channel, slack.MsgOptionText(pictureThreadText, false))
	if err != nil {
		log.Warn("picture thread not started; sharing at the top level", "channel", channel, "error", err)
		return ""
	}
	c.mu.Lock()
	c.threads[channel] = ts
	c.mu.Unlock()
	return ts
}

// truncateBytes shortens s to at most n bytes, on a character boundary,
// ending with "…" when cut (the emulator, like a careful reader of Slack's
// "1,000 characters", counts bytes).
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

// viewerDM is the conversation where a picture for viewer alone is shared:
// their DM with the app.
func (b *Bot) viewerDM(ctx context.Context, viewer string) (string, error) {
	p, found, err := b.store.Person(viewer)
	if err != nil {
		return "", err
	}
	if found {
		return b.dmChannel(ctx, p)
	}
	ch, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{viewer}})
	if err != nil {
		return "", err
	}
	return ch.ID, nil
}

// radarFor renders subject's perception-gap radar for viewer and shares it
// in viewer's DM, or returns nil (logged) when the policy refuses, nothing
// is rated, or rendering or uploading fails: the caller shows text then.
// ratings are all of subject's ratings.
func (b *Bot) radarFor(ctx context.Context, log *slog.Logger, viewer string, subject coach.Person, ratings []coach.Rating) *blocks.Picture {
	if b.textOnly {
		return nil
	}
	if err := b.policy.Authorize(viewer, coach.SeeCoaching, coach.About(subject)); err != nil {
		return nil
	}
	in, ok := radarInput(b.model, subject, ratings, b.now())
	if !ok {
		return nil
	}
	in.Title = b.nameOf(ctx, subject)
	png, err := b.renders.render(in, func() ([]byte, error) { return picture.Radar(in) })
	if err != nil {
		log.Warn("radar not drawn; showing text", "subject", subject.ID, "error", err)
		return nil
	}
	ch, err := b.viewerDM(ctx, viewer)
	if err != nil {
		log.Warn("radar not shared: no DM with the viewer; showing text", "viewer", viewer, "error", err)
		return nil
	}
	shown, err := b.share(ctx, log, ch, picturePNG{Kind: "radar", PNG: png, Alt: picture.RadarAlt(in), Title: "Perception gaps — " + in.Title})
	if err != nil {
		log.Warn("radar not uploaded; showing text", "viewer", viewer, "subject", subject.ID, "error", err)
		return nil
	}
	return shown
}

// radarInput is what subject's radar shows: the latest self and manager
// rating per area, and faintly the latest of each from before this
// quarter began (when that is an earlier rating than the latest). ok is
// false when nothing is rated: there is nothing to draw.
func radarInput(model coach.Model, subject coach.Person, ratings []coach.Rating, now time.Time) (picture.RadarInput, bool) {
	cur := coach.Compare(model, subject.ID, subject.Manager, ratings)
	qStart := quarterStart(now)
	var before []coach.Rating
	for _, r := range ratings {
		if r.At.Before(qStart) {
			before = append(before, r)
		}
	}
	prev := coach.Compare(model, subject.ID, subject.Manager, before)
	in := picture.RadarInput{Title: personName(subject)}
	rated := false
	for i, c := range cur {
		a := picture.Axis{Name: c.Area.Name}
		if c.Self != nil {
			a.Self, rated = c.Self.Score, true
		}
		if c.Manager != nil {
			a.Manager, rated = c.Manager.Score, true
		}
		if p := prev[i].Self; p != nil && c.Self != nil && !sameRating(*p, *c.Self) {
			a.PrevSelf = p.Score
		}
		if p := prev[i].Manager; p != nil && c.Manager != nil && !sameRating(*p, *c.Manager) {
			a.PrevManager = p.Score
		}
		in.Axes = append(in.Axes, a)
	}
	return in, rated && len(in.Axes) > 0
}

func sameRating(a, b coach.Rating) bool {
	return a.ID == b.ID && a.At.Equal(b.At) && a.Rater == b.Rater
}

// quarterStart is the first day of now's calendar quarter, in UTC.
func quarterStart(now time.Time) time.Time {
	y, m, _ := now.UTC().Date()
	q := (int(m) - 1) / 3
	return time.Date(y, time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
}

// gridFor renders manager's colour grid (reports × months, worst first as
// given) and shares it in channel: the manager's DM, or a channel whose
// every member may see every row (the caller asked the policy). nil
// (logged) when rendering or uploading fails or no report may be shown.
func (b *Bot) gridFor(ctx context.Context, log *slog.Logger, manager, channel string, reports []coach.ReportStatus, now time.Time) *blocks.Picture {
	if b.textOnly {
		return nil
	}
	in, ok := b.gridInput(manager, reports, now, func(p coach.Person) string { return b.nameOf(ctx, p) })
	if !ok {
		return nil
	}
	png, err := b.renders.render(in, func() ([]byte, error) { return picture.Grid(in) })
	if err != nil {
		log.Warn("grid not drawn; showing text", "manager", manager, "error", err)
		return nil
	}
	shown, err := b.share(ctx, log, channel, picturePNG{Kind: "grid", PNG: png, Alt: picture.GridAlt(in), Title: in.Title})
	if err != nil {
		log.Warn("grid not uploaded; showing text", "manager", manager, "channel", channel, "error", err)
		return nil
	}
	return shown
}

// gridInput is a manager's colour grid: a row per report the policy lets
// them see (at most picture.MaxRows, worst first), a column per month of
// the last blocks.TrendMonths, each cell the month's theme colours, or no themes
// where no plan existed that month.
func (b *Bot) gridInput(manager string, reports []coach.ReportStatus, now time.Time, name func(coach.Person) string) (picture.GridInput, bool) {
	months := min(blocks.TrendMonths, picture.MaxMonths)
	in := picture.GridInput{Title: "Themes by month, worst first"}
	y, m, _ := now.UTC().Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for i := months - 1; i >= 0; i-- {
		in.Months = append(in.Months, first.AddDate(0, -i, 0).Format("Jan"))
	}
	for _, r := range reports {
		if len(in.Rows) == picture.MaxRows {
			break
		}
		if b.policy.Authorize(manager, coach.SeeCoaching, coach.About(r.Person)) != nil {
			continue
		}
		row := picture.GridRow{Name: name(r.Person), Cells: make([]picture.Cell, months)}
		if r.Plan != nil {
			for j := range months {
				monthEnd := first.AddDate(0, j-months+2, 0)
				if !r.Plan.CreatedAt.Before(monthEnd) {
					continue // no plan yet that month: a grey cell
				}
				themes := make([]coach.Colour, 0, min(len(r.Plan.Themes), picture.MaxThemes))
				for t := range r.Plan.Themes {
					if t == picture.MaxThemes {
						break
					}
					var c coach.Colour
					if t < len(r.ColourHistory) {
						h := r.ColourHistory[t]
						if k := len(h) - months + j; k >= 0 && k < len(h) {
							c = h[k]
						}
					}
					themes = append(themes, c)
				}
				if len(themes) == 0 {
					continue
				}
				row.Cells[j] = picture.Cell{Themes: themes}
			}
		}
		in.Rows = append(in.Rows, row)
	}
	return in, len(in.Rows) > 0
}

// nameOf is how a picture names a person: as Slack shows them (real name,
// from the users cache), else their name at enrolment, else their id.
func (b *Bot) nameOf(ctx context.Context, p coach.Person) string {
	if u, err := b.users.get(ctx, p.ID); err == nil {
		if n := strings.TrimSpace(u.RealName); n != "" {
			return n
		}
		if n := strings.TrimSpace(displayName(u)); n != "" {
			return n
		}
	}
	return personName(p)
}

// personName is how a picture names a person without asking Slack: their
// name at enrolment, else their id.
func personName(p coach.Person) string {
	if n := strings.TrimSpace(p.Name); n != "" {
		return n
	}
	return p.ID
}

// pictureFailed reports whether err may be Slack refusing a picture's
// block because its file is gone (deleted since it was cached): messages
// answer invalid_blocks, views invalid_arguments. The caller then forgets
// the file and sends text.
func pictureFailed(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "invalid_blocks") || strings.Contains(msg, "invalid_arguments")
}
