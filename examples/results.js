// The results page: plain JavaScript, no framework, nothing from a CDN.
//
// It loads its GraphQL operations from results_page.graphql (next to this
// file, checked against the schema by the server's tests), streams offers
// with the ResultsPageProgress subscription over server-sent events (fetch
// and a ReadableStream, no EventSource, which cannot POST), then creates a
// checkout session for the chosen offer, holds it, shows its seat maps and
// selects a seat.
//
// URL parameters: origin, destination, date (YYYY-MM-DD), adults and
// autostart=1 to search at once. It posts to its own server's /graphql:
// the page is served with CSP default-src 'self', so no other URL works.
//
// What a test reads in the DOM: each li.offer has data-provider (the
// providers of its parts), data-arrival (1 for the offers of the first
// provider to answer, 2 for the next...) and data-arrived-ms; #status has
// data-done="true" once the search is stored; #checkout has
// data-session-id, data-status and, once a seat is chosen, data-seat.
"use strict";

const params = new URLSearchParams(location.search);
const endpoint = "/graphql";
const $ = (sel) => document.querySelector(sel);

// el builds an element: el("div", {class: "x", dataset: {a: 1}}, child...).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "dataset") Object.assign(e.dataset, v);
    else if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

let documentText = null;
async function operations() {
  if (documentText === null) {
    const r = await fetch("results_page.graphql");
    if (!r.ok) throw new Error(`results_page.graphql: HTTP ${r.status}`);
    documentText = await r.text();
  }
  return documentText;
}

function idempotencyKey() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
}

// gql sends one operation of results_page.graphql as JSON and returns its
// data, throwing on GraphQL errors.
async function gql(operationName, variables) {
  const r = await fetch(endpoint, {
    method: "POST",
    headers: {"Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json"},
    body: JSON.stringify({query: await operations(), operationName, variables}),
  });
  const body = await r.json();
  if (body.errors && body.errors.length) throw new Error(`${operationName}: ${body.errors.map((e) => e.message).join("; ")}`);
  return body.data;
}

// subscribe POSTs a subscription with Accept: text/event-stream and calls
// onNext with each "next" event's payload until "complete".
async function subscribe(operationName, variables, onNext) {
  const r = await fetch(endpoint, {
    method: "POST",
    headers: {"Content-Type": "application/json", "Accept": "text/event-stream"},
    body: JSON.stringify({query: await operations(), operationName, variables}),
  });
  if (!r.ok || !(r.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
    throw new Error(`${operationName}: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
  }
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buf += value.replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let event = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).replace(/^ /, "");
      }
      if (event === "complete") { reader.cancel(); return; }
      if (event === "next" && data) onNext(JSON.parse(data));
    }
  }
}

// Times stay in the airport's zone: "2026-07-01T07:15:00+02:00" shows as
// 07:15 with "UTC+02:00", never converted to the browser's zone.
function localTime(dt) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(dt);
  if (!m) return el("span", {class: "time"}, dt);
  const offset = m[3] === "Z" ? "+00:00" : m[3];
  return el("span", {class: "time", title: dt}, m[2], " ", el("span", {class: "offset"}, `${m[1]} UTC${offset}`));
}

function minutes(n) {
  const h = Math.floor(n / 60), m = n % 60;
  return h ? `${h}h${String(m).padStart(2, "0")}` : `${m}min`;
}

// Airports show their code, city and name; airlines their name; layovers
// come from the server (Slice.layovers); included bags are per part, "not
// stated" when the provider does not say (null), "none" when it says none.
function airport(a) {
  const place = a.city || "";
  const name = a.name && a.name !== a.city ? a.name : "";
  return el("span", {class: "airport", title: [a.iataCode, a.name, a.city, a.timeZone].filter(Boolean).join(" · ")},
    el("span", {class: "code"}, a.iataCode), place ? el("span", {class: "city"}, " " + place) : null,
    name ? el("span", {class: "airport-name"}, name) : null);
}

function airlineName(c) {
  return c && c.name ? c.name : "";
}

function flight(s) {
  const name = airlineName(s.marketingCarrier);
  const op = s.operatingCarrier;
  const operated = op && op.iataCode !== s.carrierCode ? ` operated by ${airlineName(op) || op.iataCode}` : "";
  return el("span", {class: "flight"}, `${s.carrierCode} ${s.flightNumber}`, name ? el("span", {class: "airline"}, " " + name) : null, operated);
}

function place(a) {
  return a.city ? `${a.city} (${a.iataCode})` : a.iataCode;
}

function layovers(slice) {
  return (slice.layovers || []).map((l) =>
    `${minutes(l.durationMinutes)} in ${place(l.arrivalAirport)}` +
    (l.airportChange ? `, change to ${place(l.departureAirport)}` : ""));
}

const bagKinds = {CABIN: "cabin bag", PERSONAL_ITEM: "personal item", CHECKED: "checked bag"};
function bag(b) {
  let s = `${b.pieces}× ${bagKinds[b.kind] || String(b.kind).toLowerCase()}`;
  if (b.weightKg) s += ` ${b.weightKg} kg`;
  if (b.passengerTypes && b.passengerTypes.length) s += ` (${b.passengerTypes.map((t) => t.toLowerCase()).join(", ")})`;
  return s;
}

function bags(offer) {
  const sliceName = (i) => offer.slices.length === 2 ? ["outbound", "return"][i] : `flight ${i + 1}`;
  return offer.parts.map((p) => {
    const label = offer.parts.length > 1 ? ` (${p.sliceIndexes.map(sliceName).join(" + ")})` : "";
    const text = p.includedBaggage === null || p.includedBaggage === undefined ? "not stated by the provider"
      : p.includedBaggage.length ? p.includedBaggage.map(bag).join(", ") : "none";
    return el("div", {class: "meta bags", dataset: {provider: p.provider}}, `Included bags${label}: ${text}`);
  });
}

// fare is the cabin and fare brand: the offer's when every part agrees,
// else each part's.
function fare(offer) {
  const one = (cabin, brand) => [cabin ? cabin.replace("_", " ").toLowerCase().replace(/^./, (c) => c.toUpperCase()) : "", brand || ""].filter(Boolean).join(" ");
  if (offer.cabin || offer.fareBrand || offer.parts.length === 1) return one(offer.cabin, offer.fareBrand);
  return offer.parts.map((p) => one(p.cabin, p.fareBrand)).filter(Boolean).join(" + ");
}

function renderSlice(slice) {
  const lays = layovers(slice);
  return el("div", {class: "slice"},
    el("div", {}, airport(slice.origin), localTime(slice.departureAt)),
    el("div", {class: "arrow"}, "→"),
    el("div", {}, airport(slice.destination), localTime(slice.arrivalAt)),
    el("div", {class: "flights"},
      slice.segments.map(flight).flatMap((f, i) => i ? [el("br"), f] : [f]), el("br"),
      minutes(slice.durationMinutes), " · ", lays.length ? `${lays.length} stop${lays.length > 1 ? "s" : ""}` : "nonstop"),
    lays.length ? el("div", {class: "layovers"}, "Layover " + lays.join("; ")) : null);
}

let searchStart = 0, arrivals = 0, busy = false;

function renderOffer(offer, arrival) {
  const providers = [...new Set(offer.parts.map((p) => p.provider))];
  const li = el("li", {
    class: "offer fresh",
    dataset: {offerId: offer.id, provider: providers.join(" "), arrival: String(arrival), arrivedMs: String(Math.round(performance.now() - searchStart))},
  },
  el("div", {}, offer.slices.map(renderSlice), bags(offer),
    el("div", {class: "meta"}, fare(offer) ? `${fare(offer)} · ` : "", offer.selfTransfer ? "Self-transfer · " : "",
      offer.conditions.refundable ? "refundable" : "non-refundable", " · ",
      offer.conditions.changeable ? "changeable" : "no changes", " · ",
      `${offer.seatsAvailable} seats left`)),
  el("div", {class: "side"},
    el("div", {}, providers.map((p) => el("span", {class: "provider"}, p))),
    el("div", {class: "price"}, `${offer.totalPrice.amount} ${offer.totalPrice.currencyCode}`),
    el("button", {type: "button", class: "choose", onclick: () => choose(offer, li)}, "Choose")));
  return li;
}

async function search(ev) {
  if (ev) ev.preventDefault();
  const status = $("#status");
  $("#offers").replaceChildren();
  $("#providers").replaceChildren();
  status.dataset.done = "false";
  status.className = "";
  status.textContent = "Searching…";
  $("#search").disabled = true;
  arrivals = 0;
  searchStart = performance.now();
  const input = {
    origin: $("#origin").value.trim().toUpperCase(),
    destination: $("#destination").value.trim().toUpperCase(),
    departureDate: $("#date").value,
    passengers: {adults: Number($("#adults").value) || 1},
  };
  let count = 0;
  try {
    await subscribe("ResultsPageProgress", {input}, (payload) => {
      if (payload.errors && payload.errors.length) throw new Error(payload.errors.map((e) => e.message).join("; "));
      const p = payload.data.searchOffersProgress;
      if (p.providerResult) {
        arrivals++;
        const r = p.providerResult;
        $("#providers").append(el("li", {class: r.status, dataset: {provider: r.provider, arrival: String(arrivals)}},
          `${arrivals}. ${r.provider}: ${r.status}, ${r.offerCount} offers` + (r.latencyMs !== null && r.latencyMs !== undefined ? ` in ${r.latencyMs} ms` : "")));
        for (const o of p.offers || []) { $("#offers").append(renderOffer(o, arrivals)); count++; }
        status.textContent = `${count} offers so far…`;
      }
      if (p.done) {
        status.dataset.done = "true";
        status.dataset.searchId = p.search ? p.search.id : "";
        status.textContent = `${count} offers from ${arrivals} providers.`;
      }
    });
  } catch (e) {
    fail(status, e);
  } finally {
    $("#search").disabled = false;
  }
}

function fail(where, e) {
  where.className = "error";
  where.textContent = String(e.message || e);
  console.error(e);
}

function userErrors(payload) {
  if (payload.userErrors && payload.userErrors.length) {
    throw new Error(payload.userErrors.map((u) => `${u.code}: ${u.message}`).join("; "));
  }
  return payload.checkoutSession;
}

async function choose(offer, li) {
  if (busy) return;
  busy = true;
  document.querySelectorAll(".offer.chosen").forEach((o) => o.classList.remove("chosen"));
  li.classList.add("chosen");
  const box = $("#checkout"), msg = $("#checkout-status");
  box.hidden = false;
  delete box.dataset.sessionId;
  delete box.dataset.seat;
  box.dataset.status = "";
  msg.className = "";
  $("#seatmaps").replaceChildren();
  $("#cart").hidden = true;
  try {
    msg.textContent = "Creating a checkout session…";
    let s = userErrors((await gql("ResultsPageCreateSession", {offerId: offer.id, key: idempotencyKey()})).createCheckoutSession);
    box.dataset.sessionId = s.id;
    msg.textContent = `Session ${s.status}, ${s.total.amount} ${s.total.currencyCode}. Holding…`;
    s = userErrors((await gql("ResultsPageHold", {id: s.id, key: idempotencyKey()})).holdCheckoutSession);
    box.dataset.status = s.status;
    const read = (await gql("ResultsPageSeatMaps", {id: s.id})).checkoutSession;
    msg.textContent = `Session ${read.status} until ${s.holdExpiresAt}. ` +
      (read.seatMaps.length ? "Pick a seat for Ana Martin:" : "This offer has no seat map (LiteAPI offers list seats once held).");
    for (const m of read.seatMaps) $("#seatmaps").append(renderSeatMap(s.id, m));
    box.scrollIntoView();
  } catch (e) {
    fail(msg, e);
  } finally {
    busy = false;
  }
}

function renderSeatMap(sessionId, m) {
  const g = m.segment;
  return el("div", {class: "seatmap", dataset: {provider: m.provider, slice: String(m.sliceIndex), segment: String(m.segmentIndex)}},
    el("h3", {}, `${g.carrierCode} ${g.flightNumber} ${g.origin.iataCode}→${g.destination.iataCode} (${m.provider})`),
    m.cabins.map((c) => el("div", {class: "cabin"}, el("div", {class: "meta"}, c.name),
      c.rows.map((r) => el("div", {class: "row"}, el("span", {class: "rownum"}, r.number),
        r.seats.map((st) => {
          const free = st.available && (st.passengerIndex === null || st.passengerIndex === undefined);
          const price = st.price ? `${st.price.amount} ${st.price.currencyCode}` : "free";
          return el("button", {
            type: "button", class: "seat", dataset: {seatId: st.id, available: String(free), designator: st.designator},
            title: `${st.designator} ${price} ${st.characteristics.join(", ")}`,
            ...(free ? {onclick: (ev) => selectSeat(sessionId, st, ev.currentTarget)} : {disabled: ""}),
          }, st.designator, el("br"), st.price ? st.price.amount : "");
        }))))));
}

async function selectSeat(sessionId, seat, button) {
  if (busy) return;
  busy = true;
  const box = $("#checkout"), msg = $("#checkout-status");
  msg.className = "";
  msg.textContent = `Selecting ${seat.designator}…`;
  try {
    const s = userErrors((await gql("ResultsPageSelectSeat", {id: sessionId, seatId: seat.id, key: idempotencyKey()})).selectSeats);
    document.querySelectorAll(".seat.selected").forEach((b) => b.classList.remove("selected"));
    button.classList.add("selected");
    box.dataset.seat = seat.designator;
    box.dataset.status = s.status;
    msg.textContent = `Seat ${seat.designator} selected. Total ${s.total.amount} ${s.total.currencyCode}.`;
    $("#cart tbody").replaceChildren(...s.items.map((i) => el("tr", {dataset: {productType: i.productType}},
      el("td", {}, i.name), el("td", {}, i.productType), el("td", {}, i.quantity), el("td", {}, `${i.total.amount} ${i.total.currencyCode}`))));
    $("#cart").hidden = false;
  } catch (e) {
    fail(msg, e);
  } finally {
    busy = false;
  }
}

function init() {
  for (const k of ["origin", "destination", "adults"]) if (params.get(k)) $("#" + k).value = params.get(k);
  const inMonth = new Date(Date.now() + 30 * 864e5);
  $("#date").value = params.get("date") ||
    `${inMonth.getFullYear()}-${String(inMonth.getMonth() + 1).padStart(2, "0")}-${String(inMonth.getDate()).padStart(2, "0")}`;
  $("#search-form").addEventListener("submit", search);
  if (params.get("autostart") === "1") search();
}

init();
