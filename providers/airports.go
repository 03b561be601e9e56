package providers

import (
	"sync"
	"time"
)

// airportZones maps IATA airport codes to their IANA time zone, for
// providers that send local times without a UTC offset. It covers the
// airports the providers we sell serve; an unknown airport is treated as UTC.
var airportZones = map[string]string{
	"CDG": "Europe/Paris", "ORY": "Europe/Paris", "NCE": "Europe/Paris", "LYS": "Europe/Paris",
	"MRS": "Europe/Paris", "TLS": "Europe/Paris", "BOD": "Europe/Paris", "NTE": "Europe/Paris",
	"BVA": "Europe/Paris", "AJA": "Europe/Paris", "BIA": "Europe/Paris",
	"PMI": "Europe/Madrid", "BCN": "Europe/Madrid", "MAD": "Europe/Madrid", "AGP": "Europe/Madrid",
	"ALC": "Europe/Madrid", "VLC": "Europe/Madrid", "IBZ": "Europe/Madrid", "SVQ": "Europe/Madrid",
	"TFS": "Atlantic/Canary", "LPA": "Atlantic/Canary", "ACE": "Atlantic/Canary",
	"LIS": "Europe/Lisbon", "OPO": "Europe/Lisbon", "FAO": "Europe/Lisbon", "FNC": "Atlantic/Madeira",
	"FCO": "Europe/Rome", "MXP": "Europe/Rome", "LIN": "Europe/Rome", "NAP": "Europe/Rome",
	"VCE": "Europe/Rome", "CTA": "Europe/Rome", "PMO": "Europe/Rome", "OLB": "Europe/Rome",
	"ATH": "Europe/Athens", "HER": "Europe/Athens", "JTR": "Europe/Athens", "JMK": "Europe/Athens",
	"RHO": "Europe/Athens", "CFU": "Europe/Athens",
	"LHR": "Europe/London", "LGW": "Europe/London", "STN": "Europe/London", "MAN": "Europe/London",
	"DUB": "Europe/Dublin", "AMS": "Europe/Amsterdam", "BRU": "Europe/Brussels",
	"FRA": "Europe/Berlin", "MUC": "Europe/Berlin", "BER": "Europe/Berlin", "DUS": "Europe/Berlin",
	"ZRH": "Europe/Zurich", "GVA": "Europe/Zurich", "VIE": "Europe/Vienna", "CPH": "Europe/Copenhagen",
	"OSL": "Europe/Oslo", "ARN": "Europe/Stockholm", "HEL": "Europe/Helsinki", "WAW": "Europe/Warsaw",
	"PRG": "Europe/Prague", "BUD": "Europe/Budapest", "IST": "Europe/Istanbul", "AYT": "Europe/Istanbul",
	"RAK": "Africa/Casablanca", "CMN": "Africa/Casablanca", "TUN": "Africa/Tunis", "DJE": "Africa/Tunis",
	"ALG": "Africa/Algiers", "CAI": "Africa/Cairo", "HRG": "Africa/Cairo", "SSH": "Africa/Cairo",
	"JFK": "America/New_York", "EWR": "America/New_York", "BOS": "America/New_York",
	"MIA": "America/New_York", "ORD": "America/Chicago", "LAX": "America/Los_Angeles",
	"SFO": "America/Los_Angeles", "YUL": "America/Toronto", "YYZ": "America/Toronto",
	"PTP": "America/Guadeloupe", "FDF": "America/Martinique", "RUN": "Indian/Reunion",
	"DXB": "Asia/Dubai", "DOH": "Asia/Qatar", "SIN": "Asia/Singapore", "HND": "Asia/Tokyo", "NRT": "Asia/Tokyo",
}

var (
	zonesMu sync.Mutex
	zones   = map[string]*time.Location{}
)

// AirportLocation returns the time zone of an IATA airport code, UTC when
// the airport is unknown.
func AirportLocation(iata string) *time.Location {
	zonesMu.Lock()
	defer zonesMu.Unlock()
	if loc, ok := zones[iata]; ok {
		return loc
	}
	loc := time.UTC
	if name, ok := airportZones[iata]; ok {
		if l, err := time.LoadLocation(name); err == nil {
			loc = l
		}
	}
	zones[iata] = loc
	return loc
}
