package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// Command forms, shown with every input error.
const (
	usageRate       = "/rate <area> <1-10> [note]"
	usageRateOther  = "/rate @person <area> <1-10> [note]"
	usageCoach      = "/coach help"
	maxCommandRunes = 12000
)

// badInput is bad command text: what was wrong (plain text, escaped when
// shown) and the command's right form (our own mrkdwn) as the hint.
func badInput(usage, problem string) *coach.Error { return coach.Invalid(problem, usage) }

// errorReply shows an error a person can act on: what was wrong, and the
// right form when the error has one.
func errorReply(err error) blocks.Reply {
	return blocks.InputError(coach.ErrorMessage(err), coach.ErrorHint(err))
}

// token is one whitespace-separated word of a command, with its position in
// the original text so the rest of a line (a note) keeps its spacing.
type token struct {
	text       string
	start, end int
}

func tokenize(s string) []token {
	var toks []token
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				toks = append(toks, token{s[start:i], start, i})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		toks = append(toks, token{s[start:], start, len(s)})
	}
	return toks
}

// mentionPattern is a user mention as Slack sends it when the command has
// should_escape: <@U123ABC|name> or <@U123ABC>.
var mentionPattern = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$`)

// mention is a person named in a command.
type mention struct {
	ID   string
	Name string
}

// parseMention reads a token that names a person. ok is false when the
// token is not a mention at all; err is set when it looks like one (starts
// with @) but Slack did not resolve it to a person.
func parseMention(tok string) (m mention, ok bool, err error) {
	if sub := mentionPattern.FindStringSubmatch(tok); sub != nil {
		return mention{ID: sub[1], Name: sub[2]}, true, nil
	}
	if strings.HasPrefix(tok, "@") || strings.HasPrefix(tok, "<@") {
		return mention{}, true, coach.Invalid("I can't find "+tok+" in this workspace. Pick the person from Slack's @-mention list so the command carries who they are.", "")
	}
	return mention{}, false, nil
}

// rateCommand is a parsed /rate.
type rateCommand struct {
	Subject *mention // nil: rate yourself
	Area    coach.Area
	Score   int
	Note    string
}

// parseRate reads "/rate [@person] <area> <1-10> [note]". The area may be
// several words ("listen & learn 7"). An empty text means: open the modal,
// reported as (nil, nil).
func parseRate(model coach.Model, text string) (*rateCommand, error) {
	if err := checkCommandText(usageRate, text); err != nil {
		return nil, err
	}
	toks := tokenize(text)
	if len(toks) == 0 {
		return nil, nil
	}
	var cmd rateCommand
	usage := usageRate
	if m, ok, err := parseMention(toks[0].text); ok {
		if err != nil {
			return nil, badInput(usageRateOther, err.Error())
		}
		cmd.Subject = &m
		usage = usageRateOther
		toks = toks[1:]
		if len(toks) == 0 {
			return nil, badInput(usage, "say which area and score, like /rate @"+nameOr(m)+" planning 7")
		}
	}
	if strings.EqualFold(toks[0].text, "help") && len(toks) == 1 {
		return nil, badInput(usage, "rate an area of the model from 1 to 10, or type /rate alone to rate every area in a form")
	}

	// The longest run of leading words that names an area exactly wins, so
	// "listen & learn 7" works; otherwise the first word is the area.
	areaEnd := 1
	var area coach.Area
	var matchErr error
	found := false
	for n := min(len(toks)-1, 4); n >= 2; n-- {
		q := text[toks[0].start:toks[n-1].end]
		if a, err := model.Match(q); err == nil && coach.Normalize(q) == coach.Normalize(a.Name) {
			area, areaEnd, found = a, n, true
			break
		}
	}
	if !found {
		area, matchErr = model.Match(toks[0].text)
		if matchErr != nil {
			problem := matchErr.Error()
			if me, ok := matchErr.(*coach.MatchError); ok && len(me.Suggestions) == 0 && len(me.Candidates) == 0 {
				problem += " — areas are " + strings.Join(areaIDList(model), ", ")
			}
			return nil, badInput(usage, problem)
		}
	}
	cmd.Area = area
	rest := toks[areaEnd:]
	if len(rest) == 0 {
		return nil, badInput(usage, "add a score from 1 to 10 after the area, like /rate "+area.ID+" 7")
	}
	score, err := coach.ParseScore(rest[0].text)
	if err != nil {
		return nil, badInput(usage, coach.ErrorMessage(err))
	}
	cmd.Score = score
	if len(rest) > 1 {
		cmd.Note = strings.TrimSpace(text[rest[1].start:])
	}
	if err := coach.CheckNote(cmd.Note); err != nil {
		return nil, badInput(usage, coach.ErrorMessage(err))
	}
	return &cmd, nil
}

// checkCommandText refuses text too long to be a command. Control
// characters are refused where they matter: in notes (coach.CheckNote), and
// anywhere else they simply match nothing and are shown quoted.
func checkCommandText(usage, text string) error {
	if n := len([]rune(text)); n > maxCommandRunes {
		return badInput(usage, "that command is too long to read; nothing was saved")
	}
	return nil
}

func nameOr(m mention) string {
	if m.Name != "" {
		return m.Name
	}
	return "person"
}

func areaIDList(model coach.Model) []string {
	out := make([]string, len(model.Areas))
	for i, a := range model.Areas {
		out[i] = a.ID
	}
	return out
}

// coachCommand is a parsed /coach: the subcommand and its arguments.
type coachCommand struct {
	Name string  // canonical subcommand name
	Args []token // words after it
	Text string  // the text after the subcommand, as typed
}

// subcommand is one row of the /coach registry (coachCommands): what
// parsing, help and did-you-mean read, and the handler.
type subcommand struct {
	Name    string
	Usage   string
	Summary string
	run     func(ctx context.Context, c call, cc coachCommand)
}

// parseCoach finds the subcommand in "/coach <sub> …". Unknown subcommands
// get a "did you mean" when one is close.
func parseCoach(subs []subcommand, text string) (coachCommand, error) {
	if err := checkCommandText(usageCoach, text); err != nil {
		return coachCommand{}, err
	}
	toks := tokenize(text)
	if len(toks) == 0 {
		return coachCommand{Name: "help"}, nil
	}
	word := strings.ToLower(toks[0].text)
	for _, s := range subs {
		if s.Name == word {
			rest := ""
			if len(toks) > 1 {
				rest = strings.TrimSpace(text[toks[1].start:])
			}
			return coachCommand{Name: s.Name, Args: toks[1:], Text: rest}, nil
		}
	}
	names := make([]coach.Area, len(subs))
	for i, s := range subs {
		names[i] = coach.Area{ID: s.Name, Name: s.Name}
	}
	problem := "unknown command " + quote(toks[0].text)
	if _, err := (coach.Model{Areas: names}).Match(word); err != nil {
		if me, ok := err.(*coach.MatchError); ok && len(me.Suggestions) > 0 {
			problem += " — did you mean /coach " + me.Suggestions[0].ID + "?"
		}
	} else if len(word) >= 2 {
		// A unique prefix such as "hel" is not accepted silently, but named.
		a, _ := (coach.Model{Areas: names}).Match(word)
		problem += " — did you mean /coach " + a.ID + "?"
	}
	return coachCommand{}, badInput(usageCoach, problem)
}

// quote shows typed text in an error with control characters made visible.
func quote(s string) string {
	if len([]rune(s)) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}
