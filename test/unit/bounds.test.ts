import { describe, expect, it } from 'vitest';
import { CLIPPED_MARK, clipText, clipUtf8, utf8Bytes } from '../../kernel/bounds.ts';
import { withinBudget } from '../../kernel/paging.ts';

describe('bounds in bytes', () => {
  it('clipUtf8 cuts to the byte bound, never inside a character, and marks the cut', () => {
    const german = 'ß'.repeat(1_100); // 2,200 bytes, 1,100 characters
    const clipped = clipUtf8(german, 2_000);
    expect(utf8Bytes(clipped)).toBeLessThanOrEqual(2_000);
    expect(clipped.endsWith(CLIPPED_MARK)).toBe(true);
    expect(clipped.slice(0, -1)).toMatch(/^ß+$/);
    expect(clipUtf8('😀'.repeat(10), 9)).toBe(`😀${CLIPPED_MARK}`); // 4 + 3 bytes; a second emoji would not fit
    expect(clipUtf8('short', 2_000)).toBe('short');
  });

  it('clipText counts characters (code points), never splitting a surrogate pair', () => {
    expect(clipText('😀😀😀', 2)).toBe(`😀${CLIPPED_MARK}`);
    expect(clipText('abc', 3)).toBe('abc');
  });

  it('withinBudget keeps the first items whose JSON fits, and always one', () => {
    const items = Array.from({ length: 10 }, (_, n) => ({ n, pad: 'x'.repeat(100) }));
    const kept = withinBudget(items, 400); // each is 117 bytes of JSON and a separator
    expect(kept.length).toBe(3);
    expect(withinBudget([{ pad: 'x'.repeat(1_000) }], 10)).toHaveLength(1);
    expect(withinBudget(items)).toHaveLength(10);
  });
});
