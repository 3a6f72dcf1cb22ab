package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// AnswerStore keeps answers to coaching questions.
type AnswerStore interface {
	AddAnswer(a coach.Answer, answers *coach.Delivery) (coach.Answer, error)
	Answers(person string) ([]coach.Answer, error)
	SetAnswerShared(person string, id uint64, shared bool, at time.Time) (coach.Answer, error)
	UpdateAnswer(person string, id uint64, fn func(a *coach.Answer) error) (coach.Answer, error)
}

// recentAnswers is how many answers /coach answers shows.
const recentAnswers = 10

// answers shows the caller their recent answers: /coach answers.
func (b *Bot) answers(ctx context.Context, c call) {
	r, err := b.answersList(c)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	b.say(ctx, c, r)
}

func (b *Bot) answersList(c call) (blocks.Reply, error) {
	me, _, err := b.store.Person(c.user)
	if err != nil {
		return blocks.Reply{}, err
	}
	me.ID = c.user
	all, err := b.store.Answers(c.user)
	if err != nil {
		return blocks.Reply{}, err
	}
	var shown []coach.Answer
	for _, a := range slices.Backward(all) {
		if len(shown) == recentAnswers {
			break
		}
		if b.policy.Authorize(c.user, coach.SeeAnswer, coach.AnswerOf(me, a)) == nil {
			shown = append(shown, a)
		}
	}
	return blocks.Answers(shown, len(all), me.Manager != ""), nil
}

// openAnswerEdit opens the editor for one of the caller's own answers.
func (b *Bot) openAnswerEdit(ctx context.Context, c call, a *slack.BlockAction) {
	id, err := strconv.ParseUint(a.Value, 10, 64)
	if err != nil {
		return
	}
	ans, ok := b.ownAnswer(c, id)
	if !ok {
		b.say(ctx, c, errorReply(coach.Errorf(coach.ENOTFOUND, "that answer no longer exists")))
		return
	}
	b.openModal(ctx, c, blocks.AnswerEditModal(ans))
}

// ownAnswer loads one of the caller's answers, if they may change it.
func (b *Bot) ownAnswer(c call, id uint64) (coach.Answer, bool) {
	if b.policy.Authorize(c.user, coach.ChangeOwn, coach.About(coach.Person{ID: c.user})) != nil {
		return coach.Answer{}, false
	}
	all, err := b.store.Answers(c.user)
	if err != nil {
		c.log.Error("load answers", "error", err)
		return coach.Answer{}, false
	}
	for _, a := range all {
		if a.ID == id {
			return a, true
		}
	}
	return coach.Answer{}, false
}

func (b *Bot) submitAnswerEdit(c call, cb slack.InteractionCallback) (any, func(context.Context)) {
	v, _ := blocks.Field(cb.View.State, blocks.BlockAnswerText)
	text := strings.TrimSpace(v.Value)
	if text == "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blocks.BlockAnswerText: "Write something, or delete the message in our DM to remove the answer."}), nil
	}
	if n := len([]rune(text)); n > blocks.MaxEditorLen {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blocks.BlockAnswerText: fmt.Sprintf("At most %d characters.", blocks.MaxEditorLen)}), nil
	}
	return nil, func(ctx context.Context) {
		id, err := strconv.ParseUint(cb.View.PrivateMetadata, 10, 64)
		if err != nil {
			c.log.Warn("answer editor metadata unreadable", "error", err)
			return
		}
		if _, ok := b.ownAnswer(c, id); !ok {
			c.log.Warn("answer edit refused: not the caller's answer")
			return
		}
		saved, err := b.store.UpdateAnswer(c.user, id, func(a *coach.Answer) error {
			next, err := a.SetText(text)
			*a = next
			return err
		})
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		c.log.Info("answer edited", "answer_id", saved.ID)
		b.dm(ctx, c.log, c.user, blocks.Text(":pencil2: Your answer is updated. `/coach answers` shows it."))
	}
}
