import type { BuildHandler, BuildHandlerArguments, HandlerExecutionContext, MiddlewareStack } from '@aws-sdk/types';
import { TABLE_ACTIONS, type TableKeys } from '../aws/needs.ts';
import { tableSchema } from '../table-schema.ts';
import { AccessDenied } from './function-deps.ts';

/**
 * What IAM evaluates for one DynamoDB call: the action and the partition key values it touches
 * (`dynamodb:LeadingKeys`), on the table or on one index. A transaction is one use per item, as IAM
 * checks each item's own action; a BatchGetItem is one use with every partition it reads.
 */
export interface KeyUse {
  action: string;
  index?: string;
  partitions: string[];
}

type Input = Record<string, unknown>;
const MAX_KEPT_REFUSALS = 100;
const text = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { S?: unknown }).S === 'string') return (value as { S: string }).S;
  return undefined;
};
const partitionOf = (keyOrItem: unknown): string[] => {
  const value = text((keyOrItem as Input | undefined)?.[tableSchema.partitionKey]);
  return value === undefined ? [] : [value];
};

/** The partition a Query reads: the equality on the table's or the index's partition key in its key condition. */
function queriedPartition(input: Input): string[] {
  const index = tableSchema.globalSecondaryIndexes.find((candidate) => candidate.indexName === input.IndexName);
  const keyName = index ? index.partitionKey : tableSchema.partitionKey;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Input;
  for (const [, name, placeholder] of String(input.KeyConditionExpression ?? '').matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    if ((names[name] ?? name) !== keyName) continue;
    const value = text(values[placeholder]);
    if (value !== undefined) return [value];
  }
  return [];
}

/** The uses one DynamoDB command makes, by its SDK command name (e.g. "QueryCommand") and input. */
export function keyUsesOf(commandName: string, input: Input): KeyUse[] {
  const action = commandName.replace(/Command$/, '');
  switch (action) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ action, partitions: partitionOf(input.Key) }];
    case 'PutItem':
      return [{ action, partitions: partitionOf(input.Item) }];
    case 'Query':
      return [{ action, ...(input.IndexName ? { index: String(input.IndexName) } : {}), partitions: queriedPartition(input) }];
    case 'BatchGetItem':
      return [
        {
          action,
          partitions: Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).flatMap((request) =>
            (request.Keys ?? []).flatMap(partitionOf),
          ),
        },
      ];
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as Input[]).map((entry) => {
        if (entry.Put) return { action: 'PutItem', partitions: partitionOf((entry.Put as Input).Item) };
        if (entry.Update) return { action: 'UpdateItem', partitions: partitionOf((entry.Update as Input).Key) };
        if (entry.Delete) return { action: 'DeleteItem', partitions: partitionOf((entry.Delete as Input).Key) };
        return { action: 'ConditionCheckItem', partitions: partitionOf((entry.ConditionCheck as Input | undefined)?.Key) };
      });
    default:
      // Scan, BatchWriteItem, DescribeTable, …: no function declares them, so each is refused.
      return [{ action, partitions: [] }];
  }
}

const compiledPatterns = new Map<string, RegExp>();

/** IAM's StringLike: `*` stands for any characters, `?` for one. */
export function stringLike(pattern: string, value: string): boolean {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    compiled = new RegExp(`^${source}$`, 's');
    compiledPatterns.set(pattern, compiled);
  }
  return compiled.test(value);
}

/** The patterns a declaration allows for an action (on the table, or querying an index). */
function allowedPatterns(keys: TableKeys, use: KeyUse): string[] {
  if (use.index) return use.action === 'Query' ? (keys.indexes?.[use.index] ?? []) : [];
  const group = (Object.keys(TABLE_ACTIONS) as (keyof typeof TABLE_ACTIONS)[]).find((name) =>
    (TABLE_ACTIONS[name] as readonly string[]).includes(use.action),
  );
  return group ? (keys[group] ?? []) : [];
}

/**
 * Why IAM would refuse the use under the declared keys, or undefined when it allows it. As with
 * ForAllValues:StringLike, every partition must match a pattern; an action that names no partition
 * (a Scan) is refused because no declaration grants its action.
 */
export function refusalOf(keys: TableKeys, use: KeyUse): string | undefined {
  const patterns = allowedPatterns(keys, use);
  const where = use.index ? `index ${use.index}` : 'the table';
  if (!patterns.length) return `${use.action} on ${where}`;
  if (!use.partitions.length) return `${use.action} on ${where} without a partition key it can check`;
  const outside = use.partitions.find((partition) => !patterns.some((pattern) => stringLike(pattern, partition)));
  return outside === undefined ? undefined : `${use.action} on ${where} in partition "${outside.slice(0, 80)}"`;
}

/**
 * The embedded runtime's IAM for the table: a call made from a function's invocation is refused
 * with AccessDenied unless the function's declared keys allow it, as the grants CDK derives from the
 * same declaration would on AWS. Calls from outside any invocation (the runtime itself) pass.
 */
export class TableAccess {
  /** The refusals (the first 100), so a test run can fail on a declaration that is incomplete even where a handler swallowed the error. */
  readonly refused: string[] = [];

  constructor(
    private readonly callerOf: () => string | undefined,
    private readonly keysOf: (functionName: string) => TableKeys | undefined,
  ) {}

  check(functionName: string, commandName: string, input: Input): void {
    const keys = this.keysOf(functionName);
    for (const use of keyUsesOf(commandName, input)) {
      const refusal = keys ? refusalOf(keys, use) : `${use.action} on the table`;
      if (refusal === undefined) continue;
      if (this.refused.length < MAX_KEPT_REFUSALS) this.refused.push(`${functionName}: ${refusal}`);
      throw new AccessDenied(functionName, refusal);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: any client's stack, whatever its input and output types
  attach<C extends { middlewareStack: MiddlewareStack<any, any> }>(client: C): C {
    client.middlewareStack.add(
      // biome-ignore lint/suspicious/noExplicitAny: the stack's own input and output types
      (next: BuildHandler<any, any>, context: HandlerExecutionContext) => async (args: BuildHandlerArguments<any>) => {
        const caller = this.callerOf();
        if (caller !== undefined) this.check(caller, context.commandName ?? '', args.input as Input);
        return next(args);
      },
      { step: 'build', name: 'stewardTableAccess', priority: 'high' },
    );
    return client;
  }
}
