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
  description: string;
}

export const schedules: Schedule[] = [
  {
    name: 'reconcile-workflows',
    expression: 'cron(7 * * * ? *)',
    timezone: 'UTC',
    function: 'reconcile',
    description: 'Starts the workflow of any unfinished issue that has none (a start is idempotent by name)',
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
