import { createHash } from 'node:crypto';
import type { Clock } from './clock.ts';
import { contention } from './contention.ts';
import { ConditionFailed, type DynamoStore } from './dynamo-store.ts';
import type { ApiEvent } from './http.ts';
import { DomainError } from './errors.ts';

/** How long a key is remembered (Stripe's figure): a client retries within minutes, not days. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** The request's Idempotency-Key header: undefined when absent, a 400 when outside 1–200 characters. */
export function idempotencyKey(event: ApiEvent): string | undefined {
  const key = event.headers?.['idempotency-key'];
  if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH))
    throw new DomainError('invalid', `Idempotency-Key: 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, {
      details: [{ field: 'Idempotency-Key', problem: `not 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` }],
    });
  return key;
}

type Claim = {
  resourceId: string;
  fingerprint: string;
  expiresAt: number;
  /** 'pending' while the first request acts; 'done' once it answered (claims stored before states were kept have none: done). */
  state?: 'pending' | 'done';
  /** When the first request claimed the key, wall time (ms): a pending claim older than the lease lost its request. */
  claimedAtMs?: number;
};

/** How long requests that repeat a key wait for the first one to answer before they are told to retry (409). */
const WAIT_FOR_FIRST_MS = 15_000;
/** A pending claim older than this lost its request (a crash): the next request with the key completes it. */
const PENDING_LEASE_MS = 60_000;

/**
 * Idempotency-Key for creating requests (IETF draft-ietf-httpapi-idempotency-key-header): the first
 * request with a key reserves the id of what it creates; a retry with the same key and the same
 * body gets that id back (so it creates nothing new), and the same key with another body is a 422.
 * Requests that repeat a key while the first one is still acting wait for its answer and then
 * replay it: they never act beside it, so they neither race it nor make it fail. The caller's
 * create must be idempotent for a given id, which also covers a first request that crashed
 * between the claim and the create.
 */
export class IdempotencyKeys {
  constructor(
    private readonly store: DynamoStore,
    private readonly clock: Clock,
    private readonly scope: string,
  ) {}

  /**
   * Claims the key, then acts. When this request made the claim and the act fails (a refusal, a
   * conflict), the claim is given back: a refused request leaves nothing behind, and its retry is
   * a new attempt rather than a replay of a failure (a request waiting on it then acts itself).
   */
  async perform<T>(
    key: string,
    body: unknown,
    reserve: () => Promise<string>,
    act: (claim: { resourceId: string; replay: boolean }) => Promise<T>,
  ): Promise<T> {
    for (const turns = contention(WAIT_FOR_FIRST_MS); await turns.next(); ) {
      const claim = await this.claim(key, body, reserve);
      if (!claim.replay) {
        let result: T;
        try {
          result = await act(claim);
        } catch (error) {
          await this.store
            .delete(this.itemKey(key), { condition: 'resourceId = :r', values: { ':r': claim.resourceId } })
            .catch(() => undefined); // if it cannot be given back, it expires with its 24 hours
          throw error;
        }
        await this.markDone(key, claim.resourceId);
        return result;
      }
      if (!claim.pending) return act(claim);
    }
    throw new DomainError('conflict', 'Idempotency-Key: the first request with this key is still being answered; try again shortly', {
      details: [{ field: 'Idempotency-Key', problem: 'a request with this key is in progress' }],
    });
  }

  private itemKey(key: string) {
    return { pk: `IDEMPOTENCY#${this.scope}#${key}`, sk: 'META' };
  }

  private async markDone(key: string, resourceId: string): Promise<void> {
    await this.store
      .update({
        Key: this.itemKey(key),
        UpdateExpression: 'SET #state = :done',
        ConditionExpression: 'resourceId = :r',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done', ':r': resourceId },
      })
      .catch((error) => {
        if (!(error instanceof ConditionFailed)) throw error;
      });
  }

  private async claim(
    key: string,
    body: unknown,
    reserve: () => Promise<string>,
  ): Promise<{ resourceId: string; replay: boolean; pending?: boolean }> {
    const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const itemKey = this.itemKey(key);
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const replayOf = (claim: Claim) => {
      if (claim.fingerprint !== fingerprint)
        throw new DomainError('unprocessable', 'Idempotency-Key: already used for a different request; use a new key for a new request', {
          details: [{ field: 'Idempotency-Key', problem: 'already used with another body' }],
        });
      // A request that claimed the key and died: this one completes it (the act is idempotent for the id).
      if (claim.state === 'pending' && Date.now() - (claim.claimedAtMs ?? 0) > PENDING_LEASE_MS)
        return { resourceId: claim.resourceId, replay: false };
      return { resourceId: claim.resourceId, replay: true, pending: claim.state === 'pending' };
    };
    const live = async () => {
      const claim = await this.store.get<Claim & Record<string, unknown>>(itemKey);
      return claim && claim.expiresAt > nowSeconds ? claim : undefined;
    };

    const existing = await live();
    if (existing) return replayOf(existing);
    const resourceId = await reserve();
    try {
      await this.store.put(
        {
          ...itemKey,
          itemType: 'idempotency-key',
          resourceId,
          fingerprint,
          expiresAt: nowSeconds + KEY_LIFETIME_MS / 1000,
          state: 'pending',
          claimedAtMs: Date.now(),
        },
        { condition: 'attribute_not_exists(pk) OR expiresAt <= :now', values: { ':now': nowSeconds } },
      );
      return { resourceId, replay: false };
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      const winner = await live();
      // Claimed and given back in between: the next poll claims afresh.
      if (!winner) return { resourceId, replay: true, pending: true };
      return replayOf(winner);
    }
  }
}
