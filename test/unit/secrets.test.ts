import { describe, expect, it } from 'vitest';
import { issueFromReplyAddress, replyAddress, signLink, verifyLink } from '../../kernel/links.ts';
import { cachedFor, SECRET_TTL_MS, verifying } from '../../kernel/secrets.ts';

describe('secrets: read again after a few minutes, the previous one verifying in its grace period', () => {
  it('keeps a value for the TTL, reads again after it, and never keeps a failed read', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const read = cachedFor(
      SECRET_TTL_MS,
      async () => {
        reads++;
        if (fail) throw new Error('Secrets Manager unavailable');
        return `value-${reads}`;
      },
      () => now,
    );
    expect(await Promise.all([read(), read()])).toEqual(['value-1', 'value-1']);
    now = SECRET_TTL_MS - 1;
    expect(await read()).toBe('value-1');
    now = SECRET_TTL_MS;
    fail = true;
    await expect(read()).rejects.toThrow('unavailable');
    fail = false;
    expect(await read()).toBe('value-3');
    expect(reads).toBe(3);
    expect(SECRET_TTL_MS).toBe(5 * 60 * 1000);
  });

  it('a link or reply address signed with the previous key verifies while it is listed, and only then', () => {
    const now = new Date('2026-12-01T09:00:00Z');
    const link = signLink({ i: 'ISS-1', a: 'accept-rfo', e: now.getTime() / 1000 + 3600 }, 'old-key');
    expect(verifyLink(link, verifying({ current: 'new-key', previous: 'old-key' }), now).ok).toBe(true);
    expect(verifyLink(link, verifying({ current: 'new-key' }), now)).toEqual({ ok: false, reason: 'this link is not valid' });
    const address = replyAddress('support@steward.test', 'ISS-1', 'old-key');
    expect(issueFromReplyAddress(address, 'support@steward.test', ['new-key', 'old-key'])).toBe('ISS-1');
    expect(issueFromReplyAddress(address, 'support@steward.test', ['new-key'])).toBeUndefined();
  });
});
