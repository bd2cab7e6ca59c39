import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../../kernel/actor.ts';
import { ConditionFailed, type DynamoStore, strip } from '../../kernel/dynamo-store.ts';
import { DomainError } from '../../kernel/errors.ts';
import { type ApiToken, MAX_TOKENS_PER_USER, MAX_USERS, type User, userIdOf } from './user.ts';

/** Users share one partition (a team is small), read consistently: a user just made can sign in at once. */
const USERS = 'USERS';
const userKey = (id: string) => ({ pk: USERS, sk: `USER#${id}` });
const emailKey = (email: string) => ({ pk: USERS, sk: `EMAIL#${email}` });
const tokenKey = (userId: string, tokenId: string) => ({ pk: `USER#${userId}`, sk: `TOKEN#${tokenId}` });

const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;
const hashOf = (secret: string) => createHash('sha256').update(secret).digest();

/** "stw.<user>.<token>.<secret>": the ids find the token's item, the secret is compared with its hash. */
export const TOKEN_PREFIX = 'stw.';
const TOKEN_SHAPE = /^stw\.(usr_[0-9a-f]{16})\.(tok_[0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

type StoredToken = ApiToken & { hash: string; revokedAt?: string };
const asToken = ({ hash: _hash, revokedAt: _revoked, ...token }: StoredToken): ApiToken => token;

export class UserRepository {
  constructor(private readonly store: DynamoStore) {}

  async get(id: string): Promise<User | undefined> {
    const item = await this.store.get(userKey(id));
    return item && (strip(item) as unknown as User);
  }

  async byEmail(email: string): Promise<User | undefined> {
    const pointer = await this.store.get<{ userId: string }>(emailKey(email.toLowerCase()));
    return pointer && this.get(pointer.userId);
  }

  async list(): Promise<User[]> {
    const items = await this.store.query(
      { KeyConditionExpression: 'pk = :p AND begins_with(sk, :u)', ExpressionAttributeValues: { ':p': USERS, ':u': 'USER#' } },
      MAX_USERS,
    );
    return items.map((item) => strip(item) as unknown as User).sort((a, b) => a.email.localeCompare(b.email));
  }

  /** Creates a user; an email address belongs to one user (a 409 names who has it). */
  async create(input: Pick<User, 'email' | 'name' | 'roles' | 'timezone'>, by: Actor, at: Date): Promise<User> {
    const email = input.email.toLowerCase();
    const existing = await this.byEmail(email);
    if (existing) throw new DomainError('conflict', `email: ${email} is already user ${existing.id}`, 'email', 'already a user');
    if ((await this.list()).length >= MAX_USERS) throw new DomainError('conflict', `at most ${MAX_USERS} users`);
    const now = at.toISOString();
    const user: User = { ...input, email, id: newId('usr'), active: true, createdAt: now, createdBy: by, updatedAt: now };
    try {
      await this.store.transactWrite([
        { Put: { Item: { ...emailKey(email), itemType: 'user-email', userId: user.id }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { Item: { ...userKey(user.id), itemType: 'user', ...user }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed) throw new DomainError('conflict', `email: ${email} was just taken`, 'email', 'already a user');
      throw error;
    }
    return user;
  }

  /** Applies a change to a user, over the version read (of two concurrent changes, one is a 409). */
  async change(id: string, change: Partial<Pick<User, 'name' | 'roles' | 'active'>> & { timezone?: string | null }, at: Date) {
    const user = await this.get(id);
    if (!user) throw new DomainError('not-found', `user ${id} not found`);
    const { timezone, ...rest } = change;
    const next: User = { ...user, ...rest, updatedAt: at.toISOString() };
    if (timezone === null) delete next.timezone;
    else if (timezone !== undefined) next.timezone = timezone;
    try {
      await this.store.put(
        { ...userKey(id), itemType: 'user', ...next },
        { condition: 'updatedAt = :u', values: { ':u': user.updatedAt } },
      );
    } catch (error) {
      if (error instanceof ConditionFailed) throw new DomainError('conflict', `user ${id} changed meanwhile; read it again`);
      throw error;
    }
    return next;
  }

  /** A new personal token: the secret is returned once and only its hash is kept. */
  async createToken(user: User, name: string, expiresAt: string | undefined, at: Date): Promise<ApiToken & { token: string }> {
    if ((await this.tokens(user.id)).length >= MAX_TOKENS_PER_USER)
      throw new DomainError('conflict', `user ${user.id} has ${MAX_TOKENS_PER_USER} tokens, the most there may be: delete one first`);
    const token: ApiToken = { id: newId('tok'), userId: user.id, name, createdAt: at.toISOString(), ...(expiresAt ? { expiresAt } : {}) };
    const secret = randomBytes(32).toString('base64url');
    await this.store.put(
      { ...tokenKey(user.id, token.id), itemType: 'api-token', ...token, hash: hashOf(secret).toString('hex') },
      { ifAbsent: true },
    );
    return { ...token, token: `${TOKEN_PREFIX}${user.id}.${token.id}.${secret}` };
  }

  /** A user's tokens that still work (revoked ones are gone from the list), newest first. */
  async tokens(userId: string): Promise<ApiToken[]> {
    const items = await this.store.query<StoredToken & { pk: string; sk: string }>(
      {
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :t)',
        ExpressionAttributeValues: { ':p': `USER#${userId}`, ':t': 'TOKEN#' },
      },
      MAX_TOKENS_PER_USER * 10,
    );
    return items
      .filter((item) => !item.revokedAt)
      .map((item) => asToken(strip(item) as unknown as StoredToken))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Revokes a token at once: a revoked token is refused from the next request on. */
  async revokeToken(userId: string, tokenId: string, at: Date): Promise<void> {
    try {
      await this.store.update({
        Key: tokenKey(userId, tokenId),
        UpdateExpression: 'SET revokedAt = :r',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':r': at.toISOString() },
      });
    } catch (error) {
      if (error instanceof ConditionFailed) throw new DomainError('not-found', `user ${userId} has no token ${tokenId}`);
      throw error;
    }
  }

  /**
   * The user and token a presented token belongs to, when it is well-formed, its secret matches,
   * it is neither revoked nor expired and its user is active; undefined otherwise (the caller
   * answers 401 without saying which). Records the last use at most once a minute.
   */
  async verifyToken(presented: string, now: Date): Promise<{ user: User; token: ApiToken } | undefined> {
    const match = TOKEN_SHAPE.exec(presented);
    if (!match) return undefined;
    const [, userId, tokenId, secret] = match;
    const stored = await this.store.get<StoredToken>(tokenKey(userId, tokenId));
    if (!stored || stored.revokedAt) return undefined;
    if (!timingSafeEqual(hashOf(secret), Buffer.from(stored.hash, 'hex'))) return undefined;
    if (stored.expiresAt && Date.parse(stored.expiresAt) <= now.getTime()) return undefined;
    const user = await this.get(userId);
    if (!user?.active) return undefined;
    if (!stored.lastUsedAt || now.getTime() - Date.parse(stored.lastUsedAt) >= 60_000) {
      const lastUsedAt = now.toISOString();
      await this.store
        .update({
          Key: tokenKey(userId, tokenId),
          UpdateExpression: 'SET lastUsedAt = :n',
          ExpressionAttributeValues: { ':n': lastUsedAt },
        })
        .catch(() => undefined); // a missed last-use stamp never refuses a request
      stored.lastUsedAt = lastUsedAt;
    }
    return { user, token: asToken(strip(stored) as unknown as StoredToken) };
  }
}

/**
 * The zone a member of staff reads times in: theirs as a Steward user, else the one the customer's
 * team lists for them, else the customer's.
 */
export async function staffZone(
  store: DynamoStore,
  person: { email: string; timezone?: string } | undefined,
  customerZone: string,
): Promise<string> {
  const user = person ? await new UserRepository(store).byEmail(person.email) : undefined;
  return (user?.active ? user.timezone : undefined) ?? person?.timezone ?? customerZone;
}

/** The zone the caller of a request reads times in: theirs as a user (or their token's user), else `fallback`. */
export async function callerZone(store: DynamoStore, actor: Actor | undefined, fallback: string): Promise<string> {
  const userId = userIdOf(actor);
  const user = userId ? await new UserRepository(store).get(userId) : undefined;
  return user?.timezone ?? fallback;
}
