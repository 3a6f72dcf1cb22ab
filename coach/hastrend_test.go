package coach

import "testing"

// TestHasTrend: a trend is shown from three periods with a value, never
// from fewer, however the gaps fall.
func TestHasTrend(t *testing.T) {
	for _, tc := range []struct {
		series []int
		want   bool
	}{
		{nil, false},
		{[]int{0, 0, 0, 0}, false},
		{[]int{7, 0, 0, 8}, false},
		{[]int{7, 0, 6, 8}, true},
		{[]int{0, 0, 0, 5, 6, 7}, true},
		{[]int{10, 10}, false},
	} {
		if got := HasTrend(tc.series); got != tc.want {
			t.Errorf("HasTrend(%v) = %v, want %v", tc.series, got, tc.want)
		}
	}
}
