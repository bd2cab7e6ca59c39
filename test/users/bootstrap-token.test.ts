import { describe, expect, it } from 'vitest';
import { signIn } from '../support/sign-in.ts';
import { useRuntime } from '../support/runtime.ts';

const ADMIN = { email: 'admin@steward.localhost', password: 'bootstrap-test-password' };

/** STEWARD_BOOTSTRAP_TOKEN=off (on AWS -c bootstrapToken=off): the bootstrap token serves only until an admin user exists. */
describe('the bootstrap API token, switched off', () => {
  const env = useRuntime({ options: { bootstrapTokenOff: true, adminPassword: ADMIN.password } });

  it('serves while no admin exists, is refused once one does, and every use of it (reads too) is in the audit trail', async () => {
    expect((await env.client.get('/issues')).status).toBe(200);
    expect((await env.client.post('/users', { email: 'ops@provider.test', name: 'Ops Agent', roles: ['agent'] })).status).toBe(201);
    expect((await env.client.get('/issues')).status).toBe(200); // an agent is no admin: still no lock-out risk
    expect((await env.client.post('/users', { email: ADMIN.email, name: 'Admin', roles: ['admin'] })).status).toBe(201);

    const refused = await env.client.get('/issues');
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatch(/bootstrap API token is switched off now that an admin user exists/);

    const { idToken } = await signIn(env.runtime, ADMIN.email, ADMIN.password);
    const audit = (await env.client.call('GET', '/audit?actor=api-token', undefined, idToken)) as { status: number; body: any };
    expect(audit.status).toBe(200);
    expect(audit.body.entries.map((entry: { action: string }) => entry.action).sort()).toEqual([
      'GET /issues',
      'GET /issues',
      'POST /customers', // acme, by the test's setup
      'POST /users',
      'POST /users',
    ]);
  });
});
