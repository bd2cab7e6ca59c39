import type { Customer } from '../domain/customers.ts';
import type { Issue, IssueEvent, IssueStatus } from '../domain/issues.ts';
import { ConditionFailed, type DynamoStore } from './dynamo-store.ts';

/** Item layout of customers and issues in the single table. */
const customerKey = (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'META' });
const issueKey = (id: string) => ({ pk: `ISSUE#${id}`, sk: 'META' });

export interface TimelineEntry {
  at: string;
  type: string;
  [key: string]: unknown;
}

export class IssueRepository {
  constructor(readonly store: DynamoStore) {}

  async putCustomer(customer: Customer, at: Date): Promise<void> {
    await this.store.put({ ...customerKey(customer.id), itemType: 'customer', ...customer, updatedAt: at.toISOString() });
  }

  async getCustomer(id: string): Promise<Customer | undefined> {
    const item = await this.store.get(customerKey(id));
    return item ? (strip(item) as unknown as Customer) : undefined;
  }

  async nextIssueId(): Promise<string> {
    const out = await this.store.update<{ value: number }>({
      Key: { pk: 'COUNTER', sk: 'ISSUE' },
      UpdateExpression: 'ADD #v :one',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
    });
    return `ISS-${1000 + Number(out!.value)}`;
  }

  async createIssue(issue: Issue): Promise<void> {
    await this.store.transactWrite([
      { Put: { Item: { ...issueKey(issue.id), itemType: 'issue', ...issue, ...listKeys(issue) }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { Item: timelineItem(issue.id, { at: issue.createdAt, type: 'opened', severity: issue.severity, source: issue.source }, 0) } },
    ]);
  }

  async getIssue(id: string): Promise<Issue | undefined> {
    const item = await this.store.get(issueKey(id));
    return item ? (strip(item) as unknown as Issue) : undefined;
  }

  async listIssues(filter: { customerId?: string; status?: IssueStatus }): Promise<Issue[]> {
    if (filter.customerId) {
      const items = await this.store.query({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :issue)',
        ExpressionAttributeValues: { ':pk': `CUSTOMER#${filter.customerId}`, ':issue': 'ISSUE#' },
        ScanIndexForward: false,
      });
      const issues = items.map((item) => strip(item) as unknown as Issue);
      return filter.status ? issues.filter((issue) => issue.status === filter.status) : issues;
    }
    const statuses: IssueStatus[] = filter.status ? [filter.status] : ['open', 'acknowledged', 'resolved', 'closed'];
    const lists = await Promise.all(
      statuses.map((status) =>
        this.store.query({
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': `ISSUES#${status}` },
          ScanIndexForward: false,
        }),
      ),
    );
    return lists
      .flat()
      .map((item) => strip(item) as unknown as Issue)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * Stores the issue after an event together with its timeline entry, only if nobody else changed
   * the issue meanwhile (optimistic lock on eventSeq). Returns false on a lost race.
   */
  async recordEvent(before: Issue, after: Issue, event: IssueEvent, at: Date): Promise<boolean> {
    try {
      await this.store.transactWrite([
        {
          Put: {
            Item: { ...issueKey(after.id), itemType: 'issue', ...after, ...listKeys(after) },
            ConditionExpression: 'eventSeq = :seq',
            ExpressionAttributeValues: { ':seq': before.eventSeq },
          },
        },
        { Put: { Item: timelineItem(after.id, { ...event, at: at.toISOString() }, after.eventSeq) } },
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }

  async addTimeline(issueId: string, entry: TimelineEntry, seq: number): Promise<void> {
    await this.store.put(timelineItem(issueId, entry, seq));
  }

  async timeline(issueId: string): Promise<TimelineEntry[]> {
    const items = await this.store.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
      ExpressionAttributeValues: { ':pk': `ISSUE#${issueId}`, ':tl': 'TL#' },
    });
    return items.map((item) => strip(item) as TimelineEntry);
  }

  /**
   * Stores the workflow's callback token (an item of its own, so issue writes never erase it) and
   * returns the issue read after it: an event writes the issue first and reads the token after, so
   * one of the two always sees the other.
   */
  async setWaitToken(issueId: string, token: string): Promise<Issue | undefined> {
    await this.store.put({ pk: `ISSUE#${issueId}`, sk: 'WAIT', itemType: 'wait-token', token });
    return this.getIssue(issueId);
  }

  async waitToken(issueId: string): Promise<string | undefined> {
    return (await this.store.get<{ token?: string }>({ pk: `ISSUE#${issueId}`, sk: 'WAIT' }))?.token;
  }

  /** Records that the workflow acted on every event up to `seq`. */
  async markHandled(issueId: string, seq: number): Promise<void> {
    await this.store.update({
      Key: issueKey(issueId),
      UpdateExpression: 'SET handledSeq = :s',
      ConditionExpression: 'attribute_not_exists(handledSeq) OR handledSeq < :s',
      ExpressionAttributeValues: { ':s': seq },
    }).catch((error) => {
      if (!(error instanceof ConditionFailed)) throw error;
    });
  }
}

function listKeys(issue: Issue) {
  return {
    gsi1pk: `CUSTOMER#${issue.customerId}`,
    gsi1sk: `ISSUE#${issue.createdAt}#${issue.id}`,
    gsi3pk: `ISSUES#${issue.status}`,
    gsi3sk: `${issue.createdAt}#${issue.id}`,
  };
}

function timelineItem(issueId: string, entry: TimelineEntry, seq: number) {
  return { pk: `ISSUE#${issueId}`, sk: `TL#${entry.at}#${String(seq).padStart(6, '0')}#${entry.type}`, ...entry };
}

/** Drops the table's key attributes from an item. */
export function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, gsi3pk: _g3, gsi3sk: _g3s, itemType: _itemType, ...rest } = item;
  return rest;
}
