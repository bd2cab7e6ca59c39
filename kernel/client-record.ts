import * as z from 'zod';

export const MAX_RECORD_KEYS = 100;
export const MAX_RECORD_KEY_LENGTH = 200;

const hasProtoKey = (input: unknown) => typeof input === 'object' && input !== null && Object.hasOwn(input, '__proto__');

/**
 * A string-keyed record read from a client (labels, annotations, a severity map). A "__proto__"
 * key (JSON.parse makes it an own key) is refused with a 400 rather than dropped in silence:
 * copied into a plain object it would set the prototype instead of a key. Keys and their number
 * are bounded.
 */
export function clientRecord<V extends z.ZodType>(value: V, maxKeys = MAX_RECORD_KEYS) {
  return z
    .unknown()
    .refine((input) => !hasProtoKey(input), { message: 'the key "__proto__" is not allowed' })
    .pipe(z.record(z.string().min(1).max(MAX_RECORD_KEY_LENGTH), value))
    .refine((record) => Object.keys(record).length <= maxKeys, { message: `at most ${maxKeys} keys` });
}
