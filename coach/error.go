package coach

import (
	"errors"
	"fmt"
)

// Error codes. They tell an adapter how to present an error: the bot shows
// the Message of an Invalid, NotFound, Forbidden or Conflict error to the
// person, and logs Internal ones without showing their detail.
const (
	EINVALID   = "invalid"   // the input breaks a rule; Message says which
	ENOTFOUND  = "not_found" // the thing asked for does not exist
	EFORBIDDEN = "forbidden" // the person may not do this
	ECONFLICT  = "conflict"  // someone else changed it first
	EINTERNAL  = "internal"  // a bug or an outage; never shown in detail
)

// Error is a domain error with a code and a message meant for the person who
// caused it. It is the one error vocabulary of microcoach: the rules here
// and the adapters' parsers (bad command text is EINVALID with the
// command's usage as Hint) speak it alike.
type Error struct {
	Code    string
	Message string
	// Hint is how to do it right, when there is a short way to say it
	// (a command's usage); adapters show it below the message.
	Hint string
}

func (e *Error) Error() string { return fmt.Sprintf("coach: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid is an EINVALID error: what was wrong, and how to do it right.
func Invalid(message, hint string) *Error {
	return &Error{Code: EINVALID, Message: message, Hint: hint}
}

// ErrorHint returns the Hint of the first *Error in err's chain, or "".
func ErrorHint(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var m *MatchError
	if errors.As(err, &m) {
		return EINVALID
	}
	return EINTERNAL
}

// ErrorMessage returns the person-facing message of err: the Message of an
// *Error, or a generic sentence for anything else.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	var m *MatchError
	if errors.As(err, &m) {
		return m.Error()
	}
	return "Something went wrong on our side and nothing was saved. Please try again in a minute."
}

// ErrDuplicate is returned for a change that was already saved under the
// same submission id (a form submitted twice). Nothing was changed.
var ErrDuplicate = Errorf(ECONFLICT, "this was already saved")
