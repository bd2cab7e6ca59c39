import * as oauth from 'oauth4webapi';

/** Where the console signs in: served by the API's origin at /console/config.json. */
export interface ConsoleConfig {
  issuer: string;
  clientId: string;
}

const SESSION = 'steward.session';
const PENDING = 'steward.sign-in';
const redirectUri = () => `${location.origin}/console/`;

interface Session {
  idToken: string;
  expiresAt: number;
  name: string;
  email: string;
}

let config: ConsoleConfig | undefined;
let server: oauth.AuthorizationServer | undefined;

async function authorizationServer(): Promise<{ as: oauth.AuthorizationServer; client: oauth.Client }> {
  config ??= (await (await fetch('/console/config.json')).json()) as ConsoleConfig;
  const issuer = new URL(config.issuer);
  // The embedded provider answers over plain HTTP on 127.0.0.1; Cognito and other issuers over HTTPS.
  const insecure = { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };
  server ??= await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
  return { as: server, client: { client_id: config.clientId } };
}

/** The signed-in person, or undefined when the console must sign in first. */
export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION);
  const session = raw ? (JSON.parse(raw) as Session) : undefined;
  return session && session.expiresAt > Date.now() + 30_000 ? session : undefined;
}

/** Sends the browser to the issuer's sign-in page (authorization code with PKCE), to come back to `returnTo`. */
export async function signIn(returnTo = location.pathname + location.search): Promise<never> {
  const { as, client } = await authorizationServer();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo }));
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: 'openid email profile',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  }).toString();
  location.assign(url.href);
  return new Promise<never>(() => {});
}

/** Completes a sign-in when the issuer sent the browser back with a code; true when a session was made. */
export async function completeSignIn(): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const pending = sessionStorage.getItem(PENDING);
  if (!pending || (!params.has('code') && !params.has('error'))) return false;
  sessionStorage.removeItem(PENDING);
  const { verifier, state, nonce, returnTo } = JSON.parse(pending) as { verifier: string; state: string; nonce: string; returnTo: string };
  const { as, client } = await authorizationServer();
  const insecure = { [oauth.allowInsecureRequests]: new URL(as.issuer).protocol === 'http:' };
  const callback = oauth.validateAuthResponse(as, client, new URL(location.href), state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, redirectUri(), verifier, insecure);
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
  const claims = oauth.getValidatedIdTokenClaims(result)!;
  const session: Session = {
    idToken: result.id_token!,
    expiresAt: claims.exp * 1000,
    email: String(claims.email ?? ''),
    name: String(claims.name ?? claims.email ?? ''),
  };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  history.replaceState(null, '', returnTo.startsWith('/console/') ? returnTo : '/console/');
  return true;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION);
}
