import { Duration } from 'luxon';

/** Milliseconds of an ISO-8601 duration such as PT2H, P1DT30M or P2W; undefined when invalid. */
export function parseDuration(text: string): number | undefined {
  const duration = Duration.fromISO(text);
  if (!duration.isValid) return undefined;
  const ms = duration.as('milliseconds');
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
