package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// ChallengeStore keeps Next Bigger Challenges and proposals.
type ChallengeStore interface {
	AddChallenge(c coach.Challenge) (coach.Challenge, error)
	AcceptChallenge(subject string, id uint64, at time.Time) (coach.Challenge, error)
	Challenges(subject string) ([]coach.Challenge, error)
}

const usageChallenge = "/coach challenge <text> · /coach challenge @person <text>"

// challenge sets your own Next Bigger Challenge, proposes one for a report,
// or, with no text, shows the current one and its history.
func (b *Bot) challenge(ctx context.Context, c call, cc coachCommand) {
	subject := c.user
	text := cc.Text
	if len(cc.Args) > 0 {
		if m, ok, err := parseMention(cc.Args[0].text); ok {
			if err != nil {
				b.sayError(ctx, c, badInput(usageChallenge, err.Error()))
				return
			}
			if m.ID != c.user {
				if _, err := b.about(c.user, m.ID, coach.ProposeChallenge); err != nil {
					b.sayError(ctx, c, err)
					return
				}
				subject = m.ID
			}
			text = ""
			if len(cc.Args) > 1 {
				text = strings.TrimSpace(cc.Text[cc.Args[1].start-cc.Args[0].start:])
			}
		}
	}
	if strings.TrimSpace(text) == "" {
		b.showChallenge(ctx, c, subject)
		return
	}
	if err := coach.CheckChallengeText(text); err != nil {
		b.sayError(ctx, c, badInput(usageChallenge, coach.ErrorMessage(err)))
		return
	}
	if _, err := b.store.Enroll(c.person(b)); err != nil {
		b.sayError(ctx, c, err)
		return
	}
	ch := coach.Challenge{Subject: subject, Text: strings.TrimSpace(text), By: c.user, Status: coach.ChallengeSet, At: b.now()}
	if subject != c.user {
		ch.Status = coach.ChallengeProposed
	}
	saved, err := b.store.AddChallenge(ch)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("challenge saved", "subject", subject, "status", saved.Status, "challenge_id", saved.ID)
	if saved.Status == coach.ChallengeProposed {
		b.say(ctx, c, blocks.Text(fmt.Sprintf(":white_check_mark: Proposed to <@%s>: “%s”. They can accept it or write their own.", subject, blocks.Escape(saved.Text))))
		b.dm(ctx, c.log, subject, blocks.Proposal(saved))
	} else {
		b.say(ctx, c, blocks.Text(fmt.Sprintf(":white_check_mark: Your Next Bigger Challenge: “%s”", blocks.Escape(saved.Text))))
	}
	b.refreshHomes(ctx, c.log, subject)
}

func (b *Bot) showChallenge(ctx context.Context, c call, subject string) {
	history, err := b.store.Challenges(subject)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	b.say(ctx, c, blocks.Challenges(subject, c.user, history))
}

func (b *Bot) acceptChallenge(ctx context.Context, c call, cb slack.InteractionCallback, id uint64) {
	ch, err := b.store.AcceptChallenge(c.user, id, b.now())
	if errors.Is(err, coach.ErrNoProposal) {
		// Clicked twice, or a newer proposal replaced it: say which.
		if history, herr := b.store.Challenges(c.user); herr == nil {
			for _, h := range history {
				if h.ID == id && h.Status == coach.ChallengeAccepted {
					b.updateMessage(ctx, c, clickedIn(cb), blocks.Text(fmt.Sprintf(":white_check_mark: You accepted this Next Bigger Challenge: “%s”", blocks.Escape(h.Text))))
					return
				}
			}
		}
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("challenge accepted", "challenge_id", id)
	accepted := blocks.Text(fmt.Sprintf(":white_check_mark: Accepted. Your Next Bigger Challenge: “%s”", blocks.Escape(ch.Text)))
	if cb.Container.MessageTs != "" {
		b.updateMessage(ctx, c, clickedIn(cb), accepted)
	} else {
		b.say(ctx, c, accepted)
	}
	b.dm(ctx, c.log, ch.By, blocks.Text(fmt.Sprintf("<@%s> accepted the Next Bigger Challenge you proposed: “%s”", c.user, blocks.Escape(ch.Text))))
	b.refreshHomes(ctx, c.log, c.user)
}

// openChallengeModal lets the person write their own challenge, starting
// from a proposal's text. Saving it replaces the proposal (see
// storage.AddChallenge), so the form needs no memory of which one it was.
func (b *Bot) openChallengeModal(ctx context.Context, c call, proposalID string) {
	var initial string
	if id, err := strconv.ParseUint(proposalID, 10, 64); err == nil {
		history, err := b.store.Challenges(c.user)
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		for _, h := range history {
			if h.ID == id {
				initial = h.Text
			}
		}
	}
	b.openModal(ctx, c, blocks.ChallengeModal(initial))
}

func (b *Bot) submitChallenge(c call, cb slack.InteractionCallback) (any, func(context.Context)) {
	v, _ := blocks.Field(cb.View.State, blocks.BlockChallengeText)
	text := strings.TrimSpace(v.Value)
	if err := coach.CheckChallengeText(text); err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blocks.BlockChallengeText: coach.ErrorMessage(err)}), nil
	}
	return nil, func(ctx context.Context) {
		ch, err := b.store.AddChallenge(coach.Challenge{Subject: c.user, Text: text, By: c.user, Status: coach.ChallengeSet, At: b.now()})
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		c.log.Info("challenge saved", "subject", c.user, "status", ch.Status, "challenge_id", ch.ID)
		b.dm(ctx, c.log, c.user, blocks.Text(fmt.Sprintf(":white_check_mark: Your Next Bigger Challenge: “%s”", blocks.Escape(ch.Text))))
		b.refreshHomes(ctx, c.log, c.user)
	}
}
