package coach

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// An org chart file sets up managers of record in one step (an admin's
// import, `microcoach org import`). It is CSV:
//
//   - the first non-blank line is a header naming the columns "report"
//     and "manager", in any order and any case; other columns are
//     ignored (an HR export can be used as it is) and listed in the plan;
//   - every other line names a report and their manager, each by Slack
//     user id (U…, W…) or by e-mail address; a row with an empty manager
//     cell names nobody and changes nothing (the top of the org);
//   - a UTF-8 byte order mark is accepted, blank lines are skipped and
//     cells are trimmed; the file must be UTF-8;
//   - at most MaxOrgRows rows and MaxOrgBytes bytes: a bigger file is
//     refused whole, without being read to the end.
//
// ParseOrgCSV reads it; PlanOrg turns it, with what Slack and the
// database say about the people in it, into the changes it would make.

// Limits of an org chart file.
const (
	MaxOrgRows  = 10_000
	MaxOrgBytes = 8 << 20
)

// OrgRow is one data row of an org chart file.
type OrgRow struct {
	Line    int    // line of the file the row starts on (the header is line 1 or later)
	Report  string // the report's cell, trimmed
	Manager string // the manager's cell, trimmed; "" names nobody
	// Problem says why the row cannot be read ("" when it can): a cell
	// that is neither an id nor an e-mail address, a missing cell,
	// invalid UTF-8, broken quoting.
	Problem string
}

// OrgFile is an org chart file as read.
type OrgFile struct {
	Rows []OrgRow
	// Ignored are the names of the header's other columns.
	Ignored []string
}

// Keys returns the cells of the readable rows that need looking up in
// Slack, each once (see OrgKey), in order of first appearance.
func (f OrgFile) Keys() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range f.Rows {
		if r.Problem != "" {
			continue
		}
		for _, c := range []string{r.Report, r.Manager} {
			if k := OrgKey(c); c != "" && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// OrgKey is the key under which a cell is looked up: a user id as it is,
// an e-mail address in lower case (Slack matches addresses ignoring case).
func OrgKey(cell string) string {
	if IsOrgEmail(cell) {
		return strings.ToLower(cell)
	}
	return cell
}

// isOrgUserID reports whether cell looks like a Slack user id: U or W
// and upper-case letters and digits.
func isOrgUserID(cell string) bool {
	if len(cell) < 2 || len(cell) > 24 || (cell[0] != 'U' && cell[0] != 'W') {
		return false
	}
	for _, c := range cell[1:] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// IsOrgEmail reports whether cell is a bare e-mail address (no display
// name, no angle brackets).
func IsOrgEmail(cell string) bool {
	if len(cell) > 254 || !strings.Contains(cell, "@") {
		return false
	}
	a, err := mail.ParseAddress(cell)
	return err == nil && a.Name == "" && a.Address == cell && !strings.ContainsAny(cell, "<> \t")
}

// errOrgTooBig stops reading a file past MaxOrgBytes.
var errOrgTooBig = errors.New("org chart file too big")

type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errOrgTooBig
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// ParseOrgCSV reads an org chart file. A file it cannot use at all (no
// header, the columns missing, too big, not text) is an *Error with code
// EINVALID and a message for the operator; a row it cannot use is kept
// with its Problem, so that every such row can be reported at once.
func ParseOrgCSV(r io.Reader) (OrgFile, error) {
	br := bufio.NewReader(&capReader{r: r, left: MaxOrgBytes})
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return OrgFile{}, Errorf(EINVALID, "the file is UTF-16 text; save it as CSV in UTF-8 (Excel: \"CSV UTF-8\")")
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // rows are checked here, with a better message
	cr.ReuseRecord = true

	var f OrgFile
	reportCol, managerCol, width := -1, -1, 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		switch {
		case errors.Is(err, errOrgTooBig):
			return OrgFile{}, Errorf(EINVALID, "the file is larger than %d MiB; an org chart of %d people fits in much less: split it or remove columns", MaxOrgBytes>>20, MaxOrgRows)
		case errors.As(err, &pe) && width > 0:
			msg := "cannot read the row: " + pe.Err.Error()
			if pe.Line != pe.StartLine {
				msg += fmt.Sprintf(" (a quoted cell runs from here to line %d)", pe.Line)
			}
			f.Rows = append(f.Rows, OrgRow{Line: pe.StartLine, Problem: msg})
			if err := tooMany(f.Rows); err != nil {
				return OrgFile{}, err
			}
			continue
		case errors.As(err, &pe):
			return OrgFile{}, Errorf(EINVALID, "line %d, the header: %v", pe.Line, pe.Err)
		case err != nil:
			return OrgFile{}, Errorf(EINVALID, "cannot read the file: %v", err)
		}
		line, _ := cr.FieldPos(0)
		blank := true
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
			blank = blank && rec[i] == ""
		}
		if blank {
			continue
		}
		if width == 0 {
			reportCol, managerCol, f.Ignored, err = orgHeader(line, rec)
			if err != nil {
				return OrgFile{}, err
			}
			width = len(rec)
			continue
		}
		row := OrgRow{Line: line}
		switch {
		case !validUTF8(rec):
			row.Problem = "not valid UTF-8 text; save the file as CSV in UTF-8"
		case len(rec) <= max(reportCol, managerCol):
			row.Problem = fmt.Sprintf("has %s, the header %d", plural(len(rec), "column"), width)
		default:
			row.Report, row.Manager = rec[reportCol], rec[managerCol]
			row.Problem = orgCellsProblem(row.Report, row.Manager)
		}
		f.Rows = append(f.Rows, row)
		if err := tooMany(f.Rows); err != nil {
			return OrgFile{}, err
		}
	}
	if width == 0 {
		return OrgFile{}, Errorf(EINVALID, "the file is empty; its first line must name the columns report and manager")
	}
	return f, nil
}

func tooMany(rows []OrgRow) error {
	if len(rows) > MaxOrgRows {
		return Errorf(EINVALID, "more than %d rows (line %d is row %d); split the file and import the parts one after the other", MaxOrgRows, rows[len(rows)-1].Line, len(rows))
	}
	return nil
}

func validUTF8(rec []string) bool {
	for _, c := range rec {
		if !utf8.ValidString(c) {
			return false
		}
	}
	return true
}

// orgHeader finds the report and manager columns in the header.
func orgHeader(line int, rec []string) (report, manager int, ignored []string, err error) {
	report, manager = -1, -1
	names := make([]string, len(rec))
	for i, c := range rec {
		if !utf8.ValidString(c) {
			return 0, 0, nil, Errorf(EINVALID, "line %d, the header, is not valid UTF-8 text; save the file as CSV in UTF-8", line)
		}
		names[i] = strings.ToLower(c)
		switch names[i] {
		case "report", "manager":
			col := &report
			if names[i] == "manager" {
				col = &manager
			}
			if *col >= 0 {
				return 0, 0, nil, Errorf(EINVALID, "line %d, the header, names the column %q twice", line, names[i])
			}
			*col = i
		default:
			ignored = append(ignored, c)
		}
	}
	if report >= 0 && manager >= 0 {
		return report, manager, ignored, nil
	}
	quoted := make([]string, len(rec))
	for i, c := range rec {
		quoted[i] = fmt.Sprintf("%q", truncate(c, 40))
	}
	hint := ""
	if len(rec) == 1 && strings.ContainsAny(rec[0], ";\t") {
		hint = "; the columns seem to be separated by semicolons or tabs: save the file as CSV with commas"
	} else if len(rec) >= 2 && (isOrgUserID(rec[0]) || IsOrgEmail(rec[0])) {
		hint = "; it looks like data: add a first line \"report,manager\""
	}
	return 0, 0, nil, Errorf(EINVALID, "line %d must be the header naming the columns report and manager; it has %s%s", line, strings.Join(quoted, ", "), hint)
}

func orgCellsProblem(report, manager string) string {
	var out []string
	if report == "" {
		out = append(out, "no report named")
	} else if p := cellProblem(report); p != "" {
		out = append(out, p)
	}
	if manager != "" {
		if p := cellProblem(manager); p != "" {
			out = append(out, "manager "+p)
		}
	}
	return strings.Join(out, "; ")
}

func cellProblem(c string) string {
	if isOrgUserID(c) || IsOrgEmail(c) {
		return ""
	}
	return fmt.Sprintf("%q is neither a Slack user id (U…) nor an e-mail address", truncate(c, 60))
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// OrgPerson is what Slack says about a cell of an org chart.
type OrgPerson struct {
	ID          string // Slack user id; "" when Slack knows nobody by the cell
	Name        string // display name
	TZ          string // IANA time zone
	Bot         bool
	Deactivated bool
}

// OrgChange is a row of an org chart: report is to have manager as their
// manager of record.
type OrgChange struct {
	Line        int
	ReportCell  string // as written in the file
	ManagerCell string // "" for a row that names no manager
	Report      OrgPerson
	Manager     OrgPerson
	// From is the report's manager of record before the import ("" for
	// none); FromName their name where known.
	From, FromName string
}

// OrgProblem is a row that cannot be applied and why.
type OrgProblem struct {
	Line    int
	Problem string
}

// OrgPlan is what an org chart file would change.
type OrgPlan struct {
	Rows      int         // data rows read
	Changes   []OrgChange // new managers of record, in file order
	Unchanged []OrgChange // rows that change nothing: already that manager, or no manager named
	Problems  []OrgProblem
	Ignored   []string // ignored columns
}

// Clean reports whether every row can be applied.
func (p OrgPlan) Clean() bool { return len(p.Problems) == 0 }

// PlanOrg decides what f would change. who returns what Slack says about
// a cell's OrgKey; current returns a person as stored (the zero Person
// for someone unknown). Each readable row becomes a change, an unchanged
// row or a problem: someone Slack does not know, a bot, a deactivated
// account, yourself as your own manager, a report listed twice, and a
// reporting cycle in the org as it would be after the whole file (A → B
// and B → A in one file is a cycle, and so is a row that makes someone
// report to a person below them who keeps their manager).
func PlanOrg(f OrgFile, who func(key string) OrgPerson, current func(id string) Person) OrgPlan {
	plan := OrgPlan{Rows: len(f.Rows), Ignored: f.Ignored}
	problems := map[int][]string{}
	flag := func(line int, msg string) { problems[line] = append(problems[line], msg) }

	// Rows that pass the checks of their own, in file order.
	type cand struct {
		OrgChange
		key string // the report's identity, for duplicates
	}
	var cands []cand
	for _, r := range f.Rows {
		if r.Problem != "" {
			flag(r.Line, r.Problem)
			continue
		}
		c := OrgChange{Line: r.Line, ReportCell: r.Report, ManagerCell: r.Manager}
		var msgs []string
		c.Report = who(OrgKey(r.Report))
		if m := personProblem(r.Report, c.Report); m != "" {
			msgs = append(msgs, m)
		}
		if r.Manager != "" {
			c.Manager = who(OrgKey(r.Manager))
			if m := personProblem(r.Manager, c.Manager); m != "" {
				msgs = append(msgs, "manager "+m)
			}
			if len(msgs) == 0 && c.Report.ID == c.Manager.ID {
				msgs = append(msgs, fmt.Sprintf("%s is named as their own manager", orgLabel(r.Report, c.Report)))
			}
		}
		if len(msgs) > 0 {
			flag(r.Line, strings.Join(msgs, "; "))
			continue
		}
		cands = append(cands, cand{OrgChange: c, key: c.Report.ID})
	}

	// A report listed more than once: the later rows are refused when
	// they say the same, every row when they disagree.
	byReport := map[string][]int{}
	for i, c := range cands {
		byReport[c.key] = append(byReport[c.key], i)
	}
	dropped := make([]bool, len(cands))
	for _, idx := range byReport {
		if len(idx) < 2 {
			continue
		}
		first := cands[idx[0]]
		same := true
		var lines []string
		for _, i := range idx {
			same = same && cands[i].Manager.ID == first.Manager.ID
			lines = append(lines, fmt.Sprint(cands[i].Line))
		}
		for n, i := range idx {
			c := cands[i]
			switch {
			case same && n == 0:
				continue
			case same:
				flag(c.Line, fmt.Sprintf("%s is listed again, with the same manager as on line %d; remove this row", orgLabel(c.ReportCell, c.Report), first.Line))
			default:
				flag(c.Line, fmt.Sprintf("%s is listed on lines %s with different managers; keep one row", orgLabel(c.ReportCell, c.Report), strings.Join(lines, ", ")))
			}
			dropped[i] = true
		}
	}

	// The org after the file: every remaining row's manager over what is
	// stored. Rows that would close a cycle are refused and the org
	// without them checked again, until no cycle goes through a change.
	labels := map[string]string{}
	after := map[string]string{} // report → manager, for rows that change something
	isChange := map[string]int{} // report → index in cands
	for i, c := range cands {
		if dropped[i] {
			continue
		}
		labels[c.Report.ID] = orgLabel(c.ReportCell, c.Report)
		if c.ManagerCell != "" {
			labels[c.Manager.ID] = orgLabel(c.ManagerCell, c.Manager)
		}
		if c.ManagerCell != "" && current(c.Report.ID).Manager != c.Manager.ID {
			after[c.Report.ID] = c.Manager.ID
			isChange[c.Report.ID] = i
		}
	}
	label := func(id string) string {
		if l, ok := labels[id]; ok {
			return l
		}
		if n := current(id).Name; n != "" {
			return id + " (" + n + ")"
		}
		return id
	}
	managerOf := func(id string) string {
		if m, ok := after[id]; ok {
			return m
		}
		return current(id).Manager
	}
	for {
		starts := make([]string, 0, len(after))
		for _, c := range cands {
			if _, ok := after[c.Report.ID]; ok {
				starts = append(starts, c.Report.ID)
			}
		}
		cycles := findCycles(starts, managerOf)
		var refused []string
		for _, cyc := range cycles {
			for i, id := range cyc {
				ci, ok := isChange[id]
				if !ok {
					continue
				}
				if _, still := after[id]; !still {
					continue
				}
				flag(cands[ci].Line, "reporting cycle after this import: "+cyclePath(cyc, i, label)+" (→: reports to)")
				dropped[ci] = true
				refused = append(refused, id)
			}
		}
		if len(refused) == 0 {
			break
		}
		for _, id := range refused {
			delete(after, id)
		}
	}

	for i, c := range cands {
		if dropped[i] {
			continue
		}
		cur := current(c.Report.ID)
		c.From = cur.Manager
		if c.From != "" {
			c.FromName = label(c.From)
		}
		if c.ManagerCell == "" || cur.Manager == c.Manager.ID {
			plan.Unchanged = append(plan.Unchanged, c.OrgChange)
		} else {
			plan.Changes = append(plan.Changes, c.OrgChange)
		}
	}
	for line, msgs := range problems {
		plan.Problems = append(plan.Problems, OrgProblem{Line: line, Problem: strings.Join(msgs, "; ")})
	}
	slices.SortFunc(plan.Problems, func(a, b OrgProblem) int { return a.Line - b.Line })
	return plan
}

// cyclePath shows a cycle from its i-th person round to them again; a
// long one shows its start and its length.
func cyclePath(cyc []string, i int, label func(string) string) string {
	const most = 6
	var path []string
	for j := range min(len(cyc), most) {
		path = append(path, label(cyc[(i+j)%len(cyc)]))
	}
	if len(cyc) > most {
		path = append(path, "…")
	}
	path = append(path, label(cyc[i]))
	s := strings.Join(path, " → ")
	if len(cyc) > most {
		s += fmt.Sprintf(", a cycle of %d people", len(cyc))
	}
	return s
}

// findCycles returns the cycles reachable from starts in the graph where
// each person points to their manager, each once, each starting where
// the walk first entered it. It visits every person once.
func findCycles(starts []string, managerOf func(string) string) [][]string {
	walk := map[string]int{} // person → the walk that visited them (1-based)
	var out [][]string
	for n, s := range starts {
		var path []string
		pos := map[string]int{}
		x := s
		for x != "" && walk[x] == 0 {
			walk[x] = n + 1
			pos[x] = len(path)
			path = append(path, x)
			x = managerOf(x)
		}
		if x != "" && walk[x] == n+1 {
			out = append(out, path[pos[x]:])
		}
	}
	return out
}

func personProblem(cell string, p OrgPerson) string {
	switch {
	case p.ID == "" && IsOrgEmail(cell):
		return fmt.Sprintf("unknown e-mail %s: no active Slack account has it", cell)
	case p.ID == "":
		return fmt.Sprintf("unknown Slack user id %s", cell)
	case p.Bot:
		return fmt.Sprintf("%s is a bot; only people can have or be a manager of record", orgLabel(cell, p))
	case p.Deactivated:
		return fmt.Sprintf("%s is deactivated in Slack", orgLabel(cell, p))
	}
	return ""
}

// orgLabel names a person as the file does, with the other identifier:
// "ana@example.com (U123)", "U123 (Ana Lima)".
func orgLabel(cell string, p OrgPerson) string {
	switch {
	case p.ID != "" && p.ID != cell:
		return cell + " (" + p.ID + ")"
	case p.Name != "":
		return cell + " (" + p.Name + ")"
	}
	return cell
}

// String is the plan as an operator reads it: one line per change, per
// unchanged row and per row that cannot be applied, then the totals.
func (p OrgPlan) String() string {
	var b strings.Builder
	if len(p.Changes) > 0 {
		fmt.Fprintf(&b, "Changes (%d):\n", len(p.Changes))
		for _, c := range p.Changes {
			was := "nobody"
			if c.From != "" {
				was = c.FromName
			}
			fmt.Fprintf(&b, "  line %d: %s → manager %s (was: %s)\n", c.Line, orgLabel(c.ReportCell, c.Report), orgLabel(c.ManagerCell, c.Manager), was)
		}
	}
	if len(p.Unchanged) > 0 {
		fmt.Fprintf(&b, "Unchanged (%d):\n", len(p.Unchanged))
		for _, c := range p.Unchanged {
			if c.ManagerCell == "" {
				fmt.Fprintf(&b, "  line %d: %s: no manager named; left as it is\n", c.Line, orgLabel(c.ReportCell, c.Report))
				continue
			}
			fmt.Fprintf(&b, "  line %d: %s already has manager %s\n", c.Line, orgLabel(c.ReportCell, c.Report), orgLabel(c.ManagerCell, c.Manager))
		}
	}
	if len(p.Problems) > 0 {
		fmt.Fprintf(&b, "Cannot apply (%d):\n", len(p.Problems))
		for _, pr := range p.Problems {
			fmt.Fprintf(&b, "  line %d: %s\n", pr.Line, pr.Problem)
		}
	}
	if len(p.Ignored) > 0 {
		fmt.Fprintf(&b, "Ignored columns: %s\n", strings.Join(p.Ignored, ", "))
	}
	fmt.Fprintf(&b, "%s: %s, %d unchanged, %s.\n", plural(p.Rows, "row"), plural(len(p.Changes), "change"), len(p.Unchanged), plural(len(p.Problems), "row that cannot be applied", "rows that cannot be applied"))
	return b.String()
}

func plural(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}
