package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// The records written most (ratings, ledger entries, colours, answers)
// are stored in a compact binary form from schema v3: what the key holds
// (subject, area, time and id of a rating; person, cadence and period of a
// ledger entry; person, month and theme of a colour; person and id of an
// answer) is not repeated in the value, times are integers, and known
// strings (states, colours, surfaces) are one byte. A value is
//
//	codecV1 field…
//
// with the fields of each type in a fixed order: strings as uvarint length
// and bytes, times as described at putTime, small enums as one byte.
// Everything else (people, plans, challenges, invitations) stays JSON:
// one record per person, read rarely, and JSON keeps them easy to evolve.
//
// A value that starts with '{' is the JSON of schema v1 and v2: the
// decoders accept it, so a read-only open of an older file (backup checks,
// offline export) still reads it. The first byte of a compact value is
// codecV1, never '{'.
//
// Why not protobuf: it would save no bytes over this (varints and
// length-prefixed strings are what it writes too), could not leave out
// the fields the key holds without a second message type per record, and
// would add generated code for four small structs. The format is tested by
// round trips and fuzzing (codec_test.go).
const codecV1 = 0x01

var errShort = errors.New("value too short")

// enc appends fields to a value.
type enc struct{ b []byte }

func (e *enc) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) byte(c byte) { e.b = append(e.b, c) }

// time writes t relative to base (the zero time: absolute): the
// difference in nanoseconds as a zigzag varint, so a time equal to base
// costs one byte and one a second later five; times before 1901 or
// after 2099 take seconds and nanoseconds instead. The zero time is a single 0. Times come back in
// UTC: the zone a time was made in is not kept (readers format times in
// a person's zone).
func (e *enc) time(t, base time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	if d, ok := nanoDiff(t, base); ok {
		e.b = binary.AppendUvarint(e.b, zigzag(d)<<1+1)
		return
	}
	var b int64
	if !base.IsZero() {
		b = base.Unix()
	}
	e.b = binary.AppendUvarint(e.b, zigzag(t.Unix()-b)<<1|1+1)
	e.b = binary.AppendUvarint(e.b, uint64(t.Nanosecond()))
}

func zigzag(d int64) uint64   { return uint64(d<<1) ^ uint64(d>>63) }
func unzigzag(z uint64) int64 { return int64(z>>1) ^ -int64(z&1) }

// nanoDiff is t - base (base zero: t's UnixNano) in nanoseconds, when
// both are between 1900 and 2100 and the difference fits 61 bits (so
// that zigzag and the tag bit cannot overflow).
func nanoDiff(t, base time.Time) (int64, bool) {
	in := func(x time.Time) bool { return x.Year() > 1900 && x.Year() < 2100 }
	if !in(t) {
		return 0, false
	}
	var b int64
	if !base.IsZero() {
		if !in(base) {
			return 0, false
		}
		b = base.UnixNano()
	}
	d := t.UnixNano() - b
	if d >= 1<<61 || d <= -(1<<61) {
		return 0, false
	}
	return d, true
}

// dec reads fields of a value in the order enc wrote them.
type dec struct {
	b   []byte
	err error
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errShort
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *dec) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = errShort
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *dec) time(base time.Time) time.Time {
	v := d.uvarint()
	if v == 0 || d.err != nil {
		return time.Time{}
	}
	v--
	if v&1 == 0 {
		var b int64
		if !base.IsZero() {
			b = base.UnixNano()
		}
		return time.Unix(0, b+unzigzag(v>>1)).UTC()
	}
	ns := d.uvarint()
	if ns >= 1e9 {
		d.err = fmt.Errorf("nanoseconds %d out of range", ns)
		return time.Time{}
	}
	var b int64
	if !base.IsZero() {
		b = base.Unix()
	}
	return time.Unix(b+unzigzag(v>>1), int64(ns)).UTC()
}

// start checks the version byte.
func (d *dec) start() {
	if c := d.byte(); d.err == nil && c != codecV1 {
		d.err = fmt.Errorf("unknown value format %#x", c)
	}
}

func (d *dec) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	return d.err
}

// An enum is a known string as one byte, or 0 and the string itself.
type enum []string // index 0 is unused

func (e enum) put(w *enc, s string) {
	for i := 1; i < len(e); i++ {
		if e[i] == s {
			w.byte(byte(i))
			return
		}
	}
	w.byte(0)
	w.str(s)
}

func (e enum) get(r *dec) string {
	i := r.byte()
	if i == 0 {
		return r.str()
	}
	if int(i) >= len(e) {
		if r.err == nil {
			r.err = fmt.Errorf("unknown enum value %d", i)
		}
		return ""
	}
	return e[i]
}

var colours = enum{"", string(coach.Green), string(coach.Yellow), string(coach.Red)}

// Keys: see ratingKey, ledgerKey, colour and answer keys in cadence.go.

func splitKey(k []byte, n int) ([]string, error) {
	parts := make([]string, 0, n)
	for range n - 1 {
		i := indexByte(k, 0)
		if i < 0 {
			return nil, fmt.Errorf("key %q has fewer than %d parts", k, n)
		}
		parts = append(parts, string(k[:i]))
		k = k[i+1:]
	}
	return append(parts, string(k)), nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// Rating: key subject 0x00 area 0x00 unixnano(8) id(uvarint) (ratingKey);
// value codecV1, one byte packing the score (bits 0-3; 15: a uvarint
// follows), the surface (bits 4-5: 1 command, 2 modal, 3 none, 0 a
// string follows), whether the rater is someone else (bit 6: their id
// follows) and whether there is a note (bit 7: it follows).
func encodeRating(r coach.Rating) []byte {
	e := enc{b: make([]byte, 0, 4+len(r.Rater)+len(r.Note))}
	e.byte(codecV1)
	score := max(r.Score, 0)
	packed := byte(min(score, 15))
	var via byte
	switch r.Via {
	case coach.SurfaceCommand:
		via = 1
	case coach.SurfaceModal:
		via = 2
	case "":
		via = 3
	}
	packed |= via << 4
	if r.Rater != r.Subject {
		packed |= 1 << 6
	}
	if r.Note != "" {
		packed |= 1 << 7
	}
	e.byte(packed)
	if score >= 15 {
		e.b = binary.AppendUvarint(e.b, uint64(score))
	}
	if via == 0 {
		e.str(string(r.Via))
	}
	if r.Rater != r.Subject {
		e.str(r.Rater)
	}
	if r.Note != "" {
		e.str(r.Note)
	}
	return e.b
}

func decodeRating(k, v []byte, r *coach.Rating) error {
	i := indexByte(k, 0)
	if i < 0 {
		return fmt.Errorf("bad rating key %q", k)
	}
	r.Subject = string(k[:i])
	rest := k[i+1:]
	j := indexByte(rest, 0)
	if j < 0 || len(rest) < j+1+8+1 {
		return fmt.Errorf("bad rating key %q", k)
	}
	r.Area = string(rest[:j])
	tail := rest[j+1:]
	r.At = time.Unix(0, int64(binary.BigEndian.Uint64(tail[:8]))).UTC()
	id, n := binary.Uvarint(tail[8:])
	if n <= 0 || n != len(tail)-8 {
		return fmt.Errorf("bad rating key %q", k)
	}
	r.ID = id
	d := dec{b: v}
	d.start()
	packed := d.byte()
	r.Score = int(packed & 15)
	if r.Score == 15 {
		score := d.uvarint()
		if score > math.MaxInt32 {
			return fmt.Errorf("score %d out of range", score)
		}
		r.Score = int(score)
	}
	switch packed >> 4 & 3 {
	case 0:
		r.Via = coach.Surface(d.str())
	case 1:
		r.Via = coach.SurfaceCommand
	case 2:
		r.Via = coach.SurfaceModal
	}
	r.Rater = r.Subject
	if packed&(1<<6) != 0 {
		r.Rater = d.str()
	}
	if packed&(1<<7) != 0 {
		r.Note = d.str()
	}
	return d.done()
}

// Delivery: key person 0x00 cadence 0x00 period (ledgerKey); value
// codecV1, a uvarint of flags (the state in bits 0-2, then Answered, then
// one bit per optional field present), then the fields present in
// order. The due time is relative to the period's wall-clock minute read
// as UTC (for a cron period a few hours at most, the person's zone
// offset); the other times are relative to the due time.
const (
	dAnswered = 1 << (3 + iota)
	dDue
	dAttempt
	dChannel
	dTS
	dSentAt
	dQuestion
	dTheme
	dAction
	dAnsweredAt
	dNote
)

var deliveryStates = map[coach.DeliveryState]uint64{coach.DeliveryQueued: 1, coach.DeliveryAttempted: 2, coach.DeliverySent: 3, coach.DeliverySkipped: 4}

func encodeDelivery(x coach.Delivery) []byte {
	e := enc{b: make([]byte, 0, 24+len(x.Channel)+len(x.Note))}
	e.byte(codecV1)
	flags := deliveryStates[x.State]
	for _, f := range []struct {
		set  bool
		flag uint64
	}{
		{x.Answered, dAnswered}, {!x.Due.IsZero(), dDue}, {!x.Attempt.IsZero(), dAttempt}, {x.Channel != "", dChannel},
		{x.TS != "", dTS}, {!x.SentAt.IsZero(), dSentAt}, {x.QuestionID != "", dQuestion}, {x.ThemeID != "", dTheme},
		{x.ActionID != "", dAction}, {!x.AnsweredAt.IsZero(), dAnsweredAt}, {x.Note != "", dNote},
	} {
		if f.set {
			flags |= f.flag
		}
	}
	e.b = binary.AppendUvarint(e.b, flags)
	if flags&7 == 0 {
		e.str(string(x.State))
	}
	if flags&dDue != 0 {
		e.time(x.Due, periodBase(x.Period))
	}
	if flags&dAttempt != 0 {
		e.time(x.Attempt, x.Due)
	}
	if flags&dChannel != 0 {
		e.str(x.Channel)
	}
	if flags&dTS != 0 {
		putTS(&e, x.TS, x.Due)
	}
	if flags&dSentAt != 0 {
		e.time(x.SentAt, x.Due)
	}
	for _, f := range []struct {
		flag uint64
		s    string
	}{{dQuestion, x.QuestionID}, {dTheme, x.ThemeID}, {dAction, x.ActionID}} {
		if flags&f.flag != 0 {
			e.str(f.s)
		}
	}
	if flags&dAnsweredAt != 0 {
		e.time(x.AnsweredAt, x.Due)
	}
	if flags&dNote != 0 {
		e.str(x.Note)
	}
	return e.b
}

func decodeDelivery(k, v []byte, x *coach.Delivery) error {
	parts, err := splitKey(k, 3)
	if err != nil {
		return err
	}
	x.Person, x.Cadence, x.Period = parts[0], coach.Cadence(parts[1]), periodName([]byte(parts[2]))
	d := dec{b: v}
	d.start()
	flags := d.uvarint()
	if flags >= dNote<<1 {
		return fmt.Errorf("unknown delivery flags %#x", flags)
	}
	switch flags & 7 {
	case 0:
		x.State = coach.DeliveryState(d.str())
	case 1:
		x.State = coach.DeliveryQueued
	case 2:
		x.State = coach.DeliveryAttempted
	case 3:
		x.State = coach.DeliverySent
	case 4:
		x.State = coach.DeliverySkipped
	default:
		return fmt.Errorf("unknown delivery state %d", flags&7)
	}
	x.Answered = flags&dAnswered != 0
	if flags&dDue != 0 {
		x.Due = d.time(periodBase(x.Period))
	}
	if flags&dAttempt != 0 {
		x.Attempt = d.time(x.Due)
	}
	if flags&dChannel != 0 {
		x.Channel = d.str()
	}
	if flags&dTS != 0 {
		x.TS = getTS(&d, x.Due)
	}
	if flags&dSentAt != 0 {
		x.SentAt = d.time(x.Due)
	}
	if flags&dQuestion != 0 {
		x.QuestionID = d.str()
	}
	if flags&dTheme != 0 {
		x.ThemeID = d.str()
	}
	if flags&dAction != 0 {
		x.ActionID = d.str()
	}
	if flags&dAnsweredAt != 0 {
		x.AnsweredAt = d.time(x.Due)
	}
	if flags&dNote != 0 {
		x.Note = d.str()
	}
	return d.done()
}

// periodBase is a period's wall-clock minute read as UTC, or the zero
// time for periods not named by a minute.
func periodBase(period string) time.Time {
	if len(period) != len(periodLayout) {
		return time.Time{}
	}
	t, err := time.Parse(periodLayout, period)
	if err != nil {
		return time.Time{}
	}
	return t
}

// putTS writes a Slack message ts: "1700000000.000100" as 1, its
// seconds relative to due (a zigzag varint: a message is posted soon
// after it is due) and its microseconds; anything else as 0 and the
// string.
func putTS(e *enc, ts string, due time.Time) {
	if n, ok := compactTS(ts); ok {
		var base int64
		if !due.IsZero() {
			base = due.Unix()
		}
		e.byte(1)
		e.b = binary.AppendUvarint(e.b, zigzag(int64(n/1e6)-base))
		e.b = binary.AppendUvarint(e.b, n%1e6)
		return
	}
	e.byte(0)
	e.str(ts)
}

func compactTS(ts string) (uint64, bool) {
	if len(ts) < 8 || ts[len(ts)-7] != '.' || ts[0] == '0' {
		return 0, false
	}
	sec, frac := ts[:len(ts)-7], ts[len(ts)-6:]
	for _, s := range []string{sec, frac} {
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
	}
	s, err1 := strconv.ParseUint(sec, 10, 40)
	f, err2 := strconv.ParseUint(frac, 10, 32)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return s*1e6 + f, true
}

func getTS(d *dec, due time.Time) string {
	if d.byte() == 0 {
		return d.str()
	}
	var base int64
	if !due.IsZero() {
		base = due.Unix()
	}
	sec := base + unzigzag(d.uvarint())
	us := d.uvarint()
	if d.err != nil {
		return ""
	}
	if sec <= 0 || us >= 1e6 {
		d.err = fmt.Errorf("bad ts %d.%d", sec, us)
		return ""
	}
	return fmt.Sprintf("%d.%06d", sec, us)
}

// ColourChoice: key person 0x00 month 0x00 theme.
func encodeColour(c coach.ColourChoice) []byte {
	e := enc{b: make([]byte, 0, 16+len(c.Note))}
	e.byte(codecV1)
	colours.put(&e, string(c.Colour))
	e.time(c.At, time.Time{})
	e.str(c.Note)
	return e.b
}

func decodeColour(k, v []byte, c *coach.ColourChoice) error {
	parts, err := splitKey(k, 3)
	if err != nil {
		return err
	}
	c.Person, c.Month, c.Theme = parts[0], parts[1], parts[2]
	d := dec{b: v}
	d.start()
	c.Colour = coach.Colour(colours.get(&d))
	c.At = d.time(time.Time{})
	c.Note = d.str()
	return d.done()
}

// Answer: key person 0x00 id(8).
func encodeAnswer(a coach.Answer) []byte {
	e := enc{b: make([]byte, 0, 32+len(a.Question)+len(a.Text))}
	e.byte(codecV1)
	e.str(a.QuestionID)
	e.str(a.Question)
	e.str(a.Text)
	e.str(a.Emotion)
	e.time(a.At, time.Time{})
	e.str(a.SharedWith)
	e.time(a.SharedAt, a.At)
	e.str(a.EventID)
	e.str(a.Delivery)
	// The DM messages the answer was written in (coach.AnswerPart), last:
	// a value without them ends here.
	if len(a.Parts) > 0 {
		e.b = binary.AppendUvarint(e.b, uint64(len(a.Parts)))
		for _, p := range a.Parts {
			e.str(p.TS)
			e.str(p.Text)
			e.time(p.At, a.At)
		}
	}
	return e.b
}

func decodeAnswer(k, v []byte, a *coach.Answer) error {
	i := indexByte(k, 0)
	if i < 0 || len(k) != i+1+8 {
		return fmt.Errorf("bad answer key %q", k)
	}
	a.Person, a.ID = string(k[:i]), binary.BigEndian.Uint64(k[i+1:])
	d := dec{b: v}
	d.start()
	a.QuestionID = d.str()
	a.Question = d.str()
	a.Text = d.str()
	a.Emotion = d.str()
	a.At = d.time(time.Time{})
	a.SharedWith = d.str()
	a.SharedAt = d.time(a.At)
	a.EventID = d.str()
	a.Delivery = d.str()
	if d.err == nil && len(d.b) > 0 {
		n := d.uvarint()
		if n > uint64(len(d.b)) {
			return fmt.Errorf("answer claims %d parts in %d bytes", n, len(d.b))
		}
		a.Parts = make([]coach.AnswerPart, n)
		for i := range a.Parts {
			a.Parts[i] = coach.AnswerPart{TS: d.str(), Text: d.str(), At: d.time(a.At)}
		}
	}
	return d.done()
}

// encodeValue is a record's stored form: compact for the four record
// types above, JSON for the rest.
func encodeValue(v any) ([]byte, error) {
	switch x := v.(type) {
	case coach.Rating:
		return encodeRating(x), nil
	case coach.Delivery:
		return encodeDelivery(x), nil
	case coach.ColourChoice:
		return encodeColour(x), nil
	case coach.Answer:
		return encodeAnswer(x), nil
	}
	return json.Marshal(v)
}

// decodeValue reads a record stored under key k into v (a pointer).
func decodeValue(k, raw []byte, v any) error {
	if len(raw) > 0 && raw[0] == '{' {
		return json.Unmarshal(raw, v)
	}
	switch x := v.(type) {
	case *coach.Rating:
		*x = coach.Rating{}
		return decodeRating(k, raw, x)
	case *coach.Delivery:
		*x = coach.Delivery{}
		return decodeDelivery(k, raw, x)
	case *coach.ColourChoice:
		*x = coach.ColourChoice{}
		return decodeColour(k, raw, x)
	case *coach.Answer:
		*x = coach.Answer{}
		return decodeAnswer(k, raw, x)
	}
	return json.Unmarshal(raw, v)
}
