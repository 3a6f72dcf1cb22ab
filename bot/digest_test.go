package bot

import (
	"fmt"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

func digestStatuses(n int) []coach.ReportStatus {
	var out []coach.ReportStatus
	for i := range n {
		st := sampleStatus(fmt.Sprintf("U%03d", i), fmt.Sprintf("pm%03d", i), i)
		st.Trend = []int{0, 5, 6, 6, 7, 7 - i%3}
		st.AnswerRate = float64(i%5) / 4
		if i%7 == 6 {
			st.Paused = true
		}
		if i%6 == 5 {
			st.Unanswered = 2
		}
		if st.HasPlan {
			for range st.Colours {
				st.ColourHistory = append(st.ColourHistory, []coach.Colour{"", coach.Green, coach.Yellow, coach.Yellow, coach.Red, st.Colours[0]})
			}
		}
		out = append(out, st)
	}
	coach.SortWorstFirst(out, gNow)
	return out
}

func TestGoldenDigest(t *testing.T) {
	for _, n := range []int{0, 1, 12, 50} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			v := buildDigest(model, digestStatuses(n), gNow, false)
			golden(t, fmt.Sprintf("digest_%d", n), slackemu.SurfaceMessage, message(v.Top))
			for i, r := range v.Thread {
				golden(t, fmt.Sprintf("digest_%d_thread_%d", n, i), slackemu.SurfaceMessage, message(r))
			}
			if len(v.Top.Blocks) > maxMessageBlocks {
				t.Errorf("%d blocks in the top message", len(v.Top.Blocks))
			}
			t.Logf("%d reports: top message %d blocks, %d thread replies", n, len(v.Top.Blocks), len(v.Thread))
		})
	}
}

func TestDigestReadsWorstFirst(t *testing.T) {
	reports := digestStatuses(12)
	v := buildDigest(model, reports, gNow, false)
	raw := string(mustMarshal(t, message(v.Top)))
	// Every report appears, and those needing attention come before the rest.
	seenCalm := false
	for _, r := range reports {
		i := indexOf(raw, `\u003c@`+r.Person.ID+`\u003e`)
		if i < 0 {
			t.Fatalf("%s missing from the digest", r.Person.ID)
		}
		needs := len(r.Reasons(gNow)) > 0
		if r.Paused {
			continue
		}
		if needs && seenCalm {
			t.Errorf("%s needs attention but comes after someone who doesn't", r.Person.ID)
		}
		if !needs {
			seenCalm = true
		}
	}
}

func TestGoldenAgenda(t *testing.T) {
	since := gNow.AddDate(0, 0, -14)
	a := agenda{
		Subject: coach.Person{ID: "UANA", Manager: "UBOSS"}, Since: since,
		Colours: []string{"*Problem briefs*: :large_yellow_circle: yellow → :large_green_circle: green — “two briefs done”"},
		Ratings: []string{"*Planning*: self now 8, manager now 5 · gap +3 :triangular_flag_on_post:"},
		Done:    []string{"Write three problem briefs before discovery starts (Problem briefs)"},
		Answers: []coach.Answer{{Question: "What would make you more successful in the role you have now?", Text: "More time with customers", SharedWith: "UBOSS", At: gNow}},
		Current: &coach.Challenge{Text: "Lead the H2 strategy planning", At: gNow.AddDate(0, -1, 0)},
		Focus:   coach.Area{ID: "planning", Name: "Planning"}, Reason: "the biggest gap (+3)",
		Asks:     []string{"What would a great roadmap review look like to you?", "Where do you feel least sure?", "What would make it one point higher?"},
		Trends:   []string{"Planning               self ··▄▅▆▇  mgr ···▄▄▄  quarters ·▄▅▇"},
		Response: coach.Responsiveness{Sent: 8, Answered: 6},
	}
	golden(t, "agenda_manager", slackemu.SurfaceMessage, message(agendaReply(model, a, gNow)))
	a.ForSelf, a.Since = true, time.Time{}
	golden(t, "agenda_self_first", slackemu.SurfaceMessage, message(agendaReply(model, a, gNow)))
}
