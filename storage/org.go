package storage

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// ApplyOrg applies the changes of an org chart import (coach.PlanOrg) in
// one transaction: it enrols everyone they name and makes each change's
// manager the manager of record of its report, moving reports from former
// managers and settling open invitations as AssignManager does. Either
// every change is applied or none is: a change the rules refuse now (a
// cycle made since the plan, say) rolls everything back, and the error
// names its line.
//
// Reports are first detached from their former managers and then linked
// to their new ones, so a reorganisation that is fine as a whole (Ana
// will report to Bob, who today reports to Ana but will report to Maya)
// does not trip over its own intermediate steps; the cycle check still
// sees every link of the final org. A change whose report already has
// that manager changes nothing and comes back with Already set. The
// result is in the order of changes; Former is the manager before the
// import.
func (db *DB) ApplyOrg(changes []coach.OrgChange, at time.Time) ([]coach.ManagerChange, error) {
	out := make([]coach.ManagerChange, len(changes))
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		seen := make(map[string]int, len(changes))
		for _, c := range changes {
			if c.Report.ID == "" || c.Manager.ID == "" {
				return fmt.Errorf("line %d: the change names nobody", c.Line)
			}
			if l, ok := seen[c.Report.ID]; ok {
				return fmt.Errorf("line %d: %s is already on line %d", c.Line, c.Report.ID, l)
			}
			seen[c.Report.ID] = c.Line
			for _, p := range []coach.OrgPerson{c.Manager, c.Report} {
				if _, err := enroll(tx, coach.Person{ID: p.ID, Name: p.Name, TZ: p.TZ, EnrolledAt: at}); err != nil {
					return fmt.Errorf("line %d: enrol %s: %w", c.Line, p.ID, err)
				}
			}
		}
		// Detach every report that moves.
		for i, c := range changes {
			r, _, err := getPerson(tx, c.Report.ID)
			if err != nil {
				return fmt.Errorf("line %d: %w", c.Line, err)
			}
			out[i] = coach.ManagerChange{Person: r, Former: r.Manager, Already: r.Manager == c.Manager.ID}
			if r.Manager != "" && !out[i].Already {
				if err := unlink(tx, r); err != nil {
					return fmt.Errorf("line %d: %w", c.Line, err)
				}
			}
		}
		// Link each to their new manager.
		for i, c := range changes {
			if out[i].Already {
				continue
			}
			r, _, err := getPerson(tx, c.Report.ID)
			if err != nil {
				return fmt.Errorf("line %d: %w", c.Line, err)
			}
			ch, err := setManager(tx, r, c.Manager.ID, at)
			if err != nil {
				return fmt.Errorf("line %d: make %s the manager of %s: %w", c.Line, c.Manager.ID, c.Report.ID, err)
			}
			ch.Former = out[i].Former
			out[i] = ch
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: org import (nothing was changed): %w", err)
	}
	return out, nil
}
