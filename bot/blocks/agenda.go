package blocks

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// AgendaData is a 1:1 agenda: what changed since the previous one.
type AgendaData struct {
	Subject  coach.Person
	ForSelf  bool      // the person prepares their own side
	Since    time.Time // zero: the first agenda
	Colours  []string
	Ratings  []string
	Done     []string
	Answers  []coach.Answer // shared ones (for the manager), or all (for the person)
	Current  *coach.Challenge
	Focus    coach.Area
	Reason   string // why this area: a gap, or the lowest score
	Asks     []string
	Trends   []string
	Response coach.Responsiveness
	Radar    *Picture // the subject's radar, shared in the asker's DM; nil: none
}

// TrendMonths is how many months of history a trend and a colour history
// cover, on the Home, in a digest and in an agenda.
const TrendMonths = 6

// Agenda is a 1:1 agenda as its asker reads it.
func Agenda(model coach.Model, a AgendaData, now time.Time) Reply {
	title := fmt.Sprintf("1:1 agenda — <@%s>", a.Subject.ID)
	if a.ForSelf {
		title = "Your side of the next 1:1"
	}
	since := "This is the first agenda, so it covers everything so far."
	if !a.Since.IsZero() {
		since = "What changed since the last agenda on " + SlackDate(a.Since) + "."
	}
	blocks := []slack.Block{Section("*" + title + "*"), Context(since)}
	add := func(head string, lines []string, empty string) {
		if len(lines) == 0 {
			if empty != "" {
				blocks = append(blocks, Section("*"+head+"*\n_"+empty+"_"))
			}
			return
		}
		blocks = append(blocks, chunkLines("*"+head+"*", lines)...)
	}
	add("Colours", a.Colours, "No colour changes.")
	add("Ratings and gaps", a.Ratings, "No new ratings.")
	if a.Radar != nil {
		blocks = append(blocks, imageBlock(BlockRadar, a.Radar))
	}
	add("Actions done", a.Done, "No actions ticked off.")
	var answers []string
	for _, x := range a.Answers {
		q := x.Question
		if q == "" {
			q = x.QuestionID
		}
		ans := x.Text
		if x.Emotion != "" {
			ans = strings.TrimSpace(x.Emotion + " — " + x.Text)
		}
		answers = append(answers, fmt.Sprintf("_%s_\n> %s", Escape(Truncate(q, 200)), strings.ReplaceAll(Escape(ans), "\n", "\n> ")))
	}
	answersHead := "Answers shared with you"
	if a.ForSelf {
		answersHead = "Your answers (private unless you share them)"
	}
	// Answers are shown whole: one section each (up to 3000 characters;
	// a longer one says where the rest is).
	if len(answers) == 0 {
		add(answersHead, nil, "None.")
	} else {
		blocks = append(blocks, Section("*"+answersHead+"*"))
		for _, x := range answers {
			if len([]rune(x)) > 3000 {
				x = Truncate(x, 2900) + "\n_…the rest is longer than Slack shows in one block; the whole answer is in `/coach answers` for its author._"
			}
			blocks = append(blocks, Section(x))
		}
	}
	if a.Current != nil {
		blocks = append(blocks, Section(fmt.Sprintf("*Next Bigger Challenge:* “%s” (%s)", Escape(a.Current.Text), age(a.Current.At, now))))
	} else {
		blocks = append(blocks, Section("*Next Bigger Challenge:* not set yet — worth agreeing on one."))
	}
	if len(a.Asks) > 0 {
		var qs []string
		for i, q := range a.Asks {
			qs = append(qs, fmt.Sprintf("%d. %s", i+1, Escape(q)))
		}
		head := fmt.Sprintf("*Questions to ask* — about %s, %s", Escape(a.Focus.Name), a.Reason)
		if a.Focus.ID == "" {
			// Nothing rated yet: say so, and suggest a first step.
			who := fmt.Sprintf("<@%s> hasn't", a.Subject.ID)
			step := "ask them to rate themselves with `/rate` before the 1:1 (one form, every area, a minute)"
			if a.ForSelf {
				who, step = "You haven't", "rate yourself with `/rate` before the 1:1 (one form, every area, a minute)"
			}
			head = fmt.Sprintf("*Questions to ask* — %s rated any area yet, so nothing points to one. A first step: %s. To open with:", who, step)
		}
		blocks = append(blocks, Section(head+"\n"+strings.Join(qs, "\n")))
	}
	if len(a.Trends) > 0 {
		blocks = append(blocks, chunkLines("*Trends* (last "+fmt.Sprint(TrendMonths)+" months, last 4 quarters; drawn from three ratings or more)", a.Trends)...)
	}
	if rate := a.Response.Rate(); rate >= 0 {
		blocks = append(blocks, Context(fmt.Sprintf("Answered %d of %d check-ins and questions in the last three months (%d%%).", a.Response.Answered, a.Response.Sent, int(rate*100+0.5))))
	}
	if len(blocks) > MaxMessageBlocks {
		blocks = blocks[:MaxMessageBlocks]
	}
	return Reply{Text: title, Blocks: blocks}
}
