import { createHash } from 'node:crypto';
import type { Clock } from './clock.ts';
import { ConditionFailed, type DynamoStore } from './dynamo-store.ts';
import { HttpError, type ApiEvent } from './http.ts';

/** How long a key is remembered (Stripe's figure): a client retries within minutes, not days. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** The request's Idempotency-Key header: undefined when absent, a 400 when outside 1–200 characters. */
export function idempotencyKey(event: ApiEvent): string | undefined {
  const key = event.headers?.['idempotency-key'];
  if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH))
    throw new HttpError(400, `Idempotency-Key: 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, [
      { field: 'Idempotency-Key', problem: `not 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` },
    ]);
  return key;
}

type Claim = { resourceId: string; fingerprint: string; expiresAt: number };

/**
 * Idempotency-Key for creating requests (IETF draft-ietf-httpapi-idempotency-key-header): the first
 * request with a key reserves the id of what it creates; a retry with the same key and the same
 * body gets that id back (so it creates nothing new), and the same key with another body is a 422.
 * The caller's create must be idempotent for a given id, which also covers a first request that
 * crashed between the claim and the create.
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
   * a new attempt rather than a replay of a failure.
   */
  async perform<T>(
    key: string,
    body: unknown,
    reserve: () => Promise<string>,
    act: (claim: { resourceId: string; replay: boolean }) => Promise<T>,
  ): Promise<T> {
    const claim = await this.claim(key, body, reserve);
    try {
      return await act(claim);
    } catch (error) {
      if (!claim.replay)
        await this.store
          .delete(this.itemKey(key), { condition: 'resourceId = :r', values: { ':r': claim.resourceId } })
          .catch(() => undefined); // if it cannot be given back, it expires with its 24 hours
      throw error;
    }
  }

  private itemKey(key: string) {
    return { pk: `IDEMPOTENCY#${this.scope}#${key}`, sk: 'META' };
  }

  private async claim(key: string, body: unknown, reserve: () => Promise<string>): Promise<{ resourceId: string; replay: boolean }> {
    const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const itemKey = this.itemKey(key);
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const replayOf = (claim: Claim) => {
      if (claim.fingerprint !== fingerprint)
        throw new HttpError(422, 'Idempotency-Key: already used for a different request; use a new key for a new request', [
          { field: 'Idempotency-Key', problem: 'already used with another body' },
        ]);
      return { resourceId: claim.resourceId, replay: true };
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
        },
        { condition: 'attribute_not_exists(pk) OR expiresAt <= :now', values: { ':now': nowSeconds } },
      );
      return { resourceId, replay: false };
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      const winner = await live();
      if (!winner) throw error;
      return replayOf(winner);
    }
  }
}
