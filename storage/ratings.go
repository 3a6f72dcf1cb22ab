package storage

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// Ratings live in one bucket under
//
//	subject 0x00 area 0x00 unixnano(8, big-endian) id(uvarint)
//
// so one person's series for one area is a contiguous, time-ordered range.

func ratingPrefix(subject, area string) []byte {
	k := make([]byte, 0, len(subject)+len(area)+2)
	k = append(k, subject...)
	k = append(k, 0)
	if area != "" {
		k = append(k, area...)
		k = append(k, 0)
	}
	return k
}

func ratingKey(r coach.Rating) []byte {
	k := ratingPrefix(r.Subject, r.Area)
	k = binary.BigEndian.AppendUint64(k, uint64(r.At.UnixNano()))
	return binary.AppendUvarint(k, r.ID) // only two ratings of the same nanosecond need it
}

// AddRatings stores ratings in one transaction and enrolls the people they
// name (the rater as given, the subject by id) if they are new. It assigns
// and returns the ratings' ids. Either all are stored or none. A non-empty
// submission id makes a second call with the same id return coach.ErrDuplicate.
func (db *DB) AddRatings(rater coach.Person, ratings []coach.Rating, submission string) ([]coach.Rating, error) {
	out := make([]coach.Rating, len(ratings))
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if len(ratings) > 0 {
			if err := claimSubmission(tx, submission, ratings[0].At); err != nil {
				return err
			}
		}
		if _, err := enroll(tx, rater); err != nil {
			return err
		}
		b := hot(tx, bucketRatings)
		for i, r := range ratings {
			if err := r.Validate(); err != nil {
				return err
			}
			if r.Subject != rater.ID {
				if _, err := enroll(tx, coach.Person{ID: r.Subject, EnrolledAt: r.At}); err != nil {
					return err
				}
			}
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			r.ID = id
			r.At = r.At.UTC()
			if err := putJSON(b, ratingKey(r), r); err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: add ratings: %w", err)
	}
	return out, nil
}

// Ratings returns the ratings of subject in area, oldest first; with area
// "" every area, grouped by area id and oldest first within each.
func (db *DB) Ratings(subject, area string) ([]coach.Rating, error) {
	return readSeries[coach.Rating](db, bucketRatings, ratingPrefix(subject, area), "ratings of "+subject)
}
