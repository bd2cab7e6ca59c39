import { join } from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/workflow-manifest.ts';
import { customerEmails } from '../../kernel/email-channel.ts';
import { acme, invoiceInput, useRuntime } from '../support/runtime.ts';

/** The dunning workflow as deployed before the case loop: a Step state, then a wait for the dunning run or a change. */
const TWO_STATE = {
  file: join(PROJECT_ROOT, 'test/engine/two-state-invoice-dunning.asl.json'),
  substitutions: { DunningStepFunctionArn: 'dunning-step', DunningWaitFunctionArn: 'dunning-wait' },
};

const env = useRuntime({ clockStart: '2026-11-25T08:00:00Z', options: { workflowDefinitions: { 'invoice-dunning': TWO_STATE } } });

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toUTC().toISO()!;
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toFormat('ccc yyyy-MM-dd HH:mm');
/** A cycle's runs, oldest first: the name, how it stands, and its first state (which definition it runs). */
const runs = async (base: string) => {
  const records = (await env.runtime.engine.list('invoice-dunning')).filter(
    (record) => record.name === base || record.name.startsWith(`${base}-r`),
  );
  const described = await Promise.all(
    records.reverse().map(async (record) => {
      const events = (await env.runtime.engine.describe('invoice-dunning', record.name))!.events;
      return `${record.name} ${record.status} ${events.find((event) => event.type === 'StateEntered')?.state}`;
    }),
  );
  return described;
};

describe('dunning cycles started before the case loop', () => {
  it('hand over to a case loop when the dunning run next wakes them, and the ladder goes on to the day', async () => {
    for (const id of ['old', 'new'])
      await env.client.post('/customers', {
        ...acme,
        id,
        name: `${id} GmbH`,
        emailDomains: [`${id}.test`],
        contacts: [{ name: 'Pay', email: `pay@${id}.test`, roles: ['billing'] }],
      });
    await env.client.moveTo(berlin('2026-11-25T10:00'));
    await env.client.post('/invoices', invoiceInput('O-1', 'old', '2026-12-01', 1000));
    // The first dunning email (Monday 30 Nov) starts the old customer's cycle on the two-state definition.
    await env.client.moveTo(berlin('2026-11-30T12:00'));
    // It has handed over once already (at its second wait), to a run of the same, old definition.
    expect(await runs('dunning-old-g1')).toEqual(['dunning-old-g1 SUCCEEDED Step', 'dunning-old-g1-r2 RUNNING Step']);

    // The deploy; the other customer's cycle starts on the case loop, a day later on the same ladder.
    env.runtime.deployWorkflows();
    await env.client.post('/invoices', invoiceInput('N-1', 'new', '2026-12-02', 1000));
    await env.client.moveTo(berlin('2026-12-20T12:00'));
    // At its second wait after the deploy, the old cycle's run hands over to a case loop (which,
    // a week old, continues as new like any case loop); every run before it ended as a success.
    const old = await runs('dunning-old-g1');
    expect(old.slice(0, 3)).toEqual([
      'dunning-old-g1 SUCCEEDED Step',
      'dunning-old-g1-r2 SUCCEEDED Step',
      'dunning-old-g1-r3 SUCCEEDED Turn',
    ]);
    expect(old.at(-1)).toMatch(/RUNNING Turn$/);
    expect(old.slice(0, -1).every((run) => run.includes('SUCCEEDED'))).toBe(true);
    const fresh = await runs('dunning-new-g1');
    expect(fresh.every((run) => run.endsWith('Turn'))).toBe(true);
    expect(fresh.at(-1)).toMatch(/RUNNING Turn$/);

    const ladder = async (customerId: string) =>
      (await customerEmails(env.runtime.store, customerId))
        .sort((x, y) => x.sentAt.localeCompare(y.sentAt) || x.template.localeCompare(y.template))
        .map((email) => `${local(email.sentAt)} ${email.template}`);
    expect(await ladder('old')).toEqual([
      'Mon 2026-11-30 09:00 dunning-courtesy',
      'Wed 2026-12-02 09:00 dunning-reminder',
      'Tue 2026-12-08 09:00 dunning-why',
      'Tue 2026-12-15 09:00 dunning-notice-call',
      'Tue 2026-12-15 09:00 dunning-warning',
    ]);
    // The same ladder, a day later, for the cycle that ran the case loop from its start.
    expect(await ladder('new')).toEqual([
      'Tue 2026-12-01 09:00 dunning-courtesy',
      'Thu 2026-12-03 09:00 dunning-reminder',
      'Wed 2026-12-09 09:00 dunning-why',
      'Wed 2026-12-16 09:00 dunning-notice-call',
      'Wed 2026-12-16 09:00 dunning-warning',
    ]);
  });
});
