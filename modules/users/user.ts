import * as z from 'zod';
import type { Actor } from '../../kernel/actor.ts';
import { ianaZone } from '../../kernel/iana-zone.ts';
import { ROLES, type Role } from './permissions.ts';

export const MAX_USERS = 1_000;
export const MAX_TOKENS_PER_USER = 20;

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  /** The zone staff times are shown in for this user (emails to them, the console); else the customer's. */
  timezone?: string;
  /** A deleted user is deactivated: kept for the records that name them, refused at sign-in and by their tokens. */
  active: boolean;
  createdAt: string;
  createdBy: Actor;
  updatedAt: string;
}

const roles = z
  .array(z.enum(ROLES))
  .min(1)
  .max(ROLES.length)
  .refine((list) => new Set(list).size === list.length, 'each role once');

export const newUserSchema = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  roles,
  timezone: ianaZone.optional(),
});

export const userChangeSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    roles: roles.optional(),
    timezone: ianaZone.nullable().optional(),
    /** true reactivates a deleted user. */
    active: z.boolean().optional(),
  })
  .refine((change) => Object.keys(change).length > 0, 'name at least one of name, roles, timezone, active');

export type ApiToken = {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
};

export const newTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** An ISO-8601 instant with an offset, in the future; without it the token does not expire. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

/** The user an actor acts as: a signed-in user, or a personal token's user; none for any other caller. */
export const userIdOf = (actor: Actor | undefined): string | undefined =>
  actor?.kind === 'user' ? actor.id : actor?.kind === 'token' ? actor.userId : undefined;

/** The actor a user's writes record. */
export const userActor = (user: Pick<User, 'id' | 'name'>): Actor => ({ kind: 'user', id: user.id, name: user.name });

/** The actor a personal token's writes record: the token, on behalf of its user. */
export const tokenActor = (user: Pick<User, 'id' | 'name'>, token: Pick<ApiToken, 'id' | 'name'>): Actor => ({
  kind: 'token',
  id: token.id,
  name: `${user.name} (token "${token.name}")`,
  userId: user.id,
});
