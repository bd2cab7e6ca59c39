import { createPrivateKey, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';
import { addSignInAccount, signIn } from '../support/sign-in.ts';

const ADMIN = { email: 'admin@steward.localhost', password: 'admin-password-for-tests' };
let options: RuntimeOptions;
let runtime: Runtime;
let client: ReturnType<typeof api>;
/** The embedded issuer's own signing key, as kept in the data folder: it signs what the tests forge. */
let issuerKey: JWK;

beforeAll(async () => {
  options = await testOptions({ adminPassword: ADMIN.password });
  runtime = await startRuntime(options);
  client = api(runtime);
  await client.post('/customers', acme);
  issuerKey = JSON.parse(readFileSync(join(options.dataDir, 'sign-in-keys.json'), 'utf8')).signing;
});
afterAll(async () => {
  await runtime?.stop();
  if (options) removeDataDir(options);
});

const as = (token: string, method = 'GET', path = '/issues', body?: unknown) =>
  api(runtime).call(method, path, body, token) as Promise<{ status: number; body: any }>;

/** A token with the claims the embedded issuer puts in its ID tokens, changed by `claims`, signed with `key`. */
async function forge(
  claims: JWTPayload,
  key: JWK | Awaited<ReturnType<typeof generateKeyPair>>['privateKey'] = issuerKey,
  kid = issuerKey.kid,
) {
  const now = Math.floor(Date.now() / 1000);
  const signingKey = 'kty' in key ? await importJWK(key, 'RS256') : key;
  return new SignJWT({
    email: ADMIN.email,
    email_verified: true,
    name: 'Admin',
    iss: runtime.signIn.issuer,
    aud: 'steward-console',
    sub: ADMIN.email,
    iat: now,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .sign(signingKey);
}

describe('sign-in with OpenID Connect (the embedded provider)', () => {
  it('the first admin signs in through the sign-in page (PKCE); a wrong password gets no code; their writes name them', async () => {
    await expect(signIn(runtime, ADMIN.email, 'not-the-password')).rejects.toThrow('sign-in refused: 401');
    const { idToken } = await signIn(runtime, ADMIN.email, ADMIN.password);
    const users = await as(idToken, 'GET', '/users');
    expect(users.status).toBe(200);
    const admin = users.body.users.find((user: { email: string }) => user.email === ADMIN.email);
    expect(admin).toMatchObject({ roles: ['admin'], active: true, createdBy: { kind: 'workflow', id: 'sign-in' } });

    const issue = await as(idToken, 'POST', '/issues', { customerId: 'acme', title: 'Signed in', severity: 'sev3', description: 'x' });
    expect(issue.status).toBe(201);
    await runtime.tracker.idle();
    const audit = await client.get(`/audit?kind=user&actor=${admin.id}`);
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({
      actor: { kind: 'user', id: admin.id, name: 'Admin' },
      target: { issueId: issue.body.id },
    });
  });

  it('what a client can send wrong is a 4xx: an oversized sign-in form, a malformed path under the console, a console write', async () => {
    const start = await fetch(
      `${runtime.urls.api}/oidc/auth?client_id=steward-console&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${runtime.urls.api}/console/`)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    const interaction = start.headers.get('location')!;
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const big = await fetch(`${runtime.urls.api}${interaction}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: `email=a%40b.test&password=${'x'.repeat(20_000)}`,
    });
    expect(big.status).toBe(413);
    expect((await fetch(`${runtime.urls.api}/console/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${runtime.urls.api}/console/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${runtime.urls.api}/console/config.json`)).headers.get('content-type')).toBe('application/json');
  });

  it('the page itself: labelled fields, no store, and an expired or unknown interaction is a page saying so', async () => {
    const page = await fetch(`${runtime.urls.api}/oidc/interaction/unknown-interaction`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('This sign-in page has expired');
    const discovery = (await (await fetch(`${runtime.signIn.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: runtime.signIn.issuer, code_challenge_methods_supported: ['S256'] });
  });

  it('tokens that are refused: expired, another audience, another issuer, unsigned, another key, an HMAC, tampered, an unverified email', async () => {
    // The same forging with nothing changed passes: each refusal below is the one change.
    expect((await as(await forge({}))).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const header = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const valid = await forge({});
    const [validHeader, validPayload, validSignature] = valid.split('.');
    const tampered = `${validHeader}.${header({ ...JSON.parse(Buffer.from(validPayload, 'base64url').toString()), email: 'someone@else.test' })}.${validSignature}`;
    const hmac = await new SignJWT({ email: ADMIN.email, iss: runtime.signIn.issuer, aud: 'steward-console', exp: now + 600 })
      .setProtectedHeader({ alg: 'HS256', kid: issuerKey.kid })
      .sign(new TextEncoder().encode(JSON.stringify(issuerKey)));
    /** A token whose header is `extra` beside RS256 and the issuer's kid, signed by the issuer's own key (no library would sign it). */
    const withHeader = (extra: object) => {
      const signed = `${header({ alg: 'RS256', kid: issuerKey.kid, ...extra })}.${validPayload}`;
      const signature = createSign('RSA-SHA256')
        .update(signed)
        .sign(createPrivateKey({ key: issuerKey, format: 'jwk' }));
      return `${signed}.${signature.toString('base64url')}`;
    };
    const cases: [string, string, string][] = [
      ['an unknown critical extension', withHeader({ crit: ['x-steward-probe'], 'x-steward-probe': 1 }), 'not acceptable'],
      ['a critical list that is not a list', withHeader({ crit: 'b64' }), 'not'],
      ['b64 false', withHeader({ crit: ['b64'], b64: false }), 'not'],
      ['expired', await forge({ iat: now - 7200, exp: now - 3600 }), 'expired'],
      ['not yet valid', await forge({ nbf: now + 3600 }), 'nbf'],
      ['another audience', await forge({ aud: 'someone-elses-app' }), 'another audience'],
      ['another issuer', await forge({ iss: 'https://issuer.example.test' }), 'another issuer'],
      ['unsigned (alg none)', `${header({ alg: 'none' })}.${validPayload}.`, 'not RSA'],
      ['another key, same kid', await forge({}, otherKey), 'not signed by a key of the issuer'],
      ['an HMAC over the public key', hmac, 'not RSA'],
      ['tampered payload', tampered, 'not signed by a key of the issuer'],
      ['an unverified email', await forge({ email_verified: false }), 'not verified'],
      // No claim that the issuer verified the address: the admin's address alone makes nobody an admin.
      ['no email_verified, with the admin email', await forge({ email_verified: undefined }), 'not verified'],
      ['email_verified a string other than true', await forge({ email_verified: 'yes' }), 'not verified'],
      ['no email', await forge({ email: undefined }), 'names no email address'],
    ];
    for (const [what, token, reason] of cases) {
      const answer = await as(token);
      expect(answer.status, what).toBe(401);
      expect(answer.body.error, what).toContain(reason);
    }
  });

  it('a valid token of someone who is not a Steward user is a 403 naming them; a deactivated user is refused', async () => {
    const stranger = await as(await forge({ email: 'stranger@elsewhere.test', sub: 'stranger' }));
    expect(stranger.status).toBe(403);
    expect(stranger.body).toMatchObject({ details: { email: 'stranger@elsewhere.test' } });

    const user = await client.post('/users', { email: 'leaver@provider.test', name: 'Leaver', roles: ['agent'] });
    const token = await forge({ email: 'leaver@provider.test', sub: 'leaver' });
    expect((await as(token)).status).toBe(200);
    await client.call('DELETE', `/users/${user.body.id}`);
    expect((await as(token)).status).toBe(401);
  });

  it('another person: an account on the provider, a user with a role in Steward; the role decides', async () => {
    const refused = await addSignInAccount(runtime, { email: 'agent@provider.test', name: 'Agent', password: 'short' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('password: at least 12 characters');
    expect((await addSignInAccount(runtime, { email: 'agent@provider.test', name: 'Agent', password: 'agent-password-1' })).status).toBe(
      201,
    );
    await expect(signIn(runtime, 'agent@provider.test', 'agent-password-1')).resolves.toBeDefined();
    const { idToken } = await signIn(runtime, 'agent@provider.test', 'agent-password-1');
    expect((await as(idToken)).status).toBe(403); // signed in, not yet a Steward user
    expect((await client.post('/users', { email: 'agent@provider.test', name: 'Agent', roles: ['agent'] })).status).toBe(201);
    expect((await as(idToken)).status).toBe(200);
    const me = await as(idToken, 'GET', '/me');
    expect(me.body).toMatchObject({ roles: ['agent'], user: { email: 'agent@provider.test', name: 'Agent' }, actor: { kind: 'user' } });
    expect(me.body.permissions).toContain('issues:write');
    expect(me.body.permissions).not.toContain('users:write');
    const users = await as(idToken, 'GET', '/users');
    expect(users.status).toBe(403);
    expect(users.body.details).toEqual({ permission: 'users:read', roles: ['agent'] });
  });

  it('after a restart over the same data folder, tokens issued before still work and accounts can still sign in', {
    timeout: 120_000,
  }, async () => {
    const { idToken } = await signIn(runtime, 'agent@provider.test', 'agent-password-1');
    await runtime.stop();
    runtime = await startRuntime(options);
    expect((await as(idToken)).status).toBe(200);
    await expect(signIn(runtime, 'agent@provider.test', 'agent-password-1')).resolves.toBeDefined();
  });
});
