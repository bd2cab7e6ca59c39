import type { Deps } from '../../kernel/deps.ts';
import { bodyText, type RouteHandler } from '../../kernel/http.ts';
import { verifiedLink } from '../../kernel/link-page.ts';
import { isMoneyLink } from '../../kernel/links.ts';
import { IssueLinks, IssueService } from '../../modules/issues/index.ts';
import { moneyLinkAct, moneyLinkPage } from '../../modules/receivables/index.ts';

/** The customer links in emails: checked once here, then handed to the module whose action they carry. */
export function linkRoutes(
  deps: Pick<Deps, 'store' | 'clock' | 'workflows' | 'mailer' | 'settings' | 'telemetry'>,
): Record<string, RouteHandler> {
  const issueLinks = new IssueLinks(new IssueService(deps), deps);
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
  return {
    'GET /links/{token}': async (event) => {
      const check = await verify(event);
      if (!check.ok) return check.page;
      return isMoneyLink(check.claims.a) ? moneyLinkPage(deps, check.claims) : issueLinks.page(check.claims);
    },

    'POST /links/{token}': async (event) => {
      const check = await verify(event);
      if (!check.ok) return check.page;
      const form = new URLSearchParams(bodyText(event));
      return isMoneyLink(check.claims.a)
        ? moneyLinkAct(deps, check.claims, form, check.linkId)
        : issueLinks.act(check.claims, form, check.linkId);
    },
  };
}
