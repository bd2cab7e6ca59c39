import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  decideStep,
  escalationLevel,
  InvalidEvent,
  InvalidTransition,
  openIssue,
  type AnyIssueEvent,
  type Issue,
  type IssueContext,
} from '../../modules/issues/issue.ts';
import { calendars, defaultPolicy, freezePolicy } from '../../modules/policies/policy.ts';
import { kpisOf } from '../../modules/issues/kpis.ts';
import type { Severity } from '../../kernel/severity.ts';

const customer = { timezone: 'Europe/Berlin', country: 'DE' };
const OPENED = '2026-11-02T08:00:00.000Z'; // Monday 09:00 in Berlin
const minutes = (n: number) => new Date(Date.parse(OPENED) + n * 60_000);

function context(issue: Pick<Issue, 'policy'>, now: Date): IssueContext {
  return { now, calendars: calendars(issue.policy, customer) };
}

const escalationLevelAt = (issue: Issue, minute: number) => escalationLevel(issue, context(issue, minutes(minute)));

function open(severity: Severity): Issue {
  const policy = freezePolicy(defaultPolicy, severity);
  const input = {
    customerId: 'acme',
    title: 'VPN down',
    description: '',
    severity,
    impact: '',
    runningOnBackup: false,
    source: 'api' as const,
  };
  return openIssue('ISS-1001', input, policy, { now: new Date(OPENED), calendars: calendars(policy, customer) });
}

/** Runs the step at each minute in turn, carrying the issue forward; what each run sent, by template and first audience. */
function walk(issue: Issue, at: number[]): { minute: number; sent: string[]; deadline: string }[] {
  const runs = [];
  let current = issue;
  for (const minute of at) {
    const decision = decideStep(current, context(current, minutes(minute)));
    current = decision.next ?? current;
    runs.push({
      minute,
      sent: decision.emails.map((email) => `${email.template}→${email.audience[0]}`),
      deadline: decision.nextDeadline.toISOString(),
    });
  }
  return runs;
}

describe('decideStep: what is due, from the issue and its frozen policy alone', () => {
  it('sev1 left alone (24x7): acknowledgement, the team lead at 15 min, nudge and holding update every 30 min, the service manager at 60', () => {
    expect(walk(open('sev1'), [0, 15, 20, 30, 50, 60])).toEqual([
      { minute: 0, sent: ['acknowledgement→customer'], deadline: minutes(15).toISOString() },
      { minute: 15, sent: ['escalation→teamLead'], deadline: minutes(20).toISOString() },
      { minute: 20, sent: ['nudge→owner'], deadline: minutes(30).toISOString() },
      { minute: 30, sent: ['holding-update→customer'], deadline: minutes(50).toISOString() },
      { minute: 50, sent: ['nudge→owner'], deadline: minutes(60).toISOString() },
      { minute: 60, sent: ['escalation→serviceManager', 'holding-update→customer'], deadline: minutes(80).toISOString() },
    ]);
  });

  it('runs twice at the same instant: the second run sends nothing and changes nothing', () => {
    const first = decideStep(open('sev2'), context(open('sev2'), minutes(0)));
    const again = decideStep(first.next!, context(first.next!, minutes(0)));
    expect(again.emails).toEqual([]);
    expect(again.next).toBeUndefined();
  });

  it('after an outage of 3 hours, a sev1 gets one holding update (the latest), not six', () => {
    const started = decideStep(open('sev1'), context(open('sev1'), minutes(0))).next!;
    const sent = walk(started, [180])[0].sent;
    expect(sent.filter((email) => email.startsWith('holding-update'))).toHaveLength(1);
    expect(sent).toEqual(['escalation→teamLead', 'escalation→serviceManager', 'holding-update→customer']);
  });

  it('sev3 counts business hours: opened Monday 09:00, the team lead at 13:00; nothing outside business hours', () => {
    const runs = walk(open('sev3'), [0, 239, 240]);
    expect(runs.map((run) => run.sent)).toEqual([['acknowledgement→customer'], [], ['escalation→teamLead']]);
  });

  it('an ETR: the owner warned 15 min before; at the ETR the customer is told it is under review and the ladder moves one level up', () => {
    const ack = applyEvent(open('sev2'), { type: 'acknowledge' }, context(open('sev2'), minutes(1)));
    const withEtr = applyEvent(
      ack,
      { type: 'update', message: 'Replacing an optic.', etr: minutes(60).toISOString() },
      context(ack, minutes(2)),
    );
    const runs = walk(withEtr, [2, 45, 60]);
    expect(runs.map((run) => run.sent)).toEqual([
      ['acknowledgement→customer', 'status-update→customer'],
      ['etr-warning→owner'],
      ['etr-review→customer', 'escalation→teamLead'],
    ]);
  });

  it('resolved with an RFO: sent once; a reminder after 2 business days; accepted automatically after 5, and the closure sent', () => {
    const resolved = applyEvent(open('sev2'), { type: 'resolve', rfo: 'A faulty optic.' }, context(open('sev2'), minutes(10)));
    const day = 24 * 60;
    const runs = walk(resolved, [10, 2 * day + 10, 7 * day + 10]);
    expect(runs.map((run) => run.sent)).toEqual([
      ['acknowledgement→customer', 'resolution→customer'],
      ['rfo-reminder→customer'],
      ['closure→customer'],
    ]);
  });
});

describe('decideStep never loops for ever', () => {
  it('a stored policy whose update cadence counts no business time (P1M, from before the schema refused it) fails the step instead of hanging', () => {
    const sev4 = open('sev4');
    const monthly = { ...sev4, policy: { ...sev4.policy, updateEvery: 'P1M' }, nextUpdateAt: minutes(60).toISOString() };
    expect(() => decideStep(monthly, context(monthly, minutes(24 * 60)))).toThrow(/updateEvery P1M counts no time/);
  });
});

describe('applyEvent: what a state allows', () => {
  const at = (issue: Issue, minute: number) => context(issue, minutes(minute));
  const acknowledged = () => applyEvent(open('sev2'), { type: 'acknowledge' }, at(open('sev2'), 1));
  const resolvedWithRfo = () => applyEvent(acknowledged(), { type: 'resolve', rfo: 'Cause.' }, at(acknowledged(), 5));
  const cases: [string, () => Issue, AnyIssueEvent, 'ok' | typeof InvalidTransition | typeof InvalidEvent, string?][] = [
    ['acknowledge an open issue', () => open('sev2'), { type: 'acknowledge' }, 'ok'],
    ['acknowledge twice', acknowledged, { type: 'acknowledge' }, InvalidTransition, 'cannot acknowledge an issue that is acknowledged'],
    [
      'an ETR in the past',
      acknowledged,
      { type: 'update', message: 'x', etr: minutes(0).toISOString() },
      InvalidEvent,
      'etr: must be in the future',
    ],
    [
      'a next update in the past',
      acknowledged,
      { type: 'update', message: 'x', nextUpdateAt: minutes(0).toISOString() },
      InvalidEvent,
      'nextUpdateAt: must be in the future',
    ],
    ['resolve a sev2 without an RFO', acknowledged, { type: 'resolve' }, InvalidEvent, 'rfo: a reason for outage is required'],
    ['accept an RFO of an unresolved issue', acknowledged, { type: 'accept-rfo', by: 'staff' }, InvalidTransition, 'cannot accept the RFO'],
    ['dispute a pending RFO', resolvedWithRfo, { type: 'dispute-rfo', comment: 'Not the cause.' }, 'ok'],
    [
      'update a resolved issue',
      resolvedWithRfo,
      { type: 'update', message: 'x' },
      InvalidTransition,
      'cannot update an issue that is resolved',
    ],
    ['reopen an open issue', () => open('sev2'), { type: 'reopen' }, InvalidTransition, 'cannot reopen an issue that is open'],
    ['reopen a resolved issue', resolvedWithRfo, { type: 'reopen' }, 'ok'],
  ];
  it.each(cases)('%s', (_name, issue, event, expected, message) => {
    const before = issue();
    const apply = () => applyEvent(before, event, at(before, 10));
    if (expected === 'ok') return expect(apply().eventSeq).toBe(before.eventSeq + 1);
    expect(apply).toThrow(expected);
    expect(apply).toThrow(message!);
  });

  it('a customer escalates once per hour: the second escalation within the hour is refused, naming when it is possible', () => {
    const once = applyEvent(open('sev2'), { type: 'customer-escalate' }, at(open('sev2'), 5));
    expect(once.bumps).toEqual([{ level: 1, at: minutes(5).toISOString(), reason: 'the customer escalated' }]);
    expect(() => applyEvent(once, { type: 'customer-escalate' }, at(once, 30))).toThrow(/possible from 2026-11-02T09:05:00.000Z/);
    expect(applyEvent(once, { type: 'customer-escalate' }, at(once, 65)).customerEscalations).toHaveLength(2);
  });

  it('an ETR moved with a reason is told to the customer at once (from, to, why); without a reason, or the first ETR, it is not', () => {
    const withEtr = applyEvent(
      acknowledged(),
      { type: 'update', message: 'On it.', etr: minutes(120).toISOString() },
      at(acknowledged(), 2),
    );
    const sentUpdate = decideStep(withEtr, at(withEtr, 2)).next ?? withEtr;
    const moved = applyEvent(
      sentUpdate,
      { type: 'set-etr', etr: minutes(240).toISOString(), reason: 'The spare part arrives at 12:00.' },
      at(sentUpdate, 3),
    );
    const told = decideStep(moved, at(moved, 3)).emails.filter((email) => email.template === 'status-update');
    expect(told.map((email) => [email.audience, email.update?.etrMovedFrom, email.update?.etr, email.update?.message])).toEqual([
      [['customer'], minutes(120).toISOString(), minutes(240).toISOString(), 'The spare part arrives at 12:00.'],
    ]);
    const quiet = applyEvent(sentUpdate, { type: 'set-etr', etr: minutes(240).toISOString() }, at(sentUpdate, 3));
    expect(decideStep(quiet, at(quiet, 3)).emails.filter((email) => email.template === 'status-update')).toEqual([]);
  });

  it('every reopen starts a new workflow generation, from a resolved issue as from a closed one', () => {
    const closed = applyEvent(acknowledged(), { type: 'close' }, at(acknowledged(), 5));
    expect(applyEvent(closed, { type: 'reopen' }, at(closed, 10)).generation).toBe(2);
    expect(applyEvent(resolvedWithRfo(), { type: 'reopen' }, at(resolvedWithRfo(), 10)).generation).toBe(2);
  });

  it('a reopen is a fresh start: no old ETR, acknowledgement due from now, the ladder from its first rung; KPIs keep the first cycle', () => {
    // A sev1 left alone reaches the team lead (15 min) and the service manager (60 min), then is resolved at 90.
    let issue = open('sev1');
    for (const minute of [0, 15, 60]) issue = decideStep(issue, context(issue, minutes(minute))).next ?? issue;
    issue = applyEvent(issue, { type: 'acknowledge' }, context(issue, minutes(61)));
    issue = applyEvent(issue, { type: 'update', message: 'On it.', etr: minutes(120).toISOString() }, context(issue, minutes(62)));
    issue = applyEvent(issue, { type: 'resolve', rfo: 'A fibre was cut.' }, context(issue, minutes(90)));
    issue = decideStep(issue, context(issue, minutes(90))).next ?? issue;
    issue = applyEvent(issue, { type: 'close' }, context(issue, minutes(100)));
    // The next day it is back.
    const day = 24 * 60;
    issue = applyEvent(issue, { type: 'reopen', reason: 'down again' }, context(issue, minutes(day)));
    expect(issue).toMatchObject({ status: 'open', generation: 2, etr: undefined, acknowledgedAt: undefined });
    expect(escalationLevelAt(issue, day)).toBe(0);
    expect(walk(issue, [day, day + 14, day + 15]).map(({ minute, sent }) => [minute - day, sent])).toEqual([
      [0, ['acknowledgement→customer']],
      [14, []],
      [15, ['escalation→teamLead']],
    ]);
    // MTTA and MTTR are of the first cycle (acknowledged at 61, resolved at 90); the reopen counts as a return.
    const kpis = kpisOf([issue], minutes(day + 30));
    expect([kpis.mttaMinutes, kpis.mttrMinutes, kpis.reopenRatePct]).toEqual([61, 90, 100]);
  });
});

describe('the issue item stays small (DynamoDB refuses items over 400 KB)', () => {
  it('a week of hourly customer escalations with 5,000-character comments keeps the item under 350 KB', () => {
    let issue = open('sev3');
    const comment = 'Nothing works. '.repeat(340).slice(0, 5_000);
    for (let hour = 1; hour <= 24 * 7; hour++)
      issue = applyEvent(issue, { type: 'customer-escalate', comment }, context(issue, minutes(hour * 61)));
    expect(issue.customerEscalations).toHaveLength(24 * 7);
    expect(issue.customerEscalations[0].comment?.length).toBeLessThanOrEqual(501);
    expect(Buffer.byteLength(JSON.stringify(issue))).toBeLessThan(350_000);
  });
});

describe('the issue item does not grow with events that repeat', () => {
  it('a month of flapping monitoring (2,000 occurrences and clears) and 287 ETR changes with long reasons: the sent keys stay few, ETR reasons are clipped, the item stays under 200 KB', () => {
    let issue = open('sev3');
    const step = (minute: number) => {
      const decision = decideStep(issue, context(issue, minutes(minute)));
      issue = decision.next ?? issue;
    };
    const reason = 'The vendor moved the date again. '.repeat(70).slice(0, 2_000);
    let minute = 1;
    for (let flap = 0; flap < 2_000; flap++, minute += 20) {
      issue = applyEvent(issue, { type: 'occurrence', integration: 'am', key: 'k' }, context(issue, minutes(minute)));
      issue = applyEvent(issue, { type: 'monitoring-cleared', integration: 'am', key: 'k' }, context(issue, minutes(minute + 10)));
      step(minute + 10);
      if (flap % 7 === 0) {
        issue = applyEvent(
          issue,
          { type: 'set-etr', etr: minutes(minute + 600).toISOString(), reason },
          context(issue, minutes(minute + 11)),
        );
        step(minute + 11);
      }
    }
    expect(issue.occurrences).toBe(2_001);
    expect(issue.etrHistory.length).toBeGreaterThanOrEqual(286);
    expect(issue.etrHistory[0].reason!.length).toBeLessThanOrEqual(501);
    expect(issue.sent.length).toBeLessThan(10);
    expect(Buffer.byteLength(JSON.stringify(issue))).toBeLessThan(200_000);
  });

  it('what is dropped from the sent keys can never be sent again: a clear after a new occurrence is told; the same clear is not', () => {
    let issue = applyEvent(open('sev3'), { type: 'monitoring-cleared', integration: 'am', key: 'k' }, context(open('sev3'), minutes(5)));
    const first = decideStep(issue, context(issue, minutes(5)));
    expect(first.emails.map((email) => email.template)).toContain('monitoring-cleared');
    issue = first.next!;
    expect(decideStep(issue, context(issue, minutes(6))).emails.map((email) => email.template)).not.toContain('monitoring-cleared');
    issue = applyEvent(issue, { type: 'occurrence', integration: 'am', key: 'k' }, context(issue, minutes(7)));
    issue = applyEvent(issue, { type: 'monitoring-cleared', integration: 'am', key: 'k' }, context(issue, minutes(8)));
    expect(decideStep(issue, context(issue, minutes(8))).emails.map((email) => email.template)).toContain('monitoring-cleared');
  });
});

describe('KPIs: ETR accuracy judges the first ETR given', () => {
  it('an issue whose first ETR was missed, then moved twice and met, scores 0 % met with 2 slips; the last ETR alone would say 100 %', () => {
    let issue = applyEvent(open('sev2'), { type: 'set-etr', etr: minutes(60).toISOString() }, context(open('sev2'), minutes(5)));
    issue = applyEvent(issue, { type: 'set-etr', etr: minutes(120).toISOString() }, context(issue, minutes(50)));
    issue = applyEvent(issue, { type: 'set-etr', etr: minutes(240).toISOString() }, context(issue, minutes(110)));
    issue = applyEvent(issue, { type: 'resolve', rfo: 'A failed link' }, context(issue, minutes(200)));
    const kpis = kpisOf([issue], minutes(300));
    expect(kpis.etrAccuracy).toEqual({
      resolvedWithEtr: 1,
      metPct: 0,
      lastEtrMetPct: 100,
      meanAbsoluteErrorMinutes: 140,
      slips: 2,
      slippedPct: 100,
    });
  });
});

describe('running on backup, from what the customer writes', () => {
  it('a customer message mentioning a backup (policy email.backupKeywords) sets runningOnBackup; other words do not', () => {
    const message = (text: string) => ({ type: 'customer-message' as const, from: 'ann@acme.test', subject: 'Re: VPN down', text });
    const plain = applyEvent(open('sev2'), message('Still down here.'), context(open('sev2'), minutes(5)));
    expect(plain.runningOnBackup).toBe(false);
    const backup = applyEvent(plain, message('We are running on BACKUP lines for now.'), context(plain, minutes(6)));
    expect(backup.runningOnBackup).toBe(true);
    expect(applyEvent(backup, message('Still slow.'), context(backup, minutes(7))).runningOnBackup).toBe(true);
  });
});

describe('holding updates back off', () => {
  it('a forgotten sev2: three holding updates 2 h apart, the service manager told at the third, then 4 h, 8 h, 16 h, 16 h apart', () => {
    let issue = open('sev2');
    const holdings: number[] = [];
    const toManager: number[] = [];
    for (let minute = 0; minute <= 60 * 72; minute += 10) {
      const decision = decideStep(issue, context(issue, minutes(minute)));
      issue = decision.next ?? issue;
      for (const email of decision.emails) {
        if (email.template === 'holding-update') holdings.push(minute / 60);
        if (email.template === 'holding-backoff') toManager.push(minute / 60);
      }
    }
    expect(holdings).toEqual([2, 4, 6, 10, 18, 34, 50, 66]);
    expect(toManager).toEqual([6]);
  });

  it('an update from a person resets the back-off', () => {
    let issue = open('sev2');
    for (let minute = 0; minute <= 60 * 10; minute += 10) issue = decideStep(issue, context(issue, minutes(minute))).next ?? issue;
    expect(issue.holdingStreak).toBe(4);
    issue = applyEvent(issue, { type: 'update', message: 'Found it' }, context(issue, minutes(60 * 10 + 5)));
    expect(issue.holdingStreak).toBe(0);
  });
});
