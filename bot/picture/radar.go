package picture

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/microcoach/microcoach/coach"
)

// ErrInvalid is wrapped by every error about input a picture cannot show:
// a score outside 0..10, no axes, too many rows or themes. It is a bug in
// the caller, not something to show a person.
var ErrInvalid = errors.New("picture: invalid input")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// MaxAxes is the most areas a radar shows: as many as a model may have.
const MaxAxes = coach.MaxAreas

// RadarInput is what a perception-gap radar shows: one person's latest self
// and manager ratings per area and, faintly, last quarter's.
type RadarInput struct {
	// Title heads the picture: the person's name.
	Title string
	// Axes are the areas in model order; the first points straight up and
	// the rest follow clockwise.
	Axes []Axis
	// Legend words for the series; "" gives "Self", "Manager" and
	// "Last quarter".
	SelfLabel, ManagerLabel, PrevLabel string
}

// Axis is one area and its scores, each 1..10, or 0 for "no rating".
type Axis struct {
	Name                  string
	Self, Manager         int
	PrevSelf, PrevManager int
}

// Gap reports self − manager, and whether both rated.
func (a Axis) Gap() (int, bool) {
	if a.Self == 0 || a.Manager == 0 {
		return 0, false
	}
	return coach.Gap(a.Self, a.Manager), true
}

// Flagged reports whether the area's gap is worth a conversation.
func (a Axis) Flagged() bool {
	g, ok := a.Gap()
	return ok && coach.Flagged(g)
}

// Validate reports the first thing a radar cannot show.
func (r RadarInput) Validate() error {
	if len(r.Axes) == 0 {
		return invalid("radar: no axes; give at least one area")
	}
	if len(r.Axes) > MaxAxes {
		return invalid("radar: %d axes; at most %d", len(r.Axes), MaxAxes)
	}
	for i, a := range r.Axes {
		for _, s := range []struct {
			name  string
			score int
		}{{"self", a.Self}, {"manager", a.Manager}, {"previous self", a.PrevSelf}, {"previous manager", a.PrevManager}} {
			if s.score != 0 && (s.score < coach.MinScore || s.score > coach.MaxScore) {
				return invalid("radar: axis %d (%q): %s score %d is outside %d..%d (0 for no rating)",
					i+1, a.Name, s.name, s.score, coach.MinScore, coach.MaxScore)
			}
		}
	}
	return nil
}

// Colours of the radar. Blue and vermilion are from the Okabe–Ito palette,
// which stays distinct for the common kinds of colour blindness; line style
// and marker shape tell the series apart without colour.
var (
	ink        = color.NRGBA{0x22, 0x22, 0x22, 0xff}
	inkSoft    = color.NRGBA{0x6b, 0x6b, 0x6b, 0xff}
	gridLine   = color.NRGBA{0xd9, 0xd9, 0xd9, 0xff}
	gridOuter  = color.NRGBA{0xb5, 0xb5, 0xb5, 0xff}
	selfCol    = color.NRGBA{0x00, 0x72, 0xb2, 0xff}
	selfFill   = color.NRGBA{0x00, 0x72, 0xb2, 0x1c}
	selfPrev   = color.NRGBA{0x00, 0x72, 0xb2, 0x66}
	mgrCol     = color.NRGBA{0xd5, 0x5e, 0x00, 0xff}
	mgrPrev    = color.NRGBA{0xd5, 0x5e, 0x00, 0x66}
	gapBand    = color.NRGBA{0xf0, 0xb4, 0x00, 0x70}
	gapPill    = color.NRGBA{0xff, 0xe8, 0xa8, 0xff}
	gapBorder  = color.NRGBA{0xc9, 0x8a, 0x00, 0xff}
	gapInk     = color.NRGBA{0x7a, 0x4a, 0x00, 0xff}
	white      = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	leaderLine = color.NRGBA{0xa0, 0xa0, 0xa0, 0xff}
)

// Radar geometry, in pixels.
const (
	radarW      = 800
	radarH      = 800
	margin      = 16
	titlePx     = 28
	labelPx     = 20
	labelPad    = 14 // from the outer ring to a label's anchor
	sideLabelW  = 162
	topLabelW   = 300
	maxRadius   = 205
	lineW       = 4
	prevLineW   = 2.5
	dotR        = 6
	squareSide  = 16
	dashOn      = 12
	dashOff     = 7
	legendRowH  = 32
	legendSwW   = 44
	legendGapPx = 26
)

// Radar draws the perception-gap radar of one person as an 800×800 PNG.
//
// A missing rating breaks the outline instead of pulling it to the centre:
// a series' line joins two neighbouring axes only when both have a rating,
// every rating has a marker, and the area is shaded only when every axis
// is rated. A lone rating is a lone marker.
func Radar(r RadarInput) ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	c, err := newCanvas(radarW, radarH)
	if err != nil {
		return nil, fmt.Errorf("picture: radar: %w", err)
	}
	drawRadar(c, r)
	b, err := encode(c.img)
	if err != nil {
		return nil, fmt.Errorf("picture: radar: %w", err)
	}
	return b, nil
}

type series struct {
	score           func(Axis) int
	col, fill       color.Color
	width           float64
	dashed, squares bool
	marker          float64
}

type radarGeom struct {
	ctr         pt
	R           float64
	n           int
	angle       func(i int) float64
	top, bottom float64 // the band between title and legend
}

func (g radarGeom) at(i, score int) pt {
	return polar(g.ctr, g.R*float64(score)/coach.MaxScore, g.angle(i))
}

// drawRadar draws r on c and returns where the chart is.
func drawRadar(c *canvas, r RadarInput) radarGeom {
	titleF := c.face(bold, titlePx)
	regF := c.face(regular, labelPx)
	boldF := c.face(bold, labelPx)

	title := strings.TrimSpace(r.Title)
	if title == "" {
		title = "Perception gap"
	}
	c.text(titleF, c.ellipsize(titleF, title, radarW-2*margin), margin, margin+titleF.ascent, ink)
	chartTop := margin + titleF.line + 8

	legendTop := drawRadarLegend(c, r, regF)
	chartBottom := legendTop - 8

	n := len(r.Axes)
	g := radarGeom{
		ctr:    pt{radarW / 2, (chartTop + chartBottom) / 2},
		n:      n,
		top:    chartTop,
		bottom: chartBottom,
		angle: func(i int) float64 {
			return -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		},
	}
	// Leave room above and below for a top and a bottom label of up to
	// three lines.
	g.R = math.Min(maxRadius, (chartBottom-chartTop)/2-labelPad-3*regF.line)

	// Grid: rings at 2, 4, 6, 8, 10 and one spoke per axis.
	var web [][]pt
	for s := 2; s < coach.MaxScore; s += 2 {
		web = append(web, ring(g.ctr, g.R*float64(s)/coach.MaxScore, 1.5)...)
	}
	for i := range n {
		web = append(web, stroke([]pt{g.ctr, g.at(i, coach.MaxScore)}, false, 1.5, false)...)
	}
	c.fill(gridLine, web...)
	c.fill(gridOuter, ring(g.ctr, g.R, 2)...)

	labels := layoutRadarLabels(c, g, r.Axes, regF, boldF)
	drawRadarLabels(c, g, labels)

	// Ring values, between the first two spokes, under the series.
	valAngle := g.angle(0) + math.Pi/float64(max(n, 4))
	for s := 2; s <= coach.MaxScore; s += 2 {
		p := polar(g.ctr, g.R*float64(s)/coach.MaxScore, valAngle)
		v := strconv.Itoa(s)
		w := c.measure(regF, v)
		c.fill(white, roundRect(p.x-w/2-3, p.y-regF.ascent/2-3, p.x+w/2+3, p.y+regF.ascent/2+3, 4))
		c.textAligned(regF, v, p.x, p.y+regF.ascent/2-1, alignCenter, inkSoft)
	}

	// The gap itself: a band along the spoke between the two ratings.
	var bands [][]pt
	for i, a := range r.Axes {
		if a.Flagged() {
			bands = append(bands, stroke([]pt{g.at(i, a.Self), g.at(i, a.Manager)}, false, 12, true)...)
		}
	}
	c.fill(gapBand, bands...)

	self := series{score: func(a Axis) int { return a.Self }, col: selfCol, fill: selfFill, width: lineW, marker: dotR}
	mgr := series{score: func(a Axis) int { return a.Manager }, col: mgrCol, width: lineW, dashed: true, squares: true, marker: squareSide}
	prevSelf := series{score: func(a Axis) int { return a.PrevSelf }, col: selfPrev, width: prevLineW, marker: 3.5}
	prevMgr := series{score: func(a Axis) int { return a.PrevManager }, col: mgrPrev, width: prevLineW, dashed: true, squares: true, marker: 7}

	for _, s := range []series{prevMgr, prevSelf} {
		drawSeries(c, g, r.Axes, s)
	}
	for _, s := range []series{mgr, self} {
		if s.fill != nil {
			fillSeries(c, g, r.Axes, s)
		}
	}
	for _, s := range []series{mgr, self} {
		drawSeries(c, g, r.Axes, s)
	}
	return g
}

// runs returns the maximal runs of neighbouring rated axes, as index lists,
// and whether the one run is the whole closed outline.
func runs(axes []Axis, score func(Axis) int) (out [][]int, closed bool) {
	n := len(axes)
	all := true
	for _, a := range axes {
		if score(a) == 0 {
			all = false
			break
		}
	}
	if all {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return [][]int{idx}, n >= 3
	}
	for i := range n {
		prev := (i + n - 1) % n
		if score(axes[i]) == 0 || (score(axes[prev]) != 0 && n > 1) {
			continue
		}
		var run []int
		for j := i; score(axes[j]) != 0; j = (j + 1) % n {
			run = append(run, j)
			if len(run) == n {
				break
			}
		}
		out = append(out, run)
	}
	return out, false
}

func fillSeries(c *canvas, g radarGeom, axes []Axis, s series) {
	rs, closed := runs(axes, s.score)
	if !closed {
		return
	}
	poly := make([]pt, 0, len(axes))
	for _, i := range rs[0] {
		poly = append(poly, g.at(i, s.score(axes[i])))
	}
	c.fill(s.fill, oriented(poly, false))
}

func drawSeries(c *canvas, g radarGeom, axes []Axis, s series) {
	rs, closed := runs(axes, s.score)
	var shapes [][]pt
	for _, run := range rs {
		if len(run) < 2 {
			continue
		}
		pts := make([]pt, len(run))
		for k, i := range run {
			pts[k] = g.at(i, s.score(axes[i]))
		}
		if s.dashed {
			for _, d := range dashes(pts, closed, dashOn*s.width/lineW+2, dashOff*s.width/lineW+1) {
				shapes = append(shapes, stroke(d, false, s.width, false)...)
			}
		} else {
			shapes = append(shapes, stroke(pts, closed, s.width, true)...)
		}
	}
	c.fill(s.col, shapes...)

	// Markers, with a white rim so that they stand off the lines.
	var rims, marks [][]pt
	for i, a := range axes {
		v := s.score(a)
		if v == 0 {
			continue
		}
		p := g.at(i, v)
		if s.squares {
			rims = append(rims, square(p, s.marker+4))
			marks = append(marks, square(p, s.marker))
		} else {
			rims = append(rims, circle(p, s.marker+2))
			marks = append(marks, circle(p, s.marker))
		}
	}
	c.fill(white, rims...)
	c.fill(s.col, marks...)
}

// radarLabel is an area's name, wrapped, in its place around the chart.
type radarLabel struct {
	axis    int
	lines   []string
	gap     string // "gap +3" for a flagged area
	col     int    // -1 left, 0 top or bottom, 1 right
	anchor  pt     // where the spoke's label wants to be
	x, y    float64
	w, h    float64
	flagged bool
	unrated bool    // neither side has rated: the label is greyed
	padY    float64 // the tag's padding above and below the text
}

func layoutRadarLabels(c *canvas, g radarGeom, axes []Axis, regF, boldF *face) []radarLabel {
	var labels []radarLabel
	// Two lines for a name, then one, then one with the gap on it.
	for _, try := range []struct {
		lines  int
		inline bool
	}{{2, false}, {1, false}, {1, true}} {
		labels = placeRadarLabels(c, g, axes, regF, boldF, try.lines, try.inline)
		if fitColumns(g, labels) {
			break
		}
	}
	return labels
}

func placeRadarLabels(c *canvas, g radarGeom, axes []Axis, regF, boldF *face, maxLines int, inline bool) []radarLabel {
	out := make([]radarLabel, len(axes))
	for i, a := range axes {
		ang := g.angle(i)
		cos, sin := math.Cos(ang), math.Sin(ang)
		l := radarLabel{axis: i, anchor: polar(g.ctr, g.R+labelPad, ang), flagged: a.Flagged(), unrated: a.Self == 0 && a.Manager == 0}
		f := regF
		if l.flagged {
			f = boldF
		}
		maxW := float64(sideLabelW)
		switch {
		case math.Abs(cos) < 0.1:
			l.col = 0
			maxW = topLabelW
		case cos > 0:
			l.col = 1
		default:
			l.col = -1
		}
		name := strings.TrimSpace(a.Name)
		if name == "" {
			name = "Area " + strconv.Itoa(i+1)
		}
		if l.flagged {
			gap, _ := a.Gap()
			l.gap = fmt.Sprintf("gap %+d", gap)
		}
		if l.flagged && inline {
			gap, _ := a.Gap()
			suffix := fmt.Sprintf(" %+d", gap)
			l.lines = c.wrap(f, name, maxW-12-c.measure(f, suffix), 1)
			if len(l.lines) == 1 {
				l.lines[0] += suffix
			}
			l.gap = ""
		} else {
			l.lines = c.wrap(f, name, maxW, maxLines)
		}
		for _, s := range l.lines {
			l.w = math.Max(l.w, c.measure(f, s))
		}
		nl := len(l.lines)
		if l.gap != "" {
			l.w = math.Max(l.w, c.measure(boldF, l.gap))
			nl++
		}
		l.h = float64(nl) * regF.line
		if l.flagged {
			l.padY = 3
			if inline {
				l.padY = 1
			}
			l.w += 12 // the tag's padding
			l.h += 2 * l.padY
		}
		switch l.col {
		case 0:
			l.x = l.anchor.x - l.w/2
			if sin < 0 {
				l.y = l.anchor.y - l.h
			} else {
				l.y = l.anchor.y
			}
		case 1:
			l.x = l.anchor.x
			l.y = l.anchor.y - l.h/2
		default:
			l.x = l.anchor.x - l.w
			l.y = l.anchor.y - l.h/2
		}
		out[i] = l
	}
	return out
}

// fitColumns moves the side labels up or down so that none overlaps
// another or a top or bottom label above or below it, then out sideways so
// that none overlaps the chart. It reports whether everything fitted.
func fitColumns(g radarGeom, labels []radarLabel) bool {
	const gap = 4
	fits := true
	for _, side := range []int{-1, 1} {
		var idx []int
		for i, l := range labels {
			if l.col == side {
				idx = append(idx, i)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool { return labels[idx[a]].anchor.y < labels[idx[b]].anchor.y })
		// Each label's own band: the chart's, less any top or bottom
		// label that shares its width.
		lo := make([]float64, len(labels))
		hi := make([]float64, len(labels))
		for _, i := range idx {
			l := labels[i]
			x0, x1 := l.anchor.x, l.anchor.x+l.w
			if side < 0 {
				x0, x1 = l.anchor.x-l.w, l.anchor.x
			}
			lo[i], hi[i] = g.top, g.bottom
			for _, t := range labels {
				if t.col != 0 || x1 < t.x-6 || x0 > t.x+t.w+6 {
					continue
				}
				if t.anchor.y < g.ctr.y {
					lo[i] = math.Max(lo[i], t.y+t.h+gap)
				} else {
					hi[i] = math.Min(hi[i], t.y-gap)
				}
			}
		}
		// Push down from the top, then up from the bottom.
		floor := g.top
		for _, i := range idx {
			labels[i].y = math.Max(labels[i].y, math.Max(floor, lo[i]))
			floor = labels[i].y + labels[i].h + gap
		}
		ceil := g.bottom
		for k := len(idx) - 1; k >= 0; k-- {
			i := idx[k]
			labels[i].y = math.Min(labels[i].y, math.Min(ceil, hi[i])-labels[i].h)
			ceil = labels[i].y - gap
		}
		prev := math.Inf(-1)
		for _, i := range idx {
			l := labels[i]
			if l.y < lo[i]-0.5 || l.y+l.h > hi[i]+0.5 || l.y < prev-0.5 {
				fits = false
			}
			prev = l.y + l.h + gap
		}
		if !fits && len(idx) > 1 {
			// If even that overflows the band, spread the labels evenly over
			// it, overlapping a little, rather than off the picture.
			total := 0.0
			for _, i := range idx {
				total += labels[i].h + gap
			}
			if total-gap > g.bottom-g.top {
				last := labels[idx[len(idx)-1]].h
				step := (g.bottom - g.top - last) / float64(len(idx)-1)
				for k, i := range idx {
					labels[i].y = g.top + float64(k)*step
				}
			}
		}
		// Keep clear of the chart: no closer to the centre than the anchor
		// circle at the label's nearest height.
		for _, i := range idx {
			l := &labels[i]
			dy := 0.0
			if l.y > g.ctr.y {
				dy = l.y - g.ctr.y
			} else if l.y+l.h < g.ctr.y {
				dy = g.ctr.y - (l.y + l.h)
			}
			rr := g.R + labelPad
			clear := 0.0
			if dy < rr {
				clear = math.Sqrt(rr*rr - dy*dy)
			}
			if side == 1 {
				l.x = math.Max(l.anchor.x, g.ctr.x+clear)
				l.x = math.Min(l.x, radarW-margin-l.w)
			} else {
				l.x = math.Min(l.anchor.x-l.w, g.ctr.x-clear-l.w)
				l.x = math.Max(l.x, margin)
			}
		}
	}
	return fits
}

func drawRadarLabels(c *canvas, g radarGeom, labels []radarLabel) {
	regF := c.face(regular, labelPx)
	boldF := c.face(bold, labelPx)
	// Leader lines for labels pushed away from their spoke.
	var leaders [][]pt
	for _, l := range labels {
		var near pt
		switch l.col {
		case 1:
			near = pt{l.x - 3, l.y + l.h/2}
		case -1:
			near = pt{l.x + l.w + 3, l.y + l.h/2}
		default:
			continue
		}
		if math.Abs(near.y-l.anchor.y) > 6 || math.Abs(near.x-l.anchor.x) > 10 {
			from := polar(g.ctr, g.R+4, g.angle(l.axis))
			leaders = append(leaders, stroke([]pt{from, near}, false, 1.2, true)...)
		}
	}
	c.fill(leaderLine, leaders...)

	for _, l := range labels {
		f, col := regF, color.Color(ink)
		if l.unrated {
			col = inkSoft
		}
		x, y := l.x, l.y
		a := alignLeft
		switch l.col {
		case 0:
			a, x = alignCenter, l.x+l.w/2
		case -1:
			a, x = alignRight, l.x+l.w
		}
		if l.flagged {
			c.fill(gapBorder, roundRect(l.x, l.y, l.x+l.w, l.y+l.h, 7))
			c.fill(gapPill, roundRect(l.x+1.5, l.y+1.5, l.x+l.w-1.5, l.y+l.h-1.5, 6))
			f = boldF
			y += l.padY
			switch a {
			case alignLeft:
				x += 6
			case alignRight:
				x -= 6
			}
		}
		base := y + (regF.line-regF.ascent-regF.descent)/2 + regF.ascent
		for _, s := range l.lines {
			c.textAligned(f, s, x, base, a, col)
			base += regF.line
		}
		if l.gap != "" {
			c.textAligned(boldF, l.gap, x, base, a, gapInk)
		}
	}
}

func drawRadarLegend(c *canvas, r RadarInput, f *face) (top float64) {
	has := func(score func(Axis) int) bool {
		for _, a := range r.Axes {
			if score(a) != 0 {
				return true
			}
		}
		return false
	}
	label := func(s, def string) string {
		if s = strings.TrimSpace(s); s == "" {
			return def
		}
		return s
	}
	type item struct {
		text string
		sw   func(x, y float64) // draws the swatch with its left end at x on the middle line y
	}
	selfText := label(r.SelfLabel, "Self")
	if !has(func(a Axis) int { return a.Self }) {
		selfText += " (no ratings)"
	}
	mgrText := label(r.ManagerLabel, "Manager")
	if !has(func(a Axis) int { return a.Manager }) {
		mgrText += " (no ratings)"
	}
	items := []item{
		{selfText, func(x, y float64) {
			c.fill(selfCol, stroke([]pt{{x, y}, {x + legendSwW, y}}, false, lineW, true)...)
			c.fill(white, circle(pt{x + legendSwW/2, y}, dotR+2))
			c.fill(selfCol, circle(pt{x + legendSwW/2, y}, dotR))
		}},
		{mgrText, func(x, y float64) {
			var sh [][]pt
			for _, d := range dashes([]pt{{x, y}, {x + legendSwW, y}}, false, dashOn+2, dashOff+1) {
				sh = append(sh, stroke(d, false, lineW, false)...)
			}
			c.fill(mgrCol, sh...)
			c.fill(white, square(pt{x + legendSwW/2, y}, squareSide+4))
			c.fill(mgrCol, square(pt{x + legendSwW/2, y}, squareSide))
		}},
	}
	if has(func(a Axis) int { return a.PrevSelf }) || has(func(a Axis) int { return a.PrevManager }) {
		items = append(items, item{label(r.PrevLabel, "Last quarter"), func(x, y float64) {
			c.fill(selfPrev, stroke([]pt{{x, y - 5}, {x + legendSwW, y - 5}}, false, prevLineW, true)...)
			var sh [][]pt
			for _, d := range dashes([]pt{{x, y + 5}, {x + legendSwW, y + 5}}, false, dashOn/2+2, dashOff/2+1) {
				sh = append(sh, stroke(d, false, prevLineW, false)...)
			}
			c.fill(mgrPrev, sh...)
		}})
	}
	for _, a := range r.Axes {
		if a.Flagged() {
			items = append(items, item{"gap of 2 or more", func(x, y float64) {
				c.fill(gapBorder, roundRect(x, y-11, x+legendSwW, y+11, 7))
				c.fill(gapPill, roundRect(x+1.5, y-9.5, x+legendSwW-1.5, y+9.5, 6))
				c.fill(gapBand, stroke([]pt{{x + 10, y}, {x + legendSwW - 10, y}}, false, 12, true)...)
			}})
			break
		}
	}

	// Flow the items into rows, centred, from the bottom up.
	type placed struct {
		it   item
		text string
		w    float64
	}
	var rows [][]placed
	var rowW []float64
	maxW := float64(radarW - 2*margin)
	for _, it := range items {
		text := c.ellipsize(f, it.text, maxW-legendSwW-8)
		w := legendSwW + 8 + c.measure(f, text)
		if len(rows) == 0 || rowW[len(rows)-1]+legendGapPx+w > maxW {
			rows = append(rows, nil)
			rowW = append(rowW, -legendGapPx)
		}
		k := len(rows) - 1
		rows[k] = append(rows[k], placed{it, text, w})
		rowW[k] += legendGapPx + w
	}
	top = radarH - margin - float64(len(rows))*legendRowH
	for k, row := range rows {
		x := (radarW - rowW[k]) / 2
		mid := top + float64(k)*legendRowH + legendRowH/2
		for _, p := range row {
			p.it.sw(x, mid)
			c.text(f, p.text, x+legendSwW+8, mid+(f.ascent-f.descent)/2, ink)
			x += p.w + legendGapPx
		}
	}
	return top
}

// MaxAltText is the longest alt text Slack accepts on an image block, in
// characters.
const MaxAltText = 2000

// RadarAlt describes the radar in words for the image block's alt_text:
// every area's numbers in model order ("Planning: self 7, manager 4,
// gap +3"), shortened to fit MaxAltText with the flagged areas first when
// there are too many.
func RadarAlt(r RadarInput) string {
	name := strings.TrimSpace(r.Title)
	head := "Perception gap radar, scores 1 to 10"
	if name != "" {
		head = "Perception gap radar for " + clip(name) + ", scores 1 to 10"
	}
	var flagged []string
	for _, a := range r.Axes {
		if g, ok := a.Gap(); ok && coach.Flagged(g) {
			flagged = append(flagged, fmt.Sprintf("%s (%+d)", altName(a.Name), g))
		}
	}
	summary := ". No gap of 2 or more."
	if len(flagged) > 0 {
		summary = ". Gaps of 2 or more: " + strings.Join(flagged, ", ") + "."
	}
	long := make([]string, len(r.Axes))
	short := make([]string, len(r.Axes))
	for i, a := range r.Axes {
		long[i], short[i] = altAxis(a)
	}
	full := head + ". " + strings.Join(long, "; ") + summary
	if utf8.RuneCountInString(full) <= MaxAltText {
		return full
	}
	// Too long: the short form, flagged areas first, as many as fit.
	order := make([]int, len(r.Axes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ga, oka := r.Axes[order[a]].Gap()
		gb, okb := r.Axes[order[b]].Gap()
		fa, fb := oka && coach.Flagged(ga), okb && coach.Flagged(gb)
		if fa != fb {
			return fa
		}
		return fa && abs(ga) > abs(gb)
	})
	head += " (self/manager; - for no rating), largest gaps first: "
	return fitList(head, order, short, "area", "areas")
}

// fitList joins items[order...] after head, as many as fit in MaxAltText,
// and says how many were left out.
func fitList(head string, order []int, items []string, one, many string) string {
	more := func(n int) string {
		if n == 1 {
			return "; and 1 more " + one + "."
		}
		return fmt.Sprintf("; and %d more %s.", n, many)
	}
	var b strings.Builder
	b.WriteString(head)
	used := utf8.RuneCountInString(head)
	for k, i := range order {
		it := items[i]
		if k > 0 {
			it = "; " + it
		}
		n := utf8.RuneCountInString(it)
		left := len(order) - k - 1
		end := 1 // the full stop
		if left > 0 {
			end = utf8.RuneCountInString(more(left))
		}
		if used+n+end > MaxAltText {
			// The previous round left room for this.
			b.WriteString(more(left + 1))
			return b.String()
		}
		b.WriteString(it)
		used += n
	}
	b.WriteString(".")
	return b.String()
}

func altName(s string) string {
	s = strings.Join(fields(clip(s)), " ")
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:59]) + ellipsis
	}
	if s == "" {
		return "(unnamed area)"
	}
	return s
}

func altAxis(a Axis) (long, short string) {
	name := altName(a.Name)
	score := func(v int) string {
		if v == 0 {
			return "-"
		}
		return strconv.Itoa(v)
	}
	short = name + " " + score(a.Self) + "/" + score(a.Manager)
	var parts []string
	switch {
	case a.Self == 0 && a.Manager == 0:
		parts = append(parts, "no ratings")
	case a.Self == 0:
		parts = append(parts, "no self rating", "manager "+strconv.Itoa(a.Manager))
	case a.Manager == 0:
		parts = append(parts, "self "+strconv.Itoa(a.Self), "no manager rating")
	default:
		parts = append(parts, "self "+strconv.Itoa(a.Self), "manager "+strconv.Itoa(a.Manager))
	}
	if g, ok := a.Gap(); ok && g == 0 {
		parts = append(parts, "no gap")
		short += " (0)"
	} else if ok {
		parts = append(parts, fmt.Sprintf("gap %+d", g))
		short += fmt.Sprintf(" (%+d)", g)
	}
	if a.PrevSelf != 0 || a.PrevManager != 0 {
		parts = append(parts, "last quarter self "+score(a.PrevSelf)+" / manager "+score(a.PrevManager))
	}
	return name + ": " + strings.Join(parts, ", "), short
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
