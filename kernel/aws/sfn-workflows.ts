import {
  SFNClient,
  StartExecutionCommand,
  SendTaskSuccessCommand,
  SendTaskFailureCommand,
  StopExecutionCommand,
  DescribeExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Telemetry } from '../telemetry.ts';
import type { ExecutionDescription, StartResult, WorkflowPort } from '../workflow-port.ts';

/**
 * The workflow port over the Step Functions API: AWS, or the embedded engine's local endpoint.
 * `stateMachineArns` maps a workflow name (e.g. "issue-lifecycle") to its state machine ARN.
 */
export class SfnWorkflows implements WorkflowPort {
  constructor(
    private readonly stateMachineArns: Record<string, string>,
    // Adaptive retries slow the client down when Step Functions throttles, instead of retrying at full speed.
    private readonly client = new SFNClient({ retryMode: 'adaptive' }),
    private readonly telemetry?: Telemetry,
  ) {}

  private arnOf(workflow: string): string {
    const arn = this.stateMachineArns[workflow];
    if (!arn) throw new Error(`no state machine ARN configured for workflow "${workflow}"`);
    return arn;
  }

  workflowOf(stateMachineArn: string): string | undefined {
    return Object.entries(this.stateMachineArns).find(([, arn]) => arn === stateMachineArn)?.[0];
  }

  private executionArn(workflow: string, name: string): string {
    return `${this.arnOf(workflow).replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async start(workflow: string, name: string, input: unknown): Promise<StartResult> {
    const out = await this.client.send(
      new StartExecutionCommand({ stateMachineArn: this.arnOf(workflow), name, input: JSON.stringify(input) }),
    );
    this.telemetry?.count('ExecutionsStarted');
    return { executionArn: out.executionArn!, startDate: out.startDate!.toISOString() };
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<boolean> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? {}) }));
      return true;
    } catch (error) {
      if (isStaleToken(error)) return false;
      throw error;
    }
  }

  async sendTaskFailure(token: string, error: string, cause?: string): Promise<boolean> {
    try {
      await this.client.send(new SendTaskFailureCommand({ taskToken: token, error, cause }));
      return true;
    } catch (failure) {
      if (isStaleToken(failure)) return false;
      throw failure;
    }
  }

  async stop(workflow: string, name: string, cause?: string): Promise<void> {
    await this.client.send(new StopExecutionCommand({ executionArn: this.executionArn(workflow, name), cause }));
  }

  async describe(workflow: string, name: string): Promise<ExecutionDescription | undefined> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn: this.executionArn(workflow, name) }));
      return {
        name,
        workflow,
        status: out.status as ExecutionDescription['status'],
        input: out.input ? JSON.parse(out.input) : undefined,
        output: out.output ? JSON.parse(out.output) : undefined,
        error: out.error,
        cause: out.cause,
        startDate: out.startDate!.toISOString(),
        stopDate: out.stopDate?.toISOString(),
      };
    } catch (error) {
      if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
  }
}

function isStaleToken(error: unknown): boolean {
  const name = (error as Error).name;
  return name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken';
}
