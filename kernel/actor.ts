import type { APIGatewayProxyEventV2 as ApiEvent } from 'aws-lambda';

/**
 * Who did something: recorded with what they did (`by` on timeline entries). Today the callers are
 * the shared API token, a monitoring integration, a customer by signed link, a customer by email and
 * Steward's own workflows; with users and roles an API caller becomes a user.
 */
export interface Actor {
  kind: 'api-token' | 'integration' | 'customer-link' | 'email' | 'workflow';
  id: string;
}

interface Authorized {
  requestContext?: { authorizer?: { lambda?: { actor?: Actor } } };
}

/** Marks a request as made by `actor`, where API Gateway puts an authorizer's context. */
export function authorize(event: ApiEvent, actor: Actor): void {
  (event as Authorized).requestContext = { ...event.requestContext, authorizer: { lambda: { actor } } } as Authorized['requestContext'];
}

/** The caller an authorizer (or the bearer check) recorded on the request. */
export function actorOf(event: ApiEvent): Actor | undefined {
  return (event as Authorized).requestContext?.authorizer?.lambda?.actor;
}
