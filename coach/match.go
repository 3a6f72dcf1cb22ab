package coach

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Normalize folds an area id, name or query into one comparable form:
// lowercase, "&" read as nothing, every run of other non-letters and
// non-digits turned into one "-". "Listen & Learn", "listen-learn" and
// "LISTEN  learn" all become "listen-learn".
func Normalize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// MatchError says why a query matched no single area. Suggestions are the
// closest areas for a typo; Candidates the areas an ambiguous prefix fits.
type MatchError struct {
	Query       string
	Suggestions []Area
	Candidates  []Area
}

func (e *MatchError) Error() string {
	switch {
	case len(e.Candidates) > 0:
		return fmt.Sprintf("%q could be %s — type more of the name", e.Query, joinOr(areaIDs(e.Candidates)))
	case len(e.Suggestions) > 0:
		return fmt.Sprintf("unknown area %q — did you mean %s?", e.Query, joinOr(areaIDs(e.Suggestions)))
	default:
		return fmt.Sprintf("unknown area %q", e.Query)
	}
}

// Match finds the area a person meant: an exact id or name, else the only
// area whose id or name starts with the query, case-insensitively. It
// returns a *MatchError (code EINVALID through AsError) with suggestions for
// a typo or the candidates of an ambiguous prefix.
func (m Model) Match(query string) (Area, error) {
	q := Normalize(query)
	if q == "" {
		return Area{}, &MatchError{Query: query}
	}
	for _, a := range m.Areas {
		if a.ID == q || Normalize(a.Name) == q {
			return a, nil
		}
	}
	var prefixed []Area
	for _, a := range m.Areas {
		if strings.HasPrefix(a.ID, q) || strings.HasPrefix(Normalize(a.Name), q) || wordPrefix(a, q) {
			prefixed = append(prefixed, a)
		}
	}
	switch len(prefixed) {
	case 1:
		return prefixed[0], nil
	case 0:
		return Area{}, &MatchError{Query: query, Suggestions: m.suggest(q)}
	default:
		return Area{}, &MatchError{Query: query, Candidates: prefixed}
	}
}

// wordPrefix matches a query against the start of any word of the name after
// the first, so "learn" finds "Listen & Learn" and "growth" finds "Personal
// Growth". It only counts when the query is at least three letters long.
func wordPrefix(a Area, q string) bool {
	if len(q) < 3 {
		return false
	}
	words := strings.Split(Normalize(a.Name), "-")
	for _, w := range words[1:] {
		if strings.HasPrefix(w, q) {
			return true
		}
	}
	return false
}

// suggest returns the areas within a small edit distance of q, closest first.
func (m Model) suggest(q string) []Area {
	type scored struct {
		a Area
		d int
	}
	limit := 2
	if len(q) <= 4 {
		limit = 1
	}
	var found []scored
	for _, a := range m.Areas {
		best := -1
		for _, cand := range append([]string{a.ID, Normalize(a.Name)}, strings.Split(Normalize(a.Name), "-")...) {
			d := editDistance(q, cand)
			// A typo in the first letters of a long id counts too.
			if len(cand) > len(q) {
				if p := editDistance(q, cand[:len(q)]); p < d {
					d = p
				}
			}
			if best < 0 || d < best {
				best = d
			}
		}
		if best <= limit {
			found = append(found, scored{a, best})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].d < found[j].d })
	out := make([]Area, 0, len(found))
	for i, s := range found {
		if i > 0 && s.d > found[0].d {
			break
		}
		out = append(out, s.a)
	}
	return out
}

// editDistance is the Damerau–Levenshtein (optimal string alignment)
// distance between a and b, counting a swap of neighbours as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func areaIDs(as []Area) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func joinOr(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	default:
		return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
	}
}
