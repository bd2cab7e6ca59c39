import type middy from '@middy/core';
import { type Caller, authorize, rolesOf } from '../../kernel/actor.ts';
import type { Deps, SignInSettings } from '../../kernel/deps.ts';
import { type ApiEvent, type ApiResult, bearerToken, equalsAny } from '../../kernel/http.ts';
import { allows, type Permission } from './permissions.ts';
import { looksLikeJwt, type SignedIn, TokenVerifier } from './sign-in.ts';
import { tokenActor, userActor } from './user.ts';
import { TOKEN_PREFIX, UserRepository } from './user-repository.ts';
import { DomainError } from '../../kernel/errors.ts';

/** What a route needs: a permission, or nothing (`public`: links, Stripe and monitoring senders authenticate themselves). */
export type RoutePermission = Permission | 'public';

/** The bootstrap credential (STEWARD_API_TOKEN, the API secret on AWS) acts as an admin. */
const BOOTSTRAP: Caller = { actor: { kind: 'api-token', id: 'api-token', name: 'bootstrap API token' }, roles: ['admin'] };

/** Who creates the first admin's user when they first sign in. */
const FIRST_SIGN_IN: Caller['actor'] = { kind: 'workflow', id: 'sign-in', name: 'Steward (the first admin signed in)' };

type AuthDeps = Pick<Deps, 'store' | 'clock' | 'settings'>;

/**
 * Who presents this bearer token: a signed-in user (a JWT of the sign-in issuer), a user's personal
 * token or the bootstrap token; undefined for anything else. A valid JWT of someone who is not a
 * Steward user is a 403.
 */
export async function callerOf(deps: AuthDeps, token: string, verifier?: TokenVerifier): Promise<Caller | undefined> {
  if (verifier && looksLikeJwt(token)) {
    let verified: Awaited<ReturnType<TokenVerifier['verify']>>;
    try {
      // On real time, whatever the runtime's clock says: tokens are issued on it, and API Gateway checks them on it.
      verified = await verifier.verify(token, new Date());
    } catch {
      throw new DomainError('unavailable', 'the sign-in issuer could not be reached to check the token; try again shortly');
    }
    if ('refused' in verified) throw new DomainError('unauthorized', `invalid bearer token: the JWT is ${verified.refused}`);
    return signedInCaller(deps, verified.signedIn);
  }
  if (token.startsWith(TOKEN_PREFIX)) {
    const found = await new UserRepository(deps.store).verifyToken(token, deps.clock.now());
    return (
      found && {
        actor: tokenActor(found.user, found.token),
        roles: found.user.roles,
        person: { name: found.user.name, email: found.user.email },
      }
    );
  }
  // The token rotated out still works within its grace period, so senders and scripts can be moved over.
  if (!equalsAny(token, await deps.settings.apiTokens())) return undefined;
  if (deps.settings.bootstrapTokenOff && (await adminExists(deps)))
    throw new DomainError(
      'unauthorized',
      'the bootstrap API token is switched off now that an admin user exists (STEWARD_BOOTSTRAP_TOKEN=off); sign in, or use a personal token',
    );
  return BOOTSTRAP;
}

/** Whether an active admin user exists (read only when the bootstrap token is switched off). */
async function adminExists(deps: AuthDeps): Promise<boolean> {
  return (await new UserRepository(deps.store).list()).some((user) => user.active && user.roles.includes('admin'));
}

/** The Steward user a verified sign-in names; the configured admin email becomes the first admin. */
async function signedInCaller(deps: AuthDeps, signedIn: SignedIn): Promise<Caller> {
  const users = new UserRepository(deps.store);
  let user = await users.byEmail(signedIn.email);
  if (!user && signedIn.email === deps.settings.signIn?.adminEmail?.toLowerCase()) {
    user = await users
      .create({ email: signedIn.email, name: signedIn.name ?? signedIn.email, roles: ['admin'] }, FIRST_SIGN_IN, deps.clock.now())
      .catch(async () => users.byEmail(signedIn.email)); // two first requests at once: the other one made it
  }
  if (!user)
    throw new DomainError(
      'forbidden',
      `forbidden: ${signedIn.email} signed in but is not a Steward user (an admin adds them with POST /users)`,
      {
        details: {
          email: signedIn.email,
        },
      },
    );
  if (!user.active) throw new DomainError('unauthorized', `invalid bearer token: user ${user.id} is deactivated`);
  return { actor: userActor(user), roles: user.roles, person: { name: user.name, email: user.email } };
}

/** The verifier of the configured sign-in issuer, made on first use (none when sign-in is not configured). */
function signInVerifier(settings: AuthDeps['settings']): () => TokenVerifier | undefined {
  let made: { for: SignInSettings; verifier: TokenVerifier } | undefined;
  return () => {
    const signIn = settings.signIn;
    if (!signIn) return undefined;
    if (made?.for !== signIn) made = { for: signIn, verifier: new TokenVerifier(signIn) };
    return made.verifier;
  };
}

/**
 * Authentication and authorization of staff routes: a 401 without a valid credential, a 403
 * naming the permission the route needs when the caller's roles lack it. The caller is recorded
 * on the request (`actorOf`, `rolesOf`) for what the route writes.
 */
export const staffAuth = (
  deps: AuthDeps,
  permissionOf: (routeKey: string) => RoutePermission | undefined,
): middy.MiddlewareObj<ApiEvent, ApiResult> => {
  const verifier = signInVerifier(deps.settings);
  return {
    before: async (request) => {
      const needed = permissionOf(request.event.routeKey);
      if (needed === 'public') return;
      const token = bearerToken(request.event.headers?.authorization);
      if (!token) throw new DomainError('unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
      const caller = await callerOf(deps, token, verifier());
      if (!caller) throw new DomainError('unauthorized', 'invalid bearer token (unknown, revoked or expired, or its user is deactivated)');
      authorize(request.event, caller);
      if (needed) requirePermission(request.event, needed);
    },
  };
};

/** Refuses the request (403, naming the permission) unless its caller's roles allow `permission`. */
export function requirePermission(event: ApiEvent, permission: Permission): void {
  const roles = rolesOf(event);
  if (!allows(roles, permission))
    throw new DomainError(
      'forbidden',
      `forbidden: this needs the permission "${permission}", which the role${roles.length === 1 ? '' : 's'} ${roles.join(', ') || '(none)'} do${roles.length === 1 ? 'es' : ''} not give`,
      { details: { permission, roles } },
    );
}
