package bot

// Native fuzz tests for what a person or Slack controls: slash command text,
// submitted modal state, Events API payloads and direct messages. Seeds live
// in testdata/fuzz/<FuzzName>/ and run with every `go test`; to explore, run
// one target at a time, e.g.
//
//	go test -run='^$' -fuzz='^FuzzParseRate$' -fuzztime=30s ./bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/scheduler"
	"github.com/microcoach/microcoach/slackemu"
)

var (
	fzModel = coach.PMwheel()
	fzNow   = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
)

const fzBotUser = "UBOT"

// fzCheckEscaped checks escape(s): no '<' or '>' survives, every '&' starts
// one of the three entities, and nothing else changes.
func fzCheckEscaped(t *testing.T, what, s string) {
	t.Helper()
	out := escape(s)
	if strings.ContainsAny(out, "<>") {
		t.Fatalf("%s: escape(%.80q) = %.80q keeps '<' or '>'", what, s, out)
	}
	for i := 0; i < len(out); i++ {
		if out[i] != '&' {
			continue
		}
		rest := out[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			t.Fatalf("%s: escape(%.80q) has a raw '&' at %d: %.40q", what, s, i, rest)
		}
	}
	back := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(out)
	if back != s {
		t.Fatalf("%s: escape(%.80q) does not read back: %.80q", what, s, back)
	}
}

// fzBlockProblems is what Slack would say about a message's blocks.
func fzBlockProblems(t *testing.T, r reply) []string {
	t.Helper()
	raw, err := json.Marshal(r.Blocks)
	if err != nil {
		t.Fatalf("blocks do not marshal: %v", err)
	}
	return slackemu.ValidateBlocks(slackemu.SurfaceMessage, raw)
}

// fzCheckInputError checks an error from a command parser: an *inputError
// with a problem to show, which escapes cleanly and renders as blocks Slack
// accepts.
func fzCheckInputError(t *testing.T, what string, err error, bugID string) {
	t.Helper()
	ie, ok := err.(*inputError)
	if !ok {
		t.Fatalf("%s: error %T %v, want *inputError", what, err, err)
	}
	if strings.TrimSpace(ie.Problem) == "" {
		t.Fatalf("%s: inputError with an empty Problem: %+v", what, ie)
	}
	fzCheckEscaped(t, what+" problem", ie.Problem)
	if probs := fzBlockProblems(t, errorReply(ie)); len(probs) > 0 {
		msg := fmt.Sprintf("%s: the error reply (problem of %d characters) is not valid Block Kit: %v", what, utf8.RuneCountInString(ie.Problem), probs)
		t.Fatal(msg)
	}
}

// FuzzParseRate: /rate text never panics; an error is an *inputError that
// Slack can show; a parsed rating has a score of 1..10, an area of the
// model and a note that CheckNote accepts.
func FuzzParseRate(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		rc, err := parseRate(fzModel, text)
		what := fmt.Sprintf("parseRate(%.80q)", text)
		if err != nil {
			if rc != nil {
				t.Fatalf("%s = %+v with error %v", what, rc, err)
			}
			fzCheckInputError(t, what, err, "echo-too-long")
			return
		}
		if rc == nil { // the modal: only for a blank command
			if len(tokenize(text)) != 0 {
				t.Fatalf("%s opens the modal for a non-blank command", what)
			}
			return
		}
		if rc.Score < coach.MinScore || rc.Score > coach.MaxScore {
			t.Fatalf("%s: score %d", what, rc.Score)
		}
		if a, ok := fzModel.Area(rc.Area.ID); !ok || a != rc.Area {
			t.Fatalf("%s: area %+v is not in the model", what, rc.Area)
		}
		if err := coach.CheckNote(rc.Note); err != nil {
			t.Fatalf("%s: note %.80q: %v", what, rc.Note, err)
		}
		if rc.Note != strings.TrimSpace(rc.Note) || !strings.Contains(text, rc.Note) {
			t.Fatalf("%s: note %.80q is not the trimmed rest of the text", what, rc.Note)
		}
		subject := "U1"
		if rc.Subject != nil {
			if !mentionPattern.MatchString("<@"+rc.Subject.ID+">") || !strings.Contains(text, "<@"+rc.Subject.ID) {
				t.Fatalf("%s: subject %+v is not a mention in the text", what, rc.Subject)
			}
			subject = rc.Subject.ID
		}
		fzCheckEscaped(t, what+" note", rc.Note)
		fzCheckEscaped(t, what+" area", rc.Area.Name)
		// The confirmation the person gets back must be a message Slack takes.
		r := coach.Rating{Subject: subject, Rater: "U1", Area: rc.Area.ID, Score: rc.Score, Note: rc.Note, At: fzNow, Via: coach.SurfaceCommand}
		prev := r
		prev.Score = max(coach.MinScore, rc.Score-1)
		other := r
		other.Rater = "UMGR"
		summary := rateSummary{Area: rc.Area, Rating: r, Trend: coach.Trend{Latest: r, Previous: &prev, Delta: 1, Dir: coach.Up, Count: 2}, Series: []int{prev.Score, r.Score}, Other: &other}
		if probs := fzBlockProblems(t, rateReply(summary)); len(probs) > 0 {
			t.Fatalf("%s: the reply for a valid note of %d characters is not valid Block Kit: %v", what, utf8.RuneCountInString(rc.Note), probs)
		}
	})
}

// FuzzParseCoach: /coach text never panics; an error is an *inputError that
// Slack can show; a parsed command is a known subcommand with its
// arguments as typed.
func FuzzParseCoach(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		cc, err := parseCoach(coachCommands(nil), text)
		what := fmt.Sprintf("parseCoach(%.80q)", text)
		if err != nil {
			fzCheckInputError(t, what, err, "")
			return
		}
		if !slices.ContainsFunc(coachCommands(nil), func(s subcommand) bool { return s.Name == cc.Name }) {
			t.Fatalf("%s: unknown subcommand %q", what, cc.Name)
		}
		toks := tokenize(text)
		if len(toks) == 0 {
			if cc.Name != "help" || len(cc.Args) != 0 || cc.Text != "" {
				t.Fatalf("%s = %+v for a blank command, want help", what, cc)
			}
			return
		}
		if strings.ToLower(toks[0].text) != cc.Name {
			t.Fatalf("%s: name %q from first word %q", what, cc.Name, toks[0].text)
		}
		for _, a := range cc.Args {
			if a.text == "" || text[a.start:a.end] != a.text || strings.IndexFunc(a.text, unicode.IsSpace) >= 0 {
				t.Fatalf("%s: argument %+v is not a word of the text", what, a)
			}
		}
		switch {
		case len(cc.Args) == 0 && cc.Text != "":
			t.Fatalf("%s: text %q without arguments", what, cc.Text)
		case len(cc.Args) > 0 && cc.Text != strings.TrimSpace(text[cc.Args[0].start:]):
			t.Fatalf("%s: text %q is not the rest of the command", what, cc.Text)
		}
	})
}

// FuzzEscape: escape leaves no '<', '>' or raw '&' and reads back.
func FuzzEscape(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		fzCheckEscaped(t, "escape", s)
	})
}

// fzBlock is one block of a view as Slack sees it.
type fzBlock struct {
	Type    string `json:"type"`
	BlockID string `json:"block_id"`
	Element struct {
		Type          string `json:"type"`
		ActionID      string `json:"action_id"`
		InitialValue  string `json:"initial_value"`
		InitialDate   string `json:"initial_date"`
		InitialOption *struct {
			Value string `json:"value"`
		} `json:"initial_option"`
	} `json:"element"`
}

// fzViewBlocks reads a modal's blocks from its JSON.
func fzViewBlocks(t testing.TB, v modalView) []fzBlock {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var view struct{ Blocks []fzBlock }
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	return view.Blocks
}

func fzBlockIDs(blocks []fzBlock) map[string]bool {
	ids := map[string]bool{}
	for _, b := range blocks {
		if b.BlockID != "" {
			ids[b.BlockID] = true
		}
	}
	return ids
}

// fzPrefill is the state Slack submits for a modal nobody touched: every
// input block, with its initial value if it has one.
func fzPrefill(blocks []fzBlock) *slack.ViewState {
	st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
	for _, b := range blocks {
		if b.Type != "input" {
			continue
		}
		var v slack.BlockAction
		v.ActionID, v.BlockID, v.Type = b.Element.ActionID, b.BlockID, slack.ActionType(b.Element.Type)
		v.Value, v.SelectedDate = b.Element.InitialValue, b.Element.InitialDate
		if o := b.Element.InitialOption; o != nil {
			v.SelectedOption.Value = o.Value
		}
		st.Values[b.BlockID] = map[string]slack.BlockAction{b.Element.ActionID: v}
	}
	return st
}

// fzSet puts one element's value into a state, replacing the block.
func fzSet(st *slack.ViewState, block, action string, v slack.BlockAction) {
	v.BlockID, v.ActionID = block, action
	st.Values[block] = map[string]slack.BlockAction{action: v}
}

// FuzzParseRateSubmission: a submitted rate modal never panics; errors sit
// on blocks of the modal (or on the submitted block the model no longer
// has); accepted entries are areas of the model scored 1..10 with notes
// that CheckNote accepts. prefill starts from the state of an untouched
// modal; three fuzzed (block, action, selected option, value) elements are
// put on top.
func FuzzParseRateSubmission(f *testing.F) {
	blocks := fzViewBlocks(f, rateModal(fzModel, nil, rateModalMeta{}, time.UTC))
	modalIDs := fzBlockIDs(blocks)
	f.Fuzz(func(t *testing.T, prefill bool, b1, a1, s1, v1, b2, a2, s2, v2, b3, a3, s3, v3 string) {
		st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
		if prefill {
			st = fzPrefill(blocks)
		}
		for _, e := range [][4]string{{b1, a1, s1, v1}, {b2, a2, s2, v2}, {b3, a3, s3, v3}} {
			if e == ([4]string{}) {
				continue
			}
			fzSet(st, e[0], e[1], slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: e[2]}, Value: e[3]})
		}
		entries, errs := parseRateSubmission(fzModel, st)
		if len(errs) > 0 {
			if entries != nil {
				t.Fatalf("entries %+v with errors %v", entries, errs)
			}
			for k, msg := range errs {
				if msg == "" {
					t.Fatalf("empty error message on %q", k)
				}
				if modalIDs[k] {
					continue
				}
				if _, submitted := st.Values[k]; !submitted || len(errs) != 1 {
					t.Fatalf("error on %q, a block neither in the modal nor (alone) in the submission: %v", k, errs)
				}
			}
			return
		}
		if len(entries) == 0 {
			t.Fatalf("no entries and no errors")
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if _, ok := fzModel.Area(e.Area); !ok || seen[e.Area] {
				t.Fatalf("entry %+v: area not in the model, or twice", e)
			}
			seen[e.Area] = true
			if e.Score < coach.MinScore || e.Score > coach.MaxScore {
				t.Fatalf("entry %+v: score out of range", e)
			}
			if err := coach.CheckNote(e.Note); err != nil {
				t.Fatalf("entry %+v: note: %v", e, err)
			}
			sel, _ := field(st, scoreBlockID(e.Area))
			if n, err := coach.ParseScore(sel.SelectedOption.Value); err != nil || n != e.Score {
				t.Fatalf("entry %+v: the submitted score was %q", e, sel.SelectedOption.Value)
			}
			r := coach.Rating{Subject: "U1", Rater: "U1", Area: e.Area, Score: e.Score, Note: e.Note, At: fzNow, Via: coach.SurfaceModal}
			if err := r.Validate(); err != nil {
				t.Fatalf("entry %+v does not make a valid rating: %v", e, err)
			}
		}
	})
}

// fzOldPlan is a plan being edited: two themes, one action done.
func fzOldPlan() coach.Plan {
	created := fzNow.AddDate(0, -2, 0)
	return coach.Plan{
		Owner: "U1", Headline: "From backlog manager to product lead", Version: 3,
		Horizon: fzNow.AddDate(0, 4, 0), CreatedAt: created, UpdatedAt: created, UpdatedBy: "U1",
		Themes: []coach.Theme{
			{ID: "t1", Area: "planning", Title: "Outcome roadmaps", Actions: []coach.Action{
				{ID: "a1", Text: "Write OKRs", Done: true, DoneAt: created.AddDate(0, 0, 7)},
				{ID: "a2", Text: "Present the roadmap"},
			}},
			{ID: "t3", Area: "team", Title: "Lead without authority", Actions: []coach.Action{{ID: "a1", Text: "Run the retro"}}},
		},
	}
}

// FuzzParsePlanSubmission: a submitted plan modal never panics; errors sit
// on blocks of the modal, and an error about one theme on a slot that
// holds a theme; an accepted plan passes Plan.Validate and keeps the ids
// of the themes it edits. Two fuzzed themes land in fuzzed slots, over the
// state of an untouched modal when prefill is set, with one more fuzzed
// element anywhere (a forged block, action or date).
func FuzzParsePlanSubmission(f *testing.F) {
	// The modal for a new plan and for editing fzOldPlan.
	blocksFor := map[bool][]fzBlock{
		false: fzViewBlocks(f, planModal(fzModel, coach.Plan{}, fzNow, planModalMeta{})),
		true:  fzViewBlocks(f, planModal(fzModel, fzOldPlan(), fzNow, planModalMeta{Version: fzOldPlan().Version})),
	}
	f.Fuzz(func(t *testing.T, prefill, edit bool, headline, horizon string,
		slotA uint8, areaA, titleA, actionsA string,
		slotB uint8, areaB, titleB, actionsB string,
		extraBlock, extraAction, extraValue string) {
		var old coach.Plan
		if edit {
			old = fzOldPlan()
		}
		blocks := blocksFor[edit]
		modalIDs := fzBlockIDs(blocks)
		st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
		if prefill {
			st = fzPrefill(blocks)
		}
		fzSet(st, blockPlanHeadline, ActionPlanHeadline, slack.BlockAction{Value: headline})
		fzSet(st, blockPlanHorizon, ActionPlanHorizon, slack.BlockAction{SelectedDate: horizon})
		for _, th := range []struct {
			slot                 uint8
			area, title, actions string
		}{{slotA, areaA, titleA, actionsA}, {slotB, areaB, titleB, actionsB}} {
			n := 1 + int(th.slot)%coach.MaxThemes
			slot := fmt.Sprint(n)
			fzSet(st, themeBlockID(n, ActionThemeArea), actionID(ActionThemeArea, slot), slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: th.area}})
			fzSet(st, themeBlockID(n, ActionThemeTitle), actionID(ActionThemeTitle, slot), slack.BlockAction{Value: th.title})
			fzSet(st, themeBlockID(n, ActionThemeActions), actionID(ActionThemeActions, slot), slack.BlockAction{Value: th.actions})
		}
		if extraBlock != "" {
			fzSet(st, extraBlock, extraAction, slack.BlockAction{Value: extraValue, SelectedDate: extraValue, SelectedOption: slack.OptionBlockObject{Value: extraValue}})
		}

		p, errs := parsePlanSubmission(fzModel, old, st, fzNow)

		// Which slots hold a theme, as the parser reads them.
		filled := map[int]bool{}
		for n := 1; n <= coach.MaxThemes; n++ {
			area, _ := field(st, themeBlockID(n, ActionThemeArea))
			title, _ := field(st, themeBlockID(n, ActionThemeTitle))
			acts, _ := field(st, themeBlockID(n, ActionThemeActions))
			if area.SelectedOption.Value != "" || strings.TrimSpace(title.Value) != "" || strings.TrimSpace(acts.Value) != "" {
				filled[n] = true
			}
		}
		if len(errs) > 0 {
			for k, msg := range errs {
				if msg == "" {
					t.Fatalf("empty error message on %q", k)
				}
				if !modalIDs[k] {
					t.Fatalf("error on %q, not a block of the plan modal: %v", k, errs)
				}
				// An error on an empty theme slot only makes sense when
				// there is no theme at all ("a plan needs at least 1 theme").
				if n, ok := fzThemeSlot(k); ok && !filled[n] && len(filled) > 0 {
					t.Fatalf("error %q on %s, but slot %d is empty (filled: %v); state %s", msg, k, n, filled, fzStateString(st))
				}
			}
			return
		}
		if err := p.Validate(fzModel, fzNow); err != nil {
			t.Fatalf("accepted plan does not validate: %v", err)
		}
		if len(p.Themes) != len(filled) {
			t.Fatalf("%d themes from %d filled slots", len(p.Themes), len(filled))
		}
		if p.Owner != old.Owner || !p.UpdatedAt.Equal(fzNow) || !p.Horizon.After(fzNow) {
			t.Fatalf("plan owner %q updated %s horizon %s", p.Owner, p.UpdatedAt, p.Horizon)
		}
		if want := old.CreatedAt; (want.IsZero() && !p.CreatedAt.Equal(fzNow)) || (!want.IsZero() && !p.CreatedAt.Equal(want)) {
			t.Fatalf("plan created %s, old plan created %s", p.CreatedAt, old.CreatedAt)
		}
		ids := map[string]bool{}
		i := 0
		for n := 1; n <= coach.MaxThemes; n++ {
			if !filled[n] {
				continue
			}
			th := p.Themes[i]
			i++
			if th.ID == "" || ids[th.ID] {
				t.Fatalf("theme %d has id %q, empty or taken: %+v", n, th.ID, p.Themes)
			}
			ids[th.ID] = true
			if n <= len(old.Themes) && th.ID != old.Themes[n-1].ID {
				t.Fatalf("slot %d edits theme %s but got id %s", n, old.Themes[n-1].ID, th.ID)
			}
			actionIDs := map[string]bool{}
			for _, a := range th.Actions {
				if a.ID == "" || actionIDs[a.ID] {
					t.Fatalf("theme %s: action id %q empty or taken", th.ID, a.ID)
				}
				actionIDs[a.ID] = true
			}
		}
	})
}

// fzThemeSlot reads the slot number from a theme block id.
func fzThemeSlot(block string) (int, bool) {
	rest, ok := strings.CutPrefix(block, blockThemePrefix)
	if !ok || rest == "" {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:1])
	return n, err == nil
}

func fzStateString(st *slack.ViewState) string {
	var b strings.Builder
	keys := make([]string, 0, len(st.Values))
	for k := range st.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for a, v := range st.Values[k] {
			fmt.Fprintf(&b, "%s/%s=%q|%q|%q ", k, a, v.Value, v.SelectedOption.Value, v.SelectedDate)
		}
	}
	return b.String()
}

// FuzzNudgeTimeSchedule: whatever ParseNudgeTime accepts, the scheduler
// takes as the person's own time, and it fires on the day and at the time
// that was typed.
func FuzzNudgeTimeSchedule(f *testing.F) {
	never := scheduler.MustParse("0 0 29 2 *")
	f.Fuzz(func(t *testing.T, day, clock string) {
		spec, err := coach.ParseNudgeTime(day, clock)
		if err != nil {
			return
		}
		s := scheduler.NudgeFor(coach.Person{NudgeSpec: spec}, never)
		if s.Spec == never.Spec {
			t.Fatalf("ParseNudgeTime(%q, %q) = %q, which the scheduler does not take as the person's own", day, clock, spec)
		}
		typed, err := time.Parse("15:04", strings.TrimSpace(clock))
		if err != nil {
			t.Fatalf("accepted clock %q does not parse: %v", clock, err)
		}
		next := s.Next(fzNow, time.UTC)
		if !next.After(fzNow) || next.Sub(fzNow) > 7*24*time.Hour {
			t.Fatalf("%q: next %s is not within a week after %s", spec, next, fzNow)
		}
		d := strings.ToLower(strings.TrimSpace(day))
		if next.Hour() != typed.Hour() || next.Minute() != typed.Minute() || !strings.HasPrefix(strings.ToLower(next.Weekday().String()), d[:3]) {
			t.Fatalf("ParseNudgeTime(%q, %q) = %q fires %s", day, clock, spec, next.Format("Mon 15:04"))
		}
	})
}

// fzStore answers what a direct message needs: one open question, no
// answers yet. Any other call panics (the embedded nil Store), failing
// the test.
type fzStore struct {
	Store
	question   string
	deliveries int
	added      []coach.Answer
}

func (s *fzStore) Deliveries(person string, c coach.Cadence) ([]coach.Delivery, error) {
	s.deliveries++
	if c != coach.CadenceQuestion {
		return nil, nil
	}
	return []coach.Delivery{{Person: person, Cadence: c, Period: "q1", Due: fzNow.Add(-time.Hour), State: coach.DeliverySent,
		SentAt: fzNow.Add(-time.Hour), QuestionID: s.question}}, nil
}

func (s *fzStore) Answers(string) ([]coach.Answer, error) { return nil, nil }

// ClaimEvent: every event is new; the repeat rule has its own test.
func (s *fzStore) ClaimEvent(string, time.Time) (bool, error) { return true, nil }

func (s *fzStore) AddAnswer(a coach.Answer, _ *coach.Delivery) (coach.Answer, error) {
	s.added = append(s.added, a)
	a.ID = uint64(len(s.added))
	return a, nil
}

func (s *fzStore) Person(id string) (coach.Person, bool, error) {
	return coach.Person{ID: id}, true, nil
}

// fzSlack records Web API calls and checks every message's blocks.
type fzSlack struct {
	mu       sync.Mutex
	methods  []string
	problems []string
}

func (s *fzSlack) Do(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	s.mu.Lock()
	s.methods = append(s.methods, method)
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("blocks") != "" {
		s.problems = append(s.problems, slackemu.ValidateBlocks(slackemu.SurfaceMessage, json.RawMessage(form.Get("blocks")))...)
	}
	s.mu.Unlock()
	resp := `{"ok":true,"channel":"D1","ts":"1700000000.000100"}`
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader([]byte(resp))), Request: req}, nil
}

// fzDMBot is a Bot over fzStore and fzSlack.
func fzDMBot() (*Bot, *fzStore, *fzSlack) {
	api := &fzSlack{}
	questions := coach.DefaultQuestions().ForModel(fzModel)
	store := &fzStore{question: questions.Questions[0].ID}
	b := New(Config{
		API:         slack.New("xoxb-fuzz", slack.OptionHTTPClient(api), slack.OptionAPIURL("http://slack.invalid/api/")),
		SlackAPIURL: "http://slack.invalid/api/",
		Store:       store,
		Model:       fzModel,
		Now:         func() time.Time { return fzNow },
		Questions:   questions,
		BotUserID:   fzBotUser,
	})
	return b, store, api
}

// fzCheckDM checks what the bot did with a message event: the filtering
// rules of onDirectMessage (only a person's own plain message in an IM is
// read), and, for a message it reads, that the answer is stored once with
// the event id, or refused when it is too long.
func fzCheckDM(t *testing.T, e *slackevents.MessageEvent, eventID string, store *fzStore, api *fzSlack) {
	t.Helper()
	what := fmt.Sprintf("message {channel_type %q user %q bot_id %q subtype %q text %.40q}", e.ChannelType, e.User, e.BotID, e.SubType, e.Text)
	ignored := e.ChannelType != "im" || e.BotID != "" || e.User == "" || e.User == fzBotUser || e.SubType != ""
	text := strings.TrimSpace(e.Text)
	if ignored || text == "" {
		if store.deliveries != 0 || len(store.added) != 0 || len(api.methods) != 0 {
			t.Fatalf("%s should be ignored, but the bot read %d ledgers, saved %d answers and called %v", what, store.deliveries, len(store.added), api.methods)
		}
		return
	}
	if store.deliveries == 0 {
		t.Fatalf("%s was not read", what)
	}
	if utf8.RuneCountInString(text) > coach.MaxAnswerLen {
		if len(store.added) != 0 || !slices.Equal(api.methods, []string{"chat.postMessage"}) {
			t.Fatalf("%s: too long, but saved %d answers and called %v", what, len(store.added), api.methods)
		}
	} else {
		if len(store.added) != 1 {
			t.Fatalf("%s: saved %d answers, want 1", what, len(store.added))
		}
		a := store.added[0]
		if a.Person != e.User || a.Text != text || a.EventID != eventID || a.QuestionID != store.question || !a.At.Equal(fzNow) {
			t.Fatalf("%s with event id %q saved %+v", what, eventID, a)
		}
		if !slices.Equal(api.methods, []string{"reactions.add", "chat.postMessage"}) {
			t.Fatalf("%s: called %v, want a reaction and a reply", what, api.methods)
		}
	}
	if len(api.problems) > 0 {
		t.Fatalf("%s: the bot posted blocks Slack refuses: %v", what, api.problems)
	}
}

// FuzzDirectMessage: a message event built from fuzzed fields goes through
// onDirectMessage's filter (channel type, bot id, subtype, the bot's own
// user) and, when read, is stored once under its event id.
func FuzzDirectMessage(f *testing.F) {
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, channelType, user, botID, subType, text, eventID string) {
		b, store, api := fzDMBot()
		e := &slackevents.MessageEvent{Type: "message", ChannelType: channelType, User: user, BotID: botID, SubType: subType,
			Text: text, Channel: "D1", TimeStamp: "1700000000.000100"}
		b.onDirectMessage(context.Background(), log, eventID, e)
		fzCheckDM(t, e, eventID, store, api)
	})
}

// FuzzEventsAPI: an Events API payload as Slack sends it in a Socket Mode
// envelope, parsed the way socketmode parses it. Parsing and eventID never
// panic; the event id is the payload's event_id; a message event goes
// through onEvent and the filter of FuzzDirectMessage.
func FuzzEventsAPI(f *testing.F) {
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := slackevents.ParseEvent(json.RawMessage(raw), slackevents.OptionNoVerifyToken())
		id := eventID(ev)
		if err != nil {
			if id != "" {
				t.Fatalf("event id %q from a payload that did not parse: %v", id, err)
			}
			return
		}
		if ev.Type != slackevents.CallbackEvent {
			if id != "" {
				t.Fatalf("event id %q from a %q payload", id, ev.Type)
			}
			return
		}
		var outer struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(raw, &outer); err != nil {
			t.Fatalf("ParseEvent accepted a payload encoding/json refuses: %v", err)
		}
		if id != outer.EventID {
			t.Fatalf("eventID = %q, payload event_id %q", id, outer.EventID)
		}
		e, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
		if !ok {
			return
		}
		if e == nil {
			t.Fatalf("nil *MessageEvent from %q", raw)
		}
		b, store, api := fzDMBot()
		b.onEvent(context.Background(), log, ev)
		fzCheckDM(t, e, id, store, api)
	})
}
