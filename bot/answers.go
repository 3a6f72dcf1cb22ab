package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Answer list and editor elements.
const (
	// CallbackAnswerEdit is the modal in which a person rewrites one of
	// their answers; its private_metadata is the answer id.
	CallbackAnswerEdit = "microcoach.answer_edit"
	// ActionAnswerEdit opens the editor (value: the answer id).
	ActionAnswerEdit = "microcoach.answer_edit"
	// ActionAnswerText is the editor's text input.
	ActionAnswerText = "text"
	blockAnswerText  = "answer.text"
	// blockAnswersPrefix marks the buttons of the /coach answers list, so
	// sharing from it redraws the list rather than a confirmation.
	blockAnswersPrefix = "answers:"
)

// recentAnswers is how many answers /coach answers shows.
const recentAnswers = 10

// maxEditorLen is the most a Slack text input holds; a longer answer is
// edited message by message in the DM instead.
const maxEditorLen = 3000

// answers shows the caller their recent answers: /coach answers.
func (b *Bot) answers(ctx context.Context, c call) {
	r, err := b.answersList(c)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	b.say(ctx, c, r)
}

func (b *Bot) answersList(c call) (reply, error) {
	me, _, err := b.store.Person(c.user)
	if err != nil {
		return reply{}, err
	}
	me.ID = c.user
	all, err := b.store.Answers(c.user)
	if err != nil {
		return reply{}, err
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
	return answersReply(shown, len(all), me.Manager != ""), nil
}

// answersReply lists answers, newest first, each with its question, its
// whole text, who sees it, and buttons to edit and to share or stop.
func answersReply(answers []coach.Answer, total int, hasManager bool) reply {
	if len(answers) == 0 {
		text := "You haven't answered any coaching questions yet. `/coach question` asks you one; reply in our DM to answer. Answers are private to you unless you share one."
		return plainReply(text)
	}
	head := fmt.Sprintf("*Your recent answers* (%d of %d, newest first). Only you see them unless you share one with your manager of record.", len(answers), total)
	blocks := []slack.Block{section(head)}
	for _, a := range answers {
		blocks = append(blocks, slack.NewDividerBlock())
		body := "_" + escape(truncate(a.Question, 300)) + "_\n"
		if a.Emotion != "" {
			body += "Feeling: *" + escape(a.Emotion) + "*\n"
		}
		if a.Text != "" {
			// A section holds 3000 characters; longer answers show their
			// start here and whole in the editor.
			body += escape(truncate(a.Text, 2500))
		}
		blocks = append(blocks, section(strings.TrimRight(body, "\n")))
		who := ":lock: Private"
		if a.Shared() {
			who = fmt.Sprintf(":handshake: Shared with <@%s>", a.SharedWith)
		}
		blocks = append(blocks, contextBlock(slackDate(a.At)+" · "+who))
		id := strconv.FormatUint(a.ID, 10)
		var els []slack.BlockElement
		if a.Text != "" && len([]rune(a.Text)) <= maxEditorLen {
			els = append(els, slack.NewButtonBlockElement(ActionAnswerEdit, id, plain("Edit")))
		}
		switch {
		case a.Shared():
			els = append(els, slack.NewButtonBlockElement(ActionUnshare, id, plain("Stop sharing")))
		case hasManager:
			els = append(els, slack.NewButtonBlockElement(ActionShareAnswer, id, plain("Share with my manager")))
		}
		if len(els) > 0 {
			blocks = append(blocks, slack.NewActionBlock(blockAnswersPrefix+id, els...))
		}
	}
	return reply{Text: head, Blocks: blocks}
}

func answerEditModal(a coach.Answer) modalView {
	in := slack.NewPlainTextInputBlockElement(plain("Your answer"), ActionAnswerText)
	in.Multiline = true
	in.MaxLength = maxEditorLen
	in.InitialValue = a.Text
	return modalView{
		Type:            slack.VTModal,
		CallbackID:      CallbackAnswerEdit,
		Title:           plain("Edit your answer"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: strconv.FormatUint(a.ID, 10),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("_" + escape(truncate(a.Question, 300)) + "_"),
			slack.NewInputBlock(blockAnswerText, plain("Answer"), nil, in),
		}},
	}
}

// openAnswerEdit opens the editor for one of the caller's own answers.
func (b *Bot) openAnswerEdit(ctx context.Context, c call, a *slack.BlockAction) {
	id, err := strconv.ParseUint(a.Value, 10, 64)
	if err != nil {
		return
	}
	ans, ok := b.ownAnswer(c, id)
	if !ok {
		b.say(ctx, c, errorReply(&inputError{Problem: "that answer no longer exists"}))
		return
	}
	b.openModal(ctx, c, answerEditModal(ans))
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
	v, _ := field(cb.View.State, blockAnswerText)
	text := strings.TrimSpace(v.Value)
	if text == "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockAnswerText: "Write something, or delete the message in our DM to remove the answer."}), nil
	}
	if n := len([]rune(text)); n > maxEditorLen {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockAnswerText: fmt.Sprintf("At most %d characters.", maxEditorLen)}), nil
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
		b.dm(ctx, c.log, c.user, plainReply(":pencil2: Your answer is updated. `/coach answers` shows it."))
	}
}
