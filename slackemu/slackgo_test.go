package slackemu

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// slackGoBot runs a real slack-go Socket Mode client against s until the
// test ends. handle runs for every event and must ack it.
func slackGoBot(t *testing.T, s *Server, handle func(c *socketmode.Client, evt socketmode.Event)) *slack.Client {
	t.Helper()
	api := slack.New(s.BotToken(), slack.OptionAppLevelToken(s.AppToken()), slack.OptionAPIURL(s.APIURL()))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = client.RunContext(ctx)
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				if evt.Request != nil && evt.Request.EnvelopeID != "" {
					handle(client, evt)
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return api
}

func TestSlackGoReconnects(t *testing.T) {
	s := newServer(t, Options{})
	cmds := make(chan slack.SlashCommand, 10)
	slackGoBot(t, s, func(c *socketmode.Client, evt socketmode.Event) {
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			cmds <- cmd
			_ = c.Ack(*evt.Request, map[string]any{"text": "pong " + cmd.Text})
			return
		}
		_ = c.Ack(*evt.Request)
	})
	ctx := testCtx(t)
	if err := s.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	ping := func(text string) {
		t.Helper()
		n := s.SeenCount("U1")
		res, err := s.Slash(ctx, "U1", "/ping", text)
		if err != nil || !res.Acked {
			t.Fatalf("Slash %s: %+v, %v", text, res, err)
		}
		e, err := s.WaitSeenAfter(ctx, "U1", n, Kind(SeenEphemeral))
		if err != nil || e.Text() != "pong "+text {
			t.Fatalf("person saw %q, %v", e.Text(), err)
		}
		cmd := <-cmds
		if cmd.Command != "/ping" || cmd.UserName != "alice" || !strings.HasPrefix(cmd.ChannelID, "D") || cmd.TriggerID == "" || cmd.ResponseURL == "" || cmd.APIAppID != "A0EMU" {
			t.Errorf("slack-go parsed %+v", cmd)
		}
	}
	ping("first")

	faults := []struct {
		name  string
		fault func()
	}{
		{"refresh_requested", func() { s.Disconnect("refresh_requested") }},
		{"warning", func() { s.Disconnect("warning") }},
		{"dropped socket", s.DropSockets},
	}
	for _, f := range faults {
		n := s.Connects()
		f.fault()
		if err := s.WaitConnects(ctx, n+1); err != nil {
			t.Fatalf("%s: no reconnect: %v", f.name, err)
		}
		ping("after " + f.name)
	}
}

func TestSlackGoModalAndEvents(t *testing.T) {
	s := newServer(t, Options{})
	var api *slack.Client
	events := make(chan slackevents.EventsAPIEvent, 10)
	clicks := make(chan slack.InteractionCallback, 10)
	ready := make(chan struct{})
	api = slackGoBot(t, s, func(c *socketmode.Client, evt socketmode.Event) {
		<-ready
		switch data := evt.Data.(type) {
		case slack.SlashCommand:
			_ = c.Ack(*evt.Request)
			modal := slack.ModalViewRequest{
				Type:       slack.VTModal,
				CallbackID: "rate",
				Title:      slack.NewTextBlockObject(slack.PlainTextType, "Rate", false, false),
				Submit:     slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
				Blocks: slack.Blocks{BlockSet: []slack.Block{
					slack.NewInputBlock("score", slack.NewTextBlockObject(slack.PlainTextType, "Score", false, false), nil,
						slack.NewPlainTextInputBlockElement(nil, "value")),
				}},
			}
			if _, err := api.OpenView(data.TriggerID, modal); err != nil {
				t.Errorf("OpenView: %v", err)
			}
		case slack.InteractionCallback:
			clicks <- data
			if data.Type == slack.InteractionTypeViewSubmission && data.View.State.Values["score"]["value"].Value == "0" {
				_ = c.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"score": "Must be 1-5"}))
				return
			}
			_ = c.Ack(*evt.Request)
		case slackevents.EventsAPIEvent:
			events <- data
			_ = c.Ack(*evt.Request)
		default:
			_ = c.Ack(*evt.Request)
		}
	})
	close(ready)
	ctx := testCtx(t)
	if err := s.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}

	if _, err := s.Slash(ctx, "U1", "/rate", ""); err != nil {
		t.Fatal(err)
	}
	opened, err := s.WaitSeen(ctx, "U1", Kind(SeenModalOpen))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.SubmitView(ctx, "U1", opened.ViewID, map[string]map[string]Value{"score": {"value": TextValue("0")}})
	if err != nil || res.Errors["score"] != "Must be 1-5" {
		t.Fatalf("submit 0: %+v, %v", res, err)
	}
	cb := <-clicks
	if cb.View.ID != opened.ViewID || cb.View.CallbackID != "rate" || cb.User.ID != "U1" || cb.TriggerID == "" {
		t.Errorf("slack-go parsed %+v", cb)
	}
	if res, err = s.SubmitView(ctx, "U1", opened.ViewID, map[string]map[string]Value{"score": {"value": TextValue("4")}}); err != nil || !res.Closed {
		t.Fatalf("submit 4: %+v, %v", res, err)
	}
	<-clicks

	// A person's DM and the bot's own reply both arrive as message events;
	// the bot's carries bot_id.
	if _, err := s.SendDM(ctx, "U1", "hi bot"); err != nil {
		t.Fatal(err)
	}
	ev := <-events
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || msg.Text != "hi bot" || msg.User != "U1" || msg.ChannelType != "im" || msg.BotID != "" {
		t.Fatalf("event %+v", ev.InnerEvent.Data)
	}
	if _, _, err := api.PostMessageContext(ctx, msg.Channel, slack.MsgOptionText("hello <@U1>", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "hello <@U1>", false, false), nil,
			slack.NewAccessory(slack.NewButtonBlockElement("again", "a", slack.NewTextBlockObject(slack.PlainTextType, "Again", false, false)))))); err != nil {
		t.Fatal(err)
	}
	ev = <-events
	if own := ev.InnerEvent.Data.(*slackevents.MessageEvent); own.BotID != "B0BOT" || own.User != "U0BOT" {
		t.Errorf("own message event %+v", own)
	}
	e, err := s.WaitSeen(ctx, "U1", Containing("hello @alice"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Click(ctx, "U1", InMessage(e.Channel, e.TS), "again", ""); err != nil {
		t.Fatal(err)
	}
	cb = <-clicks
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 ||
		cb.ActionCallback.BlockActions[0].ActionID != "again" || cb.ActionCallback.BlockActions[0].Value != "a" ||
		cb.Container.MessageTs != e.TS || cb.Channel.ID != e.Channel {
		t.Errorf("slack-go parsed %+v", cb)
	}

	if _, err := s.OpenHome(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	ev = <-events
	if home, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); !ok || home.Tab != "home" || home.User != "U1" {
		t.Errorf("home event %+v", ev.InnerEvent.Data)
	}
}

func TestSlackGoWebAPI(t *testing.T) {
	s := newServer(t, Options{})
	api := slack.New(s.BotToken(), slack.OptionAPIURL(s.APIURL()))
	ctx := testCtx(t)

	s.ForceRateLimit("users.info", 1, 3*time.Second)
	_, err := api.GetUserInfoContext(ctx, "U1")
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
		t.Fatalf("GetUserInfo error %v, want RateLimitedError of 3s", err)
	}
	users, err := api.GetUsersContext(ctx, slack.GetUsersOptionLimit(2))
	if err != nil || len(users) != 4 {
		t.Fatalf("GetUsers = %d users, %v", len(users), err)
	}
	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil || u.TZ != "Europe/Berlin" || u.Name != "alice" {
		t.Fatalf("GetUserInfo = %+v, %v", u, err)
	}

	ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil {
		t.Fatal(err)
	}
	meta := slack.SlackMetadata{EventType: "rating", EventPayload: map[string]any{"score": 4}}
	_, ts, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("saved", false), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, IncludeAllMetadata: true})
	if err != nil || len(hist.Messages) != 1 || hist.Messages[0].Timestamp != ts || hist.Messages[0].Metadata.EventType != "rating" {
		t.Fatalf("history %+v, %v", hist, err)
	}

	_, _, err = api.PostMessageContext(ctx, ch.ID, slack.MsgOptionBlocks(slack.NewHeaderBlock(slack.NewTextBlockObject(slack.MarkdownType, "no", false, false))))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_blocks" || len(se.ResponseMetadata.Messages) == 0 {
		t.Fatalf("invalid blocks error %#v", err)
	}

	f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "notes.txt", Title: "Notes", Content: "be kind", FileSize: 7, Channel: ch.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := s.File(f.ID)
	if !ok || string(got.Content) != "be kind" {
		t.Fatalf("File = %+v", got)
	}
	if _, err := s.WaitSeen(ctx, "U1", Containing("[file: Notes]")); err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := api.GetFileContext(ctx, s.base+"/files/"+f.ID, &buf); err != nil || buf.String() != "be kind" {
		t.Errorf("GetFile = %q, %v", buf.String(), err)
	}
	raw, _ := json.Marshal(hist.Messages[0].Metadata)
	if !strings.Contains(string(raw), `"score":4`) {
		t.Errorf("metadata %s", raw)
	}
}

func TestSlackGoResponseURL(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	urls := make(chan string, 1)
	bot.serve(func(f frame) any {
		urls <- decode(t, f.Payload)["response_url"].(string)
		return nil
	})
	ctx := testCtx(t)
	if _, err := s.Slash(ctx, "U1", "/rate", ""); err != nil {
		t.Fatal(err)
	}
	u := <-urls
	api := slack.New(s.BotToken(), slack.OptionAPIURL(s.APIURL()))
	if _, _, _, err := api.SendMessageContext(ctx, "", slack.MsgOptionResponseURL(u, slack.ResponseTypeEphemeral), slack.MsgOptionText("working on it", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.SendMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(u),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*done*", false, false), nil, nil))); err != nil {
		t.Fatal(err)
	}
	want := "[command] alice: /rate\n[ephemeral] microcoach: working on it\n[message_update] microcoach: *done*\n"
	if got := s.Transcript("U1"); got != want {
		t.Errorf("Transcript =\n%s\nwant\n%s", got, want)
	}
}
