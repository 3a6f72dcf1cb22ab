package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/bot/picture"
	"github.com/microcoach/microcoach/coach"
)

func TestRadarInput(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) // Q4 began on 1 Oct
	r := func(rater, area string, score int, at time.Time) coach.Rating {
		return coach.Rating{ID: uint64(at.Unix()), Subject: "UANA", Rater: rater, Area: area, Score: score, At: at}
	}
	sept, oct, nov := time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	ratings := []coach.Rating{
		r("UANA", "planning", 5, sept), r("UANA", "planning", 8, nov), // last quarter 5, now 8
		r("UBOSS", "planning", 4, sept), r("UBOSS", "planning", 5, oct),
		r("UANA", "execution", 6, sept), // nothing this quarter: no faint outline either
		r("UOLD", "team", 2, oct),       // a former manager's rating is not the manager's
	}
	in, ok := radarInput(model, coach.Person{ID: "UANA", Name: "ana", Manager: "UBOSS"}, ratings, now)
	if !ok {
		t.Fatal("nothing to draw")
	}
	if len(in.Axes) != len(model.Areas) || in.Title != "ana" {
		t.Fatalf("%d axes, title %q", len(in.Axes), in.Title)
	}
	byName := map[string][4]int{}
	for _, a := range in.Axes {
		byName[a.Name] = [4]int{a.Self, a.Manager, a.PrevSelf, a.PrevManager}
	}
	for name, want := range map[string][4]int{
		"Planning":  {8, 5, 5, 4},
		"Execution": {6, 0, 0, 0},
		"Team":      {0, 0, 0, 0},
	} {
		if got := byName[name]; got != want {
			t.Errorf("%s: self, manager, last quarter's self and manager = %v, want %v", name, got, want)
		}
	}
	if _, ok := radarInput(model, coach.Person{ID: "UANA"}, nil, now); ok {
		t.Error("a radar with no rating at all")
	}
}

func TestGridInput(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	b := New(Config{Model: model, Now: func() time.Time { return now }})
	plan := samplePlan() // created in October: four grey months before
	withPlan := coach.ReportStatus{Person: coach.Person{ID: "UANA", Manager: "UBOSS"}, Plan: &plan, HasPlan: true,
		ColourHistory: [][]coach.Colour{
			{"", "", "", "", coach.Red, coach.Green},
			{"", "", "", "", coach.Yellow, ""},
			{"", "", "", "", "", coach.Red},
		}}
	noPlan := coach.ReportStatus{Person: coach.Person{ID: "UBOB", Manager: "UBOSS"}}
	stranger := coach.ReportStatus{Person: coach.Person{ID: "UEVE", Manager: "USOMEONE"}}
	in, ok := b.gridInput("UBOSS", []coach.ReportStatus{withPlan, stranger, noPlan}, now, func(p coach.Person) string { return p.ID })
	if !ok {
		t.Fatal("no grid")
	}
	if got := strings.Join(in.Months, " "); got != "Jun Jul Aug Sep Oct Nov" {
		t.Errorf("months %q", got)
	}
	if len(in.Rows) != 2 || in.Rows[0].Name != "UANA" || in.Rows[1].Name != "UBOB" {
		t.Fatalf("rows %+v: want Ana then Bob, and never someone the manager may not see", in.Rows)
	}
	ana := in.Rows[0].Cells
	for m := range 4 {
		if ana[m].Themes != nil {
			t.Errorf("month %d before the plan: %v, want grey", m, ana[m].Themes)
		}
	}
	if got := ana[4].Themes; len(got) != 3 || got[0] != coach.Red || got[1] != coach.Yellow || got[2] != "" {
		t.Errorf("October: %v", got)
	}
	if got := ana[5].Themes; len(got) != 3 || got[0] != coach.Green || got[1] != "" || got[2] != coach.Red {
		t.Errorf("November: %v", got)
	}
	for m, c := range in.Rows[1].Cells {
		if c.Themes != nil {
			t.Errorf("Bob has no plan, month %d: %v", m, c.Themes)
		}
	}
}

func TestPictureCacheUploadsOnce(t *testing.T) {
	c := newPictureCache()
	var uploads atomic.Int32
	started, release := make(chan struct{}, 8), make(chan struct{})
	upload := func() (string, error) {
		uploads.Add(1)
		started <- struct{}{}
		<-release
		return "F1", nil
	}
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], _, _ = c.get(context.Background(), "h|D1", upload)
		}()
	}
	<-started // one upload runs; the others wait on it or find it done
	close(release)
	wg.Wait()
	if n := uploads.Load(); n != 1 {
		t.Errorf("%d uploads for one picture asked for at once, want 1", n)
	}
	for _, id := range ids {
		if id != "F1" {
			t.Errorf("got %q", id)
		}
	}
	// A failure is not cached; another conversation is another upload.
	_, _, err := c.get(context.Background(), "h2|D1", func() (string, error) { return "", errors.New("ratelimited") })
	if err == nil {
		t.Fatal("no error")
	}
	if id, uploaded, err := c.get(context.Background(), "h2|D1", func() (string, error) { return "F2", nil }); id != "F2" || !uploaded || err != nil {
		t.Errorf("after a failure: %q %v %v", id, uploaded, err)
	}
	c.forget("F1")
	if _, uploaded, _ := c.get(context.Background(), "h|D1", func() (string, error) { return "F3", nil }); !uploaded {
		t.Error("a forgotten file was not uploaded again")
	}
}

func TestTruncateBytes(t *testing.T) {
	s := strings.Repeat("Planning — ", 200)
	got := truncateBytes(s, 1000)
	if len(got) > 1000 || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("%d bytes, valid %v: %q", len(got), utf8.ValidString(got), got[len(got)-20:])
	}
	if truncateBytes("short", 1000) != "short" {
		t.Error("a short text changed")
	}
}

// A picture's description fits the alt text a view gives it.
func TestAltTextLimitsAgree(t *testing.T) {
	if blocks.MaxAltText != picture.MaxAltText {
		t.Errorf("blocks.MaxAltText %d, picture.MaxAltText %d", blocks.MaxAltText, picture.MaxAltText)
	}
}
