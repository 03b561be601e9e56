package records

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers"
)

// JSON keeps a time's offset only, and writes a zero one as "Z": decoded
// times come back in their airport's zone, UTC+0 airports included.
func TestSegmentTimesComeBackInTheAirportZone(t *testing.T) {
	lis := providers.AirportLocation("LIS")
	dep := time.Date(2027, 1, 15, 6, 20, 0, 0, providers.AirportLocation("ORY"))
	arr := time.Date(2027, 1, 15, 7, 45, 0, 0, lis)
	in := []providers.Slice{{Segments: []providers.Segment{{CarrierCode: "TP", FlightNumber: "431", Origin: "ORY", Destination: "LIS", DepartureAt: dep, ArrivalAt: arr}}}}
	b, err := json.Marshal(FromSlices(in))
	if err != nil {
		t.Fatal(err)
	}
	var rec []Slice
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	got := DomainSlices(rec)[0].Segments[0]
	if got.ArrivalAt.Location() != lis || !got.ArrivalAt.Equal(arr) || got.ArrivalAt.Format(time.RFC3339) != "2027-01-15T07:45:00Z" {
		t.Errorf("arrival %s in %s", got.ArrivalAt, got.ArrivalAt.Location())
	}
	if got.DepartureAt.Location().String() != "Europe/Paris" || !got.DepartureAt.Equal(dep) {
		t.Errorf("departure %s in %s", got.DepartureAt, got.DepartureAt.Location())
	}
}
