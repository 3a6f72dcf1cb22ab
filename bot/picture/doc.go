// Package picture draws the two pictures microcoach posts in Slack image
// blocks, as PNG bytes from plain values: nothing here talks to Slack,
// storage or the clock.
//
// # The perception-gap radar
//
// [Radar] draws one person's competency areas as spokes of a radar, 800×800
// pixels, the first area straight up and the rest clockwise, with rings at
// 2, 4, 6, 8 and 10. The person's own ratings are a solid blue outline with
// round markers and a light blue shade; the manager's a dashed vermilion
// outline with square markers; last quarter's the same two, thin and
// faint. Blue and vermilion come from the Okabe–Ito palette, which stays
// apart for the common kinds of colour blindness, and because line style
// and marker shape differ too the picture also reads in greyscale.
//
// An area whose self and manager scores differ by 2 or more
// (coach.Flagged) is what a coaching conversation is for, so its label is
// bold on an amber tag with the gap written out ("gap +3", self minus
// manager) and an amber band on its spoke spans the two scores.
//
// A missing rating (0) is not a score of 0: drawing it at the centre would
// show a collapse that never happened. Instead the outline breaks: a line
// joins two neighbouring spokes only when both are rated, every rating has
// its marker, and the area is shaded only when every spoke is rated. So a
// person with one rating shows one marker, and a person whose manager has
// not rated shows only their own outline, the legend saying "(no ratings)".
//
// Labels are 20-pixel text so they stay readable on a phone. They wrap to
// two lines, breaking long words after a hyphen, and end with an ellipsis
// beyond; labels that would collide are moved apart along their side of
// the chart, with a thin leader line back to their spoke. When two lines
// do not fit (more than about 20 areas) names get one line, and then the
// gap moves onto the name's line ("Pricing −4"). That keeps 3 to 20 areas
// comfortable and up to [MaxAxes], the most a model may have, legible.
//
// # The colour grid
//
// [Grid] draws a row per report and a column per month. A month's cell is
// split into one stripe per plan theme, coloured green, yellow or red and
// marked G, Y or R, so the colours never carry the meaning alone; a theme
// without an answer is a white stripe with a grey outline, and a month
// without a plan is a grey cell with a dash. Rows keep the caller's order.
//
// # Text for screen readers and caches
//
// [RadarAlt] and [GridAlt] say the same numbers in words, within Slack's
// 2,000-character alt_text limit ([MaxAltText]); when the full form is too
// long they shorten it, flagged areas first. [ContentHash] names a picture
// by its bytes.
//
// # Deterministic and self-contained
//
// The same input gives the same bytes: drawing follows the order of the
// input slices, never a map, and the PNG encoder's settings are fixed.
// Drawing is pure Go on golang.org/x/image (its vector rasteriser and the
// embedded Go fonts), with no cgo and no system fonts. The fonts are parsed
// once per process; everything else, faces and glyph caches included,
// belongs to one render, so renders may run concurrently.
package picture
