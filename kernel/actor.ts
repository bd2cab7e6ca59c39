import type { APIGatewayProxyEventV2 as ApiEvent } from 'aws-lambda';

/**
 * Who did something: recorded with what they did (`by` on timeline entries). The callers: a user
 * (signed in), a user's personal API token, the bootstrap API token, a monitoring integration, a
 * customer by signed link, a customer by email and Steward's own workflows.
 */
export interface Actor {
  kind: 'user' | 'token' | 'api-token' | 'integration' | 'customer-link' | 'staff-link' | 'email' | 'workflow';
  id: string;
  /** A name a person reads ("Sam Manager", "Sam Manager (token "deploy script")"). */
  name?: string;
  /** For a personal token: the user it acts for. */
  userId?: string;
}

/** A person Steward knows (a user): who to make owner when they take an issue. */
export interface Person {
  name: string;
  email: string;
}

/** The caller of a request and the roles it acts with; `person` when the caller is a user (signed in or by their token). */
export interface Caller {
  actor: Actor;
  roles: string[];
  person?: Person;
}

interface Authorized {
  requestContext?: { authorizer?: { lambda?: { actor?: Actor; roles?: string[]; person?: Person } } };
}

/** Marks a request as made by `caller`, where API Gateway puts an authorizer's context. */
export function authorize(event: ApiEvent, caller: Caller | Actor): void {
  const { actor, roles, person } = 'actor' in caller ? caller : { actor: caller, roles: [], person: undefined };
  (event as Authorized).requestContext = {
    ...event.requestContext,
    authorizer: { lambda: { actor, roles, ...(person ? { person } : {}) } },
  } as Authorized['requestContext'];
}

/** The user who made the request (signed in, or by their personal token); undefined for any other caller. */
export function personOf(event: ApiEvent): Person | undefined {
  return (event as Authorized).requestContext?.authorizer?.lambda?.person;
}

/** The caller an authorizer (or the bearer check) recorded on the request. */
export function actorOf(event: ApiEvent): Actor | undefined {
  return (event as Authorized).requestContext?.authorizer?.lambda?.actor;
}

/** The roles the request's caller acts with (none for an unauthenticated one). */
export function rolesOf(event: ApiEvent): string[] {
  return (event as Authorized).requestContext?.authorizer?.lambda?.roles ?? [];
}
