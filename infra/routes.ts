import type { RoutePermission } from '../modules/users/index.ts';

/**
 * The HTTP API's routes, one list for both columns: CDK creates these API Gateway routes and the
 * embedded HTTP server matches the same ones to produce the same routeKey and pathParameters.
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** A function folder in functions/. */
  function: string;
  /**
   * What a caller's roles must allow (modules/users/permissions.ts): the one table that decides
   * every route. `public`: anyone may call it, and it authenticates itself (a signed link, a
   * Stripe or monitoring signature or secret).
   */
  permission: RoutePermission;
}

export const routes: Route[] = [
  { method: 'POST', path: '/customers', function: 'api', permission: 'customers:write' },
  { method: 'GET', path: '/customers', function: 'api', permission: 'customers:read' },
  { method: 'GET', path: '/customers/{id}', function: 'api', permission: 'customers:read' },
  // Issue lists also need issues:read, money lists invoices:read (checked by the handler: it depends on the list).
  { method: 'GET', path: '/customers/{id}/history/{list}', function: 'api', permission: 'customers:read' },
  { method: 'PUT', path: '/customers/{id}', function: 'api', permission: 'customers:write' },
  { method: 'POST', path: '/issues', function: 'api', permission: 'issues:write' },
  { method: 'GET', path: '/issues', function: 'api', permission: 'issues:read' },
  { method: 'GET', path: '/issues/{id}', function: 'api', permission: 'issues:read' },
  { method: 'GET', path: '/issues/{id}/timeline', function: 'api', permission: 'issues:read' },
  { method: 'POST', path: '/issues/{id}/events', function: 'api', permission: 'issues:write' },
  // The customer email an update would send (nothing is recorded): for people who may write the update.
  { method: 'POST', path: '/issues/{id}/preview', function: 'api', permission: 'issues:write' },
  // Customer links from emails: public (the signed token is the credential); GET shows, POST acts.
  { method: 'GET', path: '/links/{token}', function: 'api', permission: 'public' },
  { method: 'POST', path: '/links/{token}', function: 'api', permission: 'public' },
  { method: 'GET', path: '/policies', function: 'api', permission: 'policies:read' },
  { method: 'GET', path: '/policies/{name}', function: 'api', permission: 'policies:read' },
  { method: 'GET', path: '/policies/{name}/versions', function: 'api', permission: 'policies:read' },
  { method: 'GET', path: '/policies/{name}/versions/{version}', function: 'api', permission: 'policies:read' },
  { method: 'PUT', path: '/policies/{name}', function: 'api', permission: 'policies:write' },
  { method: 'GET', path: '/kpis', function: 'api', permission: 'kpis:read' },
  { method: 'GET', path: '/integrations', function: 'api', permission: 'integrations:read' },
  { method: 'PUT', path: '/integrations/{name}', function: 'api', permission: 'integrations:write' },
  { method: 'DELETE', path: '/integrations/{name}', function: 'api', permission: 'integrations:write' },
  { method: 'GET', path: '/mail/quarantine', function: 'api', permission: 'mail:read' },
  // Users and their personal API tokens (your own tokens need only tokens:own); who you are (every role).
  { method: 'GET', path: '/me', function: 'api', permission: 'tokens:own' },
  { method: 'POST', path: '/users', function: 'api', permission: 'users:write' },
  { method: 'GET', path: '/users', function: 'api', permission: 'users:read' },
  { method: 'GET', path: '/users/{id}', function: 'api', permission: 'users:read' },
  { method: 'PATCH', path: '/users/{id}', function: 'api', permission: 'users:write' },
  { method: 'DELETE', path: '/users/{id}', function: 'api', permission: 'users:write' },
  { method: 'POST', path: '/users/{id}/tokens', function: 'api', permission: 'tokens:own' },
  { method: 'GET', path: '/users/{id}/tokens', function: 'api', permission: 'tokens:own' },
  { method: 'DELETE', path: '/users/{id}/tokens/{tokenId}', function: 'api', permission: 'tokens:own' },
  { method: 'GET', path: '/audit', function: 'api', permission: 'audit:read' },
  // Receivables: invoices, payments, CSV import, dunning answers, AR KPIs, Stripe invoice webhooks.
  { method: 'POST', path: '/invoices', function: 'invoices', permission: 'invoices:write' },
  { method: 'GET', path: '/invoices', function: 'invoices', permission: 'invoices:read' },
  { method: 'GET', path: '/invoices/{id}', function: 'invoices', permission: 'invoices:read' },
  { method: 'POST', path: '/invoices/{id}/events', function: 'invoices', permission: 'invoices:write' },
  { method: 'POST', path: '/invoices/import', function: 'invoices', permission: 'invoices:write' },
  { method: 'GET', path: '/invoices/imports/{id}', function: 'invoices', permission: 'invoices:read' },
  { method: 'POST', path: '/payments', function: 'invoices', permission: 'invoices:write' },
  { method: 'POST', path: '/customers/{id}/dunning/events', function: 'invoices', permission: 'suspensions:decide' },
  { method: 'GET', path: '/customers/{id}/dunning', function: 'invoices', permission: 'dunning:read' },
  { method: 'GET', path: '/dunning/approvals', function: 'invoices', permission: 'dunning:read' },
  { method: 'GET', path: '/dunning/worklist', function: 'invoices', permission: 'dunning:read' },
  { method: 'GET', path: '/kpis/ar', function: 'invoices', permission: 'ar-kpis:read' },
  { method: 'POST', path: '/webhooks/stripe', function: 'invoices', permission: 'public' },
  // Monitoring webhooks: each authenticates its own way (bearer, HMAC, routing key), in the handler.
  { method: 'POST', path: '/webhooks/alertmanager', function: 'webhooks', permission: 'public' },
  { method: 'POST', path: '/webhooks/grafana', function: 'webhooks', permission: 'public' },
  { method: 'POST', path: '/webhooks/pagerduty', function: 'webhooks', permission: 'public' },
  { method: 'POST', path: '/v2/enqueue', function: 'webhooks', permission: 'public' },
  { method: 'POST', path: '/webhooks/datadog', function: 'webhooks', permission: 'public' },
  { method: 'POST', path: '/webhooks/generic', function: 'webhooks', permission: 'public' },
];

export const routeKey = (route: Route) => `${route.method} ${route.path}`;

/** Routes anyone on the internet reaches (customer links, Stripe, monitoring senders): throttled harder, their functions' concurrency reserved. */
export const isPublicRoute = (route: Route) => route.permission === 'public';

/** The permission a routeKey ("POST /issues/{id}/events") needs; undefined for a route not in the list. */
export const permissionOf = (key: string): RoutePermission | undefined => routes.find((route) => routeKey(route) === key)?.permission;

/** Matches a request path against a route path with {param} segments. */
export function matchRoute(method: string, path: string): { route: Route; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const param = /^\{(.+)\}$/.exec(pattern[i]);
      if (param) pathParameters[param[1]] = decodeURIComponent(segments[i]);
      else ok = pattern[i] === segments[i];
    }
    if (ok) return { route, pathParameters };
  }
  return undefined;
}
