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
