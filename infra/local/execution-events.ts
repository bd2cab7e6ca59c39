import { randomUUID } from 'node:crypto';
import { executionArn, LOCAL_PLACE, stateMachineArn } from '../aws-names.ts';
import type { ExecutionRecord } from './execution-records.ts';

/** The EventBridge event Step Functions sends when an execution ends. */
export function executionStatusChange(record: ExecutionRecord) {
  const arn = executionArn(LOCAL_PLACE, record.workflow, record.name);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: LOCAL_PLACE.account,
    time: record.stopDate ?? record.startDate,
    region: LOCAL_PLACE.region,
    resources: [arn],
    detail: {
      executionArn: arn,
      stateMachineArn: stateMachineArn(LOCAL_PLACE, record.workflow),
      name: record.name,
      status: record.status,
      startDate: Date.parse(record.startDate),
      stopDate: record.stopDate ? Date.parse(record.stopDate) : null,
      input: record.inputText ?? JSON.stringify(record.input),
      output: record.output === undefined ? null : JSON.stringify(record.output),
      error: record.error ?? null,
      cause: record.cause ?? null,
    },
  };
}
