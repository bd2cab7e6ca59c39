/** What handlers need from Step Functions. AWS: kernel/aws/sfn-workflows.ts, the same adapter locally against the embedded engine. */
export interface StartResult {
  executionArn: string;
  startDate: string;
}

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

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
  /**
   * Starts `workflow` (a file name in workflows/ without .asl.json) as execution `name`. Starting the
   * name of a running execution with the same input answers that execution; any other reuse of a
   * name (a closed execution, another input) throws ExecutionAlreadyExists, as AWS does for 90 days.
   */
  start(workflow: string, name: string, input: unknown): Promise<StartResult>;
  /** Completes a callback task. Returns false when the token is stale (unknown, timed out or already settled). */
  sendTaskSuccess(token: string, output: unknown): Promise<boolean>;
  sendTaskFailure(token: string, error: string, cause?: string): Promise<boolean>;
  stop(workflow: string, name: string, cause?: string): Promise<void>;
  describe(workflow: string, name: string): Promise<ExecutionDescription | undefined>;
  /** The workflow a state machine ARN belongs to (state machine names carry the stage), or undefined when it is none of ours. */
  workflowOf(stateMachineArn: string): string | undefined;
}

/** The error StartExecution answers when a name is taken for good (closed, or running with another input). */
export const isNameTaken = (error: unknown) => (error as Error)?.name === 'ExecutionAlreadyExists';
