/**
 * What a case loop needs of EventBridge Scheduler: a callback task answered at a time. AWS:
 * kernel/aws/scheduler-timers.ts, the same adapter locally against the embedded runtime's Scheduler API.
 */
export interface TimerPort {
  /**
   * Answers the task of `token` (SendTaskSuccess with `output`) at `at` or up to two minutes later:
   * a one-time schedule fires within the minute it names, so the time is rounded up to the next
   * whole minute and never fires early. Setting the same token's timer again changes nothing.
   */
  answerAt(token: string, at: Date, output: unknown): Promise<void>;
  /** Drops the timer of `token`, if it has one still to fire. */
  cancel(token: string): Promise<void>;
}

/** When a one-time schedule for `at` is set: the next whole minute at or after it, and at least a minute after `now`. */
export function timerMinute(at: Date, now: Date): Date {
  const minute = 60_000;
  const earliest = Math.floor(now.getTime() / minute) * minute + minute;
  return new Date(Math.max(earliest, Math.ceil(at.getTime() / minute) * minute));
}
