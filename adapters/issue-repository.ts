import { senderKeys, type Customer } from '../domain/customers.ts';
import { issueStatuses, normalizeIssue, type Issue, type IssueStatus } from '../domain/issues.ts';
import { ConditionFailed, type DynamoStore, type TransactEntry } from './dynamo-store.ts';

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

  /**
   * Stores the customer with an index item per contact address and email domain (how inbound mail
   * finds its customer), removing the index items of addresses and domains it no longer has.
   */
  async putCustomer(customer: Customer, at: Date): Promise<void> {
    const before = await this.getCustomer(customer.id);
    const keys = senderKeys(customer);
    const old = before ? senderKeys(before) : { contacts: [], domains: [] };
    const senderItems = [...keys.contacts.map((address) => `CONTACT#${address}`), ...keys.domains.map((domain) => `DOMAIN#${domain}`)];
    const stale = [...old.contacts.map((address) => `CONTACT#${address}`), ...old.domains.map((domain) => `DOMAIN#${domain}`)].filter(
      (pk) => !senderItems.includes(pk),
    );
    await this.store.transactWrite([
      { Put: { Item: { ...customerKey(customer.id), itemType: 'customer', ...customer, updatedAt: at.toISOString() } } },
      ...[...new Set(senderItems)].map((pk) => ({ Put: { Item: { pk, sk: 'SENDER', itemType: 'sender', customerId: customer.id } } })),
      ...[...new Set(stale)].map((pk) => ({
        Delete: { Key: { pk, sk: 'SENDER' }, ConditionExpression: 'customerId = :c', ExpressionAttributeValues: { ':c': customer.id } },
      })),
    ]);
  }

  /** The customer a sender address belongs to: by contact address first, then by email domain. */
  async customerBySender(address: string): Promise<Customer | undefined> {
    const normalized = address.trim().toLowerCase();
    const domain = normalized.split('@')[1];
    for (const pk of [`CONTACT#${normalized}`, ...(domain ? [`DOMAIN#${domain}`] : [])]) {
      const pointer = await this.store.get<{ customerId?: string }>({ pk, sk: 'SENDER' });
      if (pointer?.customerId) return this.getCustomer(pointer.customerId);
    }
    return undefined;
  }

  async getCustomer(id: string): Promise<Customer | undefined> {
    const item = await this.store.get(customerKey(id));
    // Customers stored before policies were named open issues under the default policy.
    return item ? ({ policy: 'default', ...strip(item) } as unknown as Customer) : undefined;
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

  /** Creates the issue and its first timeline entry; false when an issue with this id exists already. */
  async createIssue(issue: Issue, eventIds: string[] = []): Promise<boolean> {
    try {
      await this.store.transactWrite([
        ...eventIds.map((eventId) => ({
          Put: { Item: { pk: `ISSUE#${issue.id}`, sk: `EVENTID#${eventId}`, itemType: 'event-id', at: issue.createdAt } },
        })),
        {
          Put: {
            Item: { ...issueKey(issue.id), itemType: 'issue', ...issue, version: 1, ...listKeys(issue) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            Item: timelineItem(
              issue.id,
              {
                at: issue.createdAt,
                type: 'opened',
                severity: issue.severity,
                source: issue.source,
                ...(issue.origin ? { origin: issue.origin } : {}),
              },
              0,
            ),
          },
        },
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }

  async hasEventId(issueId: string, eventId: string): Promise<boolean> {
    return (await this.store.get({ pk: `ISSUE#${issueId}`, sk: `EVENTID#${eventId}` })) !== undefined;
  }

  async getIssue(id: string): Promise<Issue | undefined> {
    const item = await this.store.get(issueKey(id));
    return item ? normalizeIssue(strip(item) as unknown as Issue) : undefined;
  }

  /** Issues of a customer, or of every customer by status; `createdFrom`/`createdTo` bound the opening time. */
  async listIssues(filter: { customerId?: string; status?: IssueStatus; createdFrom?: string; createdTo?: string }): Promise<Issue[]> {
    const from = filter.createdFrom ?? '0000';
    const to = filter.createdTo ?? '9999';
    if (filter.customerId) {
      const keys = await this.store.query<{ pk: string; sk: string }>({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': `CUSTOMER#${filter.customerId}`, ':from': `ISSUE#${from}`, ':to': `ISSUE#${to}` },
        ScanIndexForward: false,
      });
      const issues = (await this.store.batchGet(keys.map(({ pk, sk }) => ({ pk, sk })))).map((item) =>
        normalizeIssue(strip(item) as unknown as Issue),
      );
      return filter.status ? issues.filter((issue) => issue.status === filter.status) : issues;
    }
    const statuses: IssueStatus[] = filter.status ? [filter.status] : issueStatuses;
    const lists = await Promise.all(
      statuses.map((status) =>
        this.store.query({
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `ISSUES#${status}`, ':from': from, ':to': to },
          ScanIndexForward: false,
        }),
      ),
    );
    const keys = lists.flat().map(({ pk, sk }) => ({ pk: String(pk), sk: String(sk) }));
    return (await this.store.batchGet(keys))
      .map((item) => normalizeIssue(strip(item) as unknown as Issue))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * Stores the issue after a change, only if nobody else changed it meanwhile (optimistic lock on
   * `version`), together with its timeline entry and, for an event with an id, a marker that makes
   * a second delivery of the same event a no-op. Returns 'saved', 'conflict' (re-read and retry)
   * or 'duplicate' (the event id was recorded before).
   */
  async saveIssue(before: Issue, after: Issue, entry?: TimelineEntry, eventId?: string): Promise<'saved' | 'conflict' | 'duplicate'> {
    const version = before.version ?? 0;
    const issuePut = {
      Item: { ...issueKey(after.id), itemType: 'issue', ...after, version: version + 1, ...listKeys(after) },
      ConditionExpression: version ? 'version = :v' : 'attribute_not_exists(version)',
      ExpressionAttributeValues: version ? { ':v': version } : undefined,
    };
    const entries: TransactEntry[] = [{ Put: issuePut }];
    if (entry) entries.push({ Put: { Item: timelineItem(after.id, entry, after.eventSeq) } });
    if (eventId)
      entries.push({
        Put: {
          Item: { pk: `ISSUE#${after.id}`, sk: `EVENTID#${eventId}`, itemType: 'event-id', at: entry?.at },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    try {
      if (entries.length === 1)
        await this.store.put(issuePut.Item, { condition: issuePut.ConditionExpression, values: issuePut.ExpressionAttributeValues });
      else await this.store.transactWrite(entries);
      after.version = version + 1;
      return 'saved';
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      return eventId && error.failedIndexes.includes(entries.length - 1) ? 'duplicate' : 'conflict';
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

  /** Records that the workflow acted on every event up to `seq` (without touching `version`: it races with nobody). */
  async markHandled(issueId: string, seq: number): Promise<void> {
    await this.store
      .update({
        Key: issueKey(issueId),
        UpdateExpression: 'SET handledSeq = :s',
        ConditionExpression: 'attribute_not_exists(handledSeq) OR handledSeq < :s',
        ExpressionAttributeValues: { ':s': seq },
      })
      .catch((error) => {
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
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    gsi3pk: _g3,
    gsi3sk: _g3s,
    itemType: _itemType,
    ...rest
  } = item;
  return rest;
}
