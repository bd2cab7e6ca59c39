import type { DeserializeHandler, DeserializeHandlerArguments, MiddlewareStack } from '@aws-sdk/types';

/** What fault injection needs of an SDK v3 client: its middleware stack. */
interface SdkClient {
  // biome-ignore lint/suspicious/noExplicitAny: any client's stack, whatever its input and output types
  middlewareStack: MiddlewareStack<any, any>;
}

/** The local components a fault can be injected into, and the throttling error AWS answers with for each. */
export const FAULT_ERRORS = {
  ses: { name: 'TooManyRequestsException', status: 429, message: 'Maximum sending rate exceeded.' },
  dynamodb: { name: 'ThrottlingException', status: 400, message: 'Rate of requests exceeds the allowed throughput.' },
  sfn: { name: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  s3: { name: 'SlowDown', status: 503, message: 'Please reduce your request rate.' },
  scheduler: { name: 'ThrottlingException', status: 429, message: 'Rate exceeded' },
} as const;

export type FaultTarget = keyof typeof FAULT_ERRORS;
/** The longest delay a fault may add to a call: past every function's timeout, and bounded. */
export const MAX_FAULT_DELAY_MS = 120_000;

/** The share (0–1) of calls to each component that fail, and how long every call to a component is held first. */
export type FaultShares = Partial<Record<FaultTarget, number>> & { delayMs?: Partial<Record<FaultTarget, number>> };

const componentOf = (field: string, target: string): FaultTarget => {
  if (!Object.hasOwn(FAULT_ERRORS, target))
    throw new Error(`${field}: "${target.slice(0, 40)}" is not a component (use ${Object.keys(FAULT_ERRORS).join(', ')})`);
  return target as FaultTarget;
};

/** Parses a fault setting such as {"ses": 0.3, "dynamodb": 0.05, "delayMs": {"ses": 2000}}; the error names the field and the problem. */
export function parseFaults(value: unknown): FaultShares {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value))
    throw new Error(
      'faults must be an object such as {"ses": 0.3, "dynamodb": 0.05, "sfn": 0.1, "delayMs": {"ses": 2000}}; {} turns them off',
    );
  const shares: FaultShares = {};
  for (const [field, setting] of Object.entries(value)) {
    if (field === 'delayMs') {
      if (!isObject(setting)) throw new Error('faults.delayMs: must be an object of milliseconds by component, such as {"ses": 2000}');
      shares.delayMs = {};
      for (const [target, ms] of Object.entries(setting)) {
        const component = componentOf('faults.delayMs', target);
        if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_FAULT_DELAY_MS)
          throw new Error(`faults.delayMs.${component}: must be a whole number of milliseconds from 0 to ${MAX_FAULT_DELAY_MS}`);
        shares.delayMs[component] = ms;
      }
      continue;
    }
    const component = componentOf('faults', field);
    if (typeof setting !== 'number' || !Number.isFinite(setting) || setting < 0 || setting > 1)
      throw new Error(`faults.${component}: must be a number from 0 to 1 (the share of calls that fail)`);
    shares[component] = setting;
  }
  return shares;
}

/**
 * Fault injection for the embedded runtime: a share of the calls the functions make to a local
 * component fail as AWS fails them under throttling, and calls can be held (a slow dependency). The failure happens inside the SDK's retry
 * loop, so the SDK retries it as it would on AWS; what survives its retries reaches Steward's code.
 */
export class Faults {
  private shares: FaultShares = {};
  /** Calls failed on purpose, per component. */
  readonly injected: Record<FaultTarget, number> = { ses: 0, dynamodb: 0, sfn: 0, s3: 0, scheduler: 0 };

  constructor(initial: FaultShares = {}) {
    this.set(initial);
  }

  set(shares: FaultShares): void {
    this.shares = { ...shares, ...(shares.delayMs ? { delayMs: { ...shares.delayMs } } : {}) };
  }

  get current(): FaultShares {
    return { ...this.shares, ...(this.shares.delayMs ? { delayMs: { ...this.shares.delayMs } } : {}) };
  }

  /** Adds the fault to an SDK client (v3): applied to every attempt, inside the SDK's retries. */
  attach<C extends SdkClient>(target: FaultTarget, client: C): C {
    client.middlewareStack.add(
      // biome-ignore lint/suspicious/noExplicitAny: the stack's own input and output types
      (next: DeserializeHandler<any, any>) => async (args: DeserializeHandlerArguments<any>) => {
        const delay = this.shares.delayMs?.[target] ?? 0;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        const share = this.shares[target] ?? 0;
        if (share > 0 && Math.random() < share) {
          this.injected[target]++;
          const fault = FAULT_ERRORS[target];
          throw Object.assign(new Error(fault.message), {
            name: fault.name,
            $fault: 'client',
            $metadata: { httpStatusCode: fault.status, attempts: 1 },
            $retryable: { throttling: true },
          });
        }
        return next(args);
      },
      { step: 'deserialize', name: 'stewardLocalFaults', priority: 'low' },
    );
    return client;
  }
}
