package coach

import (
	"strings"
	"time"
)

// Periodic series: the latest score in each month or quarter, oldest first,
// with 0 where there was no rating.

// MinTrendPoints is the fewest periods with a value a series needs before
// it is shown as a trend: one or two points say nothing about a direction.
const MinTrendPoints = 3

// HasTrend reports whether a series has values in at least MinTrendPoints
// periods.
func HasTrend(series []int) bool {
	n := 0
	for _, x := range series {
		if x != 0 {
			n++
		}
	}
	return n >= MinTrendPoints
}

// MonthlySeries returns, for the n months ending with now's month, the
// latest score of one side (self, or the given manager) in one area.
func MonthlySeries(ratings []Rating, subject, area, rater string, n int, now time.Time) []int {
	return periodic(ratings, subject, area, rater, n, now, func(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 })
}

// QuarterlySeries is MonthlySeries by calendar quarter.
func QuarterlySeries(ratings []Rating, subject, area, rater string, n int, now time.Time) []int {
	return periodic(ratings, subject, area, rater, n, now, func(t time.Time) int { return t.Year()*4 + (int(t.Month())-1)/3 })
}

func periodic(ratings []Rating, subject, area, rater string, n int, now time.Time, bucket func(time.Time) int) []int {
	out := make([]int, n)
	last := bucket(now.UTC())
	at := make([]time.Time, n)
	for _, r := range ratings {
		if r.Subject != subject || r.Area != area || r.Rater != rater {
			continue
		}
		i := n - 1 - (last - bucket(r.At.UTC()))
		if i < 0 || i >= n {
			continue
		}
		if r.At.After(at[i]) || at[i].IsZero() {
			out[i], at[i] = r.Score, r.At
		}
	}
	return out
}

// SparklineGaps draws a series with gaps (0) as "·".
func SparklineGaps(scores []int) string {
	var b strings.Builder
	for _, s := range scores {
		if s == 0 {
			b.WriteString("·")
			continue
		}
		b.WriteString(Sparkline([]int{s}, 1))
	}
	return b.String()
}

// ColourHistory returns one theme's colour per month, oldest first, for the
// n months ending with now's month ("" where none was chosen).
func ColourHistory(choices []ColourChoice, theme string, n int, now time.Time) []Colour {
	out := make([]Colour, n)
	y, m, _ := now.UTC().Date()
	last := y*12 + int(m) - 1
	for _, c := range choices {
		if c.Theme != theme {
			continue
		}
		t, err := time.Parse("2006-01", c.Month)
		if err != nil {
			continue
		}
		i := n - 1 - (last - (t.Year()*12 + int(t.Month()) - 1))
		if i >= 0 && i < n {
			out[i] = c.Colour
		}
	}
	return out
}

// Responsiveness sums up how a person answers what microcoach sends:
// check-ins and questions (action nudges count too). Deliveries made
// while the person was paused do not exist, so a pause never counts as
// silence.
type Responsiveness struct {
	Sent, Answered int
	// UnansweredCheckins counts the latest check-ins in a row without an
	// answer.
	UnansweredCheckins int
	// SilentSince is when the first of those was sent.
	SilentSince time.Time
}

// Rate is the share answered, or -1 when nothing was sent.
func (r Responsiveness) Rate() float64 {
	if r.Sent == 0 {
		return -1
	}
	return float64(r.Answered) / float64(r.Sent)
}

// ResponsivenessOf counts sent deliveries since since.
func ResponsivenessOf(ds []Delivery, since time.Time) Responsiveness {
	var r Responsiveness
	var checkins []Delivery
	for _, d := range ds {
		if d.State != DeliverySent || d.SentAt.Before(since) {
			continue
		}
		switch d.Cadence {
		case CadenceCheckin:
			checkins = append(checkins, d)
		case CadenceNudge, CadenceQuestion:
		default:
			continue
		}
		r.Sent++
		if d.Answered {
			r.Answered++
		}
	}
	sortBySent(checkins)
	for i := len(checkins) - 1; i >= 0 && !checkins[i].Answered; i-- {
		r.UnansweredCheckins++
		r.SilentSince = checkins[i].SentAt
	}
	return r
}

func sortBySent(ds []Delivery) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].SentAt.Before(ds[j-1].SentAt); j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

// MonthlyAverage is the mean of a person's self-ratings made in each of
// the n months ending with now's month (0 where none), rounded.
func MonthlyAverage(ratings []Rating, subject string, n int, now time.Time) []int {
	sum, cnt := make([]int, n), make([]int, n)
	y, m, _ := now.UTC().Date()
	last := y*12 + int(m) - 1
	for _, r := range ratings {
		if r.Subject != subject || !r.Self() {
			continue
		}
		t := r.At.UTC()
		i := n - 1 - (last - (t.Year()*12 + int(t.Month()) - 1))
		if i >= 0 && i < n {
			sum[i] += r.Score
			cnt[i]++
		}
	}
	out := make([]int, n)
	for i := range out {
		if cnt[i] > 0 {
			out[i] = (2*sum[i] + cnt[i]) / (2 * cnt[i])
		}
	}
	return out
}
