import { DateTime } from 'luxon';

// An explicit offset is required: a local date-time would mean a different instant on each machine.
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T[^Z+-]+(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** An ISO-8601 instant with an offset (`2026-12-01T09:00:00Z`, `…+01:00`); undefined when it is anything else. */
export function parseInstant(text: string): Date | undefined {
  if (text.length > 64 || !WITH_OFFSET.test(text)) return undefined;
  const parsed = DateTime.fromISO(text, { setZone: true });
  return parsed.isValid ? parsed.toJSDate() : undefined;
}
