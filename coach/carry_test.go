package coach

import (
	"testing"
	"time"
)

func TestCarry(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	plan := &Plan{Themes: []Theme{
		{ID: "t1", Actions: []Action{{ID: "a1", Done: true}, {ID: "a2"}}},
		{ID: "t2", Actions: []Action{{ID: "a1"}}},
		{ID: "t3", Actions: []Action{{ID: "a1", Done: true}}},
	}}
	done := &Plan{Themes: []Theme{{ID: "t1", Actions: []Action{{ID: "a1", Done: true}}}}}
	bank := QuestionBank{Questions: []Question{
		{ID: "q1", Category: CategoryCoaching}, {ID: "q2", Category: CategoryCheckin},
		{ID: "q3", Category: CategoryMood}, {ID: "s1", Category: CategorySocratic},
	}}
	seed := QuestionSeed("U1")
	first := bank.Only(CategoryCoaching, CategoryCheckin, CategoryMood).Next("", seed).ID
	second := bank.Only(CategoryCoaching, CategoryCheckin, CategoryMood).Next(first, seed).ID
	nudge := Delivery{Person: "U1", Cadence: CadenceNudge, Period: "2026-11-23T09:30", Due: at, State: DeliveryQueued}
	sent := func(c Cadence, ago time.Duration, f func(*Delivery)) Delivery {
		d := Delivery{Person: "U1", Cadence: c, Period: at.Add(-ago).Format(time.DateTime), Due: at.Add(-ago), State: DeliverySent, Attempt: at.Add(-ago), SentAt: at.Add(-ago)}
		f(&d)
		return d
	}
	for _, tc := range []struct {
		name  string
		d     Delivery
		p     Person
		plan  *Plan
		bank  QuestionBank
		past  []Delivery
		q, th string // want QuestionID, ThemeID
		act   string
	}{
		{name: "first nudge: first open action", d: nudge, plan: plan, th: "t1", act: "a2"},
		{name: "nudge rotates from the last nudge's theme", d: nudge, plan: plan,
			past: []Delivery{
				sent(CadenceNudge, 2*week, func(d *Delivery) { d.ThemeID, d.ActionID = "t2", "a1" }),
				sent(CadenceNudge, week, func(d *Delivery) { d.ThemeID, d.ActionID = "t1", "a2" }),
			}, th: "t2", act: "a1"},
		{name: "a skipped nudge did not carry anything", d: nudge, plan: plan,
			past: []Delivery{
				sent(CadenceNudge, 2*week, func(d *Delivery) { d.ThemeID = "t2" }),
				sent(CadenceNudge, week, func(d *Delivery) { d.ThemeID, d.State = "t1", DeliverySkipped }),
			}, th: "t1", act: "a2"},
		{name: "an attempted nudge may have been seen", d: nudge, plan: plan,
			past: []Delivery{sent(CadenceNudge, week, func(d *Delivery) { d.ThemeID, d.State = "t1", DeliveryAttempted })},
			th:   "t2", act: "a1"},
		{name: "a retry decides the same again", d: Delivery{Person: "U1", Cadence: CadenceNudge, Period: nudge.Period, ThemeID: "t1", ActionID: "a2", State: DeliveryAttempted}, plan: plan,
			past: []Delivery{sent(CadenceNudge, 0, func(d *Delivery) {
				d.Period, d.ThemeID, d.ActionID, d.State = nudge.Period, "t1", "a2", DeliveryAttempted
			})},
			th: "t1", act: "a2"},
		{name: "the check-in's action does not move the rotation", d: nudge, plan: plan,
			past: []Delivery{
				sent(CadenceNudge, week, func(d *Delivery) { d.ThemeID = "t2" }),
				sent(CadenceCheckin, time.Hour, func(d *Delivery) { d.ThemeID = "t1" }),
			}, th: "t1", act: "a2"},
		{name: "kept by an older version: Person.LastTheme", d: nudge, p: Person{LastTheme: "t1"}, plan: plan, th: "t2", act: "a1"},
		{name: "the ledger wins over Person.LastTheme", d: nudge, p: Person{LastTheme: "t1"}, plan: plan,
			past: []Delivery{sent(CadenceNudge, week, func(d *Delivery) { d.ThemeID = "t2" })}, th: "t1", act: "a2"},
		{name: "no plan: a question, not a Socratic one", d: nudge, bank: bank, q: first},
		{name: "every action done: a question", d: nudge, plan: done, bank: bank, q: first},
		{name: "never the question asked last, on request or not", d: nudge, bank: bank,
			past: []Delivery{
				sent(CadenceNudge, week, func(d *Delivery) { d.QuestionID = "q9" }),
				sent(CadenceQuestion, time.Hour, func(d *Delivery) { d.QuestionID = first }),
			}, q: second},
		{name: "kept by an older version: Person.LastQuestion", d: nudge, p: Person{LastQuestion: first}, bank: bank, q: second},
		{name: "asked on request", d: Delivery{Person: "U1", Cadence: CadenceQuestion, Period: "p"}, plan: plan, bank: bank, q: first},
		{name: "only Socratic questions: they will do", d: nudge, bank: QuestionBank{Questions: []Question{{ID: "s1", Category: CategorySocratic}}}, q: "s1"},
		{name: "empty bank: nothing", d: nudge},
		{name: "check-in: the week's action", d: Delivery{Person: "U1", Cadence: CadenceCheckin, Period: "p"}, plan: plan, bank: bank, th: "t1", act: "a2"},
		{name: "check-in, every action done: nothing", d: Delivery{Person: "U1", Cadence: CadenceCheckin, Period: "p"}, plan: done, bank: bank},
		{name: "refresh: nothing", d: Delivery{Person: "U1", Cadence: CadenceRefresh, Period: "p", QuestionID: "stale"}, plan: plan, bank: bank},
		{name: "digest: nothing", d: Delivery{Person: "U1", Cadence: CadenceDigest, Period: "p"}, plan: plan, bank: bank},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.ID = "U1"
			got := Carry(tc.d, tc.p, tc.plan, tc.bank, tc.past)
			if got.QuestionID != tc.q || got.ThemeID != tc.th || got.ActionID != tc.act {
				t.Errorf("carries question %q, theme %q, action %q; want %q, %q, %q", got.QuestionID, got.ThemeID, got.ActionID, tc.q, tc.th, tc.act)
			}
			if got.Key() != tc.d.Key() || got.State != tc.d.State {
				t.Errorf("Carry changed more than the choice: %+v", got)
			}
		})
	}
}
