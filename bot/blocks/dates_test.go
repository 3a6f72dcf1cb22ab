package blocks

import (
	"strings"
	"testing"
	"time"
)

func TestDatesFallBackInTheReadersZone(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	end := time.Date(2026, 12, 25, 0, 0, 0, 0, ny)
	r := Localized(Reply{Text: SlackDate(end), Blocks: Answers(nil, 0, false).Blocks}, ny)
	if !strings.Contains(r.Text, "|25 Dec 2026>") {
		t.Errorf("fallback %q, want 25 Dec 2026 (New York), not the UTC date", r.Text)
	}
	withTime := "<!date^1798174800^{date_long_pretty} at {time}|Fri 25 Dec 2026 05:00 UTC>"
	if got := inZone(withTime, ny); !strings.Contains(got, "|Fri 25 Dec 2026 00:00 EST>") {
		t.Errorf("got %q", got)
	}
	p := Paused(end, ny)
	lr := Localized(p, ny)
	if len(lr.Blocks) != len(p.Blocks) || !strings.Contains(string(mustMarshal(t, lr.Blocks)), "|24 Dec 2026") {
		t.Fatalf("blocks lost in the rewrite: %s", mustMarshal(t, lr.Blocks))
	}
}
