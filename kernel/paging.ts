import * as z from 'zod';

/** A page's `after`: the `next` of the page before (printable ASCII; a DynamoDB sort key holds at most 1,024 bytes). */
export const pageCursor = z.string().regex(/^[\x21-\x7e]{1,300}$/, 'the next of the page before: 1 to 300 printable ASCII characters');

/**
 * What one answer may hold, in bytes of JSON: API Gateway and Lambda refuse a response over 6 MB, so
 * a list stops well before that and says where it goes on.
 */
export const RESPONSE_BUDGET_BYTES = 4_000_000;

/** The first items whose JSON fits the budget (at least one, so a page always moves on). */
export function withinBudget<T>(items: T[], budget = RESPONSE_BUDGET_BYTES): T[] {
  let bytes = 0;
  for (const [index, item] of items.entries()) {
    bytes += Buffer.byteLength(JSON.stringify(item)) + 1;
    if (bytes > budget && index > 0) return items.slice(0, index);
  }
  return items;
}
