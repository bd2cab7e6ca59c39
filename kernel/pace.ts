import type { WorkflowPort } from './workflow-port.ts';

/**
 * A token bucket: `take()` resolves when a call may go, at most `burst` at once and `ratePerSecond`
 * after that. Loops that call a control-plane API once per item (the sweeps) go through one, so they
 * stay under the service's own refill rate instead of finding it by being throttled.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Waits for a token; callers are served in the order they asked. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      while (!this.tryTake()) await this.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    });
    this.queue = turn;
    return turn;
  }

  /**
   * Takes a token if one is there now, without waiting: for the side that enforces a quota (a call
   * without a token is refused) rather than the side that keeps under it.
   */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Control-plane calls per second of one sweep (DescribeExecution, StartExecution): under
 * DescribeExecution's refill of 15 per second for Standard workflows, leaving room for the functions
 * that start and signal executions meanwhile.
 */
export const SWEEP_PACE = { ratePerSecond: 10, burst: 20 };

/** The workflows as one sweep calls them: paced by a bucket of its own at SWEEP_PACE. */
export const sweepWorkflows = (workflows: WorkflowPort): WorkflowPort =>
  pacedWorkflows(workflows, new TokenBucket(SWEEP_PACE.ratePerSecond, SWEEP_PACE.burst));

/** The same workflows, each control-plane call (start, stop, describe) taking a token of `bucket` first. */
export function pacedWorkflows(workflows: WorkflowPort, bucket: TokenBucket): WorkflowPort {
  return {
    start: async (workflow, name, input) => {
      await bucket.take();
      return workflows.start(workflow, name, input);
    },
    stop: async (workflow, name, cause) => {
      await bucket.take();
      return workflows.stop(workflow, name, cause);
    },
    describe: async (workflow, name) => {
      await bucket.take();
      return workflows.describe(workflow, name);
    },
    sendTaskSuccess: (token, output) => workflows.sendTaskSuccess(token, output),
    sendTaskFailure: (token, error, cause) => workflows.sendTaskFailure(token, error, cause),
    workflowOf: (arn) => workflows.workflowOf(arn),
  };
}
