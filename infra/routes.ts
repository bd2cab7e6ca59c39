import type { ModuleRoute } from '../kernel/module.ts';
import { PERMISSIONS, type RoutePermission } from '../modules/users/index.ts';
import { modules } from './modules.ts';

/**
 * The HTTP API's routes, each declared by its module (modules/<name>/module.ts), one list for both
 * columns: CDK creates these API Gateway routes and the embedded HTTP server matches the same ones
 * to produce the same routeKey and pathParameters.
 */
export type Route = ModuleRoute<RoutePermission>;

/** The kernel's own routes: the customer links in emails, public (the signed token is the credential); GET shows, POST acts. */
const kernelRoutes: Route[] = [
  { method: 'GET', path: '/links/{token}', function: 'api', permission: 'public' },
  { method: 'POST', path: '/links/{token}', function: 'api', permission: 'public' },
];

export const routes: Route[] = [
  ...kernelRoutes,
  ...modules.flatMap((module) =>
    (module.routes ?? []).map((route) => {
      if (route.permission !== 'public' && !(PERMISSIONS as readonly string[]).includes(route.permission))
        throw new Error(
          `modules/${module.name}/module.ts: ${route.method} ${route.path} needs "${route.permission}", which is no permission`,
        );
      return route as Route;
    }),
  ),
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
