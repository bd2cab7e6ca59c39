import * as z from 'zod';

/** An IANA time zone name ("Europe/Berlin"), as Intl knows it; at most 64 characters. */
export const ianaZone = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'not an IANA time zone');
