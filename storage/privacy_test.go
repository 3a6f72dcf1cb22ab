package storage

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

// What export and forget-me do for one person is checked for every
// backend by the conformance suite (storagetest: ExportPersonHoldsOnly…,
// ExportAll, Forget…), which conformance_test.go runs on this store. What
// is left here is about this store's own layout.

func TestEveryBucketIsCoveredByExportAndForget(t *testing.T) {
	covered := map[string]string{
		"meta":            "schema version only",
		"people":          "exported; forgotten",
		"reports":         "exported as team_links; forgotten both ways",
		"ratings":         "exported; forgotten (of and by)",
		"challenges":      "exported; forgotten (of, and proposals by)",
		"plans":           "exported; forgotten",
		"plan_history":    "exported; forgotten",
		"submissions":     "ids of Slack deliveries only; kept",
		"ledger":          "exported; forgotten",
		"answers":         "exported; forgotten",
		"colours":         "exported; forgotten",
		"preps":           "exported; forgotten (by and about)",
		"invites":         "exported; forgotten (to and from)",
		"invites_sent":    "index of invites; forgotten with them",
		"due":             "scheduler's index of when people are due (ids and times only); forgotten",
		"due_by":          "reverse of due; forgotten with it",
		"open":            "index of unfinished ledger entries (keys only); forgotten",
		"ledger_quarters": "ledger counts folded by retention; exported; forgotten",
	}
	db := openTest(t)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if _, ok := covered[string(name)]; !ok {
				t.Errorf("bucket %q is new: make storage/export.go and storage/forget.go handle it, then list it here", name)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
