import { defineModule } from '../../kernel/module.ts';

/** Issues: their lifecycle, timers, escalations, RFOs and KPIs. */
export default defineModule({
  name: 'issues',
  partitions: {
    /** An issue: its record, timeline, wait token, event ids and the emails about it. */
    issue: 'ISSUE#*',
    /** The issue number counter. */
    counter: 'COUNTER',
  },
  indexPartitions: {
    /** gsi3: issues by status. */
    issuesByStatus: 'ISSUES#*',
  },
  routes: [
    { method: 'POST', path: '/issues', function: 'api', permission: 'issues:write' },
    { method: 'GET', path: '/issues', function: 'api', permission: 'issues:read' },
    { method: 'GET', path: '/issues/{id}', function: 'api', permission: 'issues:read' },
    { method: 'GET', path: '/issues/{id}/timeline', function: 'api', permission: 'issues:read' },
    { method: 'POST', path: '/issues/{id}/events', function: 'api', permission: 'issues:write' },
    // The customer email an update would send (nothing is recorded): for people who may write the update.
    { method: 'POST', path: '/issues/{id}/preview', function: 'api', permission: 'issues:write' },
    { method: 'GET', path: '/kpis', function: 'api', permission: 'kpis:read' },
  ],
  linkActions: ['accept-rfo', 'dispute-rfo', 'escalate'],
  schedules: [
    {
      name: 'reconcile-workflows',
      expression: 'cron(7 * * * ? *)',
      timezone: 'UTC',
      function: 'reconcile',
      input: { sweep: 'issues' },
      description:
        'Every unfinished issue keeps a live execution: a lost start is made, a failed, timed-out or stopped run is followed by the next',
    },
  ],
  workflows: {
    // issue-wait: the wait state of runs started before the case loop, which hand over at their next wake.
    'issue-lifecycle': { caseLoop: { turn: 'issue-step', earlier: ['issue-wait'] } },
  },
});
