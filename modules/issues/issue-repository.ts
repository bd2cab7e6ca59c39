import type { Actor } from '../../kernel/actor.ts';
import { nextCount } from '../../kernel/counters.ts';
import { issueStatuses, normalizeIssue, type Issue, type IssueStatus } from './issue.ts';
import { ConcurrentChange, ConditionFailed, type DynamoStore, strip, type TransactEntry } from '../../kernel/dynamo-store.ts';
import { DomainError } from '../../kernel/errors.ts';
import { readWait, type WaitRecord } from '../../kernel/wait-tokens.ts';
import { issueKey, issueWaitKey } from './issue-identity.ts';

/** Item layout of issues in the single table. */
/** Below DynamoDB's 400 KB item limit, with room for the key and index attributes. */
const MAX_ISSUE_ITEM_BYTES = 350_000;

export interface TimelineEntry {
  at: string;
  type: string;
  [key: string]: unknown;
}

export class IssueRepository {
  constructor(readonly store: DynamoStore) {}

  async nextIssueId(): Promise<string> {
    return `ISS-${1000 + (await nextCount(this.store, 'ISSUE'))}`;
  }

  /** Creates the issue and its first timeline entry; false when an issue with this id exists already. */
  async createIssue(issue: Issue, eventIds: string[] = [], by?: Actor): Promise<boolean> {
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
        { Put: { Item: { ...customerIssueKey(issue), itemType: 'customer-issue', issueId: issue.id } } },
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
                ...(by ? { by } : {}),
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

  /**
   * A page of a customer's issues, newest first; `after` is the `next` of the page before. Read from the
   * customer's own pointers and the history index (issues stored before the pointers existed), merged.
   */
  async customerIssuesPage(customerId: string, limit: number, after?: string): Promise<{ issues: Issue[]; next?: string }> {
    const page = { partition: `CUSTOMER#${customerId}`, prefix: 'ISSUE#', limit, after, descending: true };
    const [pointers, indexed] = await Promise.all([this.store.prefixPage(page), this.store.prefixPage({ ...page, index: 'gsi1' })]);
    const sortKeys = [
      ...new Set([...pointers.items.map((item) => String(item.sk)), ...indexed.items.map((item) => String(item.gsi1sk))]),
    ].sort((a, b) => b.localeCompare(a));
    const chosen = sortKeys.slice(0, limit).map((sortKey) => sortKey.slice(page.prefix.length));
    const more = sortKeys.length > limit || pointers.next !== undefined || indexed.next !== undefined;
    // A sort key is `<createdAt>#<id>`; an ISO instant holds no "#".
    const issues = await this.issuesById(chosen.map((sortKey) => sortKey.slice(sortKey.indexOf('#') + 1)));
    return { issues, ...(more && chosen.length ? { next: chosen.at(-1) } : {}) };
  }

  /** Reads these issues whole, in the order given (a page of a list read with `attributes`). */
  async issuesById(ids: string[]): Promise<Issue[]> {
    return (await this.store.batchGet(ids.map(issueKey))).map((item) => normalizeIssue(strip(item) as unknown as Issue));
  }

  /** Issues of a customer, or of every customer by status; `createdFrom`/`createdTo` bound the opening time. */
  async listIssues(
    /** `statuses`: any of these (the unresolved ones: `open` and `acknowledged`), instead of one `status`. */
    filter: { customerId?: string; status?: IssueStatus; statuses?: IssueStatus[]; createdFrom?: string; createdTo?: string },
    /** Only these attributes of each issue (the rest are absent): for a list that sorts many and shows a page. */
    attributes?: (keyof Issue)[],
  ): Promise<Issue[]> {
    const from = filter.createdFrom ?? '0000';
    const to = filter.createdTo ?? '9999';
    const read = async (keys: { pk: string; sk: string }[]) =>
      attributes
        ? (await this.store.batchGet(keys, attributes)).map((item) => strip(item) as unknown as Issue)
        : (await this.store.batchGet(keys)).map((item) => normalizeIssue(strip(item) as unknown as Issue));
    if (filter.customerId) {
      // The customer's own pointers are read consistently: an outage opened a moment ago must hold a
      // dunning step that runs now, and an index may not have it yet. The history index adds issues
      // stored before the pointers existed.
      const condition = { ':pk': `CUSTOMER#${filter.customerId}`, ':from': `ISSUE#${from}`, ':to': `ISSUE#${to}` };
      const [pointers, indexed] = await Promise.all([
        this.store.query<{ issueId: string }>({
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: condition,
        }),
        this.store.query<{ pk: string }>({
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: condition,
        }),
      ]);
      const ids = new Set([...pointers.map((pointer) => pointer.issueId), ...indexed.map((key) => key.pk.slice('ISSUE#'.length))]);
      const issues = (await read([...ids].map(issueKey))).sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
      );
      const wanted = filter.status ? [filter.status] : filter.statuses;
      return wanted ? issues.filter((issue) => wanted.includes(issue.status)) : issues;
    }
    const statuses: IssueStatus[] = filter.status ? [filter.status] : (filter.statuses ?? issueStatuses);
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
    // The index is eventually consistent: an item read just now may have left these statuses.
    return (await read(keys)).filter((issue) => statuses.includes(issue.status)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * Stores the issue after a change, only if nobody else changed it meanwhile (optimistic lock on
   * `version`), together with its timeline entry and, for an event with an id, a marker that makes
   * a second delivery of the same event a no-op. Returns 'saved', 'conflict' (re-read and retry)
   * or 'duplicate' (the event id was recorded before).
   */
  async saveIssue(before: Issue, after: Issue, entry?: TimelineEntry, eventId?: string): Promise<'saved' | 'conflict' | 'duplicate'> {
    const version = before.version ?? 0;
    // DynamoDB refuses items over 400 KB with a ValidationException (a 500): refuse the event clearly first.
    if (Buffer.byteLength(JSON.stringify(after)) > MAX_ISSUE_ITEM_BYTES)
      throw new DomainError(
        'conflict',
        `issue ${after.id} holds too much history to record this event; open a new issue and refer to ${after.id}`,
      );
    const issuePut = {
      Item: { ...issueKey(after.id), itemType: 'issue', ...after, version: version + 1, ...listKeys(after) },
      ConditionExpression: version ? 'version = :v' : 'attribute_not_exists(version)',
      ExpressionAttributeValues: version ? { ':v': version } : undefined,
    };
    const entries: TransactEntry[] = [{ Put: issuePut }];
    // Moved to another customer: the customer's pointer moves with it, in the same transaction.
    if (after.customerId !== before.customerId)
      entries.push(
        { Delete: { Key: customerIssueKey(before) } },
        { Put: { Item: { ...customerIssueKey(after), itemType: 'customer-issue', issueId: after.id } } },
      );
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
      if (error instanceof ConcurrentChange) return 'conflict';
      if (!(error instanceof ConditionFailed)) throw error;
      return eventId && error.failedIndexes.includes(entries.length - 1) ? 'duplicate' : 'conflict';
    }
  }

  /**
   * The timeline entry of an email sent for the issue, after the event (`seq`) it followed. Its key
   * names the email too: two emails sent in one instant keep an entry each, and recording the same
   * email again (a retried step) rewrites its one entry.
   */
  async recordSentEmail(issueId: string, seq: number, entry: TimelineEntry & { key: string }): Promise<void> {
    const item = timelineItem(issueId, entry, seq);
    await this.store.put({ ...item, sk: `${item.sk}#${entry.key}` });
  }

  /** A page of an issue's timeline, newest first; `after` is the `next` of the page before. */
  async timelinePage(issueId: string, limit: number, after?: string): Promise<{ entries: TimelineEntry[]; next?: string }> {
    const page = await this.store.prefixPage({ partition: `ISSUE#${issueId}`, prefix: 'TL#', limit, after, descending: true });
    return { entries: page.items.map((item) => strip(item) as TimelineEntry), ...(page.next ? { next: page.next } : {}) };
  }

  async waitToken(issueId: string): Promise<string | undefined> {
    return (await this.waitRecord(issueId))?.token;
  }

  async waitRecord(issueId: string): Promise<WaitRecord | undefined> {
    return readWait(this.store, issueWaitKey(issueId));
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

/** The customer's pointer to an issue, in the customer's partition (read consistently, unlike the history index). */
const customerIssueKey = (issue: Pick<Issue, 'customerId' | 'createdAt' | 'id'>) => ({
  pk: `CUSTOMER#${issue.customerId}`,
  sk: `ISSUE#${issue.createdAt}#${issue.id}`,
});

/** Where the issue's waiting run keeps its callback token (kernel/wait-tokens.ts). */
