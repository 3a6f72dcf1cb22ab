package blocks

import (
	"fmt"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

// digestStatuses is a realistic team of n: most people have a plan
// written one to ten months ago with named themes, mostly green and yellow,
// one theme in a dozen red; most gaps are 0 or 1 point, some 2, a few 3
// or more; one in twelve has left the last two check-ins unanswered; one
// in fifteen has no plan (half of them joined this month); a few are
// paused. The figures come from a deterministic hash of the index.
func digestStatuses(n int) []coach.ReportStatus {
	titles := []struct{ area, title string }{
		{"planning", "A strategy I can defend"}, {"problem-understanding", "Problems before solutions"},
		{"team", "Bad news early"}, {"execution", "Predictable releases"}, {"listen-learn", "Close to customers"},
		{"agile", "Smaller slices"},
	}
	var out []coach.ReportStatus
	for i := range n {
		h := func(salt int) int {
			x := uint64(i+1)*0x9E3779B97F4A7C15 ^ uint64(salt)*0xBF58476D1CE4E5B9
			x ^= x >> 31
			x *= 0x94D049BB133111EB
			x ^= x >> 29
			return int(x % 1000)
		}
		id := fmt.Sprintf("U%03d", i)
		p := coach.Person{ID: id, Name: fmt.Sprintf("pm%03d", i), Manager: "UBOSS",
			EnrolledAt: gNow.AddDate(0, -1-h(1)%11, 0), ManagerSince: gNow.AddDate(0, -1-h(1)%11, 0)}
		st := coach.ReportStatus{Person: p, AnswerRate: float64(50+h(2)%50) / 100}
		if h(3)%15 == 0 {
			if i%2 == 0 {
				st.Person.EnrolledAt, st.Person.ManagerSince = gNow.AddDate(0, 0, -10), gNow.AddDate(0, 0, -10)
			}
		} else {
			written := gNow.AddDate(0, -h(4)%7, -h(5)%25-3)
			plan := coach.Plan{Owner: id, Headline: "Grow", CreatedAt: written, UpdatedAt: written, Horizon: written.AddDate(0, 6, 0), Version: 1}
			themes := 3 + h(6)%2
			for k := range themes {
				t := titles[(i+k)%len(titles)]
				plan.Themes = append(plan.Themes, coach.Theme{ID: fmt.Sprintf("t%d", k+1), Area: t.area, Title: t.title})
			}
			st.Plan, st.HasPlan = &plan, true
			st.PlanOverdue = plan.Overdue(gNow)
			months := monthsSince(written, gNow)
			for k := range plan.Themes {
				hist := make([]coach.Colour, TrendMonths)
				for m := range TrendMonths {
					if TrendMonths-m > months-1 || m == TrendMonths-1 && months == 1 {
						continue // before the plan, or its first month
					}
					switch v := (h(7+k) + m*37) % 100; {
					case v < 6:
						hist[m] = coach.Red
					case v < 40:
						hist[m] = coach.Yellow
					default:
						hist[m] = coach.Green
					}
				}
				st.ColourHistory = append(st.ColourHistory, hist)
				st.Colours = append(st.Colours, hist[TrendMonths-1])
				if hist[TrendMonths-1] == coach.Red {
					st.RedThemes++
				}
			}
		}
		self := 5 + h(11)%4
		gap := []int{0, 0, 0, 1, -1, 1, -1, 2, -2, 0, 1, 3}[h(12)%12]
		var ratings []coach.Rating
		for k, m := range []int{-4, -2, 0} {
			if h(13)%3 == 0 && k < 2 {
				continue // rated once only
			}
			ratings = append(ratings,
				coach.Rating{Subject: id, Rater: id, Area: "planning", Score: self, At: gNow.AddDate(0, m, -5)},
				coach.Rating{Subject: id, Rater: "UBOSS", Area: "planning", Score: min(10, max(1, self-gap)), At: gNow.AddDate(0, m, -4)})
		}
		st.Comparisons = coach.Compare(model, id, "UBOSS", ratings)
		if big, ok := coach.BiggestGap(st.Comparisons); ok {
			st.Biggest = &big
			if big.Flagged() {
				st.FlaggedGaps = 1
			}
		}
		st.Trend = coach.MonthlyAverage(ratings, id, TrendMonths, gNow)
		if h(14)%12 == 0 && st.HasPlan {
			st.Unanswered, st.AnswerRate, st.SilentSince = 2, 0.25, gNow.AddDate(0, 0, -37)
		}
		if h(15)%25 == 0 {
			st.Paused = true
		}
		if h(16)%3 == 0 {
			st.Challenge = &coach.Challenge{Text: "Lead the H2 strategy planning", At: gNow.AddDate(0, -2, 0), Status: coach.ChallengeSet}
		}
		out = append(out, st)
	}
	coach.SortWorstFirst(out, gNow)
	return out
}

func TestGoldenDigest(t *testing.T) {
	for _, n := range []int{0, 1, 12, 50} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			v := Digest(model, digestStatuses(n), gNow, false)
			golden(t, fmt.Sprintf("digest_%d", n), slackemu.SurfaceMessage, message(v.Top))
			for i, r := range v.Thread {
				golden(t, fmt.Sprintf("digest_%d_thread_%d", n, i), slackemu.SurfaceMessage, message(r))
			}
			if len(v.Top.Blocks) > MaxMessageBlocks {
				t.Errorf("%d blocks in the top message", len(v.Top.Blocks))
			}
			t.Logf("%d reports: top message %d blocks, %d thread replies", n, len(v.Top.Blocks), len(v.Thread))
		})
	}
}

func TestDigestReadsWorstFirst(t *testing.T) {
	reports := digestStatuses(50)
	v := Digest(model, reports, gNow, false)
	top := string(mustMarshal(t, message(v.Top)))
	all := top
	for _, r := range v.Thread {
		all += string(mustMarshal(t, message(r)))
	}
	// Every report appears; the top message names at most ten, those with
	// the highest attention scores, in that order.
	named, last := 0, -1
	for _, r := range reports {
		if indexOf(all, `\u003c@`+r.Person.ID+`\u003e`) < 0 {
			t.Fatalf("%s missing from the digest", r.Person.ID)
		}
		i := indexOf(top, `\u003c@`+r.Person.ID+`\u003e`)
		if i < 0 {
			continue
		}
		named++
		if len(r.Flags(gNow)) == 0 {
			t.Errorf("%s is named under needs attention without a reason", r.Person.ID)
		}
		if i < last {
			t.Errorf("%s is out of order", r.Person.ID)
		}
		last = i
	}
	if named > digestTop {
		t.Errorf("%d people named in the top message, at most %d", named, digestTop)
	}
	flagged := 0
	for _, r := range reports {
		if len(r.Flags(gNow)) > 0 {
			flagged++
		}
	}
	t.Logf("50 realistic reports: %d flagged as needing attention, %d named in the top message", flagged, named)
}

func TestGoldenAgenda(t *testing.T) {
	since := gNow.AddDate(0, 0, -14)
	a := AgendaData{
		Subject: coach.Person{ID: "UANA", Manager: "UBOSS"}, Since: since,
		Colours: []string{"*Problem briefs*: :large_yellow_circle: yellow → :large_green_circle: green — “two briefs done”"},
		Ratings: []string{"*Planning*: self now 8, manager now 5 · gap +3 :triangular_flag_on_post:"},
		Done:    []string{"Write three problem briefs before discovery starts (Problem briefs)"},
		Answers: []coach.Answer{{Question: "What would make you more successful in the role you have now?", Text: "More time with customers", SharedWith: "UBOSS", At: gNow}},
		Current: &coach.Challenge{Text: "Lead the H2 strategy planning", At: gNow.AddDate(0, -1, 0)},
		Focus:   coach.Area{ID: "planning", Name: "Planning"}, Reason: "the biggest gap (+3)",
		Asks:     []string{"What would a great roadmap review look like to you?", "Where do you feel least sure?", "What would make it one point higher?"},
		Trends:   []string{"*Planning*: self, monthly ··▄▅▆▇ · manager, monthly ···▄▄▄ · self, quarterly ·▄▅▇"},
		Response: coach.Responsiveness{Sent: 8, Answered: 6},
	}
	golden(t, "agenda_manager", slackemu.SurfaceMessage, message(Agenda(model, a, gNow)))
	a.ForSelf, a.Since = true, time.Time{}
	golden(t, "agenda_self_first", slackemu.SurfaceMessage, message(Agenda(model, a, gNow)))
	// Bob never rated anything: the agenda says so and suggests a first step.
	unrated := AgendaData{Subject: coach.Person{ID: "UBOB", Manager: "UBOSS"},
		Asks: []string{"What would make you more successful in the role you have now?", "What is the one thing I could do to improve your situation this week?", "What problem are we trying to solve?"}}
	golden(t, "agenda_unrated", slackemu.SurfaceMessage, message(Agenda(model, unrated, gNow)))
}
