package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/scheduler"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// demo runs the real bot (serve) against an in-process Slack emulator with
// a few simulated people and a virtual clock, and prints what each person
// saw: a few minutes of a small team getting started, then a month of
// cadence in seconds. It needs no tokens and no network (everything is on
// 127.0.0.1), and it is deterministic: every step waits for what the people
// see, never for time to pass.
func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verbose := false
	pictures := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-v" || a == "--v" || a == "-verbose" || a == "--verbose":
			verbose = true
		case a == "-pictures" || a == "--pictures":
			if i+1 == len(args) {
				return &usageError{"demo: -pictures needs a folder"}
			}
			i++
			pictures = args[i]
		case strings.HasPrefix(a, "-pictures=") || strings.HasPrefix(a, "--pictures="):
			pictures = a[strings.Index(a, "=")+1:]
		default:
			return &usageError{fmt.Sprintf("demo: unknown argument %q; the options are -v (the bot's logs on stderr) and -pictures DIR (where to write the pictures sent; a new temporary folder by default)", a)}
		}
	}
	logw := io.Discard
	if verbose {
		logw = stderr
	}
	return runDemo(ctx, stdout, logw, pictures)
}

// demoStart is when the demo begins: a Monday morning in Berlin.
var demoStart = time.Date(2026, time.November, 30, 8, 0, 0, 0, demoLocation("Europe/Berlin"))

func demoLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is linked in (serve.go)
	}
	return loc
}

// demoClock is the virtual time of the demo: the bot, the scheduler and the
// Slack emulator all read it, and only the script moves it forward.
type demoClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// After moves virtual time on by d and fires at once. Only the scheduler's
// waits on Slack's Retry-After use it.
func (c *demoClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	t := c.t
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- t
	return ch
}

// set moves the clock to t; time never goes backwards.
func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// demoConfig is the configuration of serve for the demo: every default
// (so the demo uses the real schedules), pointed at the emulator, with no
// admin listener.
func demoConfig(emu *slackemu.Server, dbPath, logLevel string) (Config, error) {
	c := DefaultConfig()
	c.AppToken, c.BotToken, c.SlackAPIURL = emu.AppToken(), emu.BotToken(), emu.APIURL()
	c.DBPath, c.AdminAddr, c.LogLevel, c.LogFormat = dbPath, "", logLevel, "text"
	return c, c.validate()
}

// demoPerson is one simulated person.
type demoPerson struct {
	slackemu.User
	first string // how the transcript names them
	city  string
	loc   *time.Location
}

func newDemoPerson(id, handle, realName, tz string) *demoPerson {
	return &demoPerson{
		User:  slackemu.User{ID: id, Name: handle, RealName: realName, TZ: tz},
		first: strings.Fields(realName)[0],
		city:  strings.ReplaceAll(tz[strings.LastIndexByte(tz, '/')+1:], "_", " "),
		loc:   demoLocation(tz),
	}
}

// demoFailure carries an error out of the script (see demoScript.fail).
type demoFailure struct{ err error }

// runDemo starts the emulator and the bot, plays the script and stops both.
func runDemo(ctx context.Context, out io.Writer, logw io.Writer, pictures string) (err error) {
	began := time.Now()
	clock := &demoClock{t: demoStart}
	// The emulator grants the manifest's scopes by default.
	emu := slackemu.New(slackemu.Options{Now: clock.Now})
	if err := emu.Start(); err != nil {
		return fmt.Errorf("demo: start the local Slack: %w", err)
	}
	defer emu.Close()

	dir, err := os.MkdirTemp("", "microcoach-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	level := "error"
	if logw != io.Discard {
		level = "info"
	}
	cfg, err := demoConfig(emu, filepath.Join(dir, "microcoach.db"), level)
	if err != nil {
		return fmt.Errorf("demo: configuration: %w", err)
	}

	type startedBot struct {
		db     *storage.DB
		engine *scheduler.Engine
	}
	started := make(chan startedBot, 1)
	h := &hooks{
		clock:       clock,
		maxWake:     demoStep,
		manualTicks: true,
		started: func(db *storage.DB, engine *scheduler.Engine) {
			started <- startedBot{db, engine}
		},
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- serve(sctx, cfg, logw, h) }()
	// However the script ends, stop the bot and wait for it.
	stopped := false
	defer func() {
		if stopped {
			return
		}
		stop()
		if serr := <-done; serr != nil && err == nil {
			err = fmt.Errorf("demo: the bot stopped with an error: %w", serr)
		}
	}()

	wctx, cancel := context.WithTimeout(ctx, demoWait)
	defer cancel()
	var bot startedBot
	select {
	case bot = <-started:
	case serr := <-done:
		stopped = true
		return fmt.Errorf("demo: the bot did not start: %w", serr)
	case <-wctx.Done():
		return fmt.Errorf("demo: the bot did not start within %s", demoWait)
	}
	if err := emu.WaitConnected(wctx, 1); err != nil {
		return fmt.Errorf("demo: the bot did not connect to the local Slack: %w", err)
	}

	s := &demoScript{
		ctx: ctx, out: out, emu: emu, clock: clock, engine: bot.engine, db: bot.db,
		zone: demoStart.Location(), shown: map[string]int{}, began: began,
	}
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(demoFailure)
			if !ok {
				panic(p)
			}
			err = f.err
		}
	}()
	s.play()
	return s.savePictures(pictures)
}

// savePictures writes every picture the bot uploaded to the local Slack
// into dir (a new temporary folder when dir is ""), named by order, what
// it shows and whose conversation it was shared in, and says where.
func (s *demoScript) savePictures(dir string) error {
	var files []slackemu.File
	for _, f := range s.emu.Files() {
		if bytes.HasPrefix(f.Content, []byte("\x89PNG\r\n\x1a\n")) {
			files = append(files, f)
		}
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "microcoach-demo-pictures-")
		if err != nil {
			return fmt.Errorf("demo: pictures: %w", err)
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: pictures: %w", err)
	}
	where := map[string]string{}
	for _, p := range s.cast {
		where[s.emu.DMChannel(p.ID)] = strings.ToLower(p.first) + "-dm"
	}
	for i, f := range files {
		shared := "private"
		if len(f.Channels) > 0 {
			shared = f.Channels[0]
			if w, ok := where[shared]; ok {
				shared = w
			}
		}
		name := fmt.Sprintf("%02d-%s-%s.png", i+1, demoSlug(f.Title), shared)
		if err := os.WriteFile(filepath.Join(dir, name), f.Content, 0o644); err != nil {
			return fmt.Errorf("demo: pictures: %w", err)
		}
	}
	s.printf("== Pictures: the %d PNGs microcoach uploaded (radars and colour grids) are in %s\n", len(files), dir)
	return nil
}

// demoSlug makes a title a file name: lower case, letters and digits
// joined by dashes.
func demoSlug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

const (
	// demoWait bounds every wait for something a person should see; the
	// bot answers in milliseconds, so hitting it means something is wrong.
	demoWait = 10 * time.Second
	// demoStep is how often the virtual scheduler wakes between
	// occurrences (the real one wakes every 30 seconds), so a reminder due
	// two working days after a 10:00 check-in goes out at 10:00.
	demoStep = time.Hour
)

// demoScript plays the people's part and prints the transcript.
type demoScript struct {
	ctx    context.Context
	out    io.Writer
	emu    *slackemu.Server
	clock  *demoClock
	engine *scheduler.Engine
	db     *storage.DB
	zone   *time.Location // the transcript's time column
	cast   []*demoPerson
	shown  map[string]int // per person: how many Seen entries were printed
	began  time.Time
	// brief shortens each message to its first lines (the fast-forward weeks).
	brief bool
	// last is the body of the last message printed: the same one again
	// (to another person) is not repeated.
	last string
}

func (s *demoScript) fail(format string, args ...any) {
	panic(demoFailure{fmt.Errorf("demo: "+format, args...)})
}

func (s *demoScript) printf(format string, args ...any) {
	fmt.Fprintf(s.out, format, args...)
}

func (s *demoScript) heading(title string) {
	s.printf("\n== %s\n\n", title)
}

// note is the narrator.
func (s *demoScript) note(format string, args ...any) {
	s.printf("                  (%s)\n", fmt.Sprintf(format, args...))
}

func (s *demoScript) stamp(t time.Time) string {
	return t.In(s.zone).Format("Mon 2 Jan 15:04")
}

// who names a person in a transcript line, with their own local time when
// they live elsewhere.
func (s *demoScript) who(p *demoPerson, t time.Time) string {
	if p.loc.String() == s.zone.String() {
		return p.first
	}
	return fmt.Sprintf("%s (%s in %s)", p.first, t.In(p.loc).Format("Mon 15:04"), p.city)
}

// at moves virtual time to t, waking the scheduler on the way as its
// driver loop would (at every occurrence, and at least every demoStep),
// and prints what each tick delivered.
func (s *demoScript) at(t time.Time) {
	for {
		now := s.clock.Now()
		next := s.engine.NextWake(now)
		if grid := now.Truncate(demoStep).Add(demoStep); grid.Before(next) {
			next = grid
		}
		if next.After(t) {
			break
		}
		s.clock.set(next)
		st, err := s.engine.Tick(s.ctx, next)
		if err != nil {
			s.fail("scheduler tick at %s: %v", s.stamp(next), err)
		}
		if st.Failed > 0 {
			s.fail("scheduler tick at %s: %d deliveries failed (run with -v to see why)", s.stamp(next), st.Failed)
		}
		s.flush(nil, nil)
	}
	s.clock.set(t)
}

// after moves virtual time on by d.
func (s *demoScript) after(d time.Duration) { s.at(s.clock.Now().Add(d)) }

// day returns a wall-clock time in the transcript's zone.
func (s *demoScript) day(month time.Month, d, hour, minute int) time.Time {
	year := demoStart.Year()
	if month < demoStart.Month() {
		year++
	}
	return time.Date(year, month, d, hour, minute, 0, 0, s.zone)
}

// demoWant is something a person should see after an action.
type demoWant struct {
	p     *demoPerson
	match func(slackemu.Seen) bool
	what  string
}

func demoSeenContaining(kind slackemu.SeenKind, sub string) func(slackemu.Seen) bool {
	has := slackemu.Containing(sub)
	return func(e slackemu.Seen) bool { return e.Kind == kind && has(e) }
}

// counts is how many things each person had seen before an action.
func (s *demoScript) counts() map[string]int {
	n := map[string]int{}
	for _, p := range s.cast {
		n[p.ID] = s.emu.SeenCount(p.ID)
	}
	return n
}

// await waits for everything wanted, each among what its person saw after n.
func (s *demoScript) await(n map[string]int, wants []demoWant) []slackemu.Seen {
	ctx, cancel := context.WithTimeout(s.ctx, demoWait)
	defer cancel()
	got := make([]slackemu.Seen, len(wants))
	for i, w := range wants {
		e, err := s.emu.WaitSeenAfter(ctx, w.p.ID, n[w.p.ID], w.match)
		if err != nil {
			s.fail("%s should have seen %s, but did not (%v). %s saw:\n%s", w.p.first, w.what, err, w.p.first, s.emu.Transcript(w.p.ID))
		}
		got[i] = e
	}
	return got
}

// act does something as person p, waits for what should follow and prints
// it, p's part first. hide leaves entries out of the transcript.
func (s *demoScript) act(p *demoPerson, do func() error, hide func(slackemu.Seen) bool, wants ...demoWant) []slackemu.Seen {
	n := s.counts()
	if err := do(); err != nil {
		s.fail("%s: %v", p.first, err)
	}
	got := s.await(n, wants)
	s.flush(p, hide)
	return got
}

// command types a slash command whose answer comes as a DM, not a reply.
func (s *demoScript) command(p *demoPerson, command, text string, wants ...demoWant) []slackemu.Seen {
	return s.act(p, func() error {
		res, err := s.emu.Slash(s.ctx, p.ID, command, text)
		if err == nil && !res.Acked {
			err = fmt.Errorf("%s %s was not acknowledged", command, text)
		}
		return err
	}, nil, wants...)
}

func (s *demoScript) slash(p *demoPerson, command, text string, wants ...demoWant) []slackemu.Seen {
	return s.slashHiding(p, command, text, nil, wants...)
}

// slashHiding types a slash command; the person's reply (an ephemeral
// message, an error or a form) is always waited for.
func (s *demoScript) slashHiding(p *demoPerson, command, text string, hide func(slackemu.Seen) bool, wants ...demoWant) []slackemu.Seen {
	reply := demoWant{p, slackemu.Kind(slackemu.SeenEphemeral, slackemu.SeenError, slackemu.SeenModalOpen), "a reply to " + command + " " + text}
	got := s.act(p, func() error {
		res, err := s.emu.Slash(s.ctx, p.ID, command, text)
		if err == nil && !res.Acked {
			err = fmt.Errorf("%s %s was not acknowledged", command, text)
		}
		return err
	}, hide, append([]demoWant{reply}, wants...)...)
	return got
}

// click clicks the button labelled label (in the block whose id starts
// with blockPrefix) of a message the person saw.
func (s *demoScript) click(p *demoPerson, msg slackemu.Seen, blockPrefix, label string, hide func(slackemu.Seen) bool, wants ...demoWant) []slackemu.Seen {
	actionID, value, full, ok := demoButton(msg.Blocks, blockPrefix, label)
	if !ok {
		s.fail("%s sees no button %q in:\n%s", p.first, label, msg.Text())
	}
	s.printf("%s  %s ▸ clicks [ %s ]\n", s.stamp(s.clock.Now()), s.who(p, s.clock.Now()), demoEmoji(full))
	return s.act(p, func() error {
		return s.emu.Click(s.ctx, p.ID, slackemu.InMessage(msg.Channel, msg.TS), actionID, value)
	}, hide, wants...)
}

// submit fills in and submits the person's open form.
func (s *demoScript) submit(p *demoPerson, form slackemu.Seen, values map[string]map[string]slackemu.Value, summary string, wants ...demoWant) []slackemu.Seen {
	s.printf("%s  %s ▸ fills in the form: %s · [ Save ]\n", s.stamp(s.clock.Now()), s.who(p, s.clock.Now()), summary)
	return s.act(p, func() error {
		res, err := s.emu.SubmitView(s.ctx, p.ID, form.ViewID, values)
		switch {
		case err != nil:
			return err
		case len(res.ClientErrors) > 0:
			return fmt.Errorf("the form refused the input: %v", res.ClientErrors)
		case len(res.Errors) > 0:
			return fmt.Errorf("the bot refused the form: %v", res.Errors)
		case !res.Closed:
			return fmt.Errorf("the form stayed open (%+v)", res)
		}
		return nil
	}, nil, wants...)
}

// reply writes a message in the person's DM with the bot.
func (s *demoScript) reply(p *demoPerson, text string, wants ...demoWant) []slackemu.Seen {
	return s.act(p, func() error {
		_, err := s.emu.SendDM(s.ctx, p.ID, text)
		return err
	}, nil, wants...)
}

// openHome opens the person's Home tab and prints it.
func (s *demoScript) openHome(p *demoPerson) {
	now := s.clock.Now()
	s.act(p, func() error {
		_, err := s.emu.OpenHome(s.ctx, p.ID)
		return err
	}, nil, demoWant{p, slackemu.Kind(slackemu.SeenHome), "their Home tab"})
	v, ok := s.emu.Home(p.ID)
	if !ok {
		s.fail("%s's Home tab was not published", p.first)
	}
	s.printf("%s  %s ▸ opens microcoach's Home tab:\n", s.stamp(now), s.who(p, now))
	s.body(s.emu.Render(v.Blocks), 0)
}

// flush prints what everyone saw since the last flush: the person who
// acted first (when there is one), then the cast in order.
func (s *demoScript) flush(first *demoPerson, hide func(slackemu.Seen) bool) {
	order := s.cast
	if first != nil {
		order = append([]*demoPerson{first}, s.cast...)
	}
	for _, p := range order {
		seen := s.emu.Seen(p.ID)
		for _, e := range seen[s.shown[p.ID]:] {
			if hide == nil || !hide(e) {
				s.entry(p, e)
			}
		}
		s.shown[p.ID] = len(seen)
	}
}

// entry prints one thing a person saw.
func (s *demoScript) entry(p *demoPerson, e slackemu.Seen) {
	head := s.stamp(e.At) + "  " + s.who(p, e.At)
	where := "DM"
	switch e.Kind {
	case slackemu.SeenHome, slackemu.SeenModalClosed:
		// The Home tab is republished after every change; it is shown
		// when someone opens it. A closed form needs no line.
		return
	case slackemu.SeenCommand:
		s.printf("%s ▸ %s\n", head, e.MessageText)
		return
	case slackemu.SeenSent:
		s.printf("%s ▸ writes to microcoach (DM): %s\n", head, e.MessageText)
		return
	case slackemu.SeenReaction:
		s.printf("%s ◂ microcoach reacts to the message with %s\n", head, demoEmoji(":"+e.MessageText+":"))
		return
	case slackemu.SeenEphemeral:
		where = "only visible to " + p.first
	case slackemu.SeenMessageUpdate:
		if e.From == p.ID {
			s.printf("%s ▸ edits their message: %s\n", head, e.MessageText)
			return
		}
		where = "DM, the message above changes in place"
	case slackemu.SeenMessageDelete:
		where = "DM, a message is deleted"
	case slackemu.SeenModalOpen, slackemu.SeenModalUpdate, slackemu.SeenModalPush:
		s.printf("%s ◂ a form opens:\n", head)
		s.body(e.Text(), demoFormLines)
		return
	case slackemu.SeenModalErrors:
		s.printf("%s ◂ the form shows errors:\n", head)
		s.body(e.Text(), 0)
		return
	case slackemu.SeenError:
		s.printf("%s ◂ Slack shows an error: %s\n", head, e.MessageText)
		return
	}
	if !strings.HasPrefix(e.Channel, "D") {
		where = "#" + e.Channel
	}
	if e.ThreadTS != "" && e.ThreadTS != e.TS {
		where += ", in the thread"
	}
	from := "microcoach"
	if e.From != "" && e.From != s.emu.BotUserID() {
		from = s.emu.RenderText("<@" + e.From + ">")
	}
	s.printf("%s ◂ %s (%s):\n", head, from, where)
	body := e.Text()
	if body == s.last && e.Kind == slackemu.SeenMessage {
		s.printf("    │ (the same message)\n")
		return
	}
	s.last = body
	limit := 0
	if s.brief {
		limit = 2
	}
	s.body(body, limit)
}

// demoFormLines is how much of a form the transcript shows: enough to
// recognise it, not every field.
const demoFormLines = 9

// body prints rendered Block Kit indented under its line: at most limit
// lines (0: all) and the last one (a form's buttons, a digest's footer).
func (s *demoScript) body(text string, limit int) {
	lines := strings.Split(strings.TrimRight(demoEmoji(text), "\n"), "\n")
	if limit > 0 && len(lines) > limit+2 {
		last := lines[len(lines)-1]
		more := fmt.Sprintf("… %d more lines …", len(lines)-limit-1)
		lines = append(lines[:limit:limit], more, last)
	}
	for _, l := range lines {
		s.printf("    │ %s\n", l)
	}
}

// demoEmoji shows the emoji codes microcoach uses as emoji.
var demoEmoji = strings.NewReplacer(
	":white_check_mark:", "✅", ":warning:", "⚠️", ":large_green_circle:", "🟢",
	":large_yellow_circle:", "🟡", ":red_circle:", "🔴", ":white_circle:", "⚪",
	":triangular_flag_on_post:", "🚩", ":dart:", "🎯", ":calendar:", "📅", ":wave:", "👋",
	":wastebasket:", "🗑️", ":thought_balloon:", "💭", ":double_vertical_bar:", "⏸️",
	":bell:", "🔔", ":no_bell:", "🔕", ":zzz:", "💤", ":x:", "❌", ":tada:", "🎉",
	":speech_balloon:", "💬", ":seedling:", "🌱", ":memo:", "📝", ":lock:", "🔒",
	":hourglass_flowing_sand:", "⏳", ":handshake:", "🤝", ":arrows_counterclockwise:", "🔄",
	":envelope:", "✉️", ":palm_tree:", "🌴", ":frame_with_picture:", "🖼️", ":bust_in_silhouette:", "👤",
	":arrow_forward:", "▶️",
).Replace

// demoBlock is the part of a Block Kit block the script looks at.
type demoBlock struct {
	BlockID  string `json:"block_id"`
	Elements []map[string]any
}

func demoBlocks(raw json.RawMessage) []demoBlock {
	var blocks []demoBlock
	_ = json.Unmarshal(raw, &blocks) // a message's blocks, already checked by the emulator
	return blocks
}

// demoButton finds a button by its label in the blocks of a message,
// only in blocks whose id starts with blockPrefix. It returns its action
// id, value and full label.
func demoButton(raw json.RawMessage, blockPrefix, label string) (actionID, value, full string, ok bool) {
	for _, b := range demoBlocks(raw) {
		if !strings.HasPrefix(b.BlockID, blockPrefix) {
			continue
		}
		for _, e := range b.Elements {
			txt, _ := e["text"].(map[string]any)
			l, _ := txt["text"].(string)
			if e["type"] == "button" && strings.Contains(l, label) {
				actionID, _ = e["action_id"].(string)
				value, _ = e["value"].(string)
				return actionID, value, l, true
			}
		}
	}
	return "", "", "", false
}

// demoBlockIDs lists the ids of a message's blocks that start with prefix.
func demoBlockIDs(raw json.RawMessage, prefix string) []string {
	var ids []string
	for _, b := range demoBlocks(raw) {
		if strings.HasPrefix(b.BlockID, prefix) {
			ids = append(ids, b.BlockID)
		}
	}
	return ids
}

// demoTheme is one theme typed into the plan form.
type demoTheme struct{ area, title, actions string }

func demoPlanValues(headline string, themes ...demoTheme) map[string]map[string]slackemu.Value {
	v := map[string]map[string]slackemu.Value{"plan.headline": {"headline": slackemu.TextValue(headline)}}
	for i, t := range themes {
		n := fmt.Sprint(i + 1)
		v["plan.theme"+n+".area"] = map[string]slackemu.Value{"area~" + n: slackemu.Choice(t.area)}
		v["plan.theme"+n+".title"] = map[string]slackemu.Value{"title~" + n: slackemu.TextValue(t.title)}
		v["plan.theme"+n+".actions"] = map[string]slackemu.Value{"actions~" + n: slackemu.TextValue(t.actions)}
	}
	return v
}

// play is the script.
func (s *demoScript) play() {
	maya := newDemoPerson("UMAYA", "maya", "Maya Chen", "Europe/Berlin")
	ana := newDemoPerson("UANA", "ana", "Ana Lima", "Europe/Berlin")
	bob := newDemoPerson("UBOB", "bob", "Bob Stone", "America/New_York")
	cleo := newDemoPerson("UCLEO", "cleo", "Cleo Park", "Asia/Tokyo")
	s.cast = []*demoPerson{maya, ana, bob, cleo}
	for _, p := range s.cast {
		s.emu.AddUser(p.User)
	}
	// #pm-coaching is shared: Ana is in it too, so it may carry nothing
	// about any one person.
	s.emu.AddChannel(slackemu.Channel{ID: "CPMCOACH", Name: "pm-coaching", Members: []string{maya.ID, ana.ID, s.emu.BotUserID()}})
	dm := func(p *demoPerson, sub string) demoWant {
		return demoWant{p, demoSeenContaining(slackemu.SeenMessage, sub), fmt.Sprintf("a DM containing %q", sub)}
	}
	eph := func(p *demoPerson, sub string) demoWant {
		return demoWant{p, demoSeenContaining(slackemu.SeenEphemeral, sub), fmt.Sprintf("a reply containing %q", sub)}
	}
	updated := func(p *demoPerson, sub string) demoWant {
		return demoWant{p, demoSeenContaining(slackemu.SeenMessageUpdate, sub), fmt.Sprintf("a message updated to contain %q", sub)}
	}
	form := func(p *demoPerson, title string) demoWant {
		return demoWant{p, demoSeenContaining(slackemu.SeenModalOpen, title), fmt.Sprintf("the form %q", title)}
	}

	s.printf("microcoach demo: the real bot against a local Slack, with four simulated people.\n")
	s.printf("Maya (Berlin) manages three product managers: Ana (Berlin), Bob (New York) and Cleo (Tokyo).\n")
	s.printf("Times are Berlin time; for people elsewhere their own time is in brackets. ▸ is what a person does, ◂ what they see.\n")

	// Scene 1: the team forms.
	s.heading("Monday 30 November, 08:00 — Maya builds her team")
	invited := s.slash(maya, "/coach", "team add @ana @bob @cleo",
		dm(ana, "invites you"), dm(bob, "invites you"), dm(cleo, "invites you"))
	s.note("nobody is in Maya's team until they accept: until then she sees nothing of theirs")
	for i, p := range []*demoPerson{ana, bob, cleo} {
		s.after(2 * time.Minute)
		s.click(p, invited[i+1], "invite", "Accept", nil, updated(p, "You accepted @maya"), dm(maya, "accepted your invitation"))
	}
	s.after(time.Minute)
	s.slash(maya, "/coach", "digest #pm-coaching", eph(maya, "Your digest is posted in"))

	// Scene 2: ratings.
	s.heading("Ana rates herself")
	s.after(3 * time.Minute)
	s.slash(ana, "/rate", "planning 7 led the Q3 roadmap review")
	s.after(time.Minute)
	s.slash(ana, "/rate", "plnning 8")
	s.after(time.Minute)
	rate := s.slash(ana, "/rate", "", form(ana, "Rate yourself"))[1]
	s.after(2 * time.Minute)
	s.submit(ana, rate, map[string]map[string]slackemu.Value{
		"score:problem-understanding": {"score~problem-understanding": slackemu.Choice("5")},
		"note:problem-understanding":  {"note~problem-understanding": slackemu.TextValue("I still jump to solutions")},
		"score:execution":             {"score~execution": slackemu.Choice("8")},
		"score:team":                  {"score~team": slackemu.Choice("6")},
	}, "Problem Understanding 5 (“I still jump to solutions”), Execution 8, Team 6",
		eph(ana, "Saved 3 ratings"))

	s.heading("Maya assesses Ana; the perception gap shows")
	s.after(3 * time.Minute)
	s.slash(maya, "/rate", "@ana planning 4 no written strategy yet")
	s.after(time.Minute)
	assess := s.slash(maya, "/coach", "assess @ana", form(maya, "Assess a report"))[1]
	s.after(2 * time.Minute)
	s.submit(maya, assess, map[string]map[string]slackemu.Value{
		"score:problem-understanding": {"score~problem-understanding": slackemu.Choice("6")},
		"score:execution":             {"score~execution": slackemu.Choice("8")},
		"score:team":                  {"score~team": slackemu.Choice("7")},
	}, "Problem Understanding 6, Execution 8, Team 7", eph(maya, "Saved 3 ratings for"))
	s.after(2 * time.Minute)
	s.slash(ana, "/coach", "gaps")

	// Scene 3: the Next Bigger Challenge.
	s.heading("A Next Bigger Challenge")
	s.after(5 * time.Minute)
	proposal := s.slash(maya, "/coach", "challenge @ana lead the H2 strategy planning",
		dm(ana, "proposes a Next Bigger Challenge"))[1]
	s.after(3 * time.Minute)
	s.click(ana, proposal, "", "Accept", nil,
		updated(ana, "Accepted"), dm(maya, "accepted the Next Bigger Challenge"))

	// Scene 4: plans.
	s.heading("Ana writes her development plan")
	s.after(5 * time.Minute)
	plan := s.slash(ana, "/coach", "plan", form(ana, "Start your plan"))[1]
	s.after(6 * time.Minute)
	s.submit(ana, plan, demoPlanValues("From backlog manager to strategist",
		demoTheme{"planning", "A strategy I can defend", "Draft the H2 strategy one-pager\nReview it with two peers before the offsite"},
		demoTheme{"problem-understanding", "Problems before solutions", "Write three problem briefs before discovery starts\nRun two customer interviews solo"},
		demoTheme{"team", "Bad news early", "Send a weekly stakeholder update\nName one risk in every planning meeting"},
	), "a headline and three themes (Planning, Problem Understanding, Team) with two actions each",
		eph(ana, "Saved your plan"))
	s.after(3 * time.Minute)
	s.note("Cleo writes a plan too; her form looks like Ana's")
	cleoPlan := s.slashHiding(cleo, "/coach", "plan", slackemu.Kind(slackemu.SeenModalOpen), form(cleo, "Start your plan"))[1]
	s.after(4 * time.Minute)
	s.submit(cleo, cleoPlan, demoPlanValues("Ship with confidence",
		demoTheme{"execution", "Predictable releases", "Agree a release checklist with QA\nRun one release retro a month"},
		demoTheme{"listen-learn", "Close to customers", "Sit in on two support calls a month"},
		demoTheme{"agile", "Smaller slices", "Split every epic into stories of two days or less"},
	), "three themes (Execution, Listen & Learn, Agile)", eph(cleo, "Saved your plan"))

	// Scene 5: Home tabs.
	s.heading("The Home tab")
	s.after(5 * time.Minute)
	s.openHome(ana)
	s.after(2 * time.Minute)
	s.openHome(maya)

	// Scene 6: the first weekly nudge.
	s.heading("Monday 30 November, 09:30 — the weekly nudge")
	s.note("from here on the script mostly moves the clock: the scheduler does the rest")
	s.at(s.day(time.November, 30, 11, 0))
	if n := s.countFromBot(ana, "This week:"); n != 0 {
		s.fail("Ana got a nudge an hour after writing her plan")
	}
	s.note("Ana wrote her plan at 08:40: no nudge for three days. Maya coaches and nobody coaches her: no nudges for her")
	s.at(s.day(time.November, 30, 16, 0))
	s.lastFromBot(bob, "Question of the week")
	s.after(10 * time.Minute)
	saved := s.reply(bob, "Honestly: more time with customers.",
		demoWant{bob, slackemu.Kind(slackemu.SeenReaction), "a reaction to his answer"},
		dm(bob, "Only you can see this answer"))[1]
	first := s.lastSent(bob)
	s.after(3 * time.Minute)
	s.reply(bob, "My week disappears into status meetings.",
		demoWant{bob, slackemu.Kind(slackemu.SeenReaction), "a reaction to his second message"})
	s.note("three minutes later, in reply to the same question: the same answer, no second confirmation")
	s.after(2 * time.Minute)
	s.edit(bob, first, "Honestly: more time with customers, every week.")
	s.waitAnswer(bob, "every week.\nMy week disappears")
	s.note("Bob edits his first message in Slack: the stored answer follows, both messages in one")
	s.after(2 * time.Minute)
	s.click(bob, saved, "answer", "Share with my manager", nil, updated(bob, "shared with @maya, your manager of record"))
	s.after(45 * time.Minute)
	s.note("Bob is off for two weeks")
	s.slash(bob, "/coach", "pause 2w")
	bobPaused := s.emu.SeenCount(bob.ID)
	pausedUntil := s.pausedUntil(bob)

	s.heading("Tuesday 1 December — check-in day, but not for plans a day old")
	s.at(s.day(time.December, 1, 11, 30))
	s.quiet(bob, bobPaused, pausedUntil)
	if n := s.countFromBot(ana, "Monthly check-in") + s.countFromBot(cleo, "Monthly check-in"); n != 0 {
		s.fail("a plan one day old got a colour check-in")
	}
	s.note("Ana's and Cleo's plans are a day old: their first colour check-in waits at least three weeks")

	// Scene 8: week two.
	s.heading("Monday 7 December — week two")
	s.at(s.day(time.December, 7, 16, 0))
	s.quiet(bob, bobPaused, pausedUntil)
	nudge := s.lastFromBot(ana, "This week:")
	s.after(10 * time.Minute)
	s.click(ana, nudge, "nudge", "Done", nil, updated(ana, "Done:"))

	// Scene 9: holidays, without a pause.
	s.heading("Fast forward to the holidays (messages shortened)")
	s.brief = true
	s.at(s.day(time.December, 14, 12, 0))
	s.quiet(bob, bobPaused, pausedUntil)
	s.at(s.day(time.December, 18, 17, 0))
	s.brief = false
	back := time.Date(2027, time.January, 4, 0, 0, 0, 0, ana.loc)
	s.printf("%s  %s ▸ sets her Slack status: 🌴 Vacationing, until Mon 4 Jan (no /coach pause)\n", s.stamp(s.clock.Now()), s.who(ana, s.clock.Now()))
	if _, err := s.emu.SetStatus(s.ctx, ana.ID, ":palm_tree:", "Vacationing", back); err != nil {
		s.fail("Ana's status: %v", err)
	}
	anaAway := s.emu.SeenCount(ana.ID)
	s.heading("Friday 25 December — Ana is away, not silent")
	s.at(s.day(time.December, 25, 16, 30))
	if n := s.countFromBotSince(ana, anaAway, ""); n != 0 {
		s.fail("Ana is on holiday (her Slack status) but got %d messages", n)
	}
	s.note("Ana's status says she is on holiday: no nudge on Monday 21 December, and Maya's digest shows her as away")
	if s.countFromBotIn(maya, "D", "away (Slack status)") == 0 {
		s.fail("Maya's digest does not show Ana as away")
	}
	s.brief = true
	s.at(s.day(time.January, 4, 23, 0))
	s.brief = false
	if n := s.countFromBotSince(ana, anaAway, ""); n != 0 {
		s.fail("Ana is on holiday (her Slack status) but got %d messages", n)
	}
	s.note("nothing reached Ana while her status said Vacationing; it expired on 4 January")

	s.heading("Tuesday 5 January — the first colour check-in, carrying the week's action")
	s.at(s.day(time.January, 5, 11, 30))
	checkin := s.lastFromBot(ana, "Monthly check-in")
	themes := demoBlockIDs(checkin.Blocks, "checkin:")
	if len(themes) != 3 {
		s.fail("Ana's check-in has %d themes, want 3:\n%s", len(themes), checkin.Text())
	}
	for i, colour := range []string{"Green", "Yellow", "Red"} {
		s.after(time.Minute)
		var hide func(slackemu.Seen) bool
		if i < 2 {
			hide = slackemu.Kind(slackemu.SeenMessageUpdate) // the last update shows all three
		}
		progress := fmt.Sprintf("%d of 3 themes", i+1)
		if i == 2 {
			progress = "All themes checked in"
		}
		s.click(ana, checkin, themes[i], colour, hide, updated(ana, progress))
	}
	s.note("Cleo has not answered her check-in: two working days later she gets one reminder")
	s.at(s.day(time.January, 7, 12, 0))
	s.lastFromBot(cleo, "gentle reminder")

	s.heading("Friday 8 January — the digest in #pm-coaching, and a 1:1 agenda")
	s.at(s.day(time.January, 8, 16, 30))
	summary := s.lastFromBot(ana, "Team digest")
	if summary.Channel != "CPMCOACH" {
		s.fail("the digest's summary went to %s, not #pm-coaching", summary.Channel)
	}
	for _, m := range s.emu.History("CPMCOACH") {
		for _, private := range []string{"more time with customers", "gap", "Planning", ":red_circle:", ":large_green_circle:", "challenge", "answers"} {
			if strings.Contains(m.Text+string(m.Blocks), private) {
				s.fail("#pm-coaching, which Ana is in, shows %q:\n%s", private, m.Text)
			}
		}
	}
	if s.countFromBotIn(maya, "D", "Team digest") == 0 {
		s.fail("the digest's details never reached Maya's DM")
	}
	s.note("#pm-coaching has Ana in it, so it gets counts only; the details are in Maya's DM")
	s.after(10 * time.Minute)
	s.command(maya, "/coach", "prep @bob", dm(maya, "1:1 agenda"))
	s.after(5 * time.Minute)
	s.command(maya, "/coach", "prep @ana", dm(maya, "1:1 agenda"))

	s.heading("Tuesday 12 January — no refresh yet")
	s.at(s.day(time.January, 12, 12, 0))
	if n := s.countFromBot(ana, "Quarterly refresh"); n != 0 {
		s.fail("Ana's six-week-old plan got a quarterly refresh")
	}
	s.note("the quarter's refresh (second Tuesday of January) skips plans younger than a quarter: Ana's first comes in April")

	s.heading("Fast forward through February to March (messages shortened)")
	s.brief = true
	s.at(s.day(time.March, 5, 17, 0))
	s.brief = false
	if n := s.countFromBot(bob, "development plan?"); n != 1 {
		s.fail("Bob, without a plan, got %d invitations to write one in a quarter, want 1", n)
	}
	s.note("Bob has no plan: one invitation to write one (5 January), no monthly check-ins, and nothing counted as unanswered")

	s.summary()
	s.rhythm()
}

// countFromBotIn counts the bot messages the person saw in channels whose
// id starts with prefix ("D" for DMs) containing sub.
func (s *demoScript) countFromBotIn(p *demoPerson, prefix, sub string) int {
	n := 0
	has := slackemu.Containing(sub)
	for _, e := range s.emu.Seen(p.ID) {
		if e.Kind == slackemu.SeenMessage && e.From == s.emu.BotUserID() && strings.HasPrefix(e.Channel, prefix) && has(e) {
			n++
		}
	}
	return n
}

// lastFromBot returns the newest bot message the person saw containing
// sub; the script fails if there is none.
func (s *demoScript) lastFromBot(p *demoPerson, sub string) slackemu.Seen {
	seen := s.emu.Seen(p.ID)
	has := slackemu.Containing(sub)
	for i := len(seen) - 1; i >= 0; i-- {
		if seen[i].Kind == slackemu.SeenMessage && seen[i].From == s.emu.BotUserID() && has(seen[i]) {
			return seen[i]
		}
	}
	s.fail("%s never got a message containing %q. %s saw:\n%s", p.first, sub, p.first, s.emu.Transcript(p.ID))
	return slackemu.Seen{}
}

// countFromBot counts the bot's messages to p that contain sub.
func (s *demoScript) countFromBot(p *demoPerson, sub string) int {
	n := 0
	has := slackemu.Containing(sub)
	for _, e := range s.emu.Seen(p.ID) {
		if e.Kind == slackemu.SeenMessage && e.From == s.emu.BotUserID() && has(e) {
			n++
		}
	}
	return n
}

func (s *demoScript) pausedUntil(p *demoPerson) time.Time {
	rec, found, err := s.db.Person(p.ID)
	if err != nil || !found || rec.PausedUntil.IsZero() {
		s.fail("%s's pause was not stored (found %v, %v)", p.first, found, err)
	}
	return rec.PausedUntil
}

// quiet checks and says that a paused person got nothing.
func (s *demoScript) quiet(p *demoPerson, since int, until time.Time) {
	now := s.clock.Now()
	if !now.Before(until) {
		return
	}
	for _, e := range s.emu.Seen(p.ID)[since:] {
		switch e.Kind {
		case slackemu.SeenMessage, slackemu.SeenMessageUpdate, slackemu.SeenEphemeral:
			s.fail("%s is paused but got: %s", p.first, e.String())
		}
	}
	s.note("%s is paused until %s his time: nothing for him, his DM stays quiet", p.first, until.In(p.loc).Format("Mon 2 Jan 15:04"))
}

// summary is the last line: who saw how much, virtual and real time.
func (s *demoScript) summary() {
	var parts []string
	for _, p := range s.cast {
		n := 0
		for _, e := range s.emu.Seen(p.ID) {
			if (e.Kind == slackemu.SeenMessage || e.Kind == slackemu.SeenEphemeral) && e.From == s.emu.BotUserID() {
				n++
			}
		}
		parts = append(parts, fmt.Sprintf("%s %d", p.first, n))
	}
	now := s.clock.Now()
	s.printf("\n== Done: messages from microcoach seen: %s · virtual time %s → %s (%d days) · real time %s\n",
		strings.Join(parts, ", "),
		demoStart.Format("Mon 2 Jan 2006 15:04"), now.In(s.zone).Format("Mon 2 Jan 2006 15:04"),
		int(now.Sub(demoStart).Hours()/24), time.Since(s.began).Round(10*time.Millisecond))
}

// lastSent is the ts of the newest message the person wrote.
func (s *demoScript) lastSent(p *demoPerson) string {
	seen := s.emu.Seen(p.ID)
	for i := len(seen) - 1; i >= 0; i-- {
		if seen[i].Kind == slackemu.SeenSent {
			return seen[i].TS
		}
	}
	s.fail("%s wrote nothing", p.first)
	return ""
}

// edit changes a message the person wrote in their DM with the bot.
func (s *demoScript) edit(p *demoPerson, ts, text string) {
	s.act(p, func() error {
		_, err := s.emu.EditDM(s.ctx, p.ID, ts, text)
		return err
	}, nil)
}

// waitAnswer waits until one of the person's stored answers contains sub:
// an edit changes nothing anyone sees, so the script looks where it lands.
func (s *demoScript) waitAnswer(p *demoPerson, sub string) {
	deadline := time.Now().Add(demoWait)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		answers, err := s.db.Answers(p.ID)
		if err != nil {
			s.fail("%s's answers: %v", p.first, err)
		}
		for _, a := range answers {
			if strings.Contains(a.Text, sub) {
				return
			}
		}
		if time.Now().After(deadline) {
			s.fail("%s's answer never came to contain %q: %+v", p.first, sub, answers)
		}
		select {
		case <-tick.C:
		case <-s.ctx.Done():
			s.fail("%v", s.ctx.Err())
		}
	}
}

// countFromBotSince counts the bot's direct messages to p after their
// first n Seen entries that contain sub.
func (s *demoScript) countFromBotSince(p *demoPerson, n int, sub string) int {
	count := 0
	has := slackemu.Containing(sub)
	for _, e := range s.emu.Seen(p.ID)[n:] {
		if e.Kind == slackemu.SeenMessage && e.From == s.emu.BotUserID() && strings.HasPrefix(e.Channel, "D") && has(e) {
			count++
		}
	}
	return count
}

// rhythm prints how many messages each person got: per calendar week
// (Monday to Sunday, Berlin) everything microcoach showed them, its
// maximum and median; and the most messages they did not ask for (nudges,
// check-ins, reminders, refreshes, plan invitations, from the ledger) in
// any 7 days.
func (s *demoScript) rhythm() {
	s.heading("The rhythm: messages per person")
	start := demoStart
	end := s.clock.Now()
	weeks := int(end.Sub(start).Hours()/24/7) + 1
	worst := 0
	for _, p := range s.cast {
		perWeek := make([]int, weeks)
		for _, e := range s.emu.Seen(p.ID) {
			if (e.Kind == slackemu.SeenMessage || e.Kind == slackemu.SeenEphemeral) && e.From == s.emu.BotUserID() {
				if w := int(e.At.Sub(start).Hours() / 24 / 7); w >= 0 && w < weeks {
					perWeek[w]++
				}
			}
		}
		sorted := append([]int(nil), perWeek...)
		sort.Ints(sorted)
		median := sorted[len(sorted)/2]
		if len(sorted)%2 == 0 {
			median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
		}
		ds, err := s.db.Deliveries(p.ID, "")
		if err != nil {
			s.fail("%s's ledger: %v", p.first, err)
		}
		var sent []time.Time
		for _, d := range ds {
			if d.State == coach.DeliverySent && d.Cadence.Unrequested() {
				sent = append(sent, d.SentAt)
			}
		}
		sort.Slice(sent, func(i, j int) bool { return sent[i].Before(sent[j]) })
		most := 0
		for i := range sent {
			n := 0
			for j := i; j < len(sent) && sent[j].Sub(sent[i]) < 7*24*time.Hour; j++ {
				n++
			}
			most = max(most, n)
		}
		worst = max(worst, most)
		s.printf("%-5s  all messages per week: max %d, median %d  ·  unrequested in any 7 days: max %d (%d in %d weeks)\n",
			p.first, sorted[len(sorted)-1], median, most, len(sent), weeks)
	}
	s.printf("Most unrequested messages anyone got in any 7 days: %d (the budget is %d; see docs/cadence.md)\n", worst, coach.BudgetMessages)
	if worst > coach.BudgetMessages {
		s.fail("someone got %d unrequested messages in 7 days, over the budget of %d", worst, coach.BudgetMessages)
	}
}
