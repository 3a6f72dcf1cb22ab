package picture

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// goFonts parses the embedded Go fonts once. The parsed fonts are read-only
// and safe for concurrent use; the faces made from them are not, so every
// render makes its own (see newCanvas).
var goFonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fs [2]*opentype.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return fs, err
		}
		fs[i] = f
	}
	return fs, nil
})

type weight int

const (
	regular weight = iota
	bold
)

// face is one font at one pixel size, with metrics in pixels.
type face struct {
	id      int
	f       font.Face
	ascent  float64
	descent float64
	line    float64 // line height
}

type glyphKey struct {
	face int
	r    rune
}

// glyph is a rendered glyph whose origin sits at (0, 0).
type glyph struct {
	dr      image.Rectangle
	mask    *image.Alpha
	advance fixed.Int26_6
}

// canvas is one picture being drawn: the image, a rasteriser reused for
// every shape, and the faces and glyphs of this render. Nothing in it is
// shared with another render.
type canvas struct {
	img    *image.RGBA
	z      vector.Rasterizer
	mask   image.Alpha // the rasteriser's output, reused
	fonts  [2]*opentype.Font
	faces  []*face
	glyphs map[glyphKey]glyph
	uni    image.Uniform
}

func newCanvas(w, h int) (*canvas, error) {
	fs, err := goFonts()
	if err != nil {
		return nil, err
	}
	c := &canvas{
		img:    image.NewRGBA(image.Rect(0, 0, w, h)),
		fonts:  fs,
		glyphs: make(map[glyphKey]glyph, 128),
	}
	c.uni.C = color.White
	draw.Draw(c.img, c.img.Bounds(), &c.uni, image.Point{}, draw.Src)
	return c, nil
}

// face returns the face of the given weight and pixel size, made on first use.
func (c *canvas) face(w weight, px float64) *face {
	for _, f := range c.faces {
		if f.id>>16 == int(w) && float64(f.id&0xffff) == px*4 {
			return f
		}
	}
	of, err := opentype.NewFace(c.fonts[w], &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		// Only a non-positive size fails; sizes here are constants.
		panic("picture: " + err.Error())
	}
	m := of.Metrics()
	f := &face{
		id:      int(w)<<16 | int(px*4),
		f:       of,
		ascent:  fix(m.Ascent),
		descent: fix(m.Descent),
		line:    math.Ceil(px * 1.2),
	}
	c.faces = append(c.faces, f)
	return f
}

func fix(v fixed.Int26_6) float64 { return float64(v) / 64 }

func (c *canvas) glyph(f *face, r rune) glyph {
	k := glyphKey{f.id, r}
	if g, ok := c.glyphs[k]; ok {
		return g
	}
	dr, mask, mp, adv, ok := f.f.Glyph(fixed.Point26_6{}, r)
	g := glyph{advance: adv}
	if ok || mask != nil {
		a := image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
		draw.Draw(a, a.Bounds(), mask, mp, draw.Src)
		// Sixteen levels of coverage look the same as 256 at these sizes
		// and keep a picture of flat colours and text within a PNG
		// palette (see encode).
		for i, v := range a.Pix {
			a.Pix[i] = uint8((int(v) + 8) / 17 * 17)
		}
		g.dr, g.mask = dr, a
	}
	c.glyphs[k] = g
	return g
}

// measure returns the advance width of s in pixels.
func (c *canvas) measure(f *face, s string) float64 {
	var w fixed.Int26_6
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 {
			w += f.f.Kern(prev, r)
		}
		w += c.glyph(f, r).advance
		prev = r
	}
	return fix(w)
}

// text draws s with its baseline starting at (x, y).
func (c *canvas) text(f *face, s string, x, y float64, col color.Color) {
	c.uni.C = col
	dot := fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 {
			dot.X += f.f.Kern(prev, r)
		}
		g := c.glyph(f, r)
		if g.mask != nil {
			at := image.Pt(dot.X.Round(), dot.Y.Round())
			draw.DrawMask(c.img, g.dr.Add(at), &c.uni, image.Point{}, g.mask, image.Point{}, draw.Over)
		}
		dot.X += g.advance
		prev = r
	}
}

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// textAligned draws s on the baseline y, left of, centred on or right of x.
func (c *canvas) textAligned(f *face, s string, x, y float64, a align, col color.Color) {
	switch a {
	case alignCenter:
		x -= c.measure(f, s) / 2
	case alignRight:
		x -= c.measure(f, s)
	}
	c.text(f, s, x, y, col)
}

const ellipsis = "…"

// maxTextRunes bounds the text measured and wrapped, so that an absurdly
// long name costs no more than a long one.
const maxTextRunes = 200

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxTextRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == maxTextRunes {
			return s[:i]
		}
		n++
	}
	return s
}

// ellipsize shortens s with a trailing ellipsis until it fits maxW pixels.
func (c *canvas) ellipsize(f *face, s string, maxW float64) string {
	s = clip(s)
	if c.measure(f, s) <= maxW {
		return s
	}
	rs := []rune(s)
	for n := len(rs) - 1; n > 0; n-- {
		t := trimRightSpace(string(rs[:n])) + ellipsis
		if c.measure(f, t) <= maxW {
			return t
		}
	}
	return ellipsis
}

func trimRightSpace(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// wrap breaks s into at most maxLines lines no wider than maxW, breaking
// at spaces, breaking a word that alone is too wide, and ending the last
// line with an ellipsis when text is left over.
func (c *canvas) wrap(f *face, s string, maxW float64, maxLines int) []string {
	words := fields(clip(s))
	var lines []string
	cur := ""
	for len(words) > 0 && len(lines) < maxLines {
		w := words[0]
		try := w
		if cur != "" {
			try = cur + " " + w
		}
		if c.measure(f, try) <= maxW {
			cur, words = try, words[1:]
			continue
		}
		if cur == "" {
			// One word wider than a line: break it where it stops fitting.
			rs := []rune(w)
			n := 1
			for n < len(rs) && c.measure(f, string(rs[:n+1])) <= maxW {
				n++
			}
			// Prefer to break after a hyphen.
			for k := n - 1; k > 0; k-- {
				if rs[k-1] == '-' {
					n = k
					break
				}
			}
			cur = string(rs[:n])
			if words[0] = string(rs[n:]); words[0] == "" {
				words = words[1:]
			}
		}
		lines = append(lines, cur)
		cur = ""
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(words) > 0 && len(lines) > 0 {
		last := len(lines) - 1
		sep := " "
		if strings.HasSuffix(lines[last], "-") {
			sep = "" // the word was broken after its hyphen
		}
		lines[last] = c.ellipsize(f, lines[last]+sep+joinFields(words), maxW)
	}
	return lines
}

func fields(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		sp := r == ' ' || r == '\t' || r == '\n' || r == '\r'
		if sp && start >= 0 {
			out = append(out, s[start:i])
			start = -1
		} else if !sp && start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

func joinFields(ws []string) string {
	n := 0
	for _, w := range ws {
		n += len(w) + 1
	}
	b := make([]byte, 0, n)
	for i, w := range ws {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	return string(b)
}

// pt is a point in pixels; y grows downwards.
type pt struct{ x, y float64 }

func (p pt) add(q pt) pt          { return pt{p.x + q.x, p.y + q.y} }
func (p pt) sub(q pt) pt          { return pt{p.x - q.x, p.y - q.y} }
func (p pt) len() float64         { return math.Hypot(p.x, p.y) }
func lerp(p, q pt, t float64) pt  { return pt{p.x + (q.x-p.x)*t, p.y + (q.y-p.y)*t} }
func polar(c pt, r, a float64) pt { return pt{c.x + r*math.Cos(a), c.y + r*math.Sin(a)} }

func signedArea(poly []pt) float64 {
	a := 0.0
	for i := range poly {
		p, q := poly[i], poly[(i+1)%len(poly)]
		a += p.x*q.y - q.x*p.y
	}
	return a / 2
}

// oriented returns poly wound positively (or negatively when hole is set).
// The rasteriser adds coverage with the sign of the winding and clamps its
// absolute value, so shapes of one winding merge and a hole of the other
// winding cuts them.
func oriented(poly []pt, hole bool) []pt {
	if (signedArea(poly) < 0) != hole {
		for i, j := 0, len(poly)-1; i < j; i, j = i+1, j-1 {
			poly[i], poly[j] = poly[j], poly[i]
		}
	}
	return poly
}

// fill draws the polygons in one colour, anti-aliased. Callers orient
// them (see oriented).
func (c *canvas) fill(col color.Color, polys ...[]pt) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, poly := range polys {
		for _, p := range poly {
			minX, minY = math.Min(minX, p.x), math.Min(minY, p.y)
			maxX, maxY = math.Max(maxX, p.x), math.Max(maxY, p.y)
		}
	}
	if math.IsInf(minX, 0) || math.IsNaN(minX+minY+maxX+maxY) {
		return
	}
	r := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1).Intersect(c.img.Bounds())
	if r.Empty() {
		return
	}
	c.z.Reset(r.Dx(), r.Dy())
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	for _, poly := range polys {
		if len(poly) < 3 {
			continue
		}
		c.z.MoveTo(float32(poly[0].x-ox), float32(poly[0].y-oy))
		for _, p := range poly[1:] {
			c.z.LineTo(float32(p.x-ox), float32(p.y-oy))
		}
		c.z.ClosePath()
	}
	// Rasterise into an alpha mask of exactly the rasteriser's size (its
	// fast path), then composite; image/draw skips the mask's empty pixels,
	// which most of a ring's or a line's bounds are.
	n := r.Dx() * r.Dy()
	if cap(c.mask.Pix) < n {
		c.mask.Pix = make([]uint8, n)
	}
	c.mask.Pix = c.mask.Pix[:n]
	c.mask.Stride = r.Dx()
	c.mask.Rect = image.Rect(0, 0, r.Dx(), r.Dy())
	c.z.DrawOp = draw.Src
	c.z.Draw(&c.mask, c.mask.Rect, image.Opaque, image.Point{})
	c.uni.C = col
	draw.DrawMask(c.img, r, &c.uni, image.Point{}, &c.mask, image.Point{}, draw.Over)
}

// rect fills an axis-aligned rectangle of whole pixels.
func (c *canvas) rect(r image.Rectangle, col color.Color) {
	c.uni.C = col
	draw.Draw(c.img, r, &c.uni, image.Point{}, draw.Over)
}

func circle(ctr pt, r float64) []pt {
	n := int(math.Ceil(r * 1.5))
	n = max(12, min(n, 180))
	poly := make([]pt, n)
	for i := range poly {
		poly[i] = polar(ctr, r, 2*math.Pi*float64(i)/float64(n))
	}
	return oriented(poly, false)
}

// ring is an annulus: the outline of a circle of radius r, w wide.
func ring(ctr pt, r, w float64) [][]pt {
	return [][]pt{circle(ctr, r+w/2), oriented(circle(ctr, r-w/2), true)}
}

func square(ctr pt, side float64) []pt {
	h := side / 2
	return oriented([]pt{{ctr.x - h, ctr.y - h}, {ctr.x + h, ctr.y - h}, {ctr.x + h, ctr.y + h}, {ctr.x - h, ctr.y + h}}, false)
}

func roundRect(x0, y0, x1, y1, rad float64) []pt {
	rad = math.Min(rad, math.Min((x1-x0)/2, (y1-y0)/2))
	var poly []pt
	corners := []struct {
		c pt
		a float64
	}{
		{pt{x1 - rad, y0 + rad}, -math.Pi / 2},
		{pt{x1 - rad, y1 - rad}, 0},
		{pt{x0 + rad, y1 - rad}, math.Pi / 2},
		{pt{x0 + rad, y0 + rad}, math.Pi},
	}
	for _, k := range corners {
		for i := 0; i <= 4; i++ {
			poly = append(poly, polar(k.c, rad, k.a+float64(i)*math.Pi/8))
		}
	}
	return oriented(poly, false)
}

// stroke returns the shapes of a polyline w pixels wide with round joins
// (and round ends when roundEnds is set).
func stroke(pts []pt, closed bool, w float64, roundEnds bool) [][]pt {
	var out [][]pt
	n := len(pts)
	segs := n - 1
	if closed {
		segs = n
	}
	h := w / 2
	for i := 0; i < segs; i++ {
		a, b := pts[i], pts[(i+1)%n]
		d := b.sub(a)
		l := d.len()
		if l < 1e-9 {
			continue
		}
		nrm := pt{-d.y / l * h, d.x / l * h}
		out = append(out, oriented([]pt{a.add(nrm), b.add(nrm), b.sub(nrm), a.sub(nrm)}, false))
	}
	for i, p := range pts {
		end := !closed && (i == 0 || i == n-1)
		if (end && roundEnds) || (!end && n > 2) || (!end && closed) {
			out = append(out, circle(p, h))
		}
	}
	return out
}

// dashes cuts a polyline into dashes on pixels long with gaps of off.
func dashes(pts []pt, closed bool, on, off float64) [][]pt {
	if closed && len(pts) > 0 {
		pts = append(append([]pt(nil), pts...), pts[0])
	}
	var out [][]pt
	var cur []pt
	drawing, left := true, on
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		l := b.sub(a).len()
		pos := 0.0
		if drawing && len(cur) == 0 {
			cur = append(cur, a)
		}
		for l-pos > left {
			pos += left
			p := lerp(a, b, pos/l)
			if drawing {
				cur = append(cur, p)
				out = append(out, cur)
				cur = nil
			} else {
				cur = []pt{p}
			}
			drawing = !drawing
			if drawing {
				left = on
			} else {
				left = off
			}
		}
		left -= l - pos
		if drawing {
			cur = append(cur, b)
		}
	}
	if len(cur) > 1 {
		out = append(out, cur)
	}
	return out
}

// encode writes the image as a PNG with fixed settings, so the same picture
// always gives the same bytes. A picture of at most 256 colours (the grid)
// is written by image/png with a palette: a byte a pixel and no filtering.
// Any other (the radar) is written by encodeRGB.
func encode(img *image.RGBA) ([]byte, error) {
	p := paletted(img)
	if p == nil {
		return encodeRGB(img)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeRGB writes an opaque image as an 8-bit RGB PNG, every row with the
// "up" filter and one IDAT chunk. image/png tries all five filters on
// every row and keeps the best, which took two thirds of a radar's render
// time; on pictures of flat colour the one fixed filter compresses about
// as well.
func encodeRGB(img *image.RGBA) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var data bytes.Buffer
	zw, err := zlib.NewWriterLevel(&data, zlib.BestSpeed)
	if err != nil {
		return nil, err
	}
	row := make([]byte, 1+3*w)
	prev, cur := make([]byte, 3*w), make([]byte, 3*w)
	row[0] = 2 // the "up" filter: each byte minus the one above it
	for y := 0; y < h; y++ {
		pix := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := 0; x < w; x++ {
			cur[3*x], cur[3*x+1], cur[3*x+2] = pix[4*x], pix[4*x+1], pix[4*x+2]
		}
		for i, v := range cur {
			row[1+i] = v - prev[i]
		}
		if _, err := zw.Write(row); err != nil {
			return nil, err
		}
		prev, cur = cur, prev
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(data.Len() + 64)
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:4], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:8], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits a sample, RGB; default compression, filter and no interlace
	chunk(&out, "IHDR", ihdr[:])
	chunk(&out, "IDAT", data.Bytes())
	chunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// chunk writes one PNG chunk: length, type, data, CRC of type and data.
func chunk(out *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	out.WriteString(typ)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}

// paletted returns img with a palette in order of first appearance, or
// nil when it has more than 256 colours.
func paletted(img *image.RGBA) *image.Paletted {
	b := img.Bounds()
	out := image.NewPaletted(b, make(color.Palette, 0, 256))
	index := make(map[uint32]uint8, 256)
	last, lastI := uint32(0), uint8(0)
	first := true
	for y := 0; y < b.Dy(); y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*b.Dx()]
		dst := out.Pix[y*out.Stride : y*out.Stride+b.Dx()]
		for x := range dst {
			p := row[4*x : 4*x+4 : 4*x+4]
			k := uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
			if first || k != last {
				i, ok := index[k]
				if !ok {
					if len(out.Palette) == 256 {
						return nil
					}
					i = uint8(len(out.Palette))
					index[k] = i
					out.Palette = append(out.Palette, color.RGBA{p[0], p[1], p[2], p[3]})
				}
				last, lastI, first = k, i, false
			}
			dst[x] = lastI
		}
	}
	return out
}
