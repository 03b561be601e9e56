package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// offerEdgesStart opens the offers' edges with the fields of an offer
// that a results page shows; the query that uses it adds its own and
// closes the node and the edges.
const offerEdgesStart = `      edges {
        cursor
        node {
          id
          fareType
          totalPrice { amount currencyCode }
          slices { departureAt arrivalAt segments { carrierCode flightNumber } }
          seatsAvailable
`

// roundTripFullQuery is a round-trip search with what a results page
// shows and, for every offer, a live price check and its extras.
const roundTripFullQuery = `query RoundTripFull($date: Date!, $return: Date!) {
  searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: $date, returnDate: $return, passengers: {adults: 2}}) {
    id
    offers(first: 20) {
      totalCount
` + offerEdgesStart + `          priceCheck { available priceChanged totalPrice { amount currencyCode } }
          ancillaries { id kind price { amount currencyCode } }
        }
      }
    }
  }
}`

// cachedPageQuery pages a stored search: no provider is asked.
const cachedPageQuery = `query CachedPage($id: ID!) {
  offerSearch(id: $id) {
    offers(first: 20) {
` + offerEdgesStart + `          parts { provider fareType totalPrice { amount currencyCode } sliceIndexes }
        }
      }
    }
  }
}`

// fanoutQuery is a round-trip search with what each provider answered and
// the first offers' basic fields: nothing that calls a provider again.
const fanoutQuery = `query Fanout($date: Date!, $return: Date!) {
  searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: $date, returnDate: $return, passengers: {adults: 2}}) {
    id
    providerResults { provider status offerCount latencyMs message }
    offers(first: 20) {
      totalCount
      edges { node { id fareType totalPrice { amount currencyCode } seatsAvailable } }
    }
  }
}`

// memoryQuery is fanoutQuery for a number of adults.
const memoryQuery = `query Memory($date: Date!, $return: Date!, $adults: Int!) {
  searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: $date, returnDate: $return, passengers: {adults: $adults}}) {
    id
    offers(first: 20) {
      totalCount
      edges { node { id fareType totalPrice { amount currencyCode } seatsAvailable } }
    }
  }
}`

// gqlBody encodes a GraphQL-over-HTTP POST body.
func gqlBody(query, operation string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "operationName": operation, "variables": vars})
	if err != nil {
		panic(err) // strings and maps of strings always encode
	}
	return b
}

// errorsKey starts the top-level errors list of a GraphQL answer (gqlgen
// writes compact JSON); the data this bench asks for never contains it.
var errorsKey = []byte(`"errors":[`)

// gqlError returns the first error of a GraphQL answer, or nil. It is cheap
// on a good answer: the load loop calls it on every response.
func gqlError(body []byte) error {
	if !bytes.Contains(body, errorsKey) {
		return nil
	}
	var r struct {
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) == 0 {
		return fmt.Errorf("unreadable GraphQL answer: %.200s", body)
	}
	e := r.Errors[0]
	msg := e.Message
	if code, ok := e.Extensions["code"]; ok {
		msg = fmt.Sprintf("%v: %s", code, msg)
	}
	return errors.New(msg)
}

// Answers as decoded by the checks of warm-ups and scenarios.
type (
	money struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	}
	offerNode struct {
		ID         string `json:"id"`
		FareType   string `json:"fareType"`
		TotalPrice money  `json:"totalPrice"`
		PriceCheck *struct {
			Available    bool  `json:"available"`
			PriceChanged bool  `json:"priceChanged"`
			TotalPrice   money `json:"totalPrice"`
		} `json:"priceCheck"`
		Ancillaries []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		} `json:"ancillaries"`
	}
	offerSearch struct {
		ID              string `json:"id"`
		ProviderResults []struct {
			Provider  string `json:"provider"`
			Status    string `json:"status"`
			LatencyMs int    `json:"latencyMs"`
			Message   string `json:"message"`
		} `json:"providerResults"`
		Offers struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node offerNode `json:"node"`
			} `json:"edges"`
		} `json:"offers"`
	}
)

// decodeSearch decodes the answer of a searchOffers or offerSearch query.
func decodeSearch(body []byte) (*offerSearch, error) {
	if err := gqlError(body); err != nil {
		return nil, err
	}
	var r struct {
		Data struct {
			SearchOffers *offerSearch `json:"searchOffers"`
			OfferSearch  *offerSearch `json:"offerSearch"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
	}
	s := r.Data.SearchOffers
	if s == nil {
		s = r.Data.OfferSearch
	}
	if s == nil {
		return nil, fmt.Errorf("no search in the answer: %.200s", body)
	}
	return s, nil
}

// checkFanout accepts a fanout answer only if every provider answered OK.
func checkFanout(body []byte) error {
	s, err := decodeSearch(body)
	if err != nil {
		return err
	}
	var bad []string
	for _, p := range s.ProviderResults {
		if p.Status != "OK" {
			bad = append(bad, fmt.Sprintf("%s %s %s", p.Provider, p.Status, p.Message))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("providers not OK: %s", strings.Join(bad, "; "))
	}
	if len(s.Offers.Edges) == 0 {
		return errors.New("no offers")
	}
	return nil
}
