import { describe, expect, it } from 'vitest';
import { aroundTheClock } from '../../kernel/calendar.ts';
import { decideStep, normalizeIssue, type Issue } from '../../modules/issues/issue.ts';

/** An issue as the previous Steward stored it: the old policy shape, none of the fields added since. */
const legacy = {
  id: 'ISS-1001',
  customerId: 'acme',
  title: 'Core router down',
  description: '',
  severity: 'sev1',
  impact: '',
  runningOnBackup: false,
  source: 'api',
  status: 'open',
  createdAt: '2026-11-23T10:00:00.000Z',
  policy: {
    calendar: '24x7',
    updateEvery: 'PT30M',
    holdingUpdates: true,
    acknowledgeWithin: 'PT15M',
    ladder: [{ after: 'PT1H', level: 'serviceManager' }],
  },
  policyVersion: 1,
  generation: 1,
  eventSeq: 0,
  handledSeq: 0,
} as unknown as Issue;

describe('issues stored by an older Steward', () => {
  it('are completed on read, so the workflow can decide on them', () => {
    const issue = normalizeIssue(legacy);
    expect(issue.policy).toMatchObject({ updateEvery: 'PT30M', nudgeBefore: 'PT10M', rfoRequired: true });
    const decision = decideStep(issue, {
      now: new Date('2026-11-23T10:20:00.000Z'),
      calendars: { issue: aroundTheClock, business: aroundTheClock },
    });
    expect(decision.emails.map((email) => email.template)).toEqual(['acknowledgement', 'escalation']);
    expect(() =>
      decideStep(legacy, { now: new Date('2026-11-23T10:20:00.000Z'), calendars: { issue: aroundTheClock, business: aroundTheClock } }),
    ).toThrow();
  });
});
