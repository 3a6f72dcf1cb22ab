package blocks

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Reply is a message for one person: text (the notification and screen
// reader fallback) and blocks.
type Reply struct {
	Text   string
	Blocks []slack.Block
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// Section is a section of our own mrkdwn s (user text must be escaped
// first).
func Section(s string) *slack.SectionBlock { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }

// Context is a context block of mrkdwn parts, in small grey type.
func Context(parts ...string) *slack.ContextBlock {
	els := make([]slack.MixedElement, len(parts))
	for i, p := range parts {
		els[i] = mrkdwn(p)
	}
	return slack.NewContextBlock("", els...)
}

// SlackDate formats t so each reader sees it in their own time zone; the
// fallback (for notifications and old clients) is the UTC date.
func SlackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short}|%s>", t.Unix(), t.UTC().Format("2 Jan 2006"))
}

// Truncate cuts s to at most n characters, marking the cut.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Signed writes n with its sign: "+2", "0", "-1".
func Signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func arrow(d coach.Direction) string {
	switch d {
	case coach.Up:
		return "↑"
	case coach.Down:
		return "↓"
	default:
		return "→"
	}
}

// InputError shows bad input: what was wrong (plain text, escaped here)
// and the right form (our own mrkdwn, "" for none).
func InputError(problem, usage string) Reply {
	text := ":warning: " + Escape(capitalize(Truncate(problem, 500)))
	blocks := []slack.Block{Section(text)}
	if usage != "" {
		blocks = append(blocks, Context("Usage: `"+Escape(usage)+"`"))
		text += "\nUsage: " + Escape(usage)
	}
	return Reply{Text: text, Blocks: blocks}
}

// capitalize starts a sentence with a capital letter.
func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// Failure tells a person their request failed on our side.
func Failure(msg string) Reply {
	text := ":x: " + Escape(msg)
	return Reply{Text: text, Blocks: []slack.Block{Section(text)}}
}

// RateSummary is what a person sees after a rating: the new score, the one
// before it, the series, and the other side's latest view.
type RateSummary struct {
	Area        coach.Area
	Rating      coach.Rating
	SubjectName string        // for a manager's rating: whom it is about
	Trend       coach.Trend   // of the rater's series in this area, the new rating included
	Series      []int         // the rater's scores in this area, oldest first
	Other       *coach.Rating // the latest rating from the other side (manager for self, self for manager)
	Level       string        // the score's level and what it looks like (LevelOf); "" to leave it out
}

// Rated is what a person sees after a rating.
func Rated(s RateSummary) Reply {
	r := s.Rating
	var head string
	if r.Self() {
		head = fmt.Sprintf(":white_check_mark: *%s*: you rated yourself *%d*/10", Escape(s.Area.Name), r.Score)
	} else {
		head = fmt.Sprintf(":white_check_mark: *%s*: you rated <@%s> *%d*/10", Escape(s.Area.Name), r.Subject, r.Score)
	}
	text := head
	blocks := []slack.Block{Section(head)}
	if s.Level != "" {
		blocks = append(blocks, Context(Truncate(fmt.Sprintf("%d/10 is %s", r.Score, Escape(s.Level)), 3000)))
	}
	if r.Note != "" {
		blocks = append(blocks, Section(Truncate("> "+strings.ReplaceAll(Escape(r.Note), "\n", "\n> "), 3000)))
	}
	var ctx []string
	if p := s.Trend.Previous; p != nil {
		change := "unchanged"
		if s.Trend.Delta != 0 {
			change = fmt.Sprintf("%s %s", arrow(s.Trend.Dir), Signed(s.Trend.Delta))
		}
		ctx = append(ctx, fmt.Sprintf("Before: *%d* on %s (%s)", p.Score, SlackDate(p.At), change))
		text += fmt.Sprintf(" (before: %d, %s)", p.Score, change)
	} else {
		ctx = append(ctx, "First rating in this area")
	}
	if len(s.Series) > 1 {
		ctx = append(ctx, fmt.Sprintf("Trend: %s over %d ratings", coach.Sparkline(s.Series, 12), len(s.Series)))
	}
	if o := s.Other; o != nil {
		self, mgr := r.Score, o.Score
		who := "Your manager's view"
		if !r.Self() {
			self, mgr = o.Score, r.Score
			who = "Their own view"
		}
		gap := coach.Gap(self, mgr)
		line := fmt.Sprintf("%s: *%d* (%s) · gap %s", who, o.Score, SlackDate(o.At), Signed(gap))
		if coach.Flagged(gap) {
			line += " :triangular_flag_on_post: worth talking about"
		}
		ctx = append(ctx, line)
	}
	blocks = append(blocks, Context(ctx...))
	return Reply{Text: text, Blocks: blocks}
}

// SavedRatings confirms a modal submission.
func SavedRatings(model coach.Model, saved []coach.Rating, subject string) Reply {
	parts := make([]string, len(saved))
	for i, r := range saved {
		parts[i] = fmt.Sprintf("%s *%d* (%s)", Escape(model.AreaName(r.Area)), r.Score, model.ScoreBands().Of(r.Score))
	}
	who := "yourself"
	if subject != "" {
		who = "<@" + subject + ">"
	}
	noun := "ratings"
	if len(saved) == 1 {
		noun = "rating"
	}
	head := fmt.Sprintf(":white_check_mark: Saved %d %s for %s: %s", len(saved), noun, who, strings.Join(parts, ", "))
	return Reply{Text: head, Blocks: []slack.Block{Section(head)}}
}

// RateModalMeta travels in the modal's private_metadata so the submission
// knows where to confirm.
type RateModalMeta struct {
	ResponseURL string `json:"r,omitempty"`
	Subject     string `json:"s,omitempty"` // a report, for a manager's assessment
}

// RateModal lets a person rate every area at once. latest holds their most
// recent score per area, shown as a hint rather than preselected (so an
// untouched area adds no new rating).
func RateModal(model coach.Model, latest map[string]coach.Rating, meta RateModalMeta, loc *time.Location) slack.ModalViewRequest {
	title := "Rate yourself"
	intro := "1 = just starting out · 10 = you could teach it. Rate only the areas you want to; empty ones are left as they are."
	if meta.Subject != "" {
		title = "Assess a report"
		intro = "Your assessment of <@" + meta.Subject + ">. 1 = just starting out · 10 = could teach it. Areas you leave empty are left as they are."
	}
	blocks := []slack.Block{Context(intro)}
	options := scoreOptions(model)
	for _, a := range model.Areas {
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Score"), ActionID(ActionScore, a.ID), options...)
		// What each level looks like in this area, from the model: the
		// hint holds up to 2,000 characters.
		hint := Truncate(a.Description, 150)
		if r, ok := latest[a.ID]; ok {
			hint = Truncate(fmt.Sprintf("Last time: %d on %s (%s). %s", r.Score, r.At.In(loc).Format("2 Jan 2006"), model.ScoreBands().Of(r.Score), a.Description), 300)
		}
		hint = Truncate(strings.TrimSpace(hint+"\n"+levelsHint(model, a)), 2000)
		in := slack.NewInputBlock(ScoreBlockID(a.ID), plain(Truncate(a.Name, 150)), nil, sel)
		if hint != "" {
			in.Hint = plain(hint)
		}
		in.Optional = true
		note := slack.NewPlainTextInputBlockElement(plain("Why this score?"), ActionID(ActionNote, a.ID))
		note.MaxLength = coach.MaxNoteLen
		noteIn := slack.NewInputBlock(NoteBlockID(a.ID), plain(Truncate("Note on "+a.Name, 150)), nil, note)
		noteIn.Optional = true
		blocks = append(blocks, in, noteIn)
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackRate,
		Title:           plain(title),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: mustJSON(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// RateEntry is one area's score and note from a submitted modal.
type RateEntry struct {
	Area  string
	Score int
	Note  string
}

// ParseRateModal reads the rate modal's state. errs maps block ids to
// messages for Slack to show inline; entries are only valid when errs is
// empty.
func ParseRateModal(model coach.Model, state *slack.ViewState) (entries []RateEntry, errs map[string]string) {
	errs = map[string]string{}
	if state == nil {
		state = &slack.ViewState{}
	}
	for _, a := range model.Areas {
		var e RateEntry
		e.Area = a.ID
		if v, ok := Field(state, ScoreBlockID(a.ID)); ok && v.SelectedOption.Value != "" {
			s, err := coach.ParseScore(v.SelectedOption.Value)
			if err != nil {
				errs[ScoreBlockID(a.ID)] = coach.ErrorMessage(err)
				continue
			}
			e.Score = s
		}
		if v, ok := Field(state, NoteBlockID(a.ID)); ok {
			e.Note = strings.TrimSpace(v.Value)
		}
		if err := coach.CheckNote(e.Note); err != nil {
			errs[NoteBlockID(a.ID)] = coach.ErrorMessage(err)
			continue
		}
		if e.Note != "" && e.Score == 0 {
			errs[ScoreBlockID(a.ID)] = "Pick a score for " + a.Name + ", or clear the note below."
			continue
		}
		if e.Score != 0 {
			entries = append(entries, e)
		}
	}
	// Blocks the model does not have: the model changed while the modal was open.
	for blockID := range state.Values {
		area, isScore := strings.CutPrefix(blockID, blockScorePrefix)
		if !isScore {
			area, _ = strings.CutPrefix(blockID, blockNotePrefix)
		}
		if _, ok := model.Area(area); !ok {
			return nil, map[string]string{blockID: "The competency model changed while this form was open. Close it and run /rate again."}
		}
	}
	if len(errs) == 0 && len(entries) == 0 && len(model.Areas) > 0 {
		errs[ScoreBlockID(model.Areas[0].ID)] = "Pick a score for at least one area."
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return entries, nil
}

// Field returns the value of the one input element in a block of a
// submitted view, whatever its action id.
func Field(state *slack.ViewState, blockID string) (slack.BlockAction, bool) {
	if state == nil {
		return slack.BlockAction{}, false
	}
	for _, v := range state.Values[blockID] {
		return v, true
	}
	return slack.BlockAction{}, false
}

// mustJSON encodes what travels in a button's value or a modal's
// private_metadata.
func mustJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called on plain structs of strings
	}
	return string(raw)
}
