package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The saga scenario checks out offers from create to BOOKED over GraphQL,
// with the sandbox payment gateway: -saga-workers checkouts in flight
// (closed loop) for -duration, once per variant (-saga-variants):
//
//	steps     createCheckoutSession → holdCheckoutSession →
//	          payCheckoutSession(CARD) → confirmSandboxPayment(4242…) →
//	          bookCheckoutSession
//	checkout  checkout(CARD) (create, hold and pay in one request) →
//	          confirmSandboxPayment → bookCheckoutSession
//
// Seats are finite in the simulators (a CitizenPlane flight has 4 to 60,
// a LiteAPI fare family 1 to 9 per flight; a hold takes them for minutes,
// a booking for good), so every checkout takes an offer from a pool of
// one-way searches over many routes and days, made before the clock
// starts: the pool counts the seats each flight showed and hands out
// offers round-robin, each flight at most as often as it has seats.

// sagaRoute is a one-way route of the pool with the providers that fly
// it (naming them spares the calls that would find nothing).
type sagaRoute struct {
	from, to  string
	providers []string
}

var sagaRoutes = []sagaRoute{
	{"CDG", "PMI", []string{"citizenplane", "liteapi"}},
	{"PMI", "CDG", []string{"citizenplane", "liteapi"}},
	{"CDG", "BCN", []string{"citizenplane", "liteapi"}},
	{"BCN", "CDG", []string{"citizenplane", "liteapi"}},
	{"ORY", "AJA", []string{"citizenplane"}},
	{"AJA", "ORY", []string{"citizenplane"}},
	{"CDG", "HER", []string{"citizenplane"}},
	{"HER", "CDG", []string{"citizenplane"}},
	{"CDG", "MAD", []string{"liteapi"}},
	{"MAD", "CDG", []string{"liteapi"}},
	{"ORY", "LIS", []string{"liteapi"}},
	{"LIS", "ORY", []string{"liteapi"}},
}

const (
	// sagaFirstDay is the first departure of the pool, clear of the
	// other scenarios' dates (30 to about 90 days out).
	sagaFirstDay = 100
	// sagaMaxDays bounds the pools' departure days: sagaFirstDay and
	// the days after it (the simulators fly up to a year out). Pools
	// search the days after the last pool's, and start over from
	// sagaFirstDay past the last one.
	sagaMaxDays = 240
	// sagaSearchesInFlight is how many pool searches run at once.
	sagaSearchesInFlight = 8
	// sagaAutoRate is the checkouts per second per worker an automatic
	// pool is sized for (about three times what a 2-core machine does),
	// and sagaMinSeats the least it holds.
	sagaAutoRate = 150
	sagaMinSeats = 2000
)

// sagaSearchQuery is one one-way search of the pool, one adult, with what
// the pool needs of every offer.
const sagaSearchQuery = `query SagaPool($origin: String!, $destination: String!, $date: Date!, $providers: [String!]) {
  searchOffers(input: {origin: $origin, destination: $destination, departureDate: $date, passengers: {adults: 1}, providers: $providers}) {
    providerResults { provider status message }
    offers(first: 100) {
      totalCount
      edges {
        node {
          id
          seatsAvailable
          expiresAt
          conditions { refundable }
          parts { provider }
          slices { segments { carrierCode flightNumber departureAt } }
        }
      }
    }
  }
}`

// The checkout mutations. Every answer is the session's id and status and
// the user errors; book adds what shows the booking was made.
const (
	sagaPayloadFields = `checkoutSession { id status } userErrors { code field message }`
	sagaCreate        = `mutation SagaCreate($input: CreateCheckoutSessionInput!) {
  createCheckoutSession(input: $input) { ` + sagaPayloadFields + ` }
}`
	sagaCheckout = `mutation SagaCheckout($input: CheckoutInput!) {
  checkout(input: $input) { ` + sagaPayloadFields + ` }
}`
	sagaHold = `mutation SagaHold($id: ID!, $key: String!) {
  holdCheckoutSession(input: {checkoutSessionId: $id, idempotencyKey: $key}) { ` + sagaPayloadFields + ` }
}`
	sagaPay = `mutation SagaPay($id: ID!, $key: String!) {
  payCheckoutSession(input: {checkoutSessionId: $id, method: CARD, idempotencyKey: $key}) { ` + sagaPayloadFields + ` }
}`
	sagaConfirm = `mutation SagaConfirm($id: ID!) {
  confirmSandboxPayment(input: {checkoutSessionId: $id, cardNumber: "4242424242424242"}) { ` + sagaPayloadFields + ` }
}`
	sagaBook = `mutation SagaBook($id: ID!, $key: String!) {
  bookCheckoutSession(input: {checkoutSessionId: $id, idempotencyKey: $key}) {
    checkoutSession { id status bookingReferences failure { code message } }
    userErrors { code field message }
  }
}`
)

// sagaStepDef is one request of a checkout: its mutation, the payload's
// field in data, and the session status it must leave.
type sagaStepDef struct {
	name, operation, query, field, want string
	// first steps open the session from the offer; the others take its id.
	first bool
	// keyed steps carry an idempotency key (confirmSandboxPayment has none).
	keyed bool
}

var sagaVariants = map[string][]sagaStepDef{
	"steps": {
		{name: "create", operation: "SagaCreate", query: sagaCreate, field: "createCheckoutSession", want: "OPEN", first: true, keyed: true},
		{name: "hold", operation: "SagaHold", query: sagaHold, field: "holdCheckoutSession", want: "HELD", keyed: true},
		{name: "pay", operation: "SagaPay", query: sagaPay, field: "payCheckoutSession", want: "PAYMENT_PENDING", keyed: true},
		{name: "confirm", operation: "SagaConfirm", query: sagaConfirm, field: "confirmSandboxPayment", want: "AUTHORIZED"},
		{name: "book", operation: "SagaBook", query: sagaBook, field: "bookCheckoutSession", want: "BOOKED", keyed: true},
	},
	"checkout": {
		{name: "checkout", operation: "SagaCheckout", query: sagaCheckout, field: "checkout", want: "PAYMENT_PENDING", first: true, keyed: true},
		{name: "confirm", operation: "SagaConfirm", query: sagaConfirm, field: "confirmSandboxPayment", want: "AUTHORIZED"},
		{name: "book", operation: "SagaBook", query: sagaBook, field: "bookCheckoutSession", want: "BOOKED", keyed: true},
	},
}

// sagaVariantNames lists the variants in the order they run.
var sagaVariantNames = []string{"steps", "checkout"}

// sagaScenarioName is the name a variant's result is reported under.
func sagaScenarioName(variant string) string {
	if variant == "steps" {
		return "saga"
	}
	return "saga-" + variant
}

// saga runs every -saga-variants variant for -duration.
func (b *bench) saga(ctx context.Context) ([]*scenarioResult, error) {
	var out []*scenarioResult
	for _, v := range b.opts.sagaVariants {
		// A pool of its own: fresh offers (they expire 20 to 30 minutes
		// after their search) with fresh seat counts, on days after the
		// last pool's.
		pool, err := b.sagaPool(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: offer pool: %w", v, err)
		}
		r, err := b.sagaRun(ctx, pool, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// sagaBaseline measures the TPC-B-like baseline on the run's database
// after the checkouts and sets, for each variant, how many of its
// transactions one checkout costs.
func (b *bench) sagaBaseline(ctx context.Context, rs []*scenarioResult) error {
	bl, err := b.tpcb(ctx)
	if err != nil {
		return fmt.Errorf("tpcb baseline: %w", err)
	}
	for _, r := range rs {
		v := bl
		if r.RPS > 0 {
			v.Ratio = bl.Rate / r.RPS
		}
		if s := r.Saga; s != nil && bl.CPUPerTxMs > 0 && s.PostgresCPUPerCheckoutMs > 0 {
			s.CPURatio = (s.ProcessCPUPerCheckoutMs + s.PostgresCPUPerCheckoutMs) / bl.CPUPerTxMs
		}
		r.Baselines = append(r.Baselines, v)
	}
	return nil
}

// sagaOffer is an offer of the pool and the flights whose seats it takes.
type sagaOffer struct {
	id        string
	provider  string
	expiresAt time.Time
	flights   []string
}

// sagaPool hands out offers round-robin, each taking a seat of each of its
// flights, and never more seats of a flight than its offers showed.
type sagaPool struct {
	mu      sync.Mutex
	offers  []*sagaOffer
	left    map[string]int // seats not yet handed out, by flight
	seats   map[string]int // seats shown, by flight
	next    int
	handed  int
	beyond  int // offers handed out when no offer had a seat left on its flights
	expired int // times an offer was skipped because it expires too soon

	// What building it took, for the report.
	firstDay, days, searches, capacity int
	notOK                              map[string]int // providers' non-OK answers, "provider STATUS"
	built                              time.Duration
}

// take returns the next offer with a seat left on each of its flights
// after the last one handed out. When none has, it hands out the next
// offer anyway (the checkout will likely answer SOLD_OUT) and counts it.
func (p *sagaPool) take(now time.Time) *sagaOffer {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.handed++
	n := len(p.offers)
	for i := range n {
		if p.beyond > 0 {
			break // no seat comes back: skip the search
		}
		o := p.offers[(p.next+i)%n]
		if o.expiresAt.Before(now.Add(time.Minute)) {
			p.expired++
			continue
		}
		if !fits(p.left, o) {
			continue
		}
		for _, f := range o.flights {
			p.left[f]--
		}
		p.next = (p.next + i + 1) % n
		return o
	}
	p.beyond++
	o := p.offers[p.next%n]
	p.next = (p.next + 1) % n
	return o
}

func fits(left map[string]int, o *sagaOffer) bool {
	for _, f := range o.flights {
		if left[f] <= 0 {
			return false
		}
	}
	return true
}

// remaining is how many offers round-robin handing out could still give
// within the seats left.
func (p *sagaPool) remaining() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	left := make(map[string]int, len(p.left))
	for k, v := range p.left {
		left[k] = v
	}
	n := 0
	for {
		pass := 0
		for _, o := range p.offers {
			if fits(left, o) {
				for _, f := range o.flights {
					left[f]--
				}
				pass++
			}
		}
		if pass == 0 {
			return n
		}
		n += pass
	}
}

// usage returns the flights whose seats were handed out, those handed
// out to the last seat the search showed (the pool skips them then), and
// the most seats handed out on one flight.
func (p *sagaPool) usage() (used, full, most int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for f, shown := range p.seats {
		n := shown - p.left[f]
		if n == 0 {
			continue
		}
		used++
		if p.left[f] <= 0 {
			full++
		}
		most = max(most, n)
	}
	return used, full, most
}

// sagaNeed is the seats a variant's pool should hold: sagaAutoRate
// checkouts per second per worker for -duration, with a floor.
func (b *bench) sagaNeed() int {
	n := int(b.opts.duration.Seconds()*sagaAutoRate) * b.opts.sagaWorkers
	return max(n, sagaMinSeats)
}

// sagaPool searches every route of sagaRoutes on one day after another,
// from the day after the last pool's: -saga-days days, or (0) until the
// pool holds sagaNeed seats. The searches are made before any measurement.
func (b *bench) sagaPool(ctx context.Context) (*sagaPool, error) {
	start := time.Now()
	p := &sagaPool{left: map[string]int{}, seats: map[string]int{}, notOK: map[string]int{}}
	want, need := b.opts.sagaDays, 0
	if want == 0 {
		want, need = sagaMaxDays, b.sagaNeed()
	}
	p.firstDay = sagaFirstDay + b.sagaNextDay
	const batch = 10 // days searched between two looks at the capacity
	for p.days < want {
		// Past the last day, start over from sagaFirstDay: the searches
		// see the seats sold since.
		day := b.sagaNextDay
		days := min(batch, want-p.days, sagaMaxDays-day)
		if err := b.sagaSearchDays(ctx, p, sagaFirstDay+day, days); err != nil {
			return nil, err
		}
		p.days += days
		b.sagaNextDay = (day + days) % sagaMaxDays
		if need > 0 && p.remaining() >= need {
			break
		}
	}
	if len(p.offers) == 0 {
		return nil, errors.New("the searches found no offer")
	}
	// Spread consecutive checkouts over days, routes and providers.
	rng := mrand.New(mrand.NewPCG(1, 2))
	rng.Shuffle(len(p.offers), func(i, j int) { p.offers[i], p.offers[j] = p.offers[j], p.offers[i] })
	p.capacity = p.remaining()
	p.built = time.Since(start)
	return p, nil
}

// sagaSearchDays adds the offers of every route on days [first, first+n).
func (b *bench) sagaSearchDays(ctx context.Context, p *sagaPool, first, n int) error {
	type job struct {
		r   sagaRoute
		day int
	}
	jobs := make(chan job)
	errc := make(chan error, sagaSearchesInFlight)
	var wg sync.WaitGroup
	for range sagaSearchesInFlight {
		wg.Go(func() {
			for j := range jobs {
				if err := b.sagaSearch(ctx, p, j.r, j.day); err != nil {
					errc <- fmt.Errorf("%s→%s %s: %w", j.r.from, j.r.to, b.date(j.day), err)
					for range jobs { // drain
					}
					return
				}
			}
		})
	}
	go func() {
		defer close(jobs)
		for d := first; d < first+n; d++ {
			for _, r := range sagaRoutes {
				select {
				case jobs <- job{r, d}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	return ctx.Err()
}

// sagaSearch runs one search of the pool and adds its offers.
func (b *bench) sagaSearch(ctx context.Context, p *sagaPool, r sagaRoute, day int) error {
	body, err := post(ctx, b.client, b.srv.url, gqlBody(sagaSearchQuery, "SagaPool", map[string]any{
		"origin": r.from, "destination": r.to, "date": b.date(day), "providers": r.providers}))
	if err != nil {
		return err
	}
	if err := gqlError(body); err != nil {
		return err
	}
	var a struct {
		Data struct {
			SearchOffers struct {
				ProviderResults []struct {
					Provider, Status, Message string
				} `json:"providerResults"`
				Offers struct {
					TotalCount int `json:"totalCount"`
					Edges      []struct {
						Node struct {
							ID             string    `json:"id"`
							SeatsAvailable int       `json:"seatsAvailable"`
							ExpiresAt      time.Time `json:"expiresAt"`
							Conditions     struct {
								Refundable bool `json:"refundable"`
							} `json:"conditions"`
							Parts []struct {
								Provider string `json:"provider"`
							} `json:"parts"`
							Slices []struct {
								Segments []struct {
									CarrierCode  string `json:"carrierCode"`
									FlightNumber string `json:"flightNumber"`
									DepartureAt  string `json:"departureAt"`
								} `json:"segments"`
							} `json:"slices"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"offers"`
			} `json:"searchOffers"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	s := a.Data.SearchOffers
	p.mu.Lock()
	defer p.mu.Unlock()
	p.searches++
	for _, pr := range s.ProviderResults {
		if pr.Status != "OK" {
			p.notOK[pr.Provider+" "+pr.Status]++
		}
	}
	for _, e := range s.Offers.Edges {
		n := e.Node
		if n.SeatsAvailable <= 0 || len(n.Parts) != 1 {
			continue
		}
		o := &sagaOffer{id: n.ID, provider: n.Parts[0].Provider, expiresAt: n.ExpiresAt}
		// A CitizenPlane flight sells all its seats at one fare; LiteAPI
		// sells each fare family (Basic, Flex: told apart here by
		// refundable) from seats of its own.
		family := ""
		if o.provider == "liteapi" {
			family = "|refundable=" + strconv.FormatBool(n.Conditions.Refundable)
		}
		for _, sl := range n.Slices {
			for _, sg := range sl.Segments {
				f := o.provider + "|" + sg.CarrierCode + sg.FlightNumber + "|" + sg.DepartureAt + family
				o.flights = append(o.flights, f)
				if cur, ok := p.seats[f]; !ok || n.SeatsAvailable < cur {
					// An offer shows the fewest seats of its flights:
					// the flight has at least that many.
					p.seats[f] = n.SeatsAvailable
					p.left[f] = n.SeatsAvailable
				}
			}
		}
		p.offers = append(p.offers, o)
	}
	return nil
}

// sagaTimings are one worker's measurements.
type sagaTimings struct {
	steps     map[string][]time.Duration
	checkouts []time.Duration // whole checkouts that reached BOOKED
	failures  map[string]int
	started   int
	booked    int
	requests  int
	soldOut   int
}

// sagaRun runs one variant with -saga-workers checkouts in flight for
// -duration and measures it.
func (b *bench) sagaRun(ctx context.Context, pool *sagaPool, variant string) (*scenarioResult, error) {
	steps := sagaVariants[variant]
	workers := b.opts.sagaWorkers
	// A client of the load's own, one connection per worker, as vegeta
	// keeps them in the other scenarios.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: workers, IdleConnTimeout: 90 * time.Second}}
	defer client.CloseIdleConnections()
	var run [6]byte
	_, _ = rand.Read(run[:])
	runID := hex.EncodeToString(run[:])

	before, err := providerCalls(ctx, b.client, b.srv.url)
	if err != nil {
		return nil, err
	}
	beyond0, handed0 := pool.beyond, pool.handed
	tx0 := b.txs.snapshot()
	mem := startMemSampler()
	pgCPU := b.startPostgresCPU(ctx, b.pgTag)
	self0 := processCPU()
	start := time.Now()
	deadline := start.Add(b.opts.duration)
	timings := make([]*sagaTimings, workers)
	var wg sync.WaitGroup
	for w := range workers {
		t := &sagaTimings{steps: map[string][]time.Duration{}, failures: map[string]int{}}
		timings[w] = t
		wg.Go(func() {
			for n := 0; ctx.Err() == nil && time.Now().Before(deadline); n++ {
				key := fmt.Sprintf("bench-%s-%s-%d-%d", runID, variant, w, n)
				b.sagaCheckout(ctx, client, pool, steps, key, w*1_000_000+n, t)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	selfCPU := processCPU() - self0
	postgresCPU, _ := pgCPU.Stop()
	rss, heap := mem.Stop()
	txs := b.txs.snapshot().sub(tx0)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	after, err := providerCalls(ctx, b.client, b.srv.url)
	if err != nil {
		return nil, err
	}

	// Merge the workers' measurements.
	all := &sagaTimings{steps: map[string][]time.Duration{}, failures: map[string]int{}}
	for _, t := range timings {
		for k, v := range t.steps {
			all.steps[k] = append(all.steps[k], v...)
		}
		for k, v := range t.failures {
			all.failures[k] += v
		}
		all.checkouts = append(all.checkouts, t.checkouts...)
		all.started += t.started
		all.booked += t.booked
		all.requests += t.requests
		all.soldOut += t.soldOut
	}

	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.name
	}
	r := &scenarioResult{
		Name:     sagaScenarioName(variant),
		Load:     loadAvg(),
		Workers:  workers,
		Requests: uint64(all.started),
		Seconds:  elapsed.Seconds(),
		RPS:      float64(all.booked) / elapsed.Seconds(),
	}
	r.Description = fmt.Sprintf("checkouts from an offer of a one-way search (1 adult) to BOOKED over GraphQL, sandbox card 4242…: %s; each step but confirm with an idempotency key; a closed loop of its own (not vegeta: each request needs the last answer)",
		strings.Join(names, " → "))
	if all.started > 0 {
		r.Success = float64(all.booked) / float64(all.started)
	}
	if len(all.failures) > 0 {
		r.Errors = all.failures
	}
	slices.Sort(all.checkouts)
	r.P50Ms, r.P95Ms, r.P99Ms = ms(quantile(all.checkouts, .50)), ms(quantile(all.checkouts, .95)), ms(quantile(all.checkouts, .99))
	r.PeakRSSBytes, r.PeakHeapBytes = rss, heap
	r.ProviderCalls, r.providerCallsTotal = callsBetween(before, after)
	r.ProviderCallsPerQuery = r.providerCallsTotal / float64(max(all.started, 1))

	s := &sagaResult{
		Variant: variant, Started: all.started, Booked: all.booked, GraphQLRequests: all.requests,
		SoldOut: all.soldOut, BeyondPool: pool.beyond - beyond0, postgres: b.schema != "",
		PoolOffers: len(pool.offers), PoolFlights: len(pool.seats), PoolDays: pool.days, PoolSearches: pool.searches,
		PoolCapacity: pool.capacity, PoolFirstDay: b.date(pool.firstDay),
		PoolBuildSeconds: pool.built.Seconds(), PoolNotOK: pool.notOK,
	}
	s.FlightsUsed, s.FlightsFull, s.MostSeatsOnAFlight = pool.usage()
	if n := float64(max(all.booked, 1)); all.booked > 0 {
		s.TransactionsPerCheckout = float64(txs.transactions()) / n
		s.CommitsPerCheckout = float64(txs.commits) / n
		s.SingleStatementsPerCheckout = float64(txs.single) / n
		s.StatementsPerCheckout = float64(txs.statements) / n
		s.ProcessCPUPerCheckoutMs = ms(selfCPU) / n
		s.PostgresCPUPerCheckoutMs = ms(postgresCPU) / n
	}
	s.PoolHandedOut = pool.handed - handed0
	for _, st := range steps {
		lat := all.steps[st.name]
		slices.Sort(lat)
		s.Steps = append(s.Steps, sagaStepResult{Name: st.name, Count: len(lat),
			P50Ms: ms(quantile(lat, .50)), P95Ms: ms(quantile(lat, .95)), P99Ms: ms(quantile(lat, .99))})
	}
	r.Saga = s
	if s.BeyondPool > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("the offer pool ran out of seats (or of offers not about to expire): %d checkouts took an offer anyway; raise -saga-days", s.BeyondPool))
	}
	if pool.expired > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("offers of the pool were skipped %d times: they expire within a minute (offers live 20 to 30 minutes: keep -duration under about 19m)", pool.expired))
	}
	return r, nil
}

// sagaCheckout runs one checkout and records it in t.
func (b *bench) sagaCheckout(ctx context.Context, client *http.Client, pool *sagaPool, steps []sagaStepDef, key string, n int, t *sagaTimings) {
	t.started++
	offer := pool.take(time.Now())
	input := sagaInput(offer.id, key, n)
	id := ""
	start := time.Now()
	for _, st := range steps {
		vars := map[string]any{}
		switch {
		case st.first:
			input["idempotencyKey"] = key + "-" + st.name
			if st.name == "checkout" {
				input["method"] = "CARD"
			}
			vars["input"] = input
		default:
			vars["id"] = id
			if st.keyed {
				vars["key"] = key + "-" + st.name
			}
		}
		t.requests++
		stepStart := time.Now()
		body, err := post(ctx, client, b.srv.url, gqlBody(st.query, st.operation, vars))
		lat := time.Since(stepStart)
		if err != nil {
			if ctx.Err() == nil {
				t.failures[st.name+": "+shorten(err.Error())]++
			}
			return
		}
		t.steps[st.name] = append(t.steps[st.name], lat)
		p, fail := decodePayload(body, st.field)
		if fail == "" && len(p.UserErrors) > 0 {
			var codes []string
			for _, ue := range p.UserErrors {
				codes = append(codes, ue.Code)
				if ue.Code == "SOLD_OUT" {
					t.soldOut++
				}
			}
			fail = strings.Join(codes, "+")
		}
		if fail == "" && (p.CheckoutSession == nil || p.CheckoutSession.Status != st.want) {
			got := "no session"
			if cs := p.CheckoutSession; cs != nil {
				got = "status " + cs.Status
				if cs.Failure != nil {
					got += " (" + cs.Failure.Code + ")"
				}
			}
			fail = got + ", want " + st.want
		}
		if fail == "" && st.want == "BOOKED" && len(p.CheckoutSession.BookingReferences) == 0 {
			fail = "BOOKED without booking codes"
		}
		if fail != "" {
			t.failures[st.name+": "+fail]++
			return
		}
		id = p.CheckoutSession.ID
	}
	t.checkouts = append(t.checkouts, time.Since(start))
	t.booked++
}

// sagaPayload is a CheckoutSessionPayload as the saga's mutations ask it.
type sagaPayload struct {
	CheckoutSession *struct {
		ID                string   `json:"id"`
		Status            string   `json:"status"`
		BookingReferences []string `json:"bookingReferences"`
		Failure           *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"failure"`
	} `json:"checkoutSession"`
	UserErrors []struct {
		Code    string   `json:"code"`
		Field   []string `json:"field"`
		Message string   `json:"message"`
	} `json:"userErrors"`
}

// decodePayload reads the payload at data.field of a mutation's answer;
// fail describes a GraphQL error or an unreadable answer.
func decodePayload(body []byte, field string) (p *sagaPayload, fail string) {
	if err := gqlError(body); err != nil {
		return nil, "GraphQL error: " + shorten(err.Error())
	}
	var a struct {
		Data map[string]*sagaPayload `json:"data"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, "unreadable answer"
	}
	if p = a.Data[field]; p == nil {
		return nil, "no " + field + " in the answer"
	}
	return p, ""
}

// shorten keeps failure keys readable: the first line, at most 120 bytes.
func shorten(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// Travellers of the saga: letters-only names, an adult born in 1985, a
// passport valid until 2031, as checkout's validation wants them.
var (
	sagaGiven  = []struct{ name, gender string }{{"Ana", "FEMALE"}, {"Luc", "MALE"}, {"Ines", "FEMALE"}, {"Hugo", "MALE"}, {"Lea", "FEMALE"}}
	sagaFamily = []string{"Martin", "Dupont", "Garcia", "Rossi", "Muller", "Nakamura", "Silva", "Leroy", "Moreau"}
)

// sagaInput is the input of createCheckoutSession (or of checkout, with a
// method) for one adult on offerID; n varies the traveller.
func sagaInput(offerID, key string, n int) map[string]any {
	g := sagaGiven[n%len(sagaGiven)]
	family := sagaFamily[n/len(sagaGiven)%len(sagaFamily)]
	email := strings.ToLower(g.name+"."+family) + "@example.com"
	return map[string]any{
		"offerId": offerID,
		"passengers": []map[string]any{{
			"type": "ADULT", "givenName": g.name, "familyName": family, "gender": g.gender,
			"dateOfBirth": "1985-03-02",
			"document": map[string]any{
				"number": fmt.Sprintf("P%08d", n%100_000_000), "expiresOn": "2031-01-01",
				"issuingCountry": "FR", "nationality": "FR",
			},
			"email": email, "phoneNumber": "+33612345678",
		}},
		"contact":  map[string]any{"givenName": g.name, "familyName": family, "email": email, "phoneNumber": "+33612345678"},
		"metadata": []map[string]any{{"key": "bench", "value": key}},
	}
}
