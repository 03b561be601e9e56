// A small typed client of faregraph: every request and answer below is
// checked by tsc against the types generated from schema.graphql and the
// operations in examples/. If the schema changes under an operation, this
// file stops compiling.
import type {
  CreateCheckoutSessionMutation,
  CreateCheckoutSessionMutationVariables,
  ErrorCode,
  PaymentStatus,
  SearchOneWayQuery,
  SearchOneWayQueryVariables,
  WarningCode,
} from './generated/graphql';

type Answer<T> = { data?: T | null; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };

export async function request<T, V>(endpoint: string, apiKey: string, query: string, variables: V): Promise<Answer<T>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer<T>;
}

// cheapest returns the cheapest offer's id and price as "129.90 EUR".
export function cheapest(data: SearchOneWayQuery): { id: string; price: string } | null {
  const edge = data.searchOffers.offers.edges[0];
  if (!edge) return null;
  const { amount, currencyCode } = edge.node.totalPrice;
  return { id: edge.node.id, price: `${amount} ${currencyCode}` };
}

export const searchVariables: SearchOneWayQueryVariables = { date: '2027-03-12' };

// retryable says whether a user error is worth retrying as is.
export function retryable(code: ErrorCode): boolean {
  switch (code) {
    case 'IN_PROGRESS':
    case 'PROVIDER_UNAVAILABLE':
    case 'PAYMENT_UNAVAILABLE':
      return true;
    default:
      return false;
  }
}

// notes turns a payload's warnings into lines to show.
export function notes(payload: CreateCheckoutSessionMutation['createCheckoutSession']): string[] {
  return payload.warnings.map((w: { code: WarningCode; message: string }) => `${w.code}: ${w.message}`);
}

export function paid(status: PaymentStatus): boolean {
  return status === 'AUTHORIZED' || status === 'CAPTURED';
}

export const createVariables: CreateCheckoutSessionMutationVariables = { offerId: 'Offer.x', key: 'k-1' };
