package picture

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/microcoach/microcoach/coach"
)

var update = flag.Bool("update", false, "rewrite testdata/*.png from the current pictures")

// golden compares a PNG with testdata/<name>.png pixel by pixel. A channel
// may differ by a few levels and a few pixels by more, so that a change in
// rounding (another Go version, another CPU) does not fail the test while
// a moved line or label does.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wantBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/picture -update to create it)", err)
	}
	want, err := png.Decode(bytes.NewReader(wantBytes))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("the picture is not a PNG: %v", err)
	}
	if img.Bounds() != want.Bounds() {
		t.Fatalf("size %v, want %v", img.Bounds(), want.Bounds())
	}
	const channelTolerance = 8 // of 255
	b := img.Bounds()
	bad := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := img.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			if diff(r1, r2) > channelTolerance || diff(g1, g2) > channelTolerance || diff(b1, b2) > channelTolerance {
				bad++
			}
		}
	}
	if limit := b.Dx() * b.Dy() / 1000; bad > limit {
		out := filepath.Join(t.TempDir(), name+".png")
		_ = os.WriteFile(out, got, 0o644)
		t.Errorf("%d pixels differ from %s (at most %d may); the new picture is %s", bad, path, limit, out)
	}
}

func diff(a, b uint32) uint32 {
	a, b = a>>8, b>>8
	if a > b {
		return a - b
	}
	return b - a
}

// pmwheel returns the eight default areas with the given scores.
func pmwheel(self, mgr []int) []Axis {
	var axes []Axis
	for i, a := range coach.PMwheel().Areas {
		ax := Axis{Name: a.Name}
		if self != nil {
			ax.Self = self[i]
		}
		if mgr != nil {
			ax.Manager = mgr[i]
		}
		axes = append(axes, ax)
	}
	return axes
}

// planningGap is the default model with self 7, manager 4 on Planning.
func planningGap() RadarInput {
	return RadarInput{
		Title: "Alex Chen",
		Axes:  pmwheel([]int{6, 5, 7, 8, 6, 7, 5, 6}, []int{6, 6, 4, 7, 5, 6, 6, 5}),
	}
}

func radarCases() []struct {
	name string
	in   RadarInput
} {
	three := RadarInput{Title: "Sam Okafor", Axes: []Axis{
		{Name: "Discovery", Self: 8, Manager: 5},
		{Name: "Delivery", Self: 6, Manager: 7},
		{Name: "Stakeholders", Self: 4, Manager: 4},
	}}
	var twenty RadarInput
	twenty.Title = "Priya Raman"
	for i := range 20 {
		twenty.Axes = append(twenty.Axes, Axis{
			Name: []string{"Discovery", "Roadmapping", "Pricing", "Go-to-market", "Data literacy",
				"Writing", "Facilitation", "Negotiation", "Hiring", "Coaching others",
				"Technical depth", "UX sense", "Experimentation", "Finance basics", "Legal & compliance",
				"Partnerships", "Customer calls", "Prioritisation", "Storytelling", "Strategy"}[i],
			Self:    1 + (i*7)%10,
			Manager: 1 + (i*3+2)%10,
		})
	}
	forty := RadarInput{Title: "A model at its limit"}
	for i := range MaxAxes {
		forty.Axes = append(forty.Axes, Axis{
			Name: twenty.Axes[i%20].Name + []string{"", " II"}[i/20],
			Self: 1 + i%10, Manager: 1 + (i*3)%10,
		})
	}
	long := RadarInput{Title: "Maximilian Alexander von Hohenberg-Schwarzenstein the Third", Axes: []Axis{
		{Name: "Understanding the underlying user and business problems before jumping to solutions", Self: 7, Manager: 5},
		{Name: "Supercalifragilisticexpialidociousness", Self: 6, Manager: 6},
		{Name: "Cross-functional leadership without formal authority", Self: 5, Manager: 8},
		{Name: "Planning", Self: 7, Manager: 7},
		{Name: "Listen & Learn from quantitative and qualitative data", Self: 4, Manager: 5},
	}}
	noMgr := RadarInput{Title: "Jo Park", Axes: pmwheel([]int{6, 5, 7, 8, 6, 7, 5, 6}, nil)}
	one := RadarInput{Title: "New Hire", Axes: pmwheel(nil, nil)}
	one.Axes[2].Self = 7
	prev := planningGap()
	for i := range prev.Axes {
		prev.Axes[i].PrevSelf = max(1, prev.Axes[i].Self-1)
		prev.Axes[i].PrevManager = min(10, prev.Axes[i].Manager+(i%3)-1)
	}
	prev.SelfLabel, prev.ManagerLabel, prev.PrevLabel = "Self (Nov)", "Manager (Nov)", "August"
	gaps := planningGap()
	gaps.Axes[0].Manager = 0
	gaps.Axes[5].Self = 0
	gaps.Axes[6].Self, gaps.Axes[6].Manager = 0, 0
	return []struct {
		name string
		in   RadarInput
	}{
		{"radar_default_planning_gap", planningGap()},
		{"radar_3_areas", three},
		{"radar_20_areas", twenty},
		{"radar_40_areas", forty},
		{"radar_long_names", long},
		{"radar_no_manager", noMgr},
		{"radar_one_rating", one},
		{"radar_previous_quarter", prev},
		{"radar_missing_some", gaps},
	}
}

func TestRadarGolden(t *testing.T) {
	for _, tc := range radarCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Radar(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, got)
		})
	}
}

var months12 = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// team makes a grid of n people over the given months with up to themes
// themes each, every kind of cell included.
func team(n int, months []string, themes int) GridInput {
	cols := []coach.Colour{coach.Green, coach.Yellow, coach.Red, coach.Green, ""}
	names := []string{"Alex Chen", "Sam Okafor", "Priya Raman", "Jo Park", "Maximilian Alexander von Hohenberg", "Lee", "Ana María Gómez", "Tom Brown"}
	g := GridInput{Title: "Themes by month, worst first", Months: months}
	for i := range n {
		r := GridRow{Name: names[i%len(names)]}
		if i >= len(names) {
			r.Name = fmt.Sprintf("%s %d", r.Name, i/len(names)+1)
		}
		k := 1 + i%themes
		for j := range months {
			if (i+j)%9 == 0 && j < 3 {
				r.Cells = append(r.Cells, Cell{}) // no plan yet
				continue
			}
			th := make([]coach.Colour, k)
			for t := range th {
				th[t] = cols[(i*5+j*3+t*7)%len(cols)]
			}
			r.Cells = append(r.Cells, Cell{Themes: th})
		}
		g.Rows = append(g.Rows, r)
	}
	return g
}

func TestGridGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   GridInput
	}{
		{"grid_1_row", team(1, []string{"Sep", "Oct", "Nov"}, 3)},
		{"grid_12_rows", team(12, months12[5:], 4)},
		{"grid_50_rows", team(50, months12, 5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Grid(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, got)
			// Flat colours and 16-level text fit a palette, which is
			// what keeps a 50-row grid quick to encode.
			if img, err := png.Decode(bytes.NewReader(got)); err != nil {
				t.Fatal(err)
			} else if _, ok := img.(*image.Paletted); !ok {
				t.Errorf("the grid was encoded as %T, want a palette", img)
			}
		})
	}
}

func TestSameInputSameBytes(t *testing.T) {
	for _, tc := range radarCases() {
		a, err := Radar(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Radar(tc.in)
		if !bytes.Equal(a, b) || ContentHash(a) != ContentHash(b) {
			t.Errorf("%s: two renders differ", tc.name)
		}
	}
	g := team(50, months12, 4)
	a, err := Grid(g)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Grid(g)
	if !bytes.Equal(a, b) {
		t.Error("grid: two renders differ")
	}
	if h := ContentHash(a); len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Errorf("ContentHash = %q, want 64 hex digits", h)
	}
}

// Renders share only the parsed fonts; run them side by side under -race.
func TestConcurrentRenders(t *testing.T) {
	want, err := Radar(planningGap())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := Radar(planningGap())
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent render differs (err %v)", err)
			}
			if _, err := Grid(team(5, months12[:3], 3)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// The picture of "self 7, manager 4 on Planning" has the self marker at
// 7/10 of the Planning spoke and the manager's at 4/10.
func TestRadarShowsPlanningGap(t *testing.T) {
	in := planningGap()
	c, err := newCanvas(radarW, radarH)
	if err != nil {
		t.Fatal(err)
	}
	g := drawRadar(c, in)
	b, err := Radar(in)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	const planning = 2
	blue := func(x, y int) bool {
		r, _, b, _ := img.At(x, y).RGBA()
		return b>>8 > 150 && r>>8 < 60
	}
	orange := func(x, y int) bool {
		r, _, b, _ := img.At(x, y).RGBA()
		return r>>8 > 180 && b>>8 < 60
	}
	at := func(score int) (int, int) {
		p := g.at(planning, score)
		return int(p.x), int(p.y)
	}
	if x, y := at(7); !blue(x, y) || orange(x, y) {
		t.Errorf("at 7/10 on Planning (%d,%d): %v, want the self blue", x, y, img.At(x, y))
	}
	if x, y := at(4); !orange(x, y) || blue(x, y) {
		t.Errorf("at 4/10 on Planning (%d,%d): %v, want the manager orange", x, y, img.At(x, y))
	}
	// Between the two, on the spoke: neither marker, but the gap band.
	if x, y := at(5); blue(x, y) || orange(x, y) {
		t.Errorf("at 5/10 on Planning (%d,%d): %v, want no marker", x, y, img.At(x, y))
	}
	// And Execution (8 and 7) has its self marker at 8/10.
	p := g.at(3, 8)
	if !blue(int(p.x), int(p.y)) {
		t.Errorf("Execution self marker missing at 8/10: %v", img.At(int(p.x), int(p.y)))
	}
}

// A missing rating is not drawn at the centre.
func TestRadarMissingIsNotZero(t *testing.T) {
	in := planningGap()
	for i := range in.Axes {
		in.Axes[i].Manager = 0
	}
	b, err := Radar(in)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := png.Decode(bytes.NewReader(b))
	c, _ := newCanvas(radarW, radarH)
	g := drawRadar(c, in)
	for _, s := range []int{0, 1} {
		for i := range in.Axes {
			p := g.at(i, s)
			r, _, bl, _ := img.At(int(p.x), int(p.y)).RGBA()
			if r>>8 > 180 && bl>>8 < 60 {
				t.Errorf("manager colour near the centre on axis %d", i)
			}
		}
	}
}

func TestRadarAlt(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   RadarInput
		want []string
		not  []string
	}{
		{"planning gap", planningGap(), []string{
			"Perception gap radar for Alex Chen, scores 1 to 10.",
			"Planning: self 7, manager 4, gap +3;",
			"Problem Understanding: self 6, manager 6, no gap;",
			"Gaps of 2 or more: Planning (+3).",
		}, []string{"more areas"}},
		{"no manager", RadarInput{Title: "Jo", Axes: pmwheel([]int{6, 5, 7, 8, 6, 7, 5, 6}, nil)}, []string{
			"Planning: self 7, no manager rating;", "No gap of 2 or more.",
		}, []string{"gap +"}},
		{"one rating", RadarInput{Axes: []Axis{{Name: "Planning", Self: 7}, {Name: "Team"}}}, []string{
			"Perception gap radar, scores 1 to 10.", "Planning: self 7, no manager rating; Team: no ratings.",
		}, nil},
		{"previous quarter", RadarInput{Axes: []Axis{{Name: "Planning", Self: 7, Manager: 4, PrevSelf: 6, PrevManager: 5}}}, []string{
			"Planning: self 7, manager 4, gap +3, last quarter self 6 / manager 5.",
		}, nil},
		{"manager higher", RadarInput{Axes: []Axis{{Name: "Team", Self: 3, Manager: 8}}}, []string{
			"Team: self 3, manager 8, gap -5.", "Gaps of 2 or more: Team (-5).",
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RadarAlt(tc.in)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("alt text lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("alt text has %q:\n%s", w, got)
				}
			}
		})
	}
}

// Forty areas with the longest names do not fit 2000 characters in full:
// the short form lists the largest gaps first and says how many are left.
func TestRadarAltSummarises(t *testing.T) {
	var in RadarInput
	in.Title = strings.Repeat("N", 300)
	for i := range MaxAxes {
		in.Axes = append(in.Axes, Axis{
			Name: fmt.Sprintf("%02d %s", i, strings.Repeat("area name ", 6)), Self: 1 + i%10, Manager: 1 + (i*3)%10,
			PrevSelf: 5, PrevManager: 5,
		})
	}
	in.Axes[17].Self, in.Axes[17].Manager = 10, 1
	got := RadarAlt(in)
	if n := utf8.RuneCountInString(got); n > MaxAltText {
		t.Fatalf("alt text is %d characters; Slack takes %d", n, MaxAltText)
	}
	head := strings.Index(got, "largest gaps first: ")
	if head < 0 {
		t.Fatalf("no short form:\n%s", got)
	}
	if !strings.HasPrefix(got[head+len("largest gaps first: "):], "17 area name") || !strings.Contains(got, " 10/1 (+9)") {
		t.Errorf("the largest gap is not first:\n%s", got)
	}
	if !strings.Contains(got, "more areas.") {
		t.Errorf("does not say how many areas are left out:\n%s", got)
	}
}

func TestGridAlt(t *testing.T) {
	g := GridInput{Months: []string{"Sep", "Oct", "Nov"}, Rows: []GridRow{
		{Name: "Alex Chen", Cells: []Cell{{}, {Themes: []coach.Colour{coach.Red, coach.Yellow}}, {Themes: []coach.Colour{coach.Red, ""}}}},
		{Name: "Sam", Cells: []Cell{{Themes: []coach.Colour{coach.Green}}, {Themes: []coach.Colour{coach.Green}}, {Themes: []coach.Colour{coach.Yellow}}}},
	}}
	got := GridAlt(g)
	want := "Theme colours by month, Sep to Nov (3 months): Alex Chen: 2 red, 1 yellow, 0 green, 1 no answer, 1 month without a plan; Sam: 0 red, 1 yellow, 2 green."
	if got != want {
		t.Errorf("GridAlt =\n%s\nwant\n%s", got, want)
	}
	big := team(50, months12, 5)
	for i := range big.Rows {
		big.Rows[i].Name = strings.Repeat("Long Name ", 10)
	}
	got = GridAlt(big)
	if n := utf8.RuneCountInString(got); n > MaxAltText {
		t.Fatalf("alt text is %d characters; Slack takes %d", n, MaxAltText)
	}
	if !strings.HasSuffix(got, "more people.") {
		t.Errorf("does not say how many people are left out: %s", got)
	}
}

func TestInvalidInput(t *testing.T) {
	ok := planningGap()
	radar := func(f func(*RadarInput)) RadarInput {
		r := ok
		r.Axes = append([]Axis(nil), ok.Axes...)
		f(&r)
		return r
	}
	for _, tc := range []struct {
		name string
		in   RadarInput
		msg  string
	}{
		{"no axes", RadarInput{Title: "x"}, "no axes"},
		{"too many axes", RadarInput{Axes: make([]Axis, MaxAxes+1)}, "41 axes"},
		{"self 11", radar(func(r *RadarInput) { r.Axes[2].Self = 11 }), `axis 3 ("Planning"): self score 11`},
		{"manager -1", radar(func(r *RadarInput) { r.Axes[0].Manager = -1 }), "manager score -1"},
		{"previous 12", radar(func(r *RadarInput) { r.Axes[7].PrevManager = 12 }), "previous manager score 12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Radar(tc.in)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.msg) || b != nil {
				t.Errorf("Radar: %v, want ErrInvalid saying %q", err, tc.msg)
			}
		})
	}
	grid := func(f func(*GridInput)) GridInput {
		g := team(3, months12[:3], 3)
		f(&g)
		return g
	}
	for _, tc := range []struct {
		name string
		in   GridInput
		msg  string
	}{
		{"no rows", grid(func(g *GridInput) { g.Rows = nil }), "no rows"},
		{"51 rows", team(51, months12[:1], 1), "51 rows"},
		{"no months", GridInput{Rows: []GridRow{{Name: "a"}}}, "no months"},
		{"13 months", GridInput{Months: make([]string, 13), Rows: []GridRow{{Name: "a"}}}, "13 months"},
		{"cells short", grid(func(g *GridInput) { g.Rows[1].Cells = g.Rows[1].Cells[:2] }), "row 2 (\"Sam Okafor\") has 2 cells for 3 months"},
		{"6 themes", grid(func(g *GridInput) { g.Rows[0].Cells[1].Themes = make([]coach.Colour, 6) }), "month 2: 6 themes; at most 5"},
		{"bad colour", grid(func(g *GridInput) { g.Rows[2].Cells[0].Themes = []coach.Colour{"blue"} }), `colour "blue"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Grid(tc.in)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.msg) || b != nil {
				t.Errorf("Grid: %v, want ErrInvalid saying %q", err, tc.msg)
			}
		})
	}
}

// FuzzRadar: any input either renders a PNG or returns ErrInvalid, never
// panics, and the alt text stays within Slack's limit.
func FuzzRadar(f *testing.F) {
	f.Add("Alex", "Planning|Team|Agile", []byte{7, 4, 0, 0, 6, 6, 5, 5, 0, 3, 0, 0})
	f.Add("", "", []byte{})
	f.Add("x", "a very long area name that goes on and on and on", []byte{11, 0, 0, 0})
	f.Add("💥\x00", "\xff|\t|  ", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255, 128})
	f.Fuzz(func(t *testing.T, title, names string, scores []byte) {
		in := RadarInput{Title: title}
		for i, name := range strings.Split(names, "|") {
			a := Axis{Name: name}
			for k, p := range []*int{&a.Self, &a.Manager, &a.PrevSelf, &a.PrevManager} {
				if j := 4*i + k; j < len(scores) {
					*p = int(int8(scores[j]))
				}
			}
			in.Axes = append(in.Axes, a)
		}
		if len(scores) > 0 && scores[0] == 255 {
			in.Axes = nil
		}
		b, err := Radar(in)
		switch {
		case err != nil && !errors.Is(err, ErrInvalid):
			t.Fatalf("error not ErrInvalid: %v", err)
		case err == nil:
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if alt := RadarAlt(in); utf8.RuneCountInString(alt) > MaxAltText {
				t.Fatalf("alt text of %d characters", utf8.RuneCountInString(alt))
			}
		}
	})
}

// FuzzGrid: likewise for the grid.
func FuzzGrid(f *testing.F) {
	f.Add("Themes", "Alex|Sam", "Sep|Oct", []byte{3, 1, 2, 0, 0, 5})
	f.Add("", "", "", []byte{})
	f.Fuzz(func(t *testing.T, title, names, months string, cells []byte) {
		g := GridInput{Title: title, Months: strings.Split(months, "|")}
		k := 0
		next := func() byte {
			if k >= len(cells) {
				return 0
			}
			k++
			return cells[k-1]
		}
		colours := []coach.Colour{"", coach.Green, coach.Yellow, coach.Red, "purple"}
		for _, n := range strings.Split(names, "|") {
			r := GridRow{Name: n}
			for range g.Months {
				var c Cell
				for range int(next()) % 7 {
					c.Themes = append(c.Themes, colours[int(next())%len(colours)])
				}
				r.Cells = append(r.Cells, c)
			}
			g.Rows = append(g.Rows, r)
		}
		b, err := Grid(g)
		switch {
		case err != nil && !errors.Is(err, ErrInvalid):
			t.Fatalf("error not ErrInvalid: %v", err)
		case err == nil:
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if alt := GridAlt(g); utf8.RuneCountInString(alt) > MaxAltText {
				t.Fatalf("alt text of %d characters", utf8.RuneCountInString(alt))
			}
		}
	})
}

func BenchmarkRadar(b *testing.B) {
	in := planningGap()
	for i := range in.Axes {
		in.Axes[i].PrevSelf, in.Axes[i].PrevManager = 5, 5
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Radar(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGrid50(b *testing.B) {
	g := team(50, months12, 1)
	for i := range g.Rows {
		for j := range g.Rows[i].Cells {
			g.Rows[i].Cells[j].Themes = []coach.Colour{coach.Green, coach.Yellow, coach.Red, ""}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Grid(g); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWrap(t *testing.T) {
	c, err := newCanvas(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	f := c.face(regular, labelPx)
	for _, tc := range []struct {
		in    string
		lines int
		want  []string
	}{
		{"Planning", 2, []string{"Planning"}},
		{"Problem Understanding", 2, []string{"Problem", "Understanding"}},
		{"Cross-functional leadership without authority", 2, []string{"Cross-functional", "leadership with…"}},
		{"Customer-facing-communication", 2, []string{"Customer-", "facing-commu…"}},
		{"  ", 2, nil},
		{"Supercalifragilisticexpialidocious", 1, []string{"Supercalifragili…"}},
	} {
		got := c.wrap(f, tc.in, sideLabelW, tc.lines)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q) = %q, want %q", tc.in, got, tc.want)
		}
		for _, l := range got {
			if w := c.measure(f, l); w > sideLabelW {
				t.Errorf("wrap(%q): line %q is %.0f px, wider than %d", tc.in, l, w, sideLabelW)
			}
		}
	}
}

// encodeRGB's PNG decodes to exactly the picture drawn.
func TestEncodeRGBRoundTrip(t *testing.T) {
	c, err := newCanvas(radarW, radarH)
	if err != nil {
		t.Fatal(err)
	}
	drawRadar(c, planningGap())
	b, err := encodeRGB(c.img)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != c.img.Bounds() {
		t.Fatalf("bounds %v, want %v", img.Bounds(), c.img.Bounds())
	}
	for y := 0; y < radarH; y++ {
		for x := 0; x < radarW; x++ {
			r1, g1, b1, a1 := img.At(x, y).RGBA()
			r2, g2, b2, a2 := c.img.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d,%d) = %v, drawn %v", x, y, img.At(x, y), c.img.At(x, y))
			}
		}
	}
}
