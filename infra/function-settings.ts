/**
 * Per-function Lambda settings, one list for both columns: CDK deploys them and the embedded
 * runtime gives each handler the same remaining time in its context.
 */
export interface FunctionSettings {
  timeoutSeconds: number;
  memoryMb: number;
}

const defaults: FunctionSettings = { timeoutSeconds: 30, memoryMb: 256 };

/** The dunning run paces its starts (200/s) over every due customer: it gets Lambda's longest timeout and stops itself before it. */
const overrides: Record<string, Partial<FunctionSettings>> = {
  'dunning-run': { timeoutSeconds: 900 },
};

export const functionSettings = (name: string): FunctionSettings => ({ ...defaults, ...overrides[name] });
