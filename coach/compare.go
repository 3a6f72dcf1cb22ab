package coach

import (
	"sort"
	"time"
)

// AreaComparison sets a person's own view of one area beside their
// manager's: the latest score of each, the series, and the perception gap.
type AreaComparison struct {
	Area          Area
	Self, Manager *Rating // latest; nil when that side has not rated
	SelfSeries    []int   // oldest first
	ManagerSeries []int
	// Gap is Self − Manager when both exist (HasGap).
	Gap    int
	HasGap bool
	// PrevGap is the gap before the most recent rating in this area, when
	// both sides had rated by then (HasPrevGap): "the change since the
	// previous assessment" is Gap − PrevGap.
	PrevGap    int
	HasPrevGap bool
}

// Flagged reports whether this area's gap is worth a conversation.
func (c AreaComparison) Flagged() bool { return c.HasGap && Flagged(c.Gap) }

// Compare builds one AreaComparison per area of the model, in model order,
// from all ratings of one person (any order). Ratings by anyone other than
// the person are counted as the manager's side only when manager matches
// the rater, so a former manager's old scores do not masquerade as the
// current manager's; pass manager "" to take every non-self rating.
func Compare(m Model, subject string, manager string, ratings []Rating) []AreaComparison {
	sorted := append([]Rating(nil), ratings...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].At.Before(sorted[j].At) })
	byArea := map[string][]Rating{}
	for _, r := range sorted {
		if r.Subject != subject {
			continue
		}
		if !r.Self() && manager != "" && r.Rater != manager {
			continue
		}
		byArea[r.Area] = append(byArea[r.Area], r)
	}
	out := make([]AreaComparison, 0, len(m.Areas))
	for _, a := range m.Areas {
		c := AreaComparison{Area: a}
		rs := byArea[a.ID]
		var self, mgr *Rating
		for i := range rs {
			r := &rs[i]
			if i == len(rs)-1 && self != nil && mgr != nil {
				c.PrevGap, c.HasPrevGap = Gap(self.Score, mgr.Score), true
			}
			if r.Self() {
				self = r
				c.SelfSeries = append(c.SelfSeries, r.Score)
			} else {
				mgr = r
				c.ManagerSeries = append(c.ManagerSeries, r.Score)
			}
		}
		c.Self, c.Manager = self, mgr
		if self != nil && mgr != nil {
			c.Gap, c.HasGap = Gap(self.Score, mgr.Score), true
		}
		out = append(out, c)
	}
	return out
}

// BiggestGap returns the comparison with the largest gap by size (ties: the
// first in model order), and false when no area has both sides.
func BiggestGap(cs []AreaComparison) (AreaComparison, bool) {
	var best AreaComparison
	found := false
	for _, c := range cs {
		if c.HasGap && (!found || abs(c.Gap) > abs(best.Gap)) {
			best, found = c, true
		}
	}
	return best, found
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ReportStatus is what a manager needs to know about one report at a
// glance, and how urgently.
type ReportStatus struct {
	Person      Person
	Plan        *Plan // nil without a plan
	HasPlan     bool  // Plan != nil, kept for readability of the rules
	PlanOverdue bool
	RedThemes   int
	Colours     []Colour // latest colour per theme, in plan order ("" for none yet)
	Comparisons []AreaComparison
	FlaggedGaps int
	Biggest     *AreaComparison // the largest gap, if any
	GapWidened  bool            // the largest flagged gap grew with the latest rating
	Challenge   *Challenge      // current Next Bigger Challenge
	Proposal    *Challenge      // a proposal waiting for the person's answer
	Unanswered  int             // check-ins in a row without an answer
	AnswerRate  float64         // share of check-ins answered, 0..1; -1 when none were sent
	Paused      bool
	LastRating  time.Time
	// Trend is the monthly average of the person's self-ratings, oldest
	// first (0: no rating that month).
	Trend []int
	// ColourHistory is each theme's colour per month, in plan order.
	ColourHistory [][]Colour

	// SilentSince is when the run of unanswered check-ins began (zero
	// when the last one was answered).
	SilentSince time.Time
	// Away: the person's Slack status says they are away (AwayStatus);
	// like a pause, it is not silence.
	Away bool
}

// ThemeColours maps the plan's theme ids to their latest colours.
func (s ReportStatus) ThemeColours() map[string]Colour {
	out := map[string]Colour{}
	if s.Plan == nil {
		return out
	}
	for i, t := range s.Plan.Themes {
		if i < len(s.Colours) {
			out[t.ID] = s.Colours[i]
		}
	}
	return out
}

// Reasons a report needs attention, most urgent first, in words.
func (s ReportStatus) Reasons(now time.Time) []string {
	var out []string
	for _, f := range s.Flags(now) {
		out = append(out, f.Text)
	}
	return out
}

// Attention scores how much a report needs their manager this week; higher
// is more urgent. It orders digests and the manager's Home worst first:
// the sum of the report's flags (Flags), plus 5 per yellow theme as a
// tie-breaker; -1 for someone paused or away.
func (s ReportStatus) Attention(now time.Time) int {
	if s.Paused || s.Away {
		return -1
	}
	score := 0
	for _, f := range s.Flags(now) {
		score += f.Score
	}
	for _, c := range s.Colours {
		if c == Yellow {
			score += scoreYellow
		}
	}
	return score
}

// SortWorstFirst orders statuses by Attention, highest first; ties by name
// then id so the order is stable.
func SortWorstFirst(ss []ReportStatus, now time.Time) {
	sort.SliceStable(ss, func(i, j int) bool {
		ai, aj := ss[i].Attention(now), ss[j].Attention(now)
		if ai != aj {
			return ai > aj
		}
		if ss[i].Person.Name != ss[j].Person.Name {
			return ss[i].Person.Name < ss[j].Person.Name
		}
		return ss[i].Person.ID < ss[j].Person.ID
	})
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// WeakestArea is the area of the lowest latest self-rating in cmp, or the
// model's first area when none is rated (the zero Area for an empty model).
func WeakestArea(m Model, cmp []AreaComparison) Area {
	if len(m.Areas) == 0 {
		return Area{}
	}
	best, low := m.Areas[0], MaxScore+1
	for _, c := range cmp {
		if c.Self != nil && c.Self.Score < low {
			best, low = c.Area, c.Self.Score
		}
	}
	return best
}

// ReportInputs are the records a person's status is made from: what one
// screen reads about them.
type ReportInputs struct {
	Person     Person
	Plan       *Plan          // nil without a plan
	Colours    []ColourChoice // check-in colours, oldest month first (only needed with a plan)
	Ratings    []Rating       // every rating of them
	Challenges []Challenge
	Deliveries []Delivery // their ledger entries since now − 3 months
	Away       bool       // their Slack status says they are away
}

// ReportStatusOf is what a manager sees of one person at a glance, with
// trends over the last trendMonths: the one rule Home, digest and report
// details share.
func ReportStatusOf(m Model, in ReportInputs, now time.Time, trendMonths int) ReportStatus {
	p := in.Person
	st := ReportStatus{Person: p, AnswerRate: -1, Plan: in.Plan, HasPlan: in.Plan != nil}
	if plan := in.Plan; plan != nil {
		st.PlanOverdue = plan.Overdue(now)
		latest := map[string]Colour{}
		for _, c := range in.Colours { // oldest month first: later ones win
			latest[c.Theme] = c.Colour
		}
		st.Colours = make([]Colour, len(plan.Themes))
		for i, t := range plan.Themes {
			st.Colours[i] = latest[t.ID]
			if latest[t.ID] == Red {
				st.RedThemes++
			}
			st.ColourHistory = append(st.ColourHistory, ColourHistory(in.Colours, t.ID, trendMonths, now))
		}
	}
	st.Comparisons = Compare(m, p.ID, p.Manager, in.Ratings)
	for _, c := range st.Comparisons {
		if c.Flagged() {
			st.FlaggedGaps++
		}
		if c.Self != nil && c.Self.At.After(st.LastRating) {
			st.LastRating = c.Self.At
		}
	}
	if big, ok := BiggestGap(st.Comparisons); ok {
		st.Biggest = &big
		st.GapWidened = big.Flagged() && big.HasPrevGap && abs(big.Gap) > abs(big.PrevGap)
	}
	st.Challenge, st.Proposal = CurrentChallenge(in.Challenges)
	st.Trend = MonthlyAverage(in.Ratings, p.ID, trendMonths, now)
	st.Paused = p.Paused(now)
	st.Away = !st.Paused && in.Away
	since := now.AddDate(0, -3, 0)
	resp := ResponsivenessOf(in.Deliveries, since)
	st.AnswerRate, st.Unanswered = resp.Rate(), resp.UnansweredCheckins
	st.SilentSince = resp.SilentSince
	return st
}
