import type { Served } from '../../../kernel/module.ts';
import { moneyLinkAct, moneyLinkPage } from '../money-links.ts';

/** What the `api` function serves of receivables: the links in dunning emails (a promise, a dispute, a suspension's answer). */
export const links: Served['links'] = (deps) => ({
  keys: (claims) => ({ customerId: claims.i }),
  page: (claims) => moneyLinkPage(deps, claims),
  act: (claims, form, linkId) => moneyLinkAct(deps, claims, form, linkId),
});
