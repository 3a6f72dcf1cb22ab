package blocks

import (
	"strings"
	"testing"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

func TestGoldenPrivacy(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Reply
	}{
		{"forget_confirm", ForgetConfirm("U123")},
		{"forget_done", Forgotten(coach.Forgotten{Person: true, Ratings: 5, Plans: 1, PlanChanges: 3, Challenges: 2, Anonymised: 1,
			Answers: 4, Colours: 6, Deliveries: 12, Preps: 1, Reports: 2, LeftTeam: true, TotalRecords: 38})},
		{"forget_nothing", Forgotten(coach.Forgotten{})},
		{"export_sent", ExportSent()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, slackemu.SurfaceMessage, message(tc.r))
		})
	}
}

// The delete button asks again in Slack's own confirm dialog, is styled
// as dangerous, carries the person it was offered to, and has an action
// id of its own in the message.
func TestForgetConfirmButtons(t *testing.T) {
	raw := string(mustMarshal(t, message(ForgetConfirm("U123"))))
	for _, want := range []string{
		`"action_id":"` + ActionForgetMe + `"`, `"action_id":"` + ActionForgetMeKeep + `"`,
		`"style":"danger"`, `"confirm":{`, `"value":"U123"`,
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("missing %s in %s", want, raw)
		}
	}
	if ActionForgetMe == ActionForgetMeKeep {
		t.Error("the two buttons share an action id")
	}
}
