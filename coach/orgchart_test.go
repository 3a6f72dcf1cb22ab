package coach

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestParseOrgCSV(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		rows    []OrgRow
		ignored []string
		err     string // part of the refusal of the whole file
	}{
		{
			name: "header in any order and case, BOM, blank lines, trimmed cells",
			in:   "\ufeff Manager ,REPORT\r\n\r\nUMAYA , ana@example.com\n\n  ,  \nW0BOB,U0CLEO\n",
			rows: []OrgRow{{Line: 3, Report: "ana@example.com", Manager: "UMAYA"}, {Line: 6, Report: "U0CLEO", Manager: "W0BOB"}},
		},
		{
			name:    "extra columns are ignored and named",
			in:      "name,report,title,manager\nAna Lima,UANA,PM,UMAYA\n",
			rows:    []OrgRow{{Line: 2, Report: "UANA", Manager: "UMAYA"}},
			ignored: []string{"name", "title"},
		},
		{
			name: "quoted cells and a quoted newline keep their line",
			in:   "report,manager\n\"UANA\",\"UMAYA\"\n\"a\nb\",UMAYA\nUBOB,UMAYA\n",
			rows: []OrgRow{
				{Line: 2, Report: "UANA", Manager: "UMAYA"},
				{Line: 3, Report: "a\nb", Manager: "UMAYA", Problem: `"a\nb" is neither a Slack user id (U…) nor an e-mail address`},
				{Line: 5, Report: "UBOB", Manager: "UMAYA"},
			},
		},
		{
			name: "row problems",
			in:   "report,manager\nAna Lima,UMAYA\nUANA\n,UMAYA\nUANA,maya at example\nU\xffX,UMAYA\nuana,UMAYA\nUANA,\n\"UA\"NA,UMAYA\n",
			rows: []OrgRow{
				{Line: 2, Report: "Ana Lima", Manager: "UMAYA", Problem: `"Ana Lima" is neither a Slack user id (U…) nor an e-mail address`},
				{Line: 3, Problem: "has 1 column, the header 2"},
				{Line: 4, Manager: "UMAYA", Problem: "no report named"},
				{Line: 5, Report: "UANA", Manager: "maya at example", Problem: `manager "maya at example" is neither a Slack user id (U…) nor an e-mail address`},
				{Line: 6, Problem: "not valid UTF-8 text; save the file as CSV in UTF-8"},
				{Line: 7, Report: "uana", Manager: "UMAYA", Problem: `"uana" is neither a Slack user id (U…) nor an e-mail address`},
				{Line: 8, Report: "UANA"},
				{Line: 9, Problem: `cannot read the row: extraneous or missing " in quoted-field`},
			},
		},
		{
			name: "reading goes on after broken quoting",
			in:   "report,manager\nx\"y,UMAYA\nUBOB,UMAYA\n\"open,UMAYA\nUDAN,UMAYA\n",
			rows: []OrgRow{
				{Line: 2, Problem: `cannot read the row: bare " in non-quoted-field`},
				{Line: 3, Report: "UBOB", Manager: "UMAYA"},
				{Line: 4, Problem: `cannot read the row: extraneous or missing " in quoted-field (a quoted cell runs from here to line 5)`},
			},
		},
		{name: "empty", in: "", err: "the file is empty"},
		{name: "only blank lines", in: "\n\n ,\n", err: "the file is empty"},
		{name: "wrong columns", in: "employee,boss\nUANA,UMAYA\n", err: `line 1 must be the header naming the columns report and manager; it has "employee", "boss"`},
		{name: "no header", in: "UANA,UMAYA\n", err: `add a first line "report,manager"`},
		{name: "semicolons", in: "report;manager\nUANA;UMAYA\n", err: "separated by semicolons"},
		{name: "column twice", in: "report,manager,Report\n", err: `names the column "report" twice`},
		{name: "UTF-16", in: "\xff\xfer\x00e\x00", err: "UTF-16"},
		{name: "header not UTF-8", in: "report,man\xffager\n", err: "line 1, the header, is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseOrgCSV(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(ErrorMessage(err), tc.err) || ErrorCode(err) != EINVALID {
					t.Fatalf("got %v, want a refusal with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(f.Rows) != fmt.Sprint(tc.rows) {
				t.Errorf("rows:\n got %+v\nwant %+v", f.Rows, tc.rows)
			}
			if fmt.Sprint(f.Ignored) != fmt.Sprint(tc.ignored) {
				t.Errorf("ignored %q, want %q", f.Ignored, tc.ignored)
			}
		})
	}
}

// countingReader counts what was read, to show a big file is refused
// without being read to the end.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestParseOrgCSVLimits(t *testing.T) {
	t.Run("rows", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("report,manager\n")
		for i := range 100_000 {
			fmt.Fprintf(&b, "U%07d,UBOSS\n", i)
		}
		cr := &countingReader{r: &b}
		_, err := ParseOrgCSV(cr)
		if err == nil || !strings.Contains(ErrorMessage(err), "more than 10000 rows (line 10002 is row 10001)") {
			t.Fatalf("got %v", err)
		}
		if cr.n > 300_000 {
			t.Errorf("read %d bytes of a 1.5 MB file before refusing it", cr.n)
		}
		// The limit itself is fine.
		var ok bytes.Buffer
		ok.WriteString("report,manager\n")
		for i := range MaxOrgRows {
			fmt.Fprintf(&ok, "U%07d,UBOSS\n", i)
		}
		if f, err := ParseOrgCSV(&ok); err != nil || len(f.Rows) != MaxOrgRows {
			t.Errorf("%d rows: %d, %v", MaxOrgRows, len(f.Rows), err)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		// One endless line: refused at the size limit, not read to the end.
		r := io.MultiReader(strings.NewReader("report,manager\nUANA,\""), neverEnding('x'))
		_, err := ParseOrgCSV(r)
		if err == nil || !strings.Contains(ErrorMessage(err), "larger than 8 MiB") {
			t.Fatalf("got %v", err)
		}
	})
}

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// workspace is a fake Slack directory for plans: cells → people.
type workspace map[string]OrgPerson

func (w workspace) who(key string) OrgPerson { return w[key] }

func org(people ...Person) func(string) Person {
	m := map[string]Person{}
	for _, p := range people {
		m[p.ID] = p
	}
	return func(id string) Person { return m[id] }
}

func testWorkspace() workspace {
	w := workspace{}
	for _, p := range []OrgPerson{
		{ID: "UANA", Name: "Ana Lima"}, {ID: "UBOB", Name: "Bob Stone"}, {ID: "UMAYA", Name: "Maya Chen"},
		{ID: "UCLEO", Name: "Cleo Park"}, {ID: "UDAN", Name: "Dan Ito"}, {ID: "UEVE", Name: "Eve Roth"},
		{ID: "UROBOT", Name: "deploybot", Bot: true}, {ID: "UGONE", Name: "Gone Person", Deactivated: true},
	} {
		w[p.ID] = p
		w[strings.ToLower(p.Name[:strings.IndexByte(p.Name+" ", ' ')])+"@example.com"] = p
	}
	return w
}

func planOf(t *testing.T, csv string, current func(string) Person) OrgPlan {
	t.Helper()
	f, err := ParseOrgCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return PlanOrg(f, testWorkspace().who, current)
}

func TestPlanOrg(t *testing.T) {
	current := org(
		Person{ID: "UBOB", Name: "Bob Stone", Manager: "UMAYA"},
		Person{ID: "UMAYA", Name: "Maya Chen"},
		Person{ID: "UCLEO", Manager: "UBOB"},
		Person{ID: "UZED", Name: "Zed Former"},
		Person{ID: "UDAN", Manager: "UZED"},
	)
	p := planOf(t, `report,manager
ana@example.com,maya@example.com
UBOB,UMAYA
ceo@example.com,
UDAN,UMAYA
Eve@Example.com,nobody@example.com
UANA,UANA
UROBOT,UMAYA
UEVE,UGONE
UNOBODY,UMAYA
ana@example.com,UMAYA
UCLEO,UMAYA
UCLEO,UBOB
`, current)
	got := p.String()
	// ceo@example.com is unknown: a row without a manager is still looked up.
	for _, w := range []string{
		"line 2: ana@example.com (UANA) → manager maya@example.com (UMAYA) (was: nobody)",
		"line 5: UDAN (Dan Ito) → manager UMAYA (Maya Chen) (was: UZED (Zed Former))",
		"Unchanged (1):\n  line 3: UBOB (Bob Stone) already has manager UMAYA (Maya Chen)\n",
		"line 4: unknown e-mail ceo@example.com: no active Slack account has it",
		"line 6: manager unknown e-mail nobody@example.com: no active Slack account has it",
		"line 7: UANA (Ana Lima) is named as their own manager",
		"line 8: UROBOT (deploybot) is a bot; only people can have or be a manager of record",
		"line 9: manager UGONE (Gone Person) is deactivated in Slack",
		"line 10: unknown Slack user id UNOBODY",
		"line 11: ana@example.com (UANA) is listed again, with the same manager as on line 2; remove this row",
		"line 12: UCLEO (Cleo Park) is listed on lines 12, 13 with different managers; keep one row",
		"line 13: UCLEO (Cleo Park) is listed on lines 12, 13 with different managers; keep one row",
		"Cannot apply (9):",
		"12 rows: 2 changes, 1 unchanged, 9 rows that cannot be applied.\n",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if strings.Contains(got, "line 6: Eve") || p.Clean() {
		t.Errorf("plan:\n%s", got)
	}
	if len(p.Changes) != 2 || p.Changes[1].From != "UZED" || p.Changes[0].Report.ID != "UANA" || p.Changes[0].Manager.ID != "UMAYA" {
		t.Errorf("changes %+v", p.Changes)
	}
}

func TestPlanOrgNoManagerRow(t *testing.T) {
	p := planOf(t, "report,manager\nmaya@example.com,\nUANA,UMAYA\n", org())
	if !p.Clean() || len(p.Changes) != 1 || len(p.Unchanged) != 1 {
		t.Fatalf("plan:\n%s", p)
	}
	if !strings.Contains(p.String(), "line 2: maya@example.com (UMAYA): no manager named; left as it is") {
		t.Errorf("plan:\n%s", p)
	}
}

func TestPlanOrgCycles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		current []Person
		csv     string
		changes []int // lines applied
		cycles  map[int]string
	}{
		{
			name: "two rows that point at each other",
			csv:  "report,manager\nUANA,UBOB\nUBOB,UANA\nUCLEO,UANA\n",
			// Cleo's row does not close the cycle: it is applied.
			changes: []int{4},
			cycles: map[int]string{
				2: "reporting cycle after this import: UANA (Ana Lima) → UBOB (Bob Stone) → UANA (Ana Lima) (→: reports to)",
				3: "reporting cycle after this import: UBOB (Bob Stone) → UANA (Ana Lima) → UBOB (Bob Stone)",
			},
		},
		{
			name:    "a cycle through someone who keeps their manager",
			current: []Person{{ID: "UBOB", Manager: "UANA"}},
			csv:     "report,manager\nUANA,UBOB\n",
			cycles:  map[int]string{2: "UANA (Ana Lima) → UBOB (Bob Stone) → UANA (Ana Lima)"},
		},
		{
			name:    "a reorganisation that is fine once the whole file is applied",
			current: []Person{{ID: "UBOB", Manager: "UANA"}},
			// Ana will report to Bob, and Bob no longer to Ana.
			csv:     "report,manager\nUANA,UBOB\nUBOB,UMAYA\n",
			changes: []int{2, 3},
		},
		{
			name: "a long cycle",
			csv:  "report,manager\nUANA,UBOB\nUBOB,UCLEO\nUCLEO,UDAN\nUDAN,UANA\nUEVE,UDAN\n",
			cycles: map[int]string{
				2: "UANA (Ana Lima) → UBOB (Bob Stone) → UCLEO (Cleo Park) → UDAN (Dan Ito) → UANA (Ana Lima)",
				3: "UBOB (Bob Stone) → UCLEO (Cleo Park) → UDAN (Dan Ito) → UANA (Ana Lima) → UBOB (Bob Stone)",
				4: "UCLEO (Cleo Park) → UDAN (Dan Ito) → UANA (Ana Lima) → UBOB (Bob Stone) → UCLEO (Cleo Park)",
				5: "UDAN (Dan Ito) → UANA (Ana Lima) → UBOB (Bob Stone) → UCLEO (Cleo Park) → UDAN (Dan Ito)",
			},
			changes: []int{6},
		},
		{
			name: "refusing a cycle uncovers another",
			// Ana reports to Bob today. The file makes Ana and Cleo a
			// cycle, and Bob report to Ana: with Ana's row refused she
			// keeps Bob, and Bob's row closes a second cycle.
			current: []Person{{ID: "UANA", Manager: "UBOB"}},
			csv:     "report,manager\nUANA,UCLEO\nUCLEO,UANA\nUBOB,UANA\n",
			cycles: map[int]string{
				2: "UANA (Ana Lima) → UCLEO (Cleo Park) → UANA (Ana Lima)",
				3: "UCLEO (Cleo Park) → UANA (Ana Lima) → UCLEO (Cleo Park)",
				4: "UBOB (Bob Stone) → UANA (Ana Lima) → UBOB (Bob Stone)",
			},
		},
		{
			name:    "an old cycle in the data is not the file's",
			current: []Person{{ID: "UANA", Manager: "UBOB"}, {ID: "UBOB", Manager: "UANA"}},
			csv:     "report,manager\nUCLEO,UANA\n",
			changes: []int{2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planOf(t, tc.csv, org(tc.current...))
			var lines []int
			for _, c := range p.Changes {
				lines = append(lines, c.Line)
			}
			if fmt.Sprint(lines) != fmt.Sprint(tc.changes) {
				t.Errorf("changes on lines %v, want %v:\n%s", lines, tc.changes, p)
			}
			if len(p.Problems) != len(tc.cycles) {
				t.Errorf("%d problems, want %d:\n%s", len(p.Problems), len(tc.cycles), p)
			}
			for _, pr := range p.Problems {
				if w, ok := tc.cycles[pr.Line]; !ok || !strings.Contains(pr.Problem, w) {
					t.Errorf("line %d: %q, want %q", pr.Line, pr.Problem, w)
				}
			}
		})
	}
}

// A 10,000-person chain, the longest a file may hold, plans at once: each
// person is walked once.
func TestPlanOrgLongChain(t *testing.T) {
	var b strings.Builder
	b.WriteString("report,manager\n")
	w := workspace{}
	for i := range MaxOrgRows {
		fmt.Fprintf(&b, "U%05d,U%05d\n", i, i+1)
		w[fmt.Sprintf("U%05d", i)] = OrgPerson{ID: fmt.Sprintf("U%05d", i)}
	}
	w[fmt.Sprintf("U%05d", MaxOrgRows)] = OrgPerson{ID: fmt.Sprintf("U%05d", MaxOrgRows)}
	f, err := ParseOrgCSV(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	p := PlanOrg(f, w.who, org())
	if len(p.Changes) != MaxOrgRows || !p.Clean() {
		t.Fatalf("%d changes, %d problems", len(p.Changes), len(p.Problems))
	}
	// Close the chain into a cycle: every row is refused.
	f.Rows[len(f.Rows)-1].Manager = "U00000"
	p = PlanOrg(f, w.who, org())
	if len(p.Changes) != 0 || len(p.Problems) != MaxOrgRows {
		t.Fatalf("%d changes, %d problems", len(p.Changes), len(p.Problems))
	}
	if w := "U00000 → U00001 → U00002 → U00003 → U00004 → U00005 → … → U00000, a cycle of 10000 people"; !strings.Contains(p.Problems[0].Problem, w) {
		t.Errorf("%q, want %q", p.Problems[0].Problem, w)
	}
}

func FuzzParseOrgCSV(f *testing.F) {
	for _, s := range []string{
		"report,manager\nUANA,UMAYA\n",
		"\ufeffmanager,report\r\nmaya@example.com,ana@example.com\r\n",
		"report,manager\nUANA,UBOB\nUBOB,UANA\n",
		"report,manager\n\"a\"b,c\n",
		"report,manager\nU\xff,UANA\n",
		"name,report,manager\nx,UANA\n",
		"",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		file, err := ParseOrgCSV(bytes.NewReader(in))
		if err != nil {
			if ErrorCode(err) != EINVALID || ErrorMessage(err) == "" {
				t.Fatalf("refusal %v is not a message for the operator", err)
			}
			return
		}
		last := 0
		for _, r := range file.Rows {
			if r.Line <= last {
				t.Fatalf("line %d after line %d", r.Line, last)
			}
			last = r.Line
			if r.Problem == "" && (r.Report == "" || strings.TrimSpace(r.Report) != r.Report) {
				t.Fatalf("row %+v has no problem", r)
			}
		}
		// Everyone the file names exists and reports to someone in it.
		w := workspace{}
		for _, k := range file.Keys() {
			w[k] = OrgPerson{ID: "U" + fmt.Sprint(len(w)), Name: k}
		}
		p := PlanOrg(file, w.who, org(Person{ID: "U0", Manager: "U1"}, Person{ID: "U1", Manager: "U0"}))
		if n := len(p.Changes) + len(p.Unchanged); n > len(file.Rows) {
			t.Fatalf("%d outcomes of %d rows", n, len(file.Rows))
		}
		_ = p.String()
	})
}
