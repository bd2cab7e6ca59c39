import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { TokenBucket } from '../../kernel/pace.ts';
import type { ExecutionStatus } from '../../kernel/workflow-port.ts';
import {
  executionArn,
  LOCAL_PLACE,
  parseExecutionArn,
  parseStateMachineArn,
  stateMachineArn,
  stateMachineName,
  workflowOfStateMachine,
} from '../aws-names.ts';
import { awsError, type LocalEngine } from './engine.ts';
import type { ExecutionRecord } from './execution-records.ts';
import { startLocalApi } from './local-api.ts';

const MAX_REQUEST_BYTES = 1_048_576;
const TARGET_PREFIX = 'AWSStepFunctions.';
const STATUSES: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const PAGE = 100;

type Body = Record<string, unknown>;
type Operation = (body: Body) => Promise<Body>;

/**
 * The embedded engine behind the Step Functions API (AWS JSON 1.0: POST /, `X-Amz-Target:
 * AWSStepFunctions.<Operation>`), so the functions use the same @aws-sdk/client-sfn adapter as on AWS
 * and any SDK or the AWS CLI pointed at the endpoint works. Errors answer as AWS does: HTTP 400 with
 * the error's name in `__type`.
 */
export function sfnOperations(engine: LocalEngine, definitions: Map<string, unknown>, createdAt: Date): Record<string, Operation> {
  const workflowOf = (arn: unknown) => {
    const parsed = typeof arn === 'string' ? parseStateMachineArn(arn) : undefined;
    if (!parsed) throw awsError('InvalidArn', `Invalid Arn: '${String(arn).slice(0, 200)}'`);
    const workflow = workflowOfStateMachine(parsed.stateMachineName);
    if (!workflow || !definitions.has(workflow))
      throw awsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return workflow;
  };
  const executionOf = (arn: unknown) => {
    const parsed = typeof arn === 'string' ? parseExecutionArn(arn) : undefined;
    if (!parsed) throw awsError('InvalidArn', `Invalid Arn: '${String(arn).slice(0, 200)}'`);
    const workflow = workflowOfStateMachine(parsed.stateMachineName);
    if (!workflow || !definitions.has(workflow)) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return { workflow, name: parsed.name };
  };
  const text = (value: unknown, field: string, optional = false): string | undefined => {
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string') throw awsError('ValidationException', `1 validation error detected: '${field}' must be a string`);
    return value;
  };
  const seconds = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);
  const summary = (record: ExecutionRecord) => ({
    executionArn: executionArn(LOCAL_PLACE, record.workflow, record.name),
    stateMachineArn: stateMachineArn(LOCAL_PLACE, record.workflow),
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    stopDate: seconds(record.stopDate),
  });
  const page = <T>(items: T[], body: Body) => {
    const max = typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, 1000) : PAGE;
    const from = typeof body.nextToken === 'string' ? Number(Buffer.from(body.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(from) || from < 0) throw awsError('InvalidToken', 'Invalid Token: nextToken');
    const slice = items.slice(from, from + max);
    return { slice, nextToken: from + max < items.length ? Buffer.from(String(from + max)).toString('base64url') : undefined };
  };
  const machine = (workflow: string) => ({
    stateMachineArn: stateMachineArn(LOCAL_PLACE, workflow),
    name: stateMachineName(workflow),
    type: 'STANDARD',
    creationDate: createdAt.getTime() / 1000,
  });

  return {
    ListStateMachines: async () => ({ stateMachines: [...definitions.keys()].map(machine) }),
    DescribeStateMachine: async (body) => {
      const workflow = workflowOf(body.stateMachineArn);
      return {
        ...machine(workflow),
        status: 'ACTIVE',
        definition: JSON.stringify(definitions.get(workflow)),
        roleArn: `arn:aws:iam::${LOCAL_PLACE.account}:role/steward-local`,
      };
    },
    StartExecution: async (body) => {
      const workflow = workflowOf(body.stateMachineArn);
      const name = text(body.name, 'name', true) ?? randomUUID();
      const result = await engine.start(workflow, name, text(body.input, 'input', true) ?? '{}');
      return { executionArn: result.executionArn, startDate: seconds(result.startDate) };
    },
    DescribeExecution: async (body) => {
      const { workflow, name } = executionOf(body.executionArn);
      const record = await engine.describe(workflow, name);
      if (!record) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
      return {
        ...summary(record),
        input: record.inputText ?? JSON.stringify(record.input),
        output: record.output === undefined ? undefined : JSON.stringify(record.output),
        error: record.error,
        cause: record.cause,
      };
    },
    StopExecution: async (body) => {
      const { workflow, name } = executionOf(body.executionArn);
      return { stopDate: seconds((await engine.stop(workflow, name)).stopDate) };
    },
    ListExecutions: async (body) => {
      const workflow = workflowOf(body.stateMachineArn);
      const status = text(body.statusFilter, 'statusFilter', true);
      if (status !== undefined && !STATUSES.includes(status as ExecutionStatus))
        throw awsError('ValidationException', `1 validation error detected: 'statusFilter' must be one of ${STATUSES.join(', ')}`);
      const { slice, nextToken } = page(await engine.list(workflow, status as ExecutionStatus | undefined), body);
      return { executions: slice.map(summary), nextToken };
    },
    GetExecutionHistory: async (body) => {
      const { workflow, name } = executionOf(body.executionArn);
      const record = await engine.describe(workflow, name);
      if (!record) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
      const events = record.events.map(({ type, timestamp, ...details }, index) => ({
        id: index + 1,
        previousEventId: index,
        type,
        timestamp: seconds(timestamp),
        details,
      }));
      if (body.reverseOrder === true) events.reverse();
      const { slice, nextToken } = page(events, body);
      return { events: slice, nextToken };
    },
    SendTaskSuccess: async (body) => {
      await engine.sendTaskSuccess(text(body.taskToken, 'taskToken')!, text(body.output, 'output')!);
      return {};
    },
    SendTaskFailure: async (body) => {
      await engine.sendTaskFailure(text(body.taskToken, 'taskToken')!, text(body.error, 'error', true), text(body.cause, 'cause', true));
      return {};
    },
    SendTaskHeartbeat: async (body) => {
      await engine.sendTaskHeartbeat(text(body.taskToken, 'taskToken')!);
      return {};
    },
  };
}

/**
 * Step Functions' API throttling for Standard workflows, per account and Region, as token buckets:
 * the burst a full bucket allows and the tokens it gets back each second (the documented defaults
 * outside the three largest Regions, the stricter ones). A call without a token is refused with
 * ThrottlingException, as AWS refuses it.
 */
export const SFN_API_QUOTAS: Record<string, { burst: number; perSecond: number }> = {
  StartExecution: { burst: 800, perSecond: 150 },
  DescribeExecution: { burst: 250, perSecond: 15 },
  StopExecution: { burst: 500, perSecond: 25 },
  ListExecutions: { burst: 100, perSecond: 5 },
  GetExecutionHistory: { burst: 400, perSecond: 20 },
  DescribeStateMachine: { burst: 200, perSecond: 20 },
  ListStateMachines: { burst: 100, perSecond: 5 },
  SendTaskSuccess: { burst: 3000, perSecond: 500 },
  SendTaskFailure: { burst: 3000, perSecond: 500 },
  SendTaskHeartbeat: { burst: 3000, perSecond: 500 },
};

/** The quotas above, each operation with its own bucket; `take` says whether a call may go now. */
export class ApiQuotas {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Calls refused, per operation. */
  readonly throttled: Record<string, number> = {};
  /** Calls let through, per operation. */
  readonly served: Record<string, number> = {};

  constructor(
    private readonly quotas: Record<string, { burst: number; perSecond: number }> = SFN_API_QUOTAS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(operation: string): boolean {
    const quota = this.quotas[operation];
    if (quota) {
      const bucket = this.buckets.get(operation) ?? new TokenBucket(quota.perSecond, quota.burst, this.now);
      this.buckets.set(operation, bucket);
      if (!bucket.tryTake()) {
        this.throttled[operation] = (this.throttled[operation] ?? 0) + 1;
        return false;
      }
    }
    this.served[operation] = (this.served[operation] ?? 0) + 1;
    return true;
  }
}

export interface SfnApi {
  server: Server;
  endpoint: string;
  quotas: ApiQuotas;
}

/** Serves the operations on 127.0.0.1:`port`, each call taking a token of its operation's quota first. */
export async function startSfnApi(port: number, operations: Record<string, Operation>, quotas = new ApiQuotas()): Promise<SfnApi> {
  const { server, endpoint } = await startLocalApi(port, MAX_REQUEST_BYTES, (request, response, raw) => {
    const answer = (status: number, body: Body) => {
      const text = JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() };
      if (status >= 400) headers['x-amzn-errortype'] = String(body.__type);
      response.writeHead(status, headers).end(text);
    };
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (request.method !== 'POST' || !operation)
      return answer(400, { __type: 'UnknownOperationException', message: `unknown operation "${target.slice(0, 100)}"` });
    if (!raw) return answer(413, { __type: 'RequestEntityTooLarge', message: 'request too large' });
    if (!quotas.take(name)) return answer(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    let body: Body;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return answer(400, { __type: 'SerializationException', message: 'the request body is not a JSON object' });
    }
    operation(body).then(
      (result) => answer(200, result),
      (error: Error & { awsError?: boolean }) =>
        error.awsError
          ? answer(400, { __type: error.name, message: error.message })
          : answer(500, { __type: 'InternalFailure', message: error.message }),
    );
  });
  return { server, endpoint, quotas };
}
