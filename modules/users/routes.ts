import { actorOf, rolesOf } from '../../kernel/actor.ts';
import type { Deps } from '../../kernel/deps.ts';
import { type ApiEvent, json, parseBody, pathParam, type RouteHandler } from '../../kernel/http.ts';
import { requirePermission } from './authentication.ts';
import { allows, PERMISSIONS } from './permissions.ts';
import { newTokenSchema, newUserSchema, type User, userChangeSchema, userIdOf } from './user.ts';
import { UserRepository } from './user-repository.ts';
import { DomainError } from '../../kernel/errors.ts';

/** Users and their personal API tokens. Deleting a user deactivates them: records keep naming them. */
export function userRoutes(deps: Pick<Deps, 'store' | 'clock'>): Record<string, RouteHandler> {
  const users = new UserRepository(deps.store);
  const userOr404 = async (id: string): Promise<User> => {
    const user = await users.get(id);
    if (!user) throw new DomainError('not-found', `user ${id} not found`);
    return user;
  };
  /** Your own tokens with tokens:own; anyone's with the users permission `otherwise`. */
  const tokenOwner = async (event: ApiEvent, otherwise: 'users:read' | 'users:write') => {
    const id = pathParam(event);
    if (userIdOf(actorOf(event)) !== id) requirePermission(event, otherwise);
    return userOr404(id);
  };

  return {
    /** Who the caller is and what they may do: the console shows only the actions a role allows. */
    'GET /me': async (event) => {
      const roles = rolesOf(event);
      const userId = userIdOf(actorOf(event));
      const user = userId ? await users.get(userId) : undefined;
      return json(200, {
        actor: actorOf(event),
        roles,
        permissions: PERMISSIONS.filter((permission) => allows(roles, permission)),
        ...(user ? { user } : {}),
      });
    },

    'POST /users': async (event) => {
      const input = parseBody(event, newUserSchema);
      const user = await users.create(input, actorOf(event) ?? { kind: 'api-token', id: 'api-token' }, deps.clock.now());
      return json(201, user, { location: `/users/${user.id}` });
    },

    'GET /users': async () => {
      const list = await users.list();
      return json(200, { count: list.length, users: list });
    },

    'GET /users/{id}': async (event) => json(200, await userOr404(pathParam(event))),

    'PATCH /users/{id}': async (event) =>
      json(200, await users.change(pathParam(event), parseBody(event, userChangeSchema), deps.clock.now())),

    'DELETE /users/{id}': async (event) => json(200, await users.change(pathParam(event), { active: false }, deps.clock.now())),

    'POST /users/{id}/tokens': async (event) => {
      const user = await tokenOwner(event, 'users:write');
      const { name, expiresAt } = parseBody(event, newTokenSchema);
      const now = deps.clock.now();
      if (expiresAt && Date.parse(expiresAt) <= now.getTime())
        throw new DomainError('invalid', `expiresAt: ${expiresAt} has passed`, {
          details: [{ field: 'expiresAt', problem: 'in the past' }],
        });
      if (!user.active) throw new DomainError('conflict', `user ${user.id} is deactivated`);
      const created = await users.createToken(user, name, expiresAt && new Date(expiresAt).toISOString(), now);
      return json(201, created, { location: `/users/${user.id}/tokens/${created.id}` });
    },

    'GET /users/{id}/tokens': async (event) => {
      const user = await tokenOwner(event, 'users:read');
      const tokens = await users.tokens(user.id);
      return json(200, { count: tokens.length, tokens });
    },

    'DELETE /users/{id}/tokens/{tokenId}': async (event) => {
      const user = await tokenOwner(event, 'users:write');
      await users.revokeToken(user.id, pathParam(event, 'tokenId'), deps.clock.now());
      return { statusCode: 204, body: '' };
    },
  };
}

/** The schemas the user routes validate requests with, by route key (for the API's description). */
export const userRequestSchemas = {
  'POST /users': { body: newUserSchema },
  'PATCH /users/{id}': { body: userChangeSchema },
  'POST /users/{id}/tokens': { body: newTokenSchema },
};
