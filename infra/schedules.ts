/**
 * Recurring jobs. CDK creates an EventBridge Scheduler schedule per entry; the embedded runtime
 * fires the same expression (parsed with croner) on its clock.
 */
export interface Schedule {
  name: string;
  /** EventBridge Scheduler expression: cron(min hour day-of-month month day-of-week year) or rate(N unit). */
  expression: string;
  timezone: string;
  /** A function folder in functions/. */
  function: string;
  /** What the function receives, besides { source, schedule } (the schedule's name). */
  input?: Record<string, string>;
  description: string;
}

export const schedules: Schedule[] = [
  {
    name: 'reconcile-workflows',
    expression: 'cron(7 * * * ? *)',
    timezone: 'UTC',
    function: 'reconcile',
    input: { sweep: 'issues' },
    description:
      'Every unfinished issue keeps a live execution: a lost start is made, a failed, timed-out or stopped run is followed by the next',
  },
  {
    // Daily: a dunning cycle acts once a day at most, and the dunning run restarts every cycle it finds due.
    name: 'reconcile-dunning',
    expression: 'cron(37 3 * * ? *)',
    timezone: 'UTC',
    function: 'reconcile',
    input: { sweep: 'dunning' },
    description: 'Every customer in a dunning cycle keeps a live execution, as reconcile-workflows does for issues',
  },
  {
    // Hourly, because 09:00 local comes at a different UTC hour for each customer's time zone.
    name: 'dunning-run',
    expression: 'cron(0 * * * ? *)',
    timezone: 'UTC',
    function: 'dunning-run',
    description: 'Wakes or starts the dunning workflow of every customer whose next dunning step is due (sparse, sharded index)',
  },
];

/** The event a schedule invokes its function with, in both columns. */
export const scheduleInput = (schedule: Schedule) => ({ source: 'steward.scheduler', schedule: schedule.name, ...schedule.input });
