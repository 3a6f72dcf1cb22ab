package picture

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/microcoach/microcoach/coach"
)

// Limits of a colour grid: a manager's reports, a year of months, a plan's
// themes.
const (
	MaxRows   = 50
	MaxMonths = 12
	MaxThemes = 5
)

// GridInput is a manager's view of their reports' monthly theme colours.
type GridInput struct {
	// Title heads the picture, e.g. "Themes by month".
	Title string
	// Months label the columns, oldest first ("Jun").
	Months []string
	// Rows are the reports in the order to show them (the caller puts
	// the ones who need attention first).
	Rows []GridRow
}

// GridRow is one report: a name and one cell per month.
type GridRow struct {
	Name  string
	Cells []Cell
}

// Cell is one person's month. No themes (nil) means no plan existed that
// month; otherwise there is one colour per plan theme, in plan order, ""
// for a theme without an answer.
type Cell struct {
	Themes []coach.Colour
}

// Validate reports the first thing a grid cannot show.
func (g GridInput) Validate() error {
	switch {
	case len(g.Rows) == 0:
		return invalid("grid: no rows; give at least one person")
	case len(g.Rows) > MaxRows:
		return invalid("grid: %d rows; at most %d", len(g.Rows), MaxRows)
	case len(g.Months) == 0:
		return invalid("grid: no months; give at least one")
	case len(g.Months) > MaxMonths:
		return invalid("grid: %d months; at most %d", len(g.Months), MaxMonths)
	}
	for i, r := range g.Rows {
		if len(r.Cells) != len(g.Months) {
			return invalid("grid: row %d (%q) has %d cells for %d months", i+1, r.Name, len(r.Cells), len(g.Months))
		}
		for j, c := range r.Cells {
			if len(c.Themes) > MaxThemes {
				return invalid("grid: row %d (%q), month %d: %d themes; at most %d", i+1, r.Name, j+1, len(c.Themes), MaxThemes)
			}
			for _, col := range c.Themes {
				if col != "" && !col.Valid() {
					return invalid("grid: row %d (%q), month %d: colour %q is not green, yellow, red or \"\"", i+1, r.Name, j+1, string(col))
				}
			}
		}
	}
	return nil
}

// Grid colours. Each colour also carries its letter (G, Y, R), and the
// three differ in lightness, so the grid reads without colour too.
var (
	greenCell   = color.NRGBA{0x5a, 0xb4, 0x6a, 0xff}
	yellowCell  = color.NRGBA{0xf6, 0xd0, 0x4d, 0xff}
	redCell     = color.NRGBA{0xc6, 0x28, 0x28, 0xff}
	noPlanCell  = color.NRGBA{0xcf, 0xcf, 0xcf, 0xff}
	noAnswerBox = color.NRGBA{0xb0, 0xb0, 0xb0, 0xff}
	stripeRow   = color.NRGBA{0xf3, 0xf4, 0xf6, 0xff}
)

// Grid geometry, in pixels.
const (
	gridMinW   = 640
	gridRowH   = 34
	gridHeadH  = 34
	gridNameW  = 280 // at most
	stripeW    = 22  // per theme, at least
	gridCellIn = 3
	letterPx   = 18
)

func cellStyle(c coach.Colour) (fill color.Color, letter string, letterCol color.Color) {
	switch c {
	case coach.Green:
		return greenCell, "G", ink
	case coach.Yellow:
		return yellowCell, "Y", ink
	case coach.Red:
		return redCell, "R", white
	}
	return white, "", nil
}

// Grid draws the monthly colours of a manager's reports as a PNG: a row
// per person, a column per month, each cell split into the month's theme
// colours with their letters, grey with a dash where there was no plan,
// white where a theme had no answer.
func Grid(g GridInput) ([]byte, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	// Measure with a throwaway canvas the size of nothing, then draw.
	m, err := newCanvas(1, 1)
	if err != nil {
		return nil, fmt.Errorf("picture: grid: %w", err)
	}
	regF := m.face(regular, labelPx)
	nameW := 120.0
	for _, r := range g.Rows {
		nameW = math.Max(nameW, m.measure(regF, clip(r.Name))+16)
	}
	nameW = math.Min(nameW, gridNameW)
	themes := 1
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			themes = max(themes, len(c.Themes))
		}
	}
	colW := max(64, themes*stripeW+2*gridCellIn)
	w := max(gridMinW, margin+int(nameW)+len(g.Months)*colW+margin)

	legend := gridLegend()
	legendRows := flowRows(m, regF, legend, float64(w-2*margin))
	titleH := margin + int(m.face(bold, titlePx).line) + 8
	h := titleH + gridHeadH + len(g.Rows)*gridRowH + 12 + len(legendRows)*legendRowH + margin

	c, err := newCanvas(w, h)
	if err != nil {
		return nil, fmt.Errorf("picture: grid: %w", err)
	}
	drawGrid(c, g, nameW, colW, titleH, legendRows)
	b, err := encode(c.img)
	if err != nil {
		return nil, fmt.Errorf("picture: grid: %w", err)
	}
	return b, nil
}

type legendItem struct {
	text string
	sw   func(c *canvas, x, y float64)
}

func swatch(fill color.Color, letter string, letterCol color.Color, border bool) func(c *canvas, x, y float64) {
	return func(c *canvas, x, y float64) {
		r := image.Rect(int(x), int(y)-12, int(x)+stripeW, int(y)+12)
		drawStripe(c, r, fill, letter, letterCol, border)
	}
}

func gridLegend() []legendItem {
	var items []legendItem
	for _, col := range []coach.Colour{coach.Green, coach.Yellow, coach.Red} {
		fill, l, lc := cellStyle(col)
		items = append(items, legendItem{string(col) + ", " + col.Meaning(), swatch(fill, l, lc, false)})
	}
	items = append(items,
		legendItem{"no answer", swatch(white, "", nil, true)},
		legendItem{"no plan", swatch(noPlanCell, "—", inkSoft, false)},
	)
	return items
}

type legendPlaced struct {
	legendItem
	w float64
}

// flowRows lays legend items out in rows no wider than maxW.
func flowRows(c *canvas, f *face, items []legendItem, maxW float64) [][]legendPlaced {
	var rows [][]legendPlaced
	rowW := 0.0
	for _, it := range items {
		w := stripeW + 8 + c.measure(f, it.text)
		if len(rows) == 0 || rowW+legendGapPx+w > maxW {
			rows = append(rows, nil)
			rowW = -legendGapPx
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], legendPlaced{it, w})
		rowW += legendGapPx + w
	}
	return rows
}

// drawStripe fills one theme's share of a cell and centres its letter.
func drawStripe(c *canvas, r image.Rectangle, fill color.Color, letter string, letterCol color.Color, border bool) {
	if border {
		c.rect(r, noAnswerBox)
		c.rect(r.Inset(1), fill)
	} else {
		c.rect(r, fill)
	}
	if letter != "" && r.Dx() >= 12 {
		f := c.face(bold, letterPx)
		x := float64(r.Min.X+r.Max.X) / 2
		y := float64(r.Min.Y+r.Max.Y)/2 + (f.ascent-f.descent)/2 - 1
		c.textAligned(f, letter, x, math.Round(y), alignCenter, letterCol)
	}
}

func drawGrid(c *canvas, g GridInput, nameW float64, colW, titleH int, legend [][]legendPlaced) {
	w := c.img.Bounds().Dx()
	titleF := c.face(bold, titlePx)
	regF := c.face(regular, labelPx)
	boldF := c.face(bold, labelPx)
	title := strings.TrimSpace(g.Title)
	if title == "" {
		title = "Themes by month"
	}
	c.text(titleF, c.ellipsize(titleF, title, float64(w-2*margin)), margin, margin+titleF.ascent, ink)

	x0 := margin + int(nameW)
	y0 := titleH + gridHeadH
	for j, m := range g.Months {
		cx := float64(x0 + j*colW + colW/2)
		c.textAligned(boldF, c.ellipsize(boldF, m, float64(colW-4)), cx, float64(y0-10), alignCenter, ink)
	}
	for i, r := range g.Rows {
		top := y0 + i*gridRowH
		if i%2 == 1 {
			c.rect(image.Rect(margin/2, top, x0+len(g.Months)*colW+margin/2, top+gridRowH), stripeRow)
		}
		base := float64(top) + gridRowH/2 + (regF.ascent-regF.descent)/2
		c.text(regF, c.ellipsize(regF, strings.TrimSpace(r.Name), nameW-12), margin, math.Round(base), ink)
		for j, cell := range r.Cells {
			cr := image.Rect(x0+j*colW+gridCellIn, top+gridCellIn, x0+(j+1)*colW-gridCellIn, top+gridRowH-gridCellIn)
			drawCell(c, cr, cell)
		}
	}

	top := float64(y0 + len(g.Rows)*gridRowH + 12)
	for k, row := range legend {
		mid := top + float64(k)*legendRowH + legendRowH/2
		x := float64(margin)
		for _, p := range row {
			p.sw(c, x, mid)
			c.text(regF, p.text, x+stripeW+8, math.Round(mid+(regF.ascent-regF.descent)/2), ink)
			x += p.w + legendGapPx
		}
	}
}

func drawCell(c *canvas, r image.Rectangle, cell Cell) {
	n := len(cell.Themes)
	if n == 0 {
		drawStripe(c, r, noPlanCell, "—", inkSoft, false)
		return
	}
	// Split the width into n stripes a pixel apart; the first ones take
	// any leftover pixel.
	const sep = 2
	total := r.Dx() - (n-1)*sep
	x := r.Min.X
	for k, col := range cell.Themes {
		sw := total / n
		if k < total%n {
			sw++
		}
		fill, letter, lc := cellStyle(col)
		drawStripe(c, image.Rect(x, r.Min.Y, x+sw, r.Max.Y), fill, letter, lc, col == "")
		x += sw + sep
	}
}

// GridAlt describes the grid in words for the image block's alt_text: for
// each person in order, how many theme-months were green, yellow and red,
// how many had no answer, and how many months had no plan; shortened to
// fit MaxAltText.
func GridAlt(g GridInput) string {
	head := "Theme colours by month"
	if t := strings.TrimSpace(g.Title); t != "" {
		head = altName(t)
	}
	if n := len(g.Months); n > 0 {
		head += fmt.Sprintf(", %s to %s (%d months)", altName(g.Months[0]), altName(g.Months[n-1]), n)
	}
	head += ": "
	items := make([]string, len(g.Rows))
	order := make([]int, len(g.Rows))
	for i, r := range g.Rows {
		order[i] = i
		var green, yellow, red, none, noPlan int
		for _, c := range r.Cells {
			if len(c.Themes) == 0 {
				noPlan++
			}
			for _, col := range c.Themes {
				switch col {
				case coach.Green:
					green++
				case coach.Yellow:
					yellow++
				case coach.Red:
					red++
				default:
					none++
				}
			}
		}
		parts := []string{
			fmt.Sprintf("%d red", red),
			fmt.Sprintf("%d yellow", yellow),
			fmt.Sprintf("%d green", green),
		}
		if none > 0 {
			parts = append(parts, fmt.Sprintf("%d no answer", none))
		}
		if noPlan > 0 {
			parts = append(parts, plural(noPlan, "month")+" without a plan")
		}
		items[i] = altName(r.Name) + ": " + strings.Join(parts, ", ")
	}
	s := fitList(head, order, items, "person", "people")
	if utf8.RuneCountInString(s) > MaxAltText {
		return string([]rune(s)[:MaxAltText-1]) + ellipsis
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
