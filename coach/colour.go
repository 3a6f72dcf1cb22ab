package coach

// Colour is the monthly state of a plan theme.
type Colour string

// Colours of a check-in. Their words are what people read and click.
const (
	Green  Colour = "green"  // on track
	Yellow Colour = "yellow" // some progress
	Red    Colour = "red"    // stuck
)

// Meaning says what a colour stands for.
func (c Colour) Meaning() string {
	switch c {
	case Green:
		return "on track"
	case Yellow:
		return "some progress"
	case Red:
		return "stuck"
	}
	return "not checked in yet"
}

// Valid reports whether c is one of the three colours.
func (c Colour) Valid() bool { return c == Green || c == Yellow || c == Red }
