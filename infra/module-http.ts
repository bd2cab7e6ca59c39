import type { Deps } from '../kernel/deps.ts';
import { DomainError } from '../kernel/errors.ts';
import type { RouteHandler } from '../kernel/http.ts';
import type { LinkHandlers, Served } from '../kernel/module.ts';
import { modules } from './modules.ts';

/**
 * Loads `modules/<module>/serve/<function>.ts` for one function. Each function writes its own, with
 * its name in the path (`import(\`../../modules/${module}/serve/api.ts\`)`), so that the bundler puts
 * into its bundle only what modules serve on it.
 */
export type ServeLoader = (module: string) => Promise<Served>;

/**
 * What a module's handlers get is the serving function's dependencies, as it declared them: that
 * they suffice is not for the type checker to see but for the runtime, which refuses whatever a
 * function did not declare (as IAM would), and for the tests that run every route.
 */
type FunctionDeps = object;

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

/** The modules that declare routes on a function. */
export const modulesServedBy = (functionName: string) =>
  modules.filter((module) => module.routes?.some((route) => route.function === functionName));

/** The routes a function serves, from every module that declares routes on it, loaded on its first request. */
export function moduleRouter(functionName: string, deps: FunctionDeps, load: ServeLoader): RouteHandler {
  const table = once(async () => {
    const served = await Promise.all(modulesServedBy(functionName).map((module) => load(module.name)));
    return Object.assign({}, ...served.map((serve) => serve.routes?.(deps as Deps) ?? {})) as Record<string, RouteHandler>;
  });
  return async (event) => {
    const route = (await table())[event.routeKey];
    if (!route) throw new DomainError('not-found', `no route ${event.routeKey}`);
    return route(event);
  };
}

/** The link actions of every module (`linkActions`), each module's handlers loaded when one of its links is first used. */
export function moduleLinks(deps: FunctionDeps, load: ServeLoader): (action: string) => Promise<LinkHandlers | undefined> {
  const byAction = new Map<string, () => Promise<LinkHandlers | undefined>>();
  for (const module of modules) {
    const handlers = once(async () => (await load(module.name)).links?.(deps as Deps));
    for (const action of module.linkActions ?? []) byAction.set(action, handlers);
  }
  return async (action) => byAction.get(action)?.();
}
