import type { Deps } from '../../kernel/deps.ts';
import { bodyText, type RouteHandler } from '../../kernel/http.ts';
import { verifiedLink } from '../../kernel/link-page.ts';
import { isMoneyLink } from '../../kernel/links.ts';
import { moduleLinks, type ServeLoader } from '../../infra/module-http.ts';

/** The customer links in emails: checked once here, then handed to the module whose action they carry. */
export function linkRoutes(deps: Pick<Deps, 'settings' | 'clock' | 'telemetry'>, serve: ServeLoader): Record<string, RouteHandler> {
  const handlersOf = moduleLinks(deps, serve);
  const verify = async (event: Parameters<RouteHandler>[0]) => {
    const check = await verifiedLink(event, await deps.settings.linkKeys(), deps.clock.now());
    if (check.ok) {
      const { i: id, a: action } = check.claims;
      deps.telemetry.annotate(isMoneyLink(action) ? { customerId: id, linkAction: action } : { issueId: id, linkAction: action });
      deps.telemetry.count('LinksUsed');
      deps.telemetry.info(event.requestContext.http.method === 'POST' ? 'link acted on' : 'link viewed');
    } else deps.telemetry.info('link refused');
    return check;
  };
  const handlersFor = async (action: Parameters<typeof handlersOf>[0]) => {
    const handlers = await handlersOf(action);
    if (!handlers) throw new Error(`no module acts on ${action} links`);
    return handlers;
  };
  return {
    'GET /links/{token}': async (event) => {
      const check = await verify(event);
      if (!check.ok) return check.page;
      return (await handlersFor(check.claims.a)).page(check.claims);
    },

    'POST /links/{token}': async (event) => {
      const check = await verify(event);
      if (!check.ok) return check.page;
      return (await handlersFor(check.claims.a)).act(check.claims, new URLSearchParams(bodyText(event)), check.linkId);
    },
  };
}
