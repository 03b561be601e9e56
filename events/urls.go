package events

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"code.dny.dev/ssrf"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
)

// MaxURLLength is the longest endpoint URL accepted, in bytes.
const MaxURLLength = 2048

// Wildcards an endpoint may ask for besides the types of Types: "*" for
// every event, "<prefix>.*" for every event of a kind.
var Wildcards = []string{"*", "checkout_session.*", "booking.*", "refund.*"}

// Types is every event type an endpoint may ask for by name: all that the
// outbox holds (db.EventTypes, the list the emitters, this validation and
// the README share).
var Types = db.EventTypes()

// guard says which addresses deliveries may connect to: only global
// unicast ones. It is code.dny.dev/ssrf, whose deny lists are generated
// from IANA's IPv4 and IPv6 special-purpose address registries (shared
// 100.64.0.0/10, benchmarking 198.18.0.0/15, the limited broadcast
// 255.255.255.255 in 240.0.0.0/4, documentation ranges...) and which
// allows IPv6 only within global unicast 2000::/3, so IPv4-mapped
// (::ffff:0:0/96), NAT64 (64:ff9b::/96, whatever IPv4 address it embeds),
// 6to4 (2002::/16) and Teredo (2001::/32) addresses are refused too. Any
// port is allowed (endpoints may listen on 8443); the port is checked
// when the endpoint is created.
var guard = ssrf.New(ssrf.WithAnyPort(), ssrf.WithNetworks("tcp4", "tcp6"))

// refuseNonGlobal is the delivery dialer's Control: it refuses a
// connection to any address that is not global, checked on the address
// actually dialled, so a name that resolves (or later re-resolves) to a
// private address is refused too.
func refuseNonGlobal(network, address string, c syscall.RawConn) error {
	if err := guard.Safe(network, address, c); err != nil {
		return fmt.Errorf("events: webhook address refused: %w", err)
	}
	return nil
}

// specialNames are special-use domain names (IANA's registry, RFC 6761,
// RFC 6762, RFC 8375, RFC 7686) and the private-use .internal that never
// name a public host: refused as an endpoint's host, with every name
// under them.
var specialNames = []string{"localhost", "local", "internal", "home.arpa", "invalid", "test", "onion"}

// endsInNumber reports whether host's last label is a number as URL
// parsers read IPv4 addresses (WHATWG URL: decimal, 0x hexadecimal,
// leading-zero octal), so that "2130706433", "127.1" and "0x7f.1" are
// taken for addresses (they are 127.0.0.1 to a browser or libc), not
// names.
func endsInNumber(host string) bool {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	last := labels[len(labels)-1]
	if last == "" {
		return false
	}
	if h, ok := strings.CutPrefix(strings.ToLower(last), "0x"); ok {
		_, err := strconv.ParseUint("0"+h, 16, 64)
		return err == nil
	}
	return strings.Trim(last, "0123456789") == ""
}

// checkURL checks an endpoint's URL: absolute, at most MaxURLLength bytes,
// https (http too with allowPrivate), no credentials or fragment, a port
// from 1 to 65535 when given, an IPv4 address only in dotted-decimal form;
// without allowPrivate a host that is a global address or a public name
// (not a special-use name, not a single label). It returns the URL to
// store and the violations, each naming input.url.
func checkURL(raw string, allowPrivate bool) (string, []fault.Violation) {
	bad := func(code fault.Code, msg string) (string, []fault.Violation) {
		return "", []fault.Violation{{Field: []string{"input", "url"}, Code: code, Message: msg}}
	}
	if len(raw) > MaxURLLength {
		return bad(fault.TooLong, fmt.Sprintf("must be at most %d bytes", MaxURLLength))
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return bad(fault.Invalid, "must be an absolute URL (https://host/path)")
	case u.User != nil:
		return bad(fault.Invalid, "must not carry credentials")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return bad(fault.Invalid, "must not carry a fragment")
	case u.Scheme != "https" && !(allowPrivate && u.Scheme == "http"):
		return bad(fault.Invalid, "must be an https URL")
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad(fault.Invalid, "port must be a number from 1 to 65535")
		}
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") { // an IPv6 literal
		a, err := netip.ParseAddr(host)
		if err != nil || a.Zone() != "" {
			return bad(fault.Invalid, "host is not a valid IPv6 address")
		}
		if !allowPrivate && guard.SafeAddr(a) != nil {
			return bad(fault.Invalid, "must not name a loopback, private or other non-global address")
		}
		return u.String(), nil
	}
	if endsInNumber(host) {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is4() {
			return bad(fault.Invalid, "an IPv4 address must be written as four decimal numbers (a.b.c.d)")
		}
		if !allowPrivate && guard.SafeAddr(a) != nil {
			return bad(fault.Invalid, "must not name a loopback, private or other non-global address")
		}
		return u.String(), nil
	}
	if allowPrivate {
		return u.String(), nil
	}
	name := strings.TrimSuffix(host, ".")
	for _, sp := range specialNames {
		if name == sp || strings.HasSuffix(name, "."+sp) {
			return bad(fault.Invalid, "must not name "+sp+" or a name under it: they are not public hosts")
		}
	}
	if !strings.Contains(name, ".") {
		return bad(fault.Invalid, "host must be a fully qualified public name")
	}
	return u.String(), nil
}

// checkTypes checks the event types an endpoint asks for: each a name of
// Types or a Wildcards entry. It returns them without repeats, sorted
// (the set stored), and the violations, each naming input.events or one
// of its entries.
func checkTypes(types []string) ([]string, []fault.Violation) {
	var ve []fault.Violation
	if len(types) == 0 {
		ve = append(ve, fault.Violation{Field: []string{"input", "events"}, Code: fault.Required, Message: "name at least one event type"})
	}
	var out []string
	for i, t := range types {
		if !slices.Contains(Types, t) && !slices.Contains(Wildcards, t) {
			ve = append(ve, fault.Violation{Field: []string{"input", "events", strconv.Itoa(i)}, Code: fault.Invalid,
				Message: "unknown event type; one of " + strings.Join(Wildcards, ", ") + ", " + strings.Join(Types, ", ")})
			continue
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out, ve
}
