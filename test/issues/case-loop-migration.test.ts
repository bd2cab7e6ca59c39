import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/workflow-manifest.ts';
import { TEST_CLOCK_START, useRuntime } from '../support/runtime.ts';

/** The issue lifecycle as deployed before the case loop: a Step state, then a wait for an event or the deadline. */
const TWO_STATE = {
  file: join(PROJECT_ROOT, 'test/engine/two-state-issue-lifecycle.asl.json'),
  substitutions: { IssueStepFunctionArn: 'issue-step', IssueWaitFunctionArn: 'issue-wait' },
};

const env = useRuntime({ options: { workflowDefinitions: { 'issue-lifecycle': TWO_STATE } } });

const emailsOf = async (id: string) =>
  ((await env.client.get(`/issues/${id}`)).body.timeline as { type: string; at: string; template: string; audience: string }[])
    .filter((entry) => entry.type === 'email')
    .map((entry) => `${(Date.parse(entry.at) - TEST_CLOCK_START.getTime()) / 60_000} min ${entry.template} to ${entry.audience}`);

const statesOf = async (workflow: string, name: string) =>
  (await env.runtime.engine.describe(workflow, name))!.events.filter((event) => event.type === 'StateEntered').map((event) => event.state);

describe('runs started before the case loop', () => {
  it('hand over to a case loop at their next wake: no follow-up lost, none sent twice, the same emails at the same times', async () => {
    // Before the deploy: an unacknowledged sev2 on the two-state definition waits for its 30-minute deadline.
    const before = (await env.client.post('/issues', { customerId: 'acme', title: 'Packet loss on the uplink', severity: 'sev2' })).body.id;
    await env.runtime.tracker.idle();
    const firstRun = `issue-${before}-g1`;
    expect(await statesOf('issue-lifecycle', firstRun)).toEqual(['Step', 'WaitForEventOrDeadline']);

    // The deploy; an issue opened at the same moment runs the case loop from the start.
    env.runtime.deployWorkflows();
    const after = (await env.client.post('/issues', { customerId: 'acme', title: 'Packet loss on the downlink', severity: 'sev2' })).body
      .id;
    await env.runtime.tracker.idle();
    expect(await statesOf('issue-lifecycle', `issue-${after}-g1`)).toEqual(['Turn']);

    // The old run's deadline: its step tells the team lead, then it hands over to run 2, a case loop.
    await env.client.advance('PT30M');
    expect(await statesOf('issue-lifecycle', firstRun)).toEqual([
      'Step',
      'WaitForEventOrDeadline',
      'Step',
      'WaitForEventOrDeadline',
      'Closed',
    ]);
    expect((await env.runtime.engine.describe('issue-lifecycle', firstRun))?.status).toBe('SUCCEEDED');
    expect(await statesOf('issue-lifecycle', `issue-${before}-g1-r2`)).toEqual(['Turn']);
    expect((await env.runtime.engine.describe('issue-lifecycle', `issue-${before}-g1-r2`))?.status).toBe('RUNNING');

    // Six hours on, acknowledged at 50 minutes, then left alone: both issues were told the same, at the same times.
    await env.client.advance('PT20M');
    for (const id of [before, after]) await env.client.post(`/issues/${id}/events`, { type: 'acknowledge' });
    await env.client.advance('PT5H10M');
    const told = await emailsOf(before);
    expect(told).toEqual(await emailsOf(after));
    expect(told.slice(0, 4)).toEqual([
      '0 min acknowledgement to customer',
      '30 min escalation to teamLead',
      '110 min nudge to owner',
      '120 min holding-update to customer',
    ]);
    expect(told.length).toBeGreaterThanOrEqual(8);
    expect(new Set(told).size).toBe(told.length);
  });
});
