package coach

import (
	"strings"
	"time"
)

// MaxChallengeLen is the longest Next Bigger Challenge, in characters.
const MaxChallengeLen = 300

// ChallengeStatus is where a Next Bigger Challenge stands.
type ChallengeStatus string

// Challenge statuses. A person's own challenge is Set at once; a manager's
// proposal waits as Proposed until the person accepts it (Accepted), writes
// their own instead (the proposal becomes Replaced), or a newer one comes.
const (
	ChallengeSet      ChallengeStatus = "set"
	ChallengeProposed ChallengeStatus = "proposed"
	ChallengeAccepted ChallengeStatus = "accepted"
	ChallengeReplaced ChallengeStatus = "replaced"
)

// Challenge is one version of a person's Next Bigger Challenge: the
// concrete assignment they would get next if they were ready. Every version
// is kept, so the history shows how the ambition moved.
type Challenge struct {
	ID        uint64 // assigned by storage
	Subject   string
	Text      string
	By        string // who wrote it: the person or their manager
	Status    ChallengeStatus
	At        time.Time
	DecidedAt time.Time `json:",omitzero"` // when a proposal was accepted or replaced
}

// CheckChallengeText refuses an empty, overlong or garbled challenge.
func CheckChallengeText(text string) error {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		return Errorf(EINVALID, "the challenge is empty; describe the next assignment in a sentence, like \"lead the H2 strategy planning\"")
	case len([]rune(t)) > MaxChallengeLen:
		return Errorf(EINVALID, "the challenge is %d characters; keep it to %d (one sentence)", len([]rune(t)), MaxChallengeLen)
	}
	return CheckNote(t)
}

// CurrentChallenge returns the person's current challenge (the newest set or
// accepted one) and the newest proposal still waiting for an answer.
// history is oldest first.
func CurrentChallenge(history []Challenge) (current, pending *Challenge) {
	for i := len(history) - 1; i >= 0; i-- {
		c := &history[i]
		switch c.Status {
		case ChallengeSet, ChallengeAccepted:
			if current == nil {
				current = c
			}
		case ChallengeProposed:
			if pending == nil && current == nil {
				pending = c
			}
		}
	}
	return current, pending
}

// ErrNoProposal is returned when there is no waiting proposal to accept.
var ErrNoProposal = Errorf(ENOTFOUND, "there is no proposed challenge waiting for you; it may have been replaced by a newer one")
