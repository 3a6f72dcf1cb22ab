package slackemu_test

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/slackemu"
)

// A bot built on slack-go talks to the emulator as it would to Slack;
// the transcript shows what the person saw.
func Example() {
	s := slackemu.New(slackemu.Options{})
	if err := s.Start(); err != nil {
		panic(err)
	}
	defer s.Close()
	s.AddUser(slackemu.User{ID: "U1", Name: "alice", TZ: "Europe/Berlin"})

	api := slack.New(s.BotToken(), slack.OptionAppLevelToken(s.AppToken()), slack.OptionAPIURL(s.APIURL()))
	_, _, err := api.PostMessageContext(context.Background(), "U1",
		slack.MsgOptionText("Hi <@U1>, how was your week?", false),
		slack.MsgOptionBlocks(
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Hi <@U1>, how was your week?", false, false), nil, nil),
			slack.NewActionBlock("week",
				slack.NewButtonBlockElement("good", "good", slack.NewTextBlockObject(slack.PlainTextType, "Good", false, false)),
				slack.NewButtonBlockElement("meh", "meh", slack.NewTextBlockObject(slack.PlainTextType, "Meh", false, false)))))
	if err != nil {
		panic(err)
	}
	fmt.Print(s.Transcript("U1"))
	// Output:
	// [message] microcoach: Hi @alice, how was your week?
	//     [ Good ] [ Meh ]
}

// An end-to-end test sets up a channel with members and people with
// e-mail addresses; the bot reads them with conversations.members and
// users.lookupByEmail.
func Example_channelMembers() {
	s := slackemu.New(slackemu.Options{})
	if err := s.Start(); err != nil {
		panic(err)
	}
	defer s.Close()
	s.AddUser(slackemu.User{ID: "U1", Name: "alice", Email: "alice@example.com"})
	s.AddUser(slackemu.User{ID: "U2", Name: "bob", Email: "bob@example.com"})
	s.AddChannel(slackemu.Channel{ID: "G1", Name: "leads", Private: true, Members: []string{"U1"}})
	if err := s.AddMembers("G1", "U2"); err != nil { // bob joins later
		panic(err)
	}
	if err := s.InviteBot("G1"); err != nil { // "/invite @microcoach"
		panic(err)
	}

	ctx := context.Background()
	api := slack.New(s.BotToken(), slack.OptionAPIURL(s.APIURL()))
	members, next, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "G1"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("members %v, next cursor %q\n", members, next)
	u, err := api.GetUserByEmailContext(ctx, "bob@example.com")
	if err != nil {
		panic(err)
	}
	fmt.Println(u.ID, u.Profile.Email)
	// Output:
	// members [U0BOT U1 U2], next cursor ""
	// U2 bob@example.com
}
