import type middy from '@middy/core';
import { type Caller, authorize, rolesOf } from '../../kernel/actor.ts';
import type { Deps } from '../../kernel/deps.ts';
import { type ApiEvent, type ApiResult, bearerToken, equalsAny, HttpError } from '../../kernel/http.ts';
import { allows, type Permission } from './permissions.ts';
import { tokenActor } from './user.ts';
import { TOKEN_PREFIX, UserRepository } from './user-repository.ts';

/** What a route needs: a permission, or nothing (`public`: links, Stripe and monitoring senders authenticate themselves). */
export type RoutePermission = Permission | 'public';

/** The bootstrap credential (STEWARD_API_TOKEN, the API secret on AWS) acts as an admin. */
const BOOTSTRAP: Caller = { actor: { kind: 'api-token', id: 'api-token', name: 'bootstrap API token' }, roles: ['admin'] };

type AuthDeps = Pick<Deps, 'store' | 'clock' | 'settings'>;

/** Who presents this bearer token: the bootstrap token, or a user's personal token; undefined for anything else. */
export async function callerOf(deps: AuthDeps, token: string): Promise<Caller | undefined> {
  if (token.startsWith(TOKEN_PREFIX)) {
    const found = await new UserRepository(deps.store).verifyToken(token, deps.clock.now());
    return found && { actor: tokenActor(found.user, found.token), roles: found.user.roles };
  }
  // The token rotated out still works within its grace period, so senders and scripts can be moved over.
  return equalsAny(token, await deps.settings.apiTokens()) ? BOOTSTRAP : undefined;
}

/**
 * Authentication and authorization of staff routes: a 401 without a valid credential, a 403
 * naming the permission the route needs when the caller's roles lack it. The caller is recorded
 * on the request (`actorOf`, `rolesOf`) for what the route writes.
 */
export const staffAuth = (
  deps: AuthDeps,
  permissionOf: (routeKey: string) => RoutePermission | undefined,
): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  before: async (request) => {
    const needed = permissionOf(request.event.routeKey);
    if (needed === 'public') return;
    const token = bearerToken(request.event.headers?.authorization);
    if (!token) throw new HttpError(401, 'missing bearer token (Authorization: Bearer <token>)');
    const caller = await callerOf(deps, token);
    if (!caller) throw new HttpError(401, 'invalid bearer token (unknown, revoked or expired, or its user is deactivated)');
    authorize(request.event, caller);
    if (needed) requirePermission(request.event, needed);
  },
});

/** Refuses the request (403, naming the permission) unless its caller's roles allow `permission`. */
export function requirePermission(event: ApiEvent, permission: Permission): void {
  const roles = rolesOf(event);
  if (!allows(roles, permission))
    throw new HttpError(
      403,
      `forbidden: this needs the permission "${permission}", which the role${roles.length === 1 ? '' : 's'} ${roles.join(', ') || '(none)'} do${roles.length === 1 ? 'es' : ''} not give`,
      { permission, roles },
    );
}
