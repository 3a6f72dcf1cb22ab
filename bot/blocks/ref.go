package blocks

import (
	"encoding/json"

	"github.com/microcoach/microcoach/coach"
)

// DeliveryRef travels in a cadence message's buttons: which delivery, and
// for which theme, action or colour.
type DeliveryRef struct {
	Person  string `json:"p"`
	Cadence string `json:"c"`
	Period  string `json:"d"`
	Theme   string `json:"t,omitempty"`
	Action  string `json:"a,omitempty"`
	Colour  string `json:"k,omitempty"`
}

// RefOf is the reference of a delivery's own message.
func RefOf(d coach.Delivery) DeliveryRef {
	return DeliveryRef{Person: d.Person, Cadence: string(d.Cadence), Period: d.Period}
}

// With is r, changed by f, as a button value.
func (r DeliveryRef) With(f func(*DeliveryRef)) string {
	f(&r)
	return mustJSON(r)
}

// ParseRef reads a cadence button's value.
func ParseRef(v string) (DeliveryRef, error) {
	var r DeliveryRef
	err := json.Unmarshal([]byte(v), &r)
	return r, err
}
