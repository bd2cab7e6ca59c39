import { createHash } from 'node:crypto';
import { readWait, type WaitRecord } from '../../kernel/wait-tokens.ts';
import type { DunningState } from './dunning.ts';
import type { Invoice, InvoiceStatus } from './invoices.ts';
import { ConcurrentChange, ConditionFailed, type DynamoStore, strip, type TransactEntry } from '../../kernel/dynamo-store.ts';
import { DomainError } from '../../kernel/errors.ts';

/**
 * Invoices live in their customer's partition (one query gives a customer's whole ledger, which is
 * what every dunning step reads), with a pointer item per invoice number for lookups by id. The
 * dunning state item carries the sparse, sharded index entry (gsi2) of when the customer is next
 * due: a dunning run reads only the customers with something due, never a Scan.
 */
export const DUNNING_SHARDS = 16;
export const dunningShard = (customerId: string) => createHash('sha256').update(customerId).digest().readUInt16BE(0) % DUNNING_SHARDS;

const invoiceKey = (customerId: string, id: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `INVOICE#${id}` });
const pointerKey = (id: string) => ({ pk: `INVOICE#${id}`, sk: 'META' });
/** Claims written at once by an import (DynamoDB Local and the SDK's sockets take this many well). */
const CLAIM_PARALLELISM = 25;
const dunningKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'DUNNING' });

export type StoredInvoice = Invoice & { version?: number };

export class InvoiceRepository {
  constructor(readonly store: DynamoStore) {}

  async customerOf(invoiceId: string): Promise<string | undefined> {
    return (await this.store.get<{ customerId?: string }>(pointerKey(invoiceId)))?.customerId;
  }

  /**
   * Claims every invoice id of an import for its row's customer before anything else is written:
   * all or nothing. When another customer holds one, the ids this call claimed are released and
   * it throws a 409 naming the first. Returns the ids that did not exist yet, which makes the
   * import's "created" count exact however often a later write is retried.
   */
  async claimIds(rows: { id: string; customerId: string }[], job?: string): Promise<Set<string>> {
    const claimed: { id: string; customerId: string }[] = [];
    const taken: { id: string; owner: string }[] = [];
    let failure: unknown;
    for (let i = 0; i < rows.length && !taken.length && !failure; i += CLAIM_PARALLELISM) {
      const outcomes = await Promise.allSettled(
        rows.slice(i, i + CLAIM_PARALLELISM).map(async (row) => {
          try {
            await this.store.put(
              { ...pointerKey(row.id), itemType: 'invoice-pointer', customerId: row.customerId, ...(job ? { importJob: job } : {}) },
              { ifAbsent: true },
            );
            claimed.push(row);
          } catch (error) {
            if (!(error instanceof ConditionFailed)) throw error;
            const pointer = await this.store.get<{ customerId?: string; importJob?: string }>(pointerKey(row.id));
            if (pointer?.customerId !== row.customerId) taken.push({ id: row.id, owner: pointer?.customerId ?? '(none)' });
            // An import job's earlier attempt claimed it: it is this job's new invoice still.
            else if (job && pointer.importJob === job) claimed.push(row);
          }
        }),
      );
      failure = outcomes.find((outcome) => outcome.status === 'rejected')?.reason;
    }
    if (taken.length || failure) await this.releaseIds(claimed, job);
    if (failure) throw failure;
    if (taken.length)
      throw new DomainError(
        'conflict',
        `invoice ${taken[0].id} belongs to customer ${taken[0].owner}; nothing was imported`,
        'invoice_number',
        `"${taken[0].id}" belongs to customer ${taken[0].owner}`,
      );
    return new Set(claimed.map((row) => row.id));
  }

  /** Releases claimed ids (of one import job, when named), each only while no invoice was written under it. */
  async releaseIds(rows: { id: string; customerId: string }[], job?: string): Promise<void> {
    for (let i = 0; i < rows.length; i += CLAIM_PARALLELISM)
      await Promise.all(
        rows.slice(i, i + CLAIM_PARALLELISM).map((row) =>
          this.store
            .transactWrite([
              { ConditionCheck: { Key: invoiceKey(row.customerId, row.id), ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Delete: {
                  Key: pointerKey(row.id),
                  ConditionExpression: job ? 'customerId = :c AND importJob = :j' : 'customerId = :c',
                  ExpressionAttributeValues: job ? { ':c': row.customerId, ':j': job } : { ':c': row.customerId },
                },
              },
            ])
            .catch((error) => {
              if (!(error instanceof ConditionFailed)) throw error;
            }),
        ),
      );
  }

  async get(invoiceId: string): Promise<StoredInvoice | undefined> {
    const customerId = await this.customerOf(invoiceId);
    if (!customerId) return undefined;
    const item = await this.store.get(invoiceKey(customerId, invoiceId));
    return item ? (strip(item) as unknown as StoredInvoice) : undefined;
  }

  async ofCustomer(customerId: string): Promise<StoredInvoice[]> {
    const items = await this.store.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :inv)',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':inv': 'INVOICE#' },
    });
    return items.map((item) => strip(item) as unknown as StoredInvoice);
  }

  /** A page of a customer's invoices by id; `after` is the `next` of the page before. */
  async customerInvoicesPage(customerId: string, limit: number, after?: string): Promise<{ invoices: StoredInvoice[]; next?: string }> {
    const page = await this.store.prefixPage({ partition: `CUSTOMER#${customerId}`, prefix: 'INVOICE#', limit, after });
    return { invoices: page.items.map((item) => strip(item) as unknown as StoredInvoice), ...(page.next ? { next: page.next } : {}) };
  }

  /** A page of the invoices in one status, by due date; `after` is the `next` of the page before. */
  async byStatusPage(status: InvoiceStatus, limit: number, after?: string): Promise<{ invoices: StoredInvoice[]; next?: string }> {
    const page = await this.store.prefixPage({ index: 'gsi3', partition: `INVOICES#${status}`, prefix: '', limit, after });
    const invoices = (await this.store.batchGet(page.items.map(({ pk, sk }) => ({ pk: String(pk), sk: String(sk) })))).map(
      (item) => strip(item) as unknown as StoredInvoice,
    );
    return { invoices, ...(page.next ? { next: page.next } : {}) };
  }

  async byStatus(status: InvoiceStatus): Promise<StoredInvoice[]> {
    const keys = await this.store.query({
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': `INVOICES#${status}` },
    });
    return (await this.store.batchGet(keys.map(({ pk, sk }) => ({ pk: String(pk), sk: String(sk) })))).map(
      (item) => strip(item) as unknown as StoredInvoice,
    );
  }

  /** Entries that write invoices, each only if unchanged since read (optimistic lock on `version`); a new one with its pointer. */
  writes(invoices: StoredInvoice[]): TransactEntry[] {
    return invoices.flatMap((invoice): TransactEntry[] => {
      const version = invoice.version ?? 0;
      const item = {
        ...invoiceKey(invoice.customerId, invoice.id),
        itemType: 'invoice',
        ...invoice,
        version: version + 1,
        gsi3pk: `INVOICES#${invoice.status}`,
        gsi3sk: `${invoice.dueDate}#${invoice.id}`,
      };
      const put: TransactEntry = version
        ? { Put: { Item: item, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } } }
        : { Put: { Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
      // An invoice id belongs to one customer for good: the pointer is only ever written by its owner.
      const pointer: TransactEntry = {
        Put: {
          Item: { ...pointerKey(invoice.id), itemType: 'invoice-pointer', customerId: invoice.customerId },
          ConditionExpression: 'attribute_not_exists(pk) OR customerId = :c',
          ExpressionAttributeValues: { ':c': invoice.customerId },
        },
      };
      return version ? [put] : [put, pointer];
    });
  }

  async dunningState(customerId: string): Promise<DunningState & { version?: number }> {
    const item = await this.store.get(dunningKey(customerId));
    return item ? (strip(item) as unknown as DunningState) : { customerId, generation: 1, sent: {} };
  }

  /** The stored dunning states of these customers (a customer never dunned has none). */
  async dunningStates(customerIds: string[]): Promise<DunningState[]> {
    const items = await this.store.batchGet(customerIds.map(dunningKey));
    return items.map((item) => strip(item) as unknown as DunningState);
  }

  /** The dunning state write, with its index entry when something falls due (sparse: none otherwise). */
  dunningWrite(state: DunningState & { version?: number }): TransactEntry {
    const version = state.version ?? 0;
    const { version: _v, ...rest } = state;
    const item = {
      ...dunningKey(state.customerId),
      itemType: 'dunning',
      ...rest,
      version: version + 1,
      ...(state.nextDunningAt
        ? { gsi2pk: `DUNNING#${dunningShard(state.customerId)}`, gsi2sk: `${state.nextDunningAt}#${state.customerId}` }
        : {}),
    };
    return version
      ? { Put: { Item: item, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } } }
      : { Put: { Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  /** Writes invoices and the dunning state together; false when any of them changed meanwhile. */
  async save(invoices: StoredInvoice[], state?: DunningState & { version?: number }): Promise<boolean> {
    const entries = [...this.writes(invoices), ...(state ? [this.dunningWrite(state)] : [])];
    if (!entries.length) return true;
    try {
      if (entries.length === 1 && 'Put' in entries[0]) {
        const put = entries[0].Put;
        await this.store.put(put.Item as never, { condition: put.ConditionExpression, values: put.ExpressionAttributeValues });
      } else await this.store.transactWrite(entries);
      return true;
    } catch (error) {
      if (error instanceof ConcurrentChange) return false;
      if (!(error instanceof ConditionFailed)) throw error;
      for (const index of error.failedIndexes) {
        const entry = entries[index];
        if (!('Put' in entry) || entry.Put.Item.itemType !== 'invoice-pointer') continue;
        const id = String(entry.Put.Item.pk).slice('INVOICE#'.length);
        const owner = await this.customerOf(id);
        if (owner && owner !== entry.Put.Item.customerId)
          throw new DomainError('conflict', `invoice ${id} belongs to customer ${owner}`, 'id', `belongs to customer ${owner}`);
      }
      return false;
    }
  }

  /** Customers whose next dunning is due by `now`, one shard: the index holds only customers with something due. */
  async dueIn(shard: number, now: Date): Promise<{ customerId: string; generation: number }[]> {
    const items = await this.store.query({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :now',
      ExpressionAttributeValues: { ':pk': `DUNNING#${shard}`, ':now': `${now.toISOString()}#~` },
    });
    return items.map((item) => ({ customerId: String(item.customerId), generation: Number(item.generation) }));
  }

  async waitToken(customerId: string): Promise<string | undefined> {
    return (await this.waitRecord(customerId))?.token;
  }

  async waitRecord(customerId: string): Promise<WaitRecord | undefined> {
    return readWait(this.store, dunningWaitKey(customerId));
  }
}

/** Where a customer's waiting dunning run keeps its callback token (kernel/wait-tokens.ts). */
export const dunningWaitKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'DUNNING-WAIT' });
