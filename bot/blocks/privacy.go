package blocks

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Action ids of the forget-me confirmation message.
const (
	// ActionForgetMe deletes the clicking person's data (value: their
	// user id, checked against the clicker). Its button carries Slack's
	// confirm dialog.
	ActionForgetMe = "microcoach.forget_me"
	// ActionForgetMeKeep dismisses the confirmation, deleting nothing.
	ActionForgetMeKeep = "microcoach.forget_me_keep"
)

// ExportSent confirms that the export went to the DM.
func ExportSent() Reply {
	return Text(":package: I sent you a file with all your microcoach data in our direct messages.")
}

// ForgetConfirm asks user to confirm deleting their data.
func ForgetConfirm(user string) Reply {
	head := ":warning: *Delete everything microcoach knows about you?*"
	what := "This deletes, for good: your ratings and the ratings you gave others, your development plan and its history, " +
		"your Next Bigger Challenge and the proposals you made, your answers to coaching questions, your check-in colours, " +
		"and the record of messages sent to you. You leave your manager's team, and the people you coach lose you as their manager of record."
	confirm := slack.NewConfirmationBlockObject(
		plain("Delete your data?"),
		plain("This can't be undone. microcoach forgets you and everything you entered."),
		plain("Delete everything"),
		plain("Keep my data"),
	).WithStyle(slack.StyleDanger)
	return Reply{Text: "Delete everything microcoach knows about you?", Blocks: []slack.Block{
		Section(head),
		Section(what),
		Context("Messages already in Slack stay where they are. To keep a copy first, use `/coach export`."),
		slack.NewActionBlock("",
			slack.NewButtonBlockElement(ActionForgetMe, user, plain("Delete everything")).WithStyle(slack.StyleDanger).WithConfirm(confirm),
			slack.NewButtonBlockElement(ActionForgetMeKeep, "keep", plain("Keep my data")),
		),
	}}
}

// Forgotten says what forget-me deleted.
func Forgotten(f coach.Forgotten) Reply {
	if f.Empty() {
		return Text("microcoach had nothing stored about you, so nothing was deleted.")
	}
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(f.Ratings, "rating", "ratings")
	add(f.Plans, "plan", "plans")
	add(f.PlanChanges, "plan version", "plan versions")
	add(f.Challenges, "challenge", "challenges")
	add(f.Answers, "answer", "answers")
	add(f.Colours, "check-in colour", "check-in colours")
	add(f.Deliveries, "sent-message record", "sent-message records")
	add(f.Preps, "agenda record", "agenda records")
	add(f.Reports, "report's link to you as their manager", "reports' links to you as their manager")
	add(f.Invitations, "open invitation", "open invitations")
	if f.LeftTeam {
		parts = append(parts, "your place in your manager's team")
	}
	text := ":white_check_mark: microcoach has forgotten you. Deleted: " + strings.Join(parts, ", ") + "."
	blocks := []slack.Block{Section(text)}
	var notes []string
	switch {
	case f.Anonymised == 1:
		notes = append(notes, "A challenge you proposed that was accepted stays with the person who accepted it, without your name.")
	case f.Anonymised > 1:
		notes = append(notes, fmt.Sprintf("%d challenges you proposed that were accepted stay with the people who accepted them, without your name.", f.Anonymised))
	}
	notes = append(notes, "If you use microcoach again, it starts afresh.")
	blocks = append(blocks, Context(notes...))
	return Reply{Text: text, Blocks: blocks}
}
