import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { Provider } from 'oidc-provider';
import * as z from 'zod';
import type { Telemetry } from '../../kernel/telemetry.ts';
import { signInStore } from './sign-in-store.ts';

/** Where the embedded OpenID Connect provider answers, under the API's origin. */
export const SIGN_IN_PATH = '/oidc';
/** The console's client: public (no secret), authorization code with PKCE. */
export const CONSOLE_CLIENT_ID = 'steward-console';

const MAX_ACCOUNTS = 1_000;
const MAX_FORM_BYTES = 8 * 1024;
const HOUR = 3600;

export interface SignInAccount {
  email: string;
  name: string;
}
type StoredAccount = SignInAccount & { salt: string; hash: string };

export const newAccountSchema = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  password: z.string().min(12, 'at least 12 characters').max(200),
});

export interface SignInProviderOptions {
  /** The API's origin, e.g. http://127.0.0.1:3000: the issuer is this plus /oidc. */
  apiUrl: string;
  /** Where keys and accounts are kept; undefined keeps them in memory only (`--in-memory`). */
  dataDir?: string;
  admin: SignInAccount & { password: string };
  /** Where the console may ask to be sent back after sign-in. */
  redirectUris: string[];
  telemetry: Telemetry;
}

/**
 * The embedded OpenID Connect provider of `npm start` (the certified `oidc-provider`), standing in
 * for Cognito's managed login: a sign-in page over local accounts (the admin from
 * STEWARD_ADMIN_EMAIL / STEWARD_ADMIN_PASSWORD, others added by POST /_local/sign-in/accounts), ID
 * tokens signed with an RSA key kept in the data folder, so tokens outlive a restart.
 */
export class SignInProvider {
  readonly issuer: string;
  private readonly accounts = new Map<string, StoredAccount>();
  private provider!: Provider;
  private callback: ReturnType<Provider['callback']> | undefined;

  private constructor(private readonly options: SignInProviderOptions) {
    this.issuer = `${options.apiUrl}${SIGN_IN_PATH}`;
  }

  static async start(options: SignInProviderOptions): Promise<SignInProvider> {
    const signIn = new SignInProvider(options);
    await signIn.init();
    return signIn;
  }

  private async init(): Promise<void> {
    const { dataDir, admin, redirectUris } = this.options;
    const keysFile = dataDir && join(dataDir, 'sign-in-keys.json');
    let keys: { signing: JWK; cookie: string };
    if (keysFile && existsSync(keysFile)) keys = JSON.parse(readFileSync(keysFile, 'utf8'));
    else {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      keys = {
        signing: { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' },
        cookie: randomBytes(32).toString('base64url'),
      };
      if (keysFile) writeFileSync(keysFile, JSON.stringify(keys), { mode: 0o600 });
    }
    for (const account of this.storedAccounts()) this.accounts.set(account.email, account);
    this.accounts.set(admin.email.toLowerCase(), withPassword({ email: admin.email.toLowerCase(), name: admin.name }, admin.password));
    const origins = new Set(redirectUris.map((uri) => new URL(uri).origin));

    this.provider = new Provider(this.issuer, {
      adapter: signInStore(),
      clients: [
        {
          client_id: CONSOLE_CLIENT_ID,
          client_name: 'Steward console',
          token_endpoint_auth_method: 'none',
          redirect_uris: redirectUris,
          post_logout_redirect_uris: redirectUris,
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      ],
      findAccount: (_ctx, sub) => {
        const account = this.accounts.get(sub);
        if (!account) return undefined;
        return {
          accountId: sub,
          claims: () => ({ sub, email: account.email, email_verified: true, name: account.name }),
        };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      // The console sends the ID token, as with Cognito: it must carry the email and name itself.
      conformIdTokenClaims: false,
      cookies: { keys: [keys.cookie] },
      jwks: { keys: [keys.signing] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `${SIGN_IN_PATH}/interaction/${interaction.uid}` },
      pkce: { required: () => true },
      // Steward's own console is first-party: signing in is consent (no consent screen).
      loadExistingGrant: async (ctx) => {
        const accountId = ctx.oidc.session?.accountId;
        const clientId = ctx.oidc.client?.clientId;
        if (!accountId || !clientId) return undefined;
        const existing = ctx.oidc.session?.grantIdFor(clientId);
        if (existing) {
          const grant = await ctx.oidc.provider.Grant.find(existing);
          if (grant) return grant;
        }
        const grant = new ctx.oidc.provider.Grant({ accountId, clientId });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
      clientBasedCORS: (_ctx, origin) => origins.has(origin),
      ttl: { IdToken: HOUR, AccessToken: HOUR, AuthorizationCode: 60, Interaction: 600, Session: 12 * HOUR, Grant: 12 * HOUR },
      renderError: (ctx, out) => {
        ctx.type = 'html';
        ctx.body = page('Sign-in failed', `<p>${escapeHtml(String(out.error_description ?? out.error))}</p>`);
      },
    });
    this.provider.on('server_error', (_ctx, error) =>
      this.options.telemetry.error('sign-in provider error', error, { component: 'sign-in' }),
    );
  }

  /** Serves /oidc/…: the sign-in page itself, the rest by the provider (discovery, keys, authorize, token). */
  readonly handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const interaction = /^\/oidc\/interaction\/([A-Za-z0-9_-]{1,64})(\/login)?$/.exec(path);
    if (interaction) return this.interaction(request, response, interaction[2] === '/login');
    // Mounted as connect would mount it: the provider reads its own path, and the mount from originalUrl.
    Object.assign(request, { originalUrl: request.url, url: request.url?.slice(SIGN_IN_PATH.length) || '/' });
    this.callback ??= this.provider.callback();
    await this.callback(request, response);
  };

  /** Adds or replaces a local account (POST /_local/sign-in/accounts). */
  addAccount(account: z.infer<typeof newAccountSchema>): SignInAccount {
    const email = account.email.toLowerCase();
    if (!this.accounts.has(email) && this.accounts.size >= MAX_ACCOUNTS) throw new Error(`at most ${MAX_ACCOUNTS} sign-in accounts`);
    this.accounts.set(email, withPassword({ email, name: account.name }, account.password));
    const { dataDir, admin } = this.options;
    if (dataDir) {
      const others = [...this.accounts.values()].filter((stored) => stored.email !== admin.email.toLowerCase());
      writeFileSync(join(dataDir, 'sign-in-accounts.json'), JSON.stringify(others), { mode: 0o600 });
    }
    return { email, name: account.name };
  }

  private storedAccounts(): StoredAccount[] {
    const file = this.options.dataDir && join(this.options.dataDir, 'sign-in-accounts.json');
    return file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
  }

  private async interaction(request: IncomingMessage, response: ServerResponse, submitted: boolean): Promise<void> {
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await this.provider.interactionDetails(request, response);
    } catch {
      return send(response, 400, page('Sign-in expired', '<p>This sign-in page has expired. Go back to Steward and sign in again.</p>'));
    }
    const action = `${SIGN_IN_PATH}/interaction/${details.uid}/login`;
    if (!submitted || request.method !== 'POST')
      return send(response, 200, signInForm(action, typeof details.params.login_hint === 'string' ? details.params.login_hint : ''));
    const submittedForm = await readForm(request);
    if (submittedForm === undefined)
      return send(response, 413, page('Sign-in refused', `<p>The form was larger than ${MAX_FORM_BYTES} bytes.</p>`));
    const form = new URLSearchParams(submittedForm);
    const email = (form.get('email') ?? '').trim().toLowerCase().slice(0, 254);
    const account = this.check(email, form.get('password') ?? '');
    if (!account) return send(response, 401, signInForm(action, email, 'That email address and password do not match an account.'));
    await this.provider.interactionFinished(request, response, { login: { accountId: account.email } }, { mergeWithLastSubmission: false });
  }

  private check(email: string, password: string): StoredAccount | undefined {
    const account = this.accounts.get(email);
    // An unknown address costs the same hashing as a known one.
    const hash = scryptSync(password.slice(0, 200), account?.salt ?? 'no-such-account', 32);
    return account && timingSafeEqual(hash, Buffer.from(account.hash, 'base64')) ? account : undefined;
  }
}

function withPassword(account: SignInAccount, password: string): StoredAccount {
  const salt = randomBytes(16).toString('base64');
  return { ...account, salt, hash: scryptSync(password, salt, 32).toString('base64') };
}

/** The submitted form; undefined when it is larger than a sign-in form can be (the rest is drained, not kept). */
function readForm(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let body = '';
    let tooLarge = false;
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      if (tooLarge) return;
      body += chunk;
      tooLarge = body.length > MAX_FORM_BYTES;
    });
    request.on('end', () => resolve(tooLarge ? undefined : body));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Steward</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1d2330;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}
main{background:#fff;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:min(22rem,90vw)}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #8a93a3;border-radius:4px;font:inherit}
button{margin-top:1.2rem;width:100%;padding:.6rem;border:0;border-radius:4px;background:#1f5fbf;color:#fff;font:inherit;font-weight:600;cursor:pointer}
[role=alert]{background:#fde8e8;color:#8a1c1c;padding:.5rem .7rem;border-radius:4px}
</style></head>
<body><main>${body}</main></body></html>`;
}

function signInForm(action: string, email: string, error?: string): string {
  return page(
    'Sign in',
    `<h1>Sign in to Steward</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escapeHtml(email)}" ${email ? '' : 'autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200" ${email ? 'autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}
