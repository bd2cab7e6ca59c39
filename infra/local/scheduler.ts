import { Cron } from 'croner';
import type { Schedule } from '../schedules.ts';
import type { TimerClock } from './clock.ts';
import type { Telemetry } from '../../kernel/telemetry.ts';

/**
 * Converts an EventBridge Scheduler expression to a croner pattern.
 * cron(min hour dom month dow year): croner has no year field and numbers weekdays 0-6 from Sunday
 * where EventBridge uses 1-7 from Sunday; rate(N minutes|hours|days) becomes an equivalent step.
 */
export function toCronerPattern(expression: string): string {
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) throw new Error(`cron expression needs 6 fields: ${expression}`);
    const [minute, hour, dom, month, dow, year] = fields;
    if (year !== '*') throw new Error(`only year "*" is supported locally: ${expression}`);
    const weekday = dow.replace(/\b([1-7])\b/g, (d) => String(Number(d) - 1));
    return [minute, hour, dom, month, weekday].join(' ');
  }
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (rate[2].startsWith('minute')) return `*/${n} * * * *`;
    if (rate[2].startsWith('hour')) return `0 */${n} * * *`;
    return `0 0 */${n} * *`;
  }
  throw new Error(`unsupported schedule expression: ${expression}`);
}

/** Fires each schedule on the given clock (real or manual); croner computes the run times. */
export class LocalScheduler {
  private cancels: (() => void)[] = [];
  readonly fired: { name: string; at: string }[] = [];

  constructor(
    private readonly clock: TimerClock,
    private readonly run: (schedule: Schedule, at: Date) => Promise<void>,
    private readonly telemetry: Telemetry,
  ) {}

  start(schedules: Schedule[]): void {
    for (const schedule of schedules)
      this.arm(schedule, new Cron(toCronerPattern(schedule.expression), { timezone: schedule.timezone, paused: true }));
  }

  nextRuns(): { name: string; next: string | undefined }[] {
    return this.upcoming.map(({ name, at }) => ({ name, next: at?.toISOString() }));
  }

  private upcoming: { name: string; at?: Date }[] = [];

  private arm(schedule: Schedule, cron: Cron): void {
    const next = cron.nextRun(this.clock.now());
    this.upcoming = [...this.upcoming.filter((u) => u.name !== schedule.name), { name: schedule.name, at: next ?? undefined }];
    if (!next) return;
    const cancel = this.clock.schedule(next, () => {
      this.cancels = this.cancels.filter((c) => c !== cancel);
      this.fired.push({ name: schedule.name, at: next.toISOString() });
      this.run(schedule, next).catch((error) => this.telemetry.error(`${schedule.name} failed`, error, { component: 'scheduler' }));
      this.arm(schedule, cron);
    });
    this.cancels.push(cancel);
  }

  stop(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels = [];
  }
}
