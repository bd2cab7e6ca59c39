import type { Deps } from '../kernel/deps.ts';
import type { RouteHandler } from '../kernel/http.ts';
import type { LinkAction } from '../kernel/links.ts';
import type { LinkHandlers } from '../kernel/module.ts';
import { modules } from './modules.ts';
import { DomainError } from '../kernel/errors.ts';

/** Loads once; a load that failed is tried again on the next call rather than kept. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/**
 * What a module's handlers get is the serving function's dependencies, as it declared them: that
 * they suffice is not for the type checker to see but for the runtime, which refuses whatever a
 * function did not declare (as IAM would), and for the tests that run every route.
 */
type FunctionDeps = object;

/**
 * The routes a function serves, from every module that declares handlers for it
 * (`http.<function>` in modules/<name>/module.ts), loaded on the function's first request.
 */
export function moduleRouter(functionName: string, deps: FunctionDeps): RouteHandler {
  const table = once(async () => {
    const factories = await Promise.all(modules.flatMap((module) => module.http?.[functionName]?.() ?? []));
    return Object.assign({}, ...factories.map((routesOf) => routesOf(deps as Deps))) as Record<string, RouteHandler>;
  });
  return async (event) => {
    const route = (await table())[event.routeKey];
    if (!route) throw new DomainError('not-found', `no route ${event.routeKey}`);
    return route(event);
  };
}

/** The link actions of every module, each module's handlers loaded when one of its links is first used. */
export function moduleLinks(deps: FunctionDeps): (action: LinkAction) => Promise<LinkHandlers | undefined> {
  const byAction = new Map<string, () => Promise<LinkHandlers>>();
  for (const module of modules) {
    if (!module.links) continue;
    const { load } = module.links;
    const handlers = once(async () => (await load())(deps as Deps));
    for (const action of module.links.actions) byAction.set(action, handlers);
  }
  return async (action) => byAction.get(action)?.();
}
