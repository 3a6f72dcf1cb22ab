package slackemu

import (
	"encoding/json"
	"testing"
)

func TestRenderBlocks(t *testing.T) {
	tests := []struct {
		name   string
		blocks string
		want   string
	}{
		{"header, section with fields and button, divider, context",
			`[{"type":"header","text":{"type":"plain_text","text":"Weekly digest"}},
			{"type":"section","text":{"type":"mrkdwn","text":"*Alice* rated <@U2> &amp; <#C1|team>"},
			 "fields":[{"type":"mrkdwn","text":"*Score*\n4/5"},{"type":"plain_text","text":"Trend: up"}],
			 "accessory":{"type":"button","text":{"type":"plain_text","text":"Details"},"action_id":"d"}},
			{"type":"divider"},
			{"type":"context","elements":[{"type":"image","image_url":"https://x/y.png","alt_text":"logo"},{"type":"mrkdwn","text":"See <https://example.com|the docs> <!here>"}]}]`,
			"# Weekly digest\n*Alice* rated @U2 & #team  [ Details ]\n  *Score* 4/5\n  Trend: up\n────────────────────\n  [image: logo] · See the docs (https://example.com) @here"},
		{"actions with select, overflow and date",
			`[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Yes"}},
			{"type":"static_select","placeholder":{"type":"plain_text","text":"Pick one"},"options":[{"text":{"type":"plain_text","text":"A"},"value":"a"}]},
			{"type":"static_select","initial_option":{"text":{"type":"plain_text","text":"B"},"value":"b"},"options":[{"text":{"type":"plain_text","text":"B"},"value":"b"}]},
			{"type":"overflow","options":[{"text":{"type":"plain_text","text":"A"},"value":"a"}]},
			{"type":"datepicker","initial_date":"2025-01-31"}]}]`,
			"[ Yes ] [ Pick one ▾ ] [ B ▾ ] [ ⋯ ] [ 2025-01-31 ▾ ]"},
		{"modal inputs",
			`[{"type":"input","label":{"type":"plain_text","text":"Note"},"optional":true,"hint":{"type":"plain_text","text":"Be kind"},"element":{"type":"plain_text_input"}},
			{"type":"input","label":{"type":"plain_text","text":"Name"},"element":{"type":"plain_text_input","initial_value":"Bob"}},
			{"type":"input","label":{"type":"plain_text","text":"Who"},"element":{"type":"users_select"}},
			{"type":"input","label":{"type":"plain_text","text":"Areas"},"element":{"type":"checkboxes","initial_options":[{"text":{"type":"plain_text","text":"Care"},"value":"c"}],"options":[{"text":{"type":"plain_text","text":"Care"},"value":"c"},{"text":{"type":"plain_text","text":"Craft"},"value":"k"}]}},
			{"type":"input","label":{"type":"plain_text","text":"Score"},"element":{"type":"radio_buttons","options":[{"text":{"type":"plain_text","text":"1"},"value":"1"},{"text":{"type":"plain_text","text":"2"},"value":"2"}]}}]`,
			"Note (optional): ____\n  Be kind\nName: [Bob]\nWho: [ select a person ▾ ]\nAreas: [x] Care  [ ] Craft\nScore: ( ) 1  ( ) 2"},
		{"rich text and image",
			`[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"hi "},{"type":"user","user_id":"U1"},{"type":"emoji","name":"wave"}]}]},
			{"type":"image","image_url":"https://x","alt_text":"chart","title":{"type":"plain_text","text":"Scores"}}]`,
			"hi @U1:wave:\n[image: Scores]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RenderBlocks(json.RawMessage(tc.blocks)); got != tc.want {
				t.Errorf("RenderBlocks =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestRenderResolvesNames(t *testing.T) {
	s := newServer(t, Options{})
	s.AddChannel(Channel{ID: "C1", Name: "team"})
	got := s.Render(json.RawMessage(`[{"type":"section","text":{"type":"mrkdwn","text":"<@U1> and <@U2|bobby> in <#C1> met <@U404>"}}]`))
	if want := "@alice and @bob in #team met @U404"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
	if got := s.RenderText("hi <@U2>"); got != "hi @bob" {
		t.Errorf("RenderText = %q", got)
	}
}

func TestRenderModal(t *testing.T) {
	s := newServer(t, Options{})
	openModal(t, s, "U1", modalJSON)
	views := s.OpenViews("U1")
	e, err := s.WaitSeen(testCtx(t), "U1", Kind(SeenModalOpen))
	if err != nil {
		t.Fatal(err)
	}
	want := "┌ Rate ┐\nScore: [ Pick ▾ ]\nNote (optional): ____\n[ Save ] [ Cancel ]"
	if e.Text() != want || e.ViewID != views[0].ID {
		t.Errorf("modal rendered as\n%s\nwant\n%s", e.Text(), want)
	}
}
