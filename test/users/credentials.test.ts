import { afterAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { legacyLinkKey } from '../../kernel/links.ts';
import { acme, alertmanagerAlert, api, latestEmail, linkIn, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

const started: { runtime: Runtime; options: RuntimeOptions }[] = [];
afterAll(async () => {
  for (const { runtime, options } of started) {
    await runtime.stop().catch(() => undefined);
    removeDataDir(options);
  }
});

/** A runtime over `dataDir` (kept between starts, as a redeploy keeps the table) with the secrets given. */
async function start(overrides: Partial<RuntimeOptions>, dataDir?: string) {
  const options = await testOptions({ ...overrides, ...(dataDir ? { dataDir } : {}) });
  const runtime = await startRuntime(options);
  started.push({ runtime, options: dataDir ? { ...options, dataDir: `${dataDir}-unused` } : options });
  return { runtime, options, client: api(runtime) };
}

const alert = alertmanagerAlert('c1');
const post = (runtime: Runtime, path: string, token: string, body: string) =>
  fetch(runtime.urls.api + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });

describe('credentials split and rotation', () => {
  it('where the deployment refuses it (as on AWS), the API token no longer authenticates a monitoring sender; its own secret does', async () => {
    const { runtime, client } = await start({ inMemory: true, webhooksAcceptApiToken: false });
    await client.post('/customers', acme);
    const refused = await post(runtime, '/webhooks/alertmanager', runtime.apiToken, alert);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toContain(
      'integration alertmanager has no secret of its own, and this deployment does not accept the API token',
    );
    const secret = 'am-secret-0123456789abcdef';
    expect((await client.call('PUT', '/integrations/alertmanager', { kind: 'alertmanager', secret })).status).toBe(200);
    expect((await post(runtime, '/webhooks/alertmanager', secret, alert)).status).toBe(202);
    expect((await post(runtime, '/webhooks/alertmanager', runtime.apiToken, alert)).status).toBe(401);
    await runtime.stop();
  });

  it('rotating the API token or the link key: the previous one keeps working in its grace period; without it, old links are refused', {
    timeout: 240_000,
  }, async () => {
    // Before: links signed with the key derived from the API token, as Steward did before links had their own key.
    const before = await start({ apiToken: 'token-one-0123456789', linkKey: legacyLinkKey('token-one-0123456789') });
    const dataDir = before.options.dataDir;
    await before.client.post('/customers', acme);
    const issue = (await before.client.post('/issues', { customerId: 'acme', title: 'VPN down', severity: 'sev3', description: 'x' })).body;
    await before.runtime.tracker.idle();
    await before.client.post(`/issues/${issue.id}/events`, { type: 'resolve', rfo: 'A certificate expired.' });
    await before.runtime.tracker.idle();
    const oldLink = linkIn((await latestEmail(before.runtime, 'ann@acme.test', `[${issue.id}] Resolved`)).body.text, 'accept');
    await before.runtime.stop();

    const path = new URL(oldLink).pathname;
    const open = (runtime: Runtime) => fetch(runtime.urls.api + path).then((response) => response.status);

    // Rotated: new token and link key, the previous ones within their grace period.
    const rotated = await start(
      {
        apiToken: 'token-two-0123456789',
        previousApiToken: 'token-one-0123456789',
        linkKey: 'link-key-two-0123456789',
        previousLinkKey: legacyLinkKey('token-one-0123456789'),
      },
      dataDir,
    );
    expect(await open(rotated.runtime)).toBe(200);
    expect((await api(rotated.runtime).call('GET', '/issues', undefined, 'token-one-0123456789')).status).toBe(200);
    expect((await api(rotated.runtime).call('GET', '/issues', undefined, 'token-three-012345678')).status).toBe(401);
    await rotated.runtime.stop();

    // Upgraded with the legacy links accepted until a date: before it they work, after it they do not.
    const upgraded = await start(
      { apiToken: 'token-one-0123456789', linkKey: 'link-key-two-0123456789', acceptLegacyLinksUntil: new Date('2026-11-03T00:00:00Z') },
      dataDir,
    );
    expect(await open(upgraded.runtime)).toBe(200);
    await upgraded.client.moveTo('2026-11-03T00:00:01Z');
    expect(await open(upgraded.runtime)).toBe(400);
    await upgraded.runtime.stop();

    // The grace period over: the previous token and key are gone.
    const after = await start({ apiToken: 'token-two-0123456789', linkKey: 'link-key-two-0123456789' }, dataDir);
    expect(await open(after.runtime)).toBe(400);
    expect((await api(after.runtime).call('GET', '/issues', undefined, 'token-one-0123456789')).status).toBe(401);
    expect((await api(after.runtime).call('GET', '/issues', undefined, 'token-two-0123456789')).status).toBe(200);
  });
});
