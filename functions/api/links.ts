import type { Deps } from '../../kernel/deps.ts';
import { bodyText, type RouteHandler } from '../../kernel/http.ts';
import { linkNotValidPage, verifiedLink } from '../../kernel/link-page.ts';
import { moduleLinks, type ServeLoader } from '../../infra/module-http.ts';

/** The customer links in emails: checked once here, then handed to the module whose action they carry. */
export function linkRoutes(deps: Pick<Deps, 'settings' | 'clock' | 'telemetry'>, serve: ServeLoader): Record<string, RouteHandler> {
  const handlersOf = moduleLinks(deps, serve);
  const verify = async (event: Parameters<RouteHandler>[0]) => {
    const check = await verifiedLink(event, await deps.settings.linkKeys(), deps.clock.now());
    const handlers = check.ok ? await handlersOf(check.claims.a) : undefined;
    if (!check.ok || !handlers) {
      deps.telemetry.info('link refused');
      // Signed by Steward for an action no module acts on any more.
      return check.ok ? { ok: false as const, page: await linkNotValidPage(400, 'this link is not valid') } : check;
    }
    deps.telemetry.annotate({ ...handlers.keys(check.claims), linkAction: check.claims.a });
    deps.telemetry.count('LinksUsed');
    deps.telemetry.info(event.requestContext.http.method === 'POST' ? 'link acted on' : 'link viewed');
    return { ...check, handlers };
  };
  return {
    'GET /links/{token}': async (event) => {
      const check = await verify(event);
      return check.ok ? check.handlers.page(check.claims) : check.page;
    },

    'POST /links/{token}': async (event) => {
      const check = await verify(event);
      return check.ok ? check.handlers.act(check.claims, new URLSearchParams(bodyText(event)), check.linkId) : check.page;
    },
  };
}
