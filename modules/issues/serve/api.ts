import type { Served } from '../../../kernel/module.ts';
import { IssueLinks } from '../issue-links.ts';
import { IssueService } from '../issue-service.ts';
import { issueRequestSchemas, issueRoutes } from '../routes.ts';

/** What the `api` function serves of issues: the issue routes, and the links that accept or dispute an RFO or escalate. */
export const routes: Served['routes'] = issueRoutes;
export const links: Served['links'] = (deps) => new IssueLinks(new IssueService(deps), deps);

export const schemas: Served['schemas'] = issueRequestSchemas;
