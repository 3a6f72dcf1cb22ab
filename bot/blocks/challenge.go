package blocks

import (
	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// ChallengeModal is the form in which a person writes their Next Bigger
// Challenge, prefilled with initial (a proposal, or "").
func ChallengeModal(initial string) slack.ModalViewRequest {
	in := slack.NewPlainTextInputBlockElement(plain("e.g. lead the H2 strategy planning"), ActionChallengeText)
	in.Multiline = true
	in.MaxLength = coach.MaxChallengeLen
	in.InitialValue = initial
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: CallbackChallenge,
		Title:      plain("Next Bigger Challenge"),
		Submit:     plain("Save"),
		Close:      plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			Context("The concrete assignment you would take on next if you were ready. Edit your manager's proposal or write your own."),
			slack.NewInputBlock(BlockChallengeText, plain("Your Next Bigger Challenge"), nil, in),
		}},
	}
}
