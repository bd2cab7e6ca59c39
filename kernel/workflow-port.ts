/** What handlers need from Step Functions. AWS: kernel/aws/sfn-workflows.ts; locally: the embedded engine. */
export interface StartResult {
  executionArn: string;
  /** true when an execution with this name already existed (the start was a no-op). */
  alreadyStarted: boolean;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  name: string;
  workflow: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate?: string;
}

export interface WorkflowPort {
  /** Starts `workflow` (a file name in workflows/ without .asl.json); idempotent by `name`. */
  start(workflow: string, name: string, input: unknown): Promise<StartResult>;
  /** Completes a callback task. Returns false when the token is unknown or already settled. */
  sendTaskSuccess(token: string, output: unknown): Promise<boolean>;
  sendTaskFailure(token: string, error: string, cause?: string): Promise<boolean>;
  stop(workflow: string, name: string, cause?: string): Promise<void>;
  describe(workflow: string, name: string): Promise<ExecutionDescription | undefined>;
}
