package blocks

import (
	"github.com/slack-go/slack"
)

// Picture is an uploaded picture a view can show.
type Picture struct {
	FileID string
	Alt    string // what the picture shows, with its numbers, for screen readers
	Title  string
}

// imageBlock shows p: an image block with a slack_file reference.
func imageBlock(blockID string, p *Picture) *slack.ImageBlock {
	var title *slack.TextBlockObject
	if p.Title != "" {
		title = plain(Truncate(p.Title, 200))
	}
	return slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: p.FileID}, Truncate(p.Alt, MaxAltText), blockID, title)
}

// WithPicture puts p's image block after a digest's header and summary
// (the first two blocks), keeping at most maxBlocks: the last ones give
// way. A nil p leaves blocks as they are.
func WithPicture(blocks []slack.Block, blockID string, p *Picture, maxBlocks int) []slack.Block {
	if p == nil {
		return blocks
	}
	at := min(2, len(blocks))
	out := make([]slack.Block, 0, len(blocks)+1)
	out = append(out, blocks[:at]...)
	out = append(out, imageBlock(blockID, p))
	out = append(out, blocks[at:]...)
	if len(out) > maxBlocks {
		out = out[:maxBlocks]
	}
	return out
}

// Block ids of the pictures.
const (
	BlockRadar = "picture.radar"
	BlockGrid  = "picture.grid"
)

// MaxAltText is Block Kit's limit on an image's alt_text (the pictures
// package fits its descriptions to the same number).
const MaxAltText = 2000
