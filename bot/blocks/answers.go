package blocks

import (
	"fmt"
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
	BlockAnswerText  = "answer.text"
	// BlockAnswersPrefix marks the buttons of the /coach answers list, so
	// sharing from it redraws the list rather than a confirmation.
	BlockAnswersPrefix = "answers:"
)

// MaxEditorLen is the most a Slack text input holds; a longer answer is
// edited message by message in the DM instead.
const MaxEditorLen = 3000

// Answers lists answers, newest first, each with its question, its
// whole text, who sees it, and buttons to edit and to share or stop.
func Answers(answers []coach.Answer, total int, hasManager bool) Reply {
	if len(answers) == 0 {
		text := "You haven't answered any coaching questions yet. `/coach question` asks you one; reply in our DM to answer. Answers are private to you unless you share one."
		return Text(text)
	}
	head := fmt.Sprintf("*Your recent answers* (%d of %d, newest first). Only you see them unless you share one with your manager of record.", len(answers), total)
	blocks := []slack.Block{Section(head)}
	for _, a := range answers {
		blocks = append(blocks, slack.NewDividerBlock())
		body := "_" + Escape(Truncate(a.Question, 300)) + "_\n"
		if a.Emotion != "" {
			body += "Feeling: *" + Escape(a.Emotion) + "*\n"
		}
		if a.Text != "" {
			// A section holds 3000 characters; longer answers show their
			// start here and whole in the editor.
			body += Escape(Truncate(a.Text, 2500))
		}
		blocks = append(blocks, Section(strings.TrimRight(body, "\n")))
		who := ":lock: Private"
		if a.Shared() {
			who = fmt.Sprintf(":handshake: Shared with <@%s>", a.SharedWith)
		}
		blocks = append(blocks, Context(SlackDate(a.At)+" · "+who))
		id := strconv.FormatUint(a.ID, 10)
		var els []slack.BlockElement
		if a.Text != "" && len([]rune(a.Text)) <= MaxEditorLen {
			els = append(els, slack.NewButtonBlockElement(ActionAnswerEdit, id, plain("Edit")))
		}
		switch {
		case a.Shared():
			els = append(els, slack.NewButtonBlockElement(ActionUnshare, id, plain("Stop sharing")))
		case hasManager:
			els = append(els, slack.NewButtonBlockElement(ActionShareAnswer, id, plain("Share with my manager")))
		}
		if len(els) > 0 {
			blocks = append(blocks, slack.NewActionBlock(BlockAnswersPrefix+id, els...))
		}
	}
	return Reply{Text: head, Blocks: blocks}
}

// AnswerEditModal lets a person rewrite one of their answers.
func AnswerEditModal(a coach.Answer) slack.ModalViewRequest {
	in := slack.NewPlainTextInputBlockElement(plain("Your answer"), ActionAnswerText)
	in.Multiline = true
	in.MaxLength = MaxEditorLen
	in.InitialValue = a.Text
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackAnswerEdit,
		Title:           plain("Edit your answer"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: strconv.FormatUint(a.ID, 10),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			Section("_" + Escape(Truncate(a.Question, 300)) + "_"),
			slack.NewInputBlock(BlockAnswerText, plain("Answer"), nil, in),
		}},
	}
}
