import { z } from 'zod';

/** A page's `after`: the `next` of the page before (printable ASCII; a DynamoDB sort key holds at most 1,024 bytes). */
export const pageCursor = z.string().regex(/^[\x21-\x7e]{1,300}$/, 'the next of the page before: 1 to 300 printable ASCII characters');
