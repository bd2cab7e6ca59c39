import type { Clock } from '../../kernel/clock.ts';

/** A clock that can also call back at a point in time. */
export interface TimerClock extends Clock {
  readonly mode: 'real' | 'manual';
  /** Calls `fire` once the clock reaches `at`; returns a cancel function. */
  schedule(at: Date, fire: () => void): () => void;
}

// setTimeout overflows past 2^31-1 ms (24.8 days) and fires at once: re-arm in chunks instead.
const MAX_TIMEOUT_MS = 2_147_483_000;

export class RealClock implements TimerClock {
  readonly mode = 'real' as const;
  now(): Date {
    return new Date();
  }
  schedule(at: Date, fire: () => void): () => void {
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = at.getTime() - Date.now();
      if (delay <= 0) {
        handle = setTimeout(fire, 0);
        return;
      }
      handle = setTimeout(delay > MAX_TIMEOUT_MS ? arm : fire, Math.min(delay, MAX_TIMEOUT_MS));
    };
    arm();
    return () => clearTimeout(handle);
  }
}

interface ManualTimer {
  at: number;
  seq: number;
  fire: () => void;
}

/**
 * Time moves only when told to. `advanceTo` fires every timer that falls due, in time order,
 * and lets the system settle after each, so a caller observes every effect up to the new time.
 */
export class ManualClock implements TimerClock {
  readonly mode = 'manual' as const;
  private current: number;
  private timers: ManualTimer[] = [];
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    start: Date,
    private readonly settle: () => Promise<void> = async () => {},
    private readonly onChange: (now: Date) => void = () => {},
  ) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  schedule(at: Date, fire: () => void): () => void {
    const timer: ManualTimer = { at: at.getTime(), seq: this.seq++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves the clock to `target` (never backwards); calls are serialized. */
  advanceTo(target: Date): Promise<Date> {
    return this.enqueue(() => target.getTime());
  }

  /** Moves the clock by `ms` from wherever the previous queued move left it. */
  advanceBy(ms: number): Promise<Date> {
    return this.enqueue(() => this.current + ms);
  }

  private enqueue(target: () => number): Promise<Date> {
    const run = this.chain.then(() => this.runUntil(target()));
    this.chain = run.catch(() => {});
    return run;
  }

  private async runUntil(target: number): Promise<Date> {
    if (target < this.current) throw new RangeError(`the clock cannot go back (now ${this.now().toISOString()})`);
    for (;;) {
      await this.settle();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fire();
    }
    this.current = target;
    this.onChange(this.now());
    await this.settle();
    return this.now();
  }
}

/** Counts work in flight so the manual clock can wait until everything due has run. */
export class ActivityTracker {
  private busy = 0;
  private waiters: (() => void)[] = [];

  enter(): void {
    this.busy++;
  }

  leave(): void {
    this.busy--;
    if (this.busy === 0) queueMicrotask(() => this.release());
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.enter();
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  get inFlight(): number {
    return this.busy;
  }

  /** Resolves once nothing has been in flight across a macrotask turn. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.busy > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.busy === 0) return;
    }
  }

  private release(): void {
    if (this.busy !== 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
