import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import type { SignInSettings } from '../../kernel/deps.ts';

/** The identity a verified token names. */
export interface SignedIn {
  email: string;
  name?: string;
  subject: string;
}

/** A JWT: three base64url parts, the header a JSON object (every such header starts "eyJ"). */
export const looksLikeJwt = (token: string) => /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(token);

/** Algorithms API Gateway's JWT authorizer accepts: RSA signatures only (so never `none`, never an HMAC). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];
/** API Gateway refuses a header over 10 KB; a token is bounded well before that costs anything. */
const MAX_TOKEN_BYTES = 16 * 1024;

/**
 * Verifies ID and access tokens of one OIDC issuer the way API Gateway's JWT authorizer does:
 * the issuer's keys from `jwks_uri` in its discovery document, an RSA signature by a key it lists
 * (`kid`), `iss` equal to the issuer, `aud` or `client_id` among the audiences, and `exp`, `nbf`,
 * `iat` against the caller's clock. The keys are fetched once and again when a new `kid` appears.
 */
export class TokenVerifier {
  private keys: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly settings: SignInSettings,
    private readonly fetchJson: (url: string) => Promise<unknown> = defaultFetchJson,
  ) {}

  /** The identity a token names, or a reason it is refused (never thrown: every refusal is a 401). */
  async verify(token: string, now: Date): Promise<{ signedIn: SignedIn } | { refused: string }> {
    if (token.length > MAX_TOKEN_BYTES) return { refused: `longer than ${MAX_TOKEN_BYTES} bytes` };
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return { refused: 'not a JWT' };
    }
    if (!alg || !ALGORITHMS.includes(alg)) return { refused: `signed with ${alg ?? 'no algorithm'}, not RSA` };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.settings.issuer,
        algorithms: ALGORITHMS,
        currentDate: now,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return { refused: refusal(error as Error) };
    }
    const audiences = [payload.aud ?? [], payload.client_id ?? []].flat();
    if (!audiences.some((audience) => typeof audience === 'string' && this.settings.audiences.includes(audience)))
      return { refused: 'issued for another audience (aud / client_id)' };
    if (typeof payload.iat === 'number' && payload.iat * 1000 > now.getTime() + 60_000) return { refused: 'issued in the future (iat)' };
    const email = payload[this.settings.emailClaim ?? 'email'];
    if (typeof email !== 'string' || email.length > 254 || !email.includes('@'))
      return { refused: `names no email address (claim "${this.settings.emailClaim ?? 'email'}"; send the ID token)` };
    // An address the issuer has not verified names nobody (anyone could claim the admin's): unless the
    // deployer named another claim on purpose, `email_verified` must say true.
    const verified = payload.email_verified === true || payload.email_verified === 'true';
    if (payload.email_verified === false || payload.email_verified === 'false' || (!this.settings.emailClaim && !verified))
      return { refused: 'its email address is not verified (email_verified is not true)' };
    return {
      signedIn: {
        email: email.toLowerCase(),
        subject: String(payload.sub ?? ''),
        ...(typeof payload.name === 'string' ? { name: payload.name.slice(0, 200) } : {}),
      },
    };
  }

  private async keySet() {
    if (!this.keys) {
      const discovery = (await this.fetchJson(`${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)) as {
        jwks_uri?: unknown;
      };
      if (typeof discovery?.jwks_uri !== 'string') throw new Error(`${this.settings.issuer} names no jwks_uri in its discovery document`);
      this.keys = createRemoteJWKSet(new URL(discovery.jwks_uri), { timeoutDuration: 5_000 });
    }
    return this.keys;
  }
}

async function defaultFetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** jose's reasons, said for a person reading a 401. */
function refusal(error: Error & { code?: string; claim?: string }): string {
  switch (error.code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return error.claim === 'iss' ? 'issued by another issuer' : `its ${error.claim ?? 'claims'} claim is not valid now`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'not signed by a key of the issuer';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'signed with an algorithm that is not RSA';
    case 'ERR_JWT_INVALID':
    case 'ERR_JWS_INVALID':
      return 'not a valid JWT';
    default:
      // The issuer's keys could not be read (a network failure, a timeout, an answer that is not a
      // key set): not the caller's fault, and the caller answers 503. Any other reason is the token's.
      if (!error.code || ISSUER_UNREACHABLE.has(error.code)) throw error;
      return `not acceptable (${error.message.slice(0, 200)})`;
  }
}

/** jose's codes for an issuer whose keys could not be read; every other code refuses the token. */
const ISSUER_UNREACHABLE = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JOSE_GENERIC']);
