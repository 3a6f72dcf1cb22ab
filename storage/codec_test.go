package storage

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

func TestCompactRecordsRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 123456789, time.UTC)
	for _, tc := range []struct {
		key  []byte
		in   any
		into func() any
	}{
		{ratingKey(coach.Rating{Subject: "U1", Area: "planning", At: at, ID: 7}), coach.Rating{ID: 7, Subject: "U1", Rater: "U1", Area: "planning", Score: 8, At: at, Via: coach.SurfaceCommand}, func() any { return &coach.Rating{} }},
		{ratingKey(coach.Rating{Subject: "U1", Area: "team", At: at, ID: 8}), coach.Rating{ID: 8, Subject: "U1", Rater: "UMGR", Area: "team", Score: 10, Note: "grew a lot ✓", At: at, Via: "elsewhere"}, func() any { return &coach.Rating{} }},
		{ledgerKey("U1", coach.CadenceNudge, "2026-11-23T09:30"), coach.Delivery{Person: "U1", Cadence: coach.CadenceNudge, Period: "2026-11-23T09:30", Due: at, State: coach.DeliverySent, Attempt: at.Add(time.Second), Channel: "D1", TS: "1700000000.000100", SentAt: at.Add(1500 * time.Millisecond), ThemeID: "t1", ActionID: "a2", Answered: true, AnsweredAt: at.Add(-time.Hour)}, func() any { return &coach.Delivery{} }},
		{ledgerKey("U1", coach.CadenceQuestion, "every5s:123"), coach.Delivery{Person: "U1", Cadence: coach.CadenceQuestion, Period: "every5s:123", Due: at, State: "odd", TS: "0123.45", QuestionID: "mood", Note: "why"}, func() any { return &coach.Delivery{} }},
		{ledgerKey("U1", coach.CadenceNudge, "p"), coach.Delivery{Person: "U1", Cadence: coach.CadenceNudge, Period: "p", State: coach.DeliveryQueued}, func() any { return &coach.Delivery{} }},
		{joinKey("U1", "2026-11", "t1"), coach.ColourChoice{Person: "U1", Month: "2026-11", Theme: "t1", Colour: coach.Yellow, Note: "slow", At: at}, func() any { return &coach.ColourChoice{} }},
		{append(joinKey("U1", ""), u64(3)...), coach.Answer{ID: 3, Person: "U1", QuestionID: "q", Question: "Q?", Text: "A", Emotion: "calm", At: at, SharedWith: "UMGR", SharedAt: at.Add(time.Hour), EventID: "Ev1", Delivery: "U1/question/q"}, func() any { return &coach.Answer{} }},
		{append(joinKey("U1", ""), u64(4)...), coach.Answer{ID: 4, Person: "U1", QuestionID: "q", Question: "Q?", Text: "one\ntwo, edited", At: at, EventID: "Ev2",
			Parts: []coach.AnswerPart{{TS: "1700000000.000100", Text: "one", At: at}, {TS: "1700000120.000200", Text: "two, edited", At: at.Add(2 * time.Minute)}}}, func() any { return &coach.Answer{} }},
	} {
		raw, err := encodeValue(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if raw[0] != codecV1 {
			t.Errorf("%T stored as %q, want the compact form", tc.in, raw)
		}
		out := tc.into()
		if err := decodeValue(tc.key, raw, out); err != nil {
			t.Fatalf("%T: %v", tc.in, err)
		}
		if got := reflect.ValueOf(out).Elem().Interface(); !reflect.DeepEqual(got, tc.in) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, tc.in)
		}
		t.Logf("%T: %d bytes", tc.in, len(raw))
	}
}

// FuzzDecodeCompact: no stored value, however damaged, panics a reader.
func FuzzDecodeCompact(f *testing.F) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	f.Add(ledgerKey("U1", "nudge", "p"), encodeDelivery(coach.Delivery{Due: at, State: coach.DeliverySent, TS: "1.000001"}))
	f.Add(ratingKey(coach.Rating{Subject: "U1", Area: "a", At: at}), encodeRating(coach.Rating{Subject: "U1", Rater: "U2", Score: 3}))
	f.Add(joinKey("U1", "m", "t"), encodeColour(coach.ColourChoice{Colour: coach.Red}))
	f.Add(append(joinKey("U1", ""), u64(1)...), encodeAnswer(coach.Answer{Text: "x", At: at}))
	f.Fuzz(func(t *testing.T, k, v []byte) {
		decodeValue(k, v, &coach.Rating{})
		decodeValue(k, v, &coach.Delivery{})
		decodeValue(k, v, &coach.ColourChoice{})
		decodeValue(k, v, &coach.Answer{})
	})
}

func TestTimesFarAwayRoundTrip(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(1850, 3, 1, 0, 0, 0, 5, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2101, 1, 1, 0, 0, 0, 7, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
	} {
		for _, base := range []time.Time{{}, time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2090, 1, 1, 0, 0, 3, 0, time.UTC), at} {
			var e enc
			e.time(at, base)
			d := dec{b: e.b}
			if got := d.time(base); !got.Equal(at) || d.done() != nil {
				t.Errorf("time %v relative to %v came back as %v (%v)", at, base, got, d.err)
			}
		}
	}
}

// TestCodecKnowsEveryField fails when a field is added to a record type
// that codec.go writes: the compact form would silently drop it. Add the
// field to the encoder and decoder (append it: older values must still
// decode, e.g. behind a new flag bit), then list it here.
func TestCodecKnowsEveryField(t *testing.T) {
	known := map[reflect.Type]string{
		reflect.TypeFor[coach.Rating]():       "ID Subject Rater Area Score Note At Via",
		reflect.TypeFor[coach.Delivery]():     "Person Cadence Period Due State Attempt Channel TS SentAt QuestionID ThemeID ActionID Answered AnsweredAt Note",
		reflect.TypeFor[coach.ColourChoice](): "Person Month Theme Colour Note At",
		reflect.TypeFor[coach.Answer]():       "ID Person QuestionID Question Text Emotion At SharedWith SharedAt EventID Delivery Parts",
	}
	for typ, fields := range known {
		var got []string
		for f := range typ.Fields() {
			got = append(got, f.Name)
		}
		if g := strings.Join(got, " "); g != fields {
			t.Errorf("%s has fields %q; codec.go writes %q", typ, g, fields)
		}
	}
}
