/**
 * The HTTP API's routes, one list for both columns: CDK creates these API Gateway routes and the
 * embedded HTTP server matches the same ones to produce the same routeKey and pathParameters.
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** A function folder in functions/. */
  function: string;
}

export const routes: Route[] = [
  { method: 'POST', path: '/customers', function: 'api' },
  { method: 'GET', path: '/customers', function: 'api' },
  { method: 'GET', path: '/customers/{id}', function: 'api' },
  { method: 'PUT', path: '/customers/{id}', function: 'api' },
  { method: 'POST', path: '/issues', function: 'api' },
  { method: 'GET', path: '/issues', function: 'api' },
  { method: 'GET', path: '/issues/{id}', function: 'api' },
  { method: 'POST', path: '/issues/{id}/events', function: 'api' },
  // Customer links from emails: public (the signed token is the credential); GET shows, POST acts.
  { method: 'GET', path: '/links/{token}', function: 'api' },
  { method: 'POST', path: '/links/{token}', function: 'api' },
  { method: 'GET', path: '/policies', function: 'api' },
  { method: 'GET', path: '/policies/{name}', function: 'api' },
  { method: 'PUT', path: '/policies/{name}', function: 'api' },
  { method: 'GET', path: '/kpis', function: 'api' },
  { method: 'GET', path: '/integrations', function: 'api' },
  { method: 'PUT', path: '/integrations/{name}', function: 'api' },
  { method: 'GET', path: '/mail/quarantine', function: 'api' },
  // Receivables: invoices, payments, CSV import, dunning answers, AR KPIs, Stripe invoice webhooks.
  { method: 'POST', path: '/invoices', function: 'invoices' },
  { method: 'GET', path: '/invoices', function: 'invoices' },
  { method: 'GET', path: '/invoices/{id}', function: 'invoices' },
  { method: 'POST', path: '/invoices/{id}/events', function: 'invoices' },
  { method: 'POST', path: '/invoices/import', function: 'invoices' },
  { method: 'GET', path: '/invoices/imports/{id}', function: 'invoices' },
  { method: 'POST', path: '/payments', function: 'invoices' },
  { method: 'POST', path: '/customers/{id}/dunning/events', function: 'invoices' },
  { method: 'GET', path: '/customers/{id}/dunning', function: 'invoices' },
  { method: 'GET', path: '/kpis/ar', function: 'invoices' },
  { method: 'POST', path: '/webhooks/stripe', function: 'invoices' },
  // Monitoring webhooks: each authenticates its own way (bearer, HMAC, routing key), in the handler.
  { method: 'POST', path: '/webhooks/alertmanager', function: 'webhooks' },
  { method: 'POST', path: '/webhooks/grafana', function: 'webhooks' },
  { method: 'POST', path: '/webhooks/pagerduty', function: 'webhooks' },
  { method: 'POST', path: '/v2/enqueue', function: 'webhooks' },
  { method: 'POST', path: '/webhooks/datadog', function: 'webhooks' },
  { method: 'POST', path: '/webhooks/generic', function: 'webhooks' },
];

export const routeKey = (route: Route) => `${route.method} ${route.path}`;

/** Routes anyone on the internet reaches (customer links, Stripe, monitoring senders): throttled harder, their functions' concurrency reserved. */
export const isPublicRoute = (route: Route) =>
  route.path.startsWith('/links/') || route.path.startsWith('/webhooks/') || route.path === '/v2/enqueue';

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
