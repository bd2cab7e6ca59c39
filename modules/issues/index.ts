/** Issues: their lifecycle, timers, escalations, RFOs and KPIs. The public entry of the module. */
export {
  InvalidTransition,
  isUnresolved,
  openIssue,
  type Issue,
  type LadderRung,
  type NewIssue,
  type Rfo,
} from './issue.ts';
export { IssueRepository, type TimelineEntry } from './issue-repository.ts';
export { IssueService } from './issue-service.ts';
export { kpisOf } from './kpis.ts';
export { hadOutage } from './outage.ts';
export { issueEventSchema } from './issue-schemas.ts';
export { issueCase, issueRuns } from './issue-case.ts';
