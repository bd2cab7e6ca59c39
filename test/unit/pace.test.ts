import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../kernel/pace.ts';

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces to the rate, in the order asked (on a fake clock)', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(
      15,
      5,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    const served: number[] = [];
    await Promise.all(Array.from({ length: 50 }, (_, index) => bucket.take().then(() => served.push(index))));
    expect(served).toEqual(Array.from({ length: 50 }, (_, index) => index));
    // 5 at once, the other 45 at 15 per second: 3 seconds of fake time, never faster.
    expect(now).toBeGreaterThanOrEqual(3_000);
    expect(now).toBeLessThan(3_100);
    expect(waits.every((ms) => ms > 0)).toBe(true);
  });

  it('refills while idle, up to the burst and no more', async () => {
    let now = 0;
    const bucket = new TokenBucket(
      10,
      3,
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    for (let index = 0; index < 3; index++) await bucket.take();
    now += 60_000; // a minute idle refills 3, not 600
    const before = now;
    for (let index = 0; index < 4; index++) await bucket.take();
    expect(now - before).toBe(100); // the fourth waits one token's time
  });
});
