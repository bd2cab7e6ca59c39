import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey, routes } from '../../infra/routes.ts';
import { allows, ROLES, type Role } from '../../modules/users/index.ts';
import { useRuntime } from '../support/runtime.ts';
import { addSignInAccount, signIn } from '../support/sign-in.ts';

const env = useRuntime();

type Answer = { status: number; body: any };
const call = async (method: string, path: string, token?: string, body?: unknown): Promise<Answer> => {
  const response = await fetch(env.runtime.urls.api + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: body === undefined ? (method === 'GET' || method === 'DELETE' ? undefined : '{}') : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // an HTML page (links) or a plain answer
  }
  return { status: response.status, body: parsed };
};

/** Each role's user, with a personal token and an ID token from signing in on the embedded provider. */
const people: Record<Role, { id: string; token: string; idToken: string }> = {} as never;
const CREDENTIALS = ['personal token', 'ID token'] as const;
const credential = (role: Role, kind: (typeof CREDENTIALS)[number]) => (kind === 'ID token' ? people[role].idToken : people[role].token);

beforeAll(async () => {
  for (const role of ROLES) {
    const user = await env.client.post('/users', { email: `${role}@provider.test`, name: `${role} person`, roles: [role] });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const token = await env.client.post(`/users/${user.body.id}/tokens`, { name: 'tests' });
    expect(token.status).toBe(201);
    const password = `${role}-password-for-tests`;
    expect((await addSignInAccount(env.runtime, { email: `${role}@provider.test`, name: `${role} person`, password })).status).toBe(201);
    const { idToken } = await signIn(env.runtime, `${role}@provider.test`, password);
    people[role] = { id: user.body.id, token: token.body.token, idToken };
  }
});

/** A path for the route with ids that exist where a read needs one, and that match nothing a write could harm. */
const pathOf = (path: string, ownId: string) =>
  path
    .replace('/customers/{id}', '/customers/acme')
    .replace('/users/{id}', `/users/${ownId}`)
    .replace('{name}', 'default')
    .replace('{tokenId}', 'tok_0000000000000000')
    .replace('{list}', 'emails')
    .replace('{id}', 'nothing-here');

const staffRoutes = routes.filter((route) => route.permission !== 'public');

describe('every staff route against every role', () => {
  it.each(ROLES.flatMap((role) => CREDENTIALS.map((kind) => [role, kind] as const)))(
    '%s (%s): a 403 naming the permission exactly where the role lacks it; past authorization otherwise',
    async (role, kind) => {
      const someoneElse = people[role === 'viewer' ? 'agent' : 'viewer'].id;
      const outcomes: string[] = [];
      for (const route of staffRoutes) {
        // Tokens: your own with tokens:own (every role has it); someone else's only with the users permissions.
        const cases =
          route.permission === 'tokens:own' && route.path.startsWith('/users/{id}')
            ? [
                { id: people[role].id, needs: 'tokens:own' as const },
                { id: someoneElse, needs: route.method === 'GET' ? ('users:read' as const) : ('users:write' as const) },
              ]
            : [{ id: someoneElse, needs: route.permission }];
        for (const { id, needs } of cases) {
          // Deleting or changing a real user is not what this checks: writes to /users/{id} name nobody.
          const target = route.path === '/users/{id}' && route.method !== 'GET' ? 'usr_0000000000000000' : id;
          const answer = await call(route.method, pathOf(route.path, target), credential(role, kind));
          const allowed = allows([role], needs as never);
          const ok = allowed ? ![401, 403].includes(answer.status) && answer.status < 500 : answer.status === 403;
          if (!ok) outcomes.push(`${routeKey(route)} (${needs}): ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
          if (!allowed && answer.status === 403) {
            expect(answer.body.error).toContain(`"${needs}"`);
            expect(answer.body.details).toEqual({ permission: needs, roles: [role] });
          }
        }
      }
      expect(outcomes).toEqual([]);
    },
  );

  it('no credential, a wrong one, a malformed personal token: 401 on every staff route, nothing read or written', async () => {
    const forged = `${people.admin.token.slice(0, -4)}AAAA`;
    for (const route of staffRoutes)
      for (const token of [undefined, 'wrong', forged, 'stw.usr_x.tok_y.z']) {
        const answer = await call(route.method, pathOf(route.path, people.admin.id), token);
        expect(answer.status, `${routeKey(route)} with ${token}`).toBe(401);
      }
  });

  it('a revoked token, an expired token and the token of a deactivated user are refused at once; the bootstrap token stays admin', async () => {
    const agent = people.agent;
    const extra = await call('POST', `/users/${agent.id}/tokens`, agent.token, { name: 'short', expiresAt: '2026-11-02T10:00:00+01:00' });
    expect(extra.status).toBe(201);
    expect((await call('GET', '/issues', extra.body.token)).status).toBe(200);
    await env.client.advance('PT2H'); // past its expiry
    expect((await call('GET', '/issues', extra.body.token)).status).toBe(401);

    const revocable = await call('POST', `/users/${agent.id}/tokens`, agent.token, { name: 'revocable' });
    expect((await call('DELETE', `/users/${agent.id}/tokens/${revocable.body.id}`, agent.token)).status).toBe(204);
    expect((await call('GET', '/issues', revocable.body.token)).status).toBe(401);
    expect((await call('DELETE', `/users/${agent.id}/tokens/${revocable.body.id}`, agent.token)).status).toBe(404);

    const temp = await env.client.post('/users', { email: 'temp@provider.test', name: 'Temp', roles: ['viewer'] });
    const tempToken = (await env.client.post(`/users/${temp.body.id}/tokens`, { name: 'x' })).body.token;
    expect((await call('GET', '/issues', tempToken)).status).toBe(200);
    expect((await env.client.call('DELETE', `/users/${temp.body.id}`)).body.active).toBe(false);
    expect((await call('GET', '/issues', tempToken)).status).toBe(401);
    // Reactivated, the same token works again (it was never revoked).
    expect((await env.client.call('PATCH', `/users/${temp.body.id}`, { active: true })).status).toBe(200);
    expect((await call('GET', '/issues', tempToken)).status).toBe(200);
  });
});
