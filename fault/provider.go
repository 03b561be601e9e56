package fault

import "github.com/faregraph/faregraph/providers"

// FromProvider is the one mapping from a provider failure's code to the
// code clients see, in queries and mutations alike: a missing or expired
// offer is OFFER_EXPIRED, a refused request PROVIDER_REJECTED, a panic inside an adapter INTERNAL, and a code
// it does not know PROVIDER_UNAVAILABLE.
func FromProvider(c providers.ErrorCode) Code {
	switch c {
	case providers.Timeout:
		return ProviderTimeout
	case providers.OfferExpired, providers.NotFound:
		return OfferExpired
	case providers.SoldOut:
		return SoldOut
	case providers.PriceChanged:
		return PriceChanged
	case providers.HoldExpired:
		return HoldExpired
	case providers.Rejected:
		return ProviderRejected
	case providers.PaymentDeclined:
		return CardDeclined
	case providers.PaymentNotConfirmed:
		return PaymentActionRequired
	case providers.Internal:
		return Internal
	default:
		return ProviderUnavailable
	}
}

// ProviderCode is FromProvider of the code of err (see providers.CodeOf):
// a deadline is PROVIDER_TIMEOUT, an error that is no provider failure
// PROVIDER_UNAVAILABLE.
func ProviderCode(err error) Code { return FromProvider(providers.CodeOf(err)) }

// Retryable reports whether code only says "try again later": the same
// request may succeed then.
func Retryable(code Code) bool {
	switch code {
	case InProgress, ProviderUnavailable, ProviderTimeout, PaymentUnavailable:
		return true
	}
	return false
}
