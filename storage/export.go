package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// ExportFormat names the export documents; ExportFormatVersion changes
// when their shape does. docs/operating.md describes both documents.
const (
	ExportFormat        = "microcoach-export"
	ExportFormatVersion = 1
)

// TeamLink says that Manager is the manager of record of Report.
type TeamLink struct {
	Manager string `json:"manager"`
	Report  string `json:"report"`
}

// Prep marks when Viewer last prepared a 1:1 agenda about Subject.
type Prep struct {
	Viewer  string    `json:"viewer"`
	Subject string    `json:"subject"`
	At      time.Time `json:"at"`
}

// Export is every record in the database, as one JSON document. Records
// keep the field names they are stored with (those of package coach).
type Export struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	SchemaVersion int       `json:"schema_version"`
	ExportedAt    time.Time `json:"exported_at"`

	People      []coach.Person       `json:"people"`
	TeamLinks   []TeamLink           `json:"team_links"`
	Ratings     []coach.Rating       `json:"ratings"`
	Challenges  []coach.Challenge    `json:"challenges"`
	Plans       []coach.Plan         `json:"plans"`
	PlanHistory []coach.PlanChange   `json:"plan_history"`
	Answers     []coach.Answer       `json:"answers"`
	Colours     []coach.ColourChoice `json:"colours"`
	Ledger      []coach.Delivery     `json:"ledger"`
	Preps       []Prep               `json:"preps"`
	Invitations []coach.Invitation   `json:"invitations"`
	// LedgerQuarters count ledger entries folded by the retention rule.
	LedgerQuarters []QuarterCount `json:"ledger_quarters"`
}

// PersonExport is one person's own data: what is about them and what they
// wrote, and nobody else's records. Ratings they gave and challenges they
// proposed name the other person by id only.
type PersonExport struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	SchemaVersion int       `json:"schema_version"`
	ExportedAt    time.Time `json:"exported_at"`

	Person       coach.Person   `json:"person"`
	Manager      string         `json:"manager,omitempty"` // their manager of record's user id
	Reports      []string       `json:"reports"`           // user ids of the people they coach
	Ratings      []coach.Rating `json:"ratings"`           // ratings of them, by themselves and by their manager
	RatingsGiven []coach.Rating `json:"ratings_given"`     // ratings they gave others
	// Challenges are theirs; Proposed are the ones they proposed to others.
	Challenges  []coach.Challenge    `json:"challenges"`
	Proposed    []coach.Challenge    `json:"challenges_proposed"`
	Plan        *coach.Plan          `json:"plan"`
	PlanHistory []coach.PlanChange   `json:"plan_history"`
	Answers     []coach.Answer       `json:"answers"`
	Colours     []coach.ColourChoice `json:"colours"`
	Ledger      []coach.Delivery     `json:"ledger"`
	// LedgerQuarters count their ledger entries folded by the retention rule.
	LedgerQuarters []QuarterCount `json:"ledger_quarters"`
	Preps          []Prep         `json:"preps"` // 1:1 agendas they prepared
	// Invitations are the open ones they sent or were sent.
	Invitations []coach.Invitation `json:"invitations"`
}

// ExportAll returns every record, from one read transaction (a consistent
// snapshot while the bot keeps writing).
func (db *DB) ExportAll(now time.Time) (Export, error) {
	e := Export{
		Format: ExportFormat, FormatVersion: ExportFormatVersion, ExportedAt: now.UTC(),
		// Empty lists, not nulls, so readers need not tell them apart.
		People: []coach.Person{}, TeamLinks: []TeamLink{}, Ratings: []coach.Rating{},
		Challenges: []coach.Challenge{}, Plans: []coach.Plan{}, PlanHistory: []coach.PlanChange{},
		Answers: []coach.Answer{}, Colours: []coach.ColourChoice{}, Ledger: []coach.Delivery{}, Preps: []Prep{},
		Invitations: []coach.Invitation{}, LedgerQuarters: []QuarterCount{},
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		e.SchemaVersion = schemaVersion(tx)
		return errors.Join(
			eachJSON(tx, bucketInvites, nil, func(_ []byte, i coach.Invitation) { e.Invitations = append(e.Invitations, i) }),
			eachJSON(tx, bucketPeople, nil, func(_ []byte, p coach.Person) { e.People = append(e.People, p) }),
			eachTeamLink(tx, nil, func(l TeamLink) { e.TeamLinks = append(e.TeamLinks, l) }),
			eachJSON(tx, bucketRatings, nil, func(_ []byte, r coach.Rating) { e.Ratings = append(e.Ratings, r) }),
			eachJSON(tx, bucketChallenges, nil, func(_ []byte, c coach.Challenge) { e.Challenges = append(e.Challenges, c) }),
			eachJSON(tx, bucketPlans, nil, func(_ []byte, p coach.Plan) { e.Plans = append(e.Plans, p) }),
			eachJSON(tx, bucketPlanHistory, nil, func(_ []byte, c coach.PlanChange) { e.PlanHistory = append(e.PlanHistory, c) }),
			eachJSON(tx, bucketAnswers, nil, func(_ []byte, a coach.Answer) { e.Answers = append(e.Answers, a) }),
			eachJSON(tx, bucketColours, nil, func(_ []byte, c coach.ColourChoice) { e.Colours = append(e.Colours, c) }),
			eachJSON(tx, bucketLedger, nil, func(_ []byte, d coach.Delivery) { e.Ledger = append(e.Ledger, d) }),
			eachPrep(tx, nil, func(p Prep) { e.Preps = append(e.Preps, p) }),
			eachQuarter(tx, nil, func(q QuarterCount) { e.LedgerQuarters = append(e.LedgerQuarters, q) }),
		)
	})
	if err != nil {
		return Export{}, fmt.Errorf("storage: export: %w", err)
	}
	return e, nil
}

// ExportPerson returns one person's own data (see PersonExport), from one
// read transaction. found is false when nothing is stored about them.
func (db *DB) ExportPerson(id string, now time.Time) (PersonExport, bool, error) {
	e := PersonExport{
		Format: ExportFormat, FormatVersion: ExportFormatVersion, ExportedAt: now.UTC(),
		Reports: []string{}, Ratings: []coach.Rating{}, RatingsGiven: []coach.Rating{},
		Challenges: []coach.Challenge{}, Proposed: []coach.Challenge{}, PlanHistory: []coach.PlanChange{},
		Answers: []coach.Answer{}, Colours: []coach.ColourChoice{}, Ledger: []coach.Delivery{}, Preps: []Prep{},
		Invitations: []coach.Invitation{}, LedgerQuarters: []QuarterCount{},
	}
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		e.SchemaVersion = schemaVersion(tx)
		p, ok, err := getPerson(tx, id)
		if err != nil || !ok {
			return err
		}
		found = true
		e.Person, e.Manager = p, p.Manager
		mine := joinKey(id, "")
		err = errors.Join(
			eachTeamLink(tx, mine, func(l TeamLink) { e.Reports = append(e.Reports, l.Report) }),
			eachJSON(tx, bucketRatings, mine, func(_ []byte, r coach.Rating) { e.Ratings = append(e.Ratings, r) }),
			eachJSON(tx, bucketRatings, nil, func(_ []byte, r coach.Rating) {
				if r.Rater == id && r.Subject != id {
					e.RatingsGiven = append(e.RatingsGiven, r)
				}
			}),
			eachJSON(tx, bucketChallenges, mine, func(_ []byte, c coach.Challenge) { e.Challenges = append(e.Challenges, c) }),
			eachJSON(tx, bucketChallenges, nil, func(_ []byte, c coach.Challenge) {
				if c.By == id && c.Subject != id {
					e.Proposed = append(e.Proposed, c)
				}
			}),
			eachJSON(tx, bucketPlanHistory, mine, func(_ []byte, c coach.PlanChange) { e.PlanHistory = append(e.PlanHistory, c) }),
			eachJSON(tx, bucketAnswers, mine, func(_ []byte, a coach.Answer) { e.Answers = append(e.Answers, a) }),
			eachJSON(tx, bucketColours, mine, func(_ []byte, c coach.ColourChoice) { e.Colours = append(e.Colours, c) }),
			eachJSON(tx, bucketLedger, mine, func(_ []byte, d coach.Delivery) { e.Ledger = append(e.Ledger, d) }),
			eachPrep(tx, mine, func(p Prep) { e.Preps = append(e.Preps, p) }),
			eachQuarter(tx, mine, func(q QuarterCount) { e.LedgerQuarters = append(e.LedgerQuarters, q) }),
			eachJSON(tx, bucketInvites, mine, func(_ []byte, i coach.Invitation) { e.Invitations = append(e.Invitations, i) }),
			eachJSON(tx, bucketInvites, nil, func(_ []byte, i coach.Invitation) {
				if i.Manager == id {
					e.Invitations = append(e.Invitations, i)
				}
			}),
		)
		if err != nil {
			return err
		}
		if b := tx.Bucket(bucketPlans); b != nil {
			var plan coach.Plan
			if ok, err := getJSON(b, []byte(id), &plan); err != nil {
				return fmt.Errorf("decode plan: %w", err)
			} else if ok {
				e.Plan = &plan
			}
		}
		return nil
	})
	if err != nil {
		return PersonExport{}, false, fmt.Errorf("storage: export %s: %w", id, err)
	}
	return e, found, nil
}

// ExportPersonJSON is ExportPerson as an indented JSON document; found is
// false (and the document empty) when nothing is stored about the person.
func (db *DB) ExportPersonJSON(id string, now time.Time) ([]byte, bool, error) {
	e, found, err := db.ExportPerson(id, now)
	if err != nil || !found {
		return nil, found, err
	}
	raw, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, false, fmt.Errorf("storage: export %s: %w", id, err)
	}
	return append(raw, '\n'), true, nil
}

func schemaVersion(tx *bolt.Tx) int {
	if m := tx.Bucket(bucketMeta); m != nil {
		if raw := m.Get(keySchemaVersion); len(raw) == 8 {
			return int(binary.BigEndian.Uint64(raw))
		}
	}
	return 0
}

// eachJSON decodes every value of a bucket whose key starts with prefix
// (nil for all). A bucket an older schema lacks is empty.
func eachJSON[T any](tx *bolt.Tx, bucket, prefix []byte, fn func(k []byte, v T)) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var x T
		if err := decodeValue(k, v, &x); err != nil {
			return fmt.Errorf("decode %s %q: %w", bucket, k, err)
		}
		fn(k, x)
	}
	return nil
}

func eachTeamLink(tx *bolt.Tx, prefix []byte, fn func(TeamLink)) error {
	b := tx.Bucket(bucketReports)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		manager, report, _ := bytes.Cut(k, []byte{0})
		fn(TeamLink{Manager: string(manager), Report: string(report)})
	}
	return nil
}

func eachPrep(tx *bolt.Tx, prefix []byte, fn func(Prep)) error {
	b := tx.Bucket(bucketPreps)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		viewer, subject, _ := bytes.Cut(k, []byte{0})
		if len(v) != 8 {
			return fmt.Errorf("decode prep %q: %d bytes, want 8", k, len(v))
		}
		fn(Prep{Viewer: string(viewer), Subject: string(subject), At: time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()})
	}
	return nil
}
