package bot

// Native fuzz tests for what a person or Slack controls: slash command text,
// Events API payloads and direct messages (submitted modal state is fuzzed
// beside its parsers, in bot/blocks). Seeds live
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
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/scheduler"
	"github.com/microcoach/microcoach/slackemu"
)

var (
	fzModel = coach.PMwheel()
	fzNow   = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
)

const fzBotUser = "UBOT"

// fzCheckEscaped checks blocks.Escape(s): no '<' or '>' survives, every '&' starts
// one of the three entities, and nothing else changes.
func fzCheckEscaped(t *testing.T, what, s string) {
	t.Helper()
	out := blocks.Escape(s)
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
func fzBlockProblems(t *testing.T, r blocks.Reply) []string {
	t.Helper()
	raw, err := json.Marshal(r.Blocks)
	if err != nil {
		t.Fatalf("blocks do not marshal: %v", err)
	}
	return slackemu.ValidateBlocks(slackemu.SurfaceMessage, raw)
}

// fzCheckInputError checks an error from a command parser: a
// *coach.Error of code EINVALID with a message to show, which escapes
// cleanly and renders as blocks Slack accepts.
func fzCheckInputError(t *testing.T, what string, err error, bugID string) {
	t.Helper()
	ie, ok := err.(*coach.Error)
	if !ok || ie.Code != coach.EINVALID {
		t.Fatalf("%s: error %T %v, want a *coach.Error of code EINVALID", what, err, err)
	}
	if strings.TrimSpace(ie.Message) == "" {
		t.Fatalf("%s: an input error with an empty Message: %+v", what, ie)
	}
	fzCheckEscaped(t, what+" problem", ie.Message)
	if probs := fzBlockProblems(t, errorReply(ie)); len(probs) > 0 {
		msg := fmt.Sprintf("%s: the error reply (problem of %d characters) is not valid Block Kit: %v", what, utf8.RuneCountInString(ie.Message), probs)
		t.Fatal(msg)
	}
}

// FuzzParseRate: /rate text never panics; an error is a coach EINVALID error that
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
		summary := blocks.RateSummary{Area: rc.Area, Rating: r, Trend: coach.Trend{Latest: r, Previous: &prev, Delta: 1, Dir: coach.Up, Count: 2}, Series: []int{prev.Score, r.Score}, Other: &other}
		if probs := fzBlockProblems(t, blocks.Rated(summary)); len(probs) > 0 {
			t.Fatalf("%s: the reply for a valid note of %d characters is not valid Block Kit: %v", what, utf8.RuneCountInString(rc.Note), probs)
		}
	})
}

// FuzzParseCoach: /coach text never panics; an error is a coach EINVALID error that
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

// FuzzEscape: blocks.Escape leaves no '<', '>' or raw '&' and reads back.
func FuzzEscape(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		fzCheckEscaped(t, "escape", s)
	})
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
