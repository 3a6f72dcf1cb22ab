package coach

import "time"

// Person is someone microcoach knows: enrolled on first use, or when a
// manager adds them to a team.
type Person struct {
	ID         string    // Slack user id
	Name       string    // display name at enrolment, for logs and exports
	EnrolledAt time.Time // first use
}
