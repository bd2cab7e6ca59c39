import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES } from '../../modules/users/index.ts';
import { latestEmail, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

const as = (token: string) => ({
  call: async (method: string, path: string, body?: unknown) => {
    const response = await fetch(env.runtime.urls.api + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  },
});

describe('roles', () => {
  it('what each role may change, as the issue defines the roles (reads aside)', () => {
    const writes = Object.fromEntries(ROLES.map((role) => [role, ROLE_PERMISSIONS[role].filter((p) => !p.endsWith(':read')).sort()]));
    expect(writes).toEqual({
      admin: PERMISSIONS.filter((p) => !p.endsWith(':read')).sort(),
      manager: [
        'customers:write',
        'invoices:write',
        'issues:write',
        'maintenance:write',
        'policies:write',
        'suspensions:decide',
        'tokens:own',
      ],
      // The engineers who do planned work start, extend and complete it.
      agent: ['issues:write', 'maintenance:write', 'tokens:own'],
      finance: ['invoices:write', 'tokens:own'],
      viewer: ['tokens:own'],
    });
    expect(ROLE_PERMISSIONS.viewer.filter((p) => ['users:read', 'integrations:read', 'mail:read'].includes(p))).toEqual([]);
    expect(ROLE_PERMISSIONS.agent).toEqual(expect.arrayContaining(['customers:read', 'issues:read']));
    expect(ROLE_PERMISSIONS.finance).not.toContain('issues:read');
    expect(ROLE_PERMISSIONS.finance).not.toContain('maintenance:write');
    expect(ROLE_PERMISSIONS.viewer).toContain('maintenance:read');
  });
});

describe('users and personal tokens', () => {
  it('creates, lists, reads, changes and deactivates users; one user per email address; bad input names the field', async () => {
    const created = await env.client.post('/users', {
      email: 'Sam.Manager@Provider.test',
      name: 'Sam Manager',
      roles: ['manager'],
      timezone: 'Europe/Berlin',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'sam.manager@provider.test',
      roles: ['manager'],
      active: true,
      createdBy: { kind: 'api-token', name: 'bootstrap API token' },
    });
    expect(created.body.id).toMatch(/^usr_[0-9a-f]{16}$/);
    const again = await env.client.post('/users', { email: 'sam.manager@provider.test', name: 'Sam again', roles: ['viewer'] });
    expect(again.status).toBe(409);
    expect(again.body.details).toEqual([{ field: 'email', problem: 'already a user' }]);
    for (const [body, field] of [
      [{ email: 'x@provider.test', name: 'X', roles: ['owner'] }, 'roles.0'],
      [{ email: 'x@provider.test', name: 'X', roles: ['agent', 'agent'] }, 'roles'],
      [{ email: 'not an address', name: 'X', roles: ['agent'] }, 'email'],
      [{ email: 'x@provider.test', name: 'X', roles: ['agent'], timezone: 'Mars/Olympus' }, 'timezone'],
      [{ email: 'x@provider.test', name: 'x'.repeat(201), roles: ['agent'] }, 'name'],
      [{ email: 'x@provider.test', name: 'X', roles: ['agent'], password: 'p' }, '(body)'],
    ] as const) {
      const refused = await env.client.post('/users', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }

    const list = await env.client.get('/users');
    expect(list.body.users.map((u: { email: string }) => u.email)).toContain('sam.manager@provider.test');
    const changed = await env.client.call('PATCH', `/users/${created.body.id}`, { roles: ['manager', 'finance'], timezone: null });
    expect(changed.status).toBe(200);
    expect(changed.body.roles).toEqual(['manager', 'finance']);
    expect(changed.body.timezone).toBeUndefined();
    expect((await env.client.call('PATCH', `/users/${created.body.id}`, {})).status).toBe(400);
    expect((await env.client.call('PATCH', '/users/usr_0000000000000000', { name: 'Nobody' })).status).toBe(404);
    const deleted = await env.client.call('DELETE', `/users/${created.body.id}`);
    expect(deleted.body).toMatchObject({ active: false });
    expect((await env.client.get(`/users/${created.body.id}`)).body.active).toBe(false);
  });

  it("staff read times in their own zone as users: an escalation to the team lead gives the issue's opening in hers", async () => {
    const tina = await env.client.post('/users', {
      email: 'tina@provider.test',
      name: 'Tina Lead',
      roles: ['agent'],
      timezone: 'America/New_York',
    });
    expect(tina.status).toBe(201);
    const opened = await env.client.post('/issues', { customerId: 'acme', title: 'Core router down', severity: 'sev1', description: 'x' });
    await env.runtime.tracker.idle();
    const openedAt = opened.body.createdAt as string;
    await env.client.moveTo(new Date(Date.parse(openedAt) + 16 * 60_000).toISOString());
    const escalation = await latestEmail(env.runtime, 'tina@provider.test', `[${opened.body.id}]`);
    const expected = DateTime.fromISO(openedAt, { zone: 'America/New_York' }).toFormat('ccc d LLL yyyy, HH:mm');
    expect(escalation.body.text).toContain(`Opened:   ${expected} GMT-5`);
  });

  it('a token is shown once, stored only as a hash, listed with its last use, and acts with its user’s roles and name', async () => {
    const agent = (await env.client.post('/users', { email: 'alice@provider.test', name: 'Alice Agent', roles: ['agent'] })).body;
    const made = await env.client.post(`/users/${agent.id}/tokens`, { name: 'cli' });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^stw\.usr_[0-9a-f]{16}\.tok_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    const secret = made.body.token.split('.').at(-1);
    const stored = await env.runtime.store.get({ pk: `USER#${agent.id}`, sk: `TOKEN#${made.body.id}` });
    expect(JSON.stringify(stored)).not.toContain(secret);

    const alice = as(made.body.token);
    const opened = await alice.call('POST', '/issues', { customerId: 'acme', title: 'Router down', severity: 'sev3', description: 'x' });
    expect(opened.status).toBe(201);
    await env.runtime.tracker.idle();
    expect((await alice.call('POST', `/issues/${opened.body.id}/events`, { type: 'acknowledge' })).status).toBe(202);
    const timeline = (await env.client.get(`/issues/${opened.body.id}`)).body.timeline as { type: string; by?: unknown }[];
    const actor = { kind: 'token', id: made.body.id, name: 'Alice Agent (token "cli")', userId: agent.id };
    expect(timeline.find((entry) => entry.type === 'acknowledge')?.by).toEqual(actor);
    expect(timeline.find((entry) => entry.type === 'opened')?.by).toEqual(actor);

    const listed = await alice.call('GET', `/users/${agent.id}/tokens`);
    expect(listed.body.tokens).toEqual([
      { id: made.body.id, userId: agent.id, name: 'cli', createdAt: expect.any(String), lastUsedAt: expect.any(String) },
    ]);
    // Alice manages her own tokens, and nobody else's; she cannot give herself a role.
    expect((await alice.call('GET', '/users')).status).toBe(403);
    expect((await alice.call('PATCH', `/users/${agent.id}`, { roles: ['admin'] })).status).toBe(403);
    const expired = await alice.call('POST', `/users/${agent.id}/tokens`, { name: 'old', expiresAt: '2020-01-01T00:00:00Z' });
    expect(expired.status).toBe(400);
    expect(expired.body.details).toEqual([{ field: 'expiresAt', problem: 'in the past' }]);
  });
});
