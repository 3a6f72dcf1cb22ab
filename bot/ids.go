package bot

// Callback ids of the views microcoach opens, and action ids of the
// interactive elements it sends. Every id lives here, so no two elements
// share one by accident and handlers never match on a string literal.
const (
	// CallbackRate is the /rate modal: one score and note per area.
	CallbackRate = "microcoach.rate"

	// ActionScore and ActionNote are the elements inside the rate modal's
	// per-area blocks; the area is in the block id (see scoreBlockID).
	ActionScore = "score"
	ActionNote  = "note"

	// ActionOpenRate opens the rate modal from a button (App Home, help).
	ActionOpenRate = "microcoach.open_rate"
)

// Block id prefixes of the rate modal. The block id carries the area id so
// that validation errors land next to the right area.
const (
	blockScorePrefix = "score:"
	blockNotePrefix  = "note:"
)

func scoreBlockID(areaID string) string { return blockScorePrefix + areaID }
func noteBlockID(areaID string) string  { return blockNotePrefix + areaID }
