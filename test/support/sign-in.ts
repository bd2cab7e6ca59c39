import { createHash, randomBytes } from 'node:crypto';
import type { Runtime } from '../../infra/local/runtime.ts';

/** A browser's cookie jar for one origin, enough for the sign-in redirects. */
function browser(origin: string) {
  const jar = new Map<string, string>();
  return async (url: string, init: RequestInit = {}) => {
    const response = await fetch(new URL(url, origin), {
      redirect: 'manual',
      ...init,
      headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '), ...(init.headers as object) },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
}

/**
 * Signs in on the embedded provider as the console does: the authorization code flow with PKCE
 * through the sign-in page, then the code for tokens. Throws with the page's status when refused.
 */
export async function signIn(runtime: Runtime, email: string, password: string): Promise<{ idToken: string; accessToken: string }> {
  const api = runtime.urls.api;
  const go = browser(api);
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${api}/console/`;
  const authorize = new URLSearchParams({
    client_id: 'steward-console',
    response_type: 'code',
    scope: 'openid email profile',
    redirect_uri: redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
  });
  const page = (await go(`/oidc/auth?${authorize}`)).headers.get('location');
  if (!page) throw new Error('the authorization endpoint did not send the browser to the sign-in page');
  const form = await go(`${page}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }),
  });
  if (form.status !== 303) throw new Error(`sign-in refused: ${form.status}`);
  let location = form.headers.get('location');
  for (let hops = 0; location && !location.startsWith(redirectUri) && hops < 5; hops++)
    location = (await go(location)).headers.get('location');
  const code = location && new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no authorization code; ended at ${location}`);
  const tokens = await go('/oidc/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: 'steward-console',
      code_verifier: verifier,
    }),
  });
  const body = (await tokens.json()) as { id_token: string; access_token: string };
  if (tokens.status !== 200) throw new Error(`token endpoint: ${tokens.status} ${JSON.stringify(body)}`);
  return { idToken: body.id_token, accessToken: body.access_token };
}

/** Adds a local sign-in account (as an admin would in Cognito on AWS). */
export async function addSignInAccount(runtime: Runtime, account: { email: string; name: string; password: string }) {
  const response = await fetch(`${runtime.urls.api}/_local/sign-in/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${runtime.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  return { status: response.status, body: (await response.json()) as any };
}
