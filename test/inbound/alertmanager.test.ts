import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { eventually, realClient, startAlertmanager } from '../support/real-clients.ts';
import { acme, api, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

const alertmanager = realClient('prometheus-alertmanager', 'prometheus-alertmanager');

describe.skipIf(!alertmanager.available)(
  `a real Prometheus Alertmanager delivers to Steward${alertmanager.available ? '' : ` (skipped: ${alertmanager.reason})`}`,
  () => {
    let options: RuntimeOptions;
    let runtime: Runtime;
    let am: Awaited<ReturnType<typeof startAlertmanager>>;

    beforeAll(async () => {
      options = await testOptions({ inMemory: true });
      runtime = await startRuntime(options);
      await api(runtime).post('/customers', acme);
      am = await startAlertmanager(join(options.dataDir, 'alertmanager'), { url: runtime.urls.api, token: runtime.apiToken });
    });
    afterAll(async () => {
      await am?.stop();
      await runtime?.stop();
      removeDataDir(options);
    });

    const post = (alerts: unknown[]) => am.post(alerts);
    const alert = (instance: string, extra: Record<string, unknown> = {}) => ({
      labels: { alertname: 'HighLatency', customer: 'acme', severity: 'critical', instance },
      annotations: { summary: `High latency on ${instance}`, description: 'p99 above 2 s for 5 minutes' },
      generatorURL: 'http://prometheus.test/graph',
      ...extra,
    });
    // Alertmanager keeps its own time (a Go binary reads the system clock directly, even under faketime).
    const amNow = () => am.now();
    const webhookIssues = async () =>
      (await api(runtime).get('/issues?customerId=acme')).body.issues.filter((issue: { source: string }) => issue.source === 'webhook');
    const issueOf = async (instance: string) =>
      (await webhookIssues()).find((issue: { title: string }) => issue.title === `High latency on ${instance}`);

    it('opens one issue per alert (fingerprint), adds an occurrence on a new firing, marks "cleared by monitoring" on resolve', async () => {
      const firstStart = new Date((await amNow()) - 60_000).toISOString();
      await post([alert('web-1', { startsAt: firstStart }), alert('web-2', { startsAt: firstStart })]);
      const opened = await eventually(async () => {
        const issues = await webhookIssues();
        return issues.length === 2 ? issues : undefined;
      }, 'two issues from Alertmanager');
      expect(opened.map((issue: { severity: string }) => issue.severity)).toEqual(['sev1', 'sev1']);
      expect(new Set(opened.map((issue: { origin: { alertKey: string } }) => issue.origin.alertKey)).size).toBe(2);

      // The same alerts again: Alertmanager deduplicates, and a redelivery to Steward would change nothing.
      await post([alert('web-1', { startsAt: firstStart }), alert('web-2', { startsAt: firstStart })]);

      // Resolve web-1: Alertmanager sends the resolved notification; the customer is not told, the owner is asked.
      await post([alert('web-1', { startsAt: firstStart, endsAt: new Date((await amNow()) - 1000).toISOString() })]);
      const cleared = await eventually(async () => {
        const issue = await issueOf('web-1');
        return issue?.clearedByMonitoringAt ? issue : undefined;
      }, 'web-1 cleared by monitoring');
      expect(cleared.status).toBe('open');
      await runtime.tracker.idle();
      const timeline = (await api(runtime).get(`/issues/${cleared.id}`)).body.timeline;
      expect(timeline.filter((entry: { template?: string }) => entry.template === 'monitoring-cleared')).toHaveLength(1);
      expect(timeline.filter((entry: { template?: string }) => entry.template === 'resolution')).toHaveLength(0);

      // web-1 fires again (a new startsAt) while its issue is still open: an occurrence, not a new issue.
      await post([alert('web-1', { startsAt: new Date(await amNow()).toISOString() })]);
      const refired = await eventually(async () => {
        const issue = await issueOf('web-1');
        return issue?.occurrences === 2 ? issue : undefined;
      }, 'web-1 occurrence 2');
      expect(refired.id).toBe(cleared.id);
      expect(refired.clearedByMonitoringAt).toBeUndefined();
      expect(await webhookIssues()).toHaveLength(2);
      expect((await issueOf('web-2')).occurrences ?? 1).toBe(1);
    });
  },
);
