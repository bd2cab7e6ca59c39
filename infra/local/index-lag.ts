import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments, MiddlewareStack } from '@aws-sdk/types';

/** The longest index delay the setting accepts. */
export const MAX_INDEX_DELAY_MS = 3_600_000;

// An item as the document client passes it (plain values) or as the low-level client does ({S: …}).
type AnyItem = Record<string, AttributeValue | unknown>;
// biome-ignore lint/suspicious/noExplicitAny: commands of every shape pass through one middleware
type AnyInput = any;

const text = (value: unknown) => (typeof value === 'string' ? value : (value as AttributeValue | undefined)?.S);
const keyOf = (item: AnyItem | undefined) => {
  const pk = text(item?.pk);
  const sk = text(item?.sk);
  return pk !== undefined && sk !== undefined ? `${pk}\u0000${sk}` : undefined;
};

/** The table keys a write command changes. */
function writtenKeys(commandName: string, input: AnyInput): (string | undefined)[] {
  switch (commandName) {
    case 'PutItemCommand':
      return [keyOf(input.Item)];
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return [keyOf(input.Key)];
    case 'TransactWriteItemsCommand':
      return (input.TransactItems ?? []).map((entry: AnyInput) => keyOf(entry.Put?.Item ?? entry.Update?.Key ?? entry.Delete?.Key));
    case 'BatchWriteItemCommand':
      return Object.values<AnyInput[]>(input.RequestItems ?? {})
        .flat()
        .map((request) => keyOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key));
    default:
      return [];
  }
}

/**
 * DynamoDB Local updates a global secondary index in the same instant as the table; on AWS an index
 * follows the table asynchronously (usually within a second, longer under load). With a delay set,
 * an index query does not see an item written (created, changed or deleted) less than that long
 * ago on the runtime's clock: a test can show that no decision depends on an index being current.
 * On the manual clock, what a step writes is then invisible to every index query until the clock
 * moves on, as it would be to one made in the same second on AWS. (It hides the item rather than
 * showing its previous version: it models a late index, not a stale one.)
 */
export class IndexLag {
  private readonly writtenAt = new Map<string, number>();
  /** Items an index query did not see because they were written too recently. */
  hidden = 0;

  constructor(
    readonly delayMs: number,
    private readonly now: () => number,
  ) {}

  /** Adds the delay to a DynamoDB client (SDK v3; a document client made from it shares its middleware). */
  // biome-ignore lint/suspicious/noExplicitAny: any client's stack, whatever its input and output types
  attach<C extends { middlewareStack: MiddlewareStack<any, any> }>(client: C): C {
    if (this.delayMs <= 0) return client;
    client.middlewareStack.add(
      // biome-ignore lint/suspicious/noExplicitAny: the stack's own input and output types
      (next: InitializeHandler<any, any>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<any>) => {
        const commandName = context.commandName ?? '';
        const result = await next(args);
        const now = this.now();
        for (const key of writtenKeys(commandName, args.input)) if (key) this.writtenAt.set(key, now);
        if ((commandName === 'QueryCommand' || commandName === 'ScanCommand') && args.input.IndexName && result.output.Items) {
          this.forget(now);
          const visible = (result.output.Items as AnyItem[]).filter((item) => {
            const at = this.writtenAt.get(keyOf(item) ?? '');
            return at === undefined || now - at >= this.delayMs;
          });
          this.hidden += result.output.Items.length - visible.length;
          result.output.Items = visible;
          result.output.Count = visible.length;
        }
        return result;
      },
      { step: 'initialize', name: 'stewardIndexLag' },
    );
    return client;
  }

  private forget(now: number): void {
    for (const [key, at] of this.writtenAt) if (now - at >= this.delayMs) this.writtenAt.delete(key);
  }
}
