import { integrationSchema, type Integration } from './alerts.ts';
import { asRead, ConditionFailed, type DynamoStore, strip, type TransactEntry } from '../../kernel/dynamo-store.ts';
import { DomainError } from '../../kernel/errors.ts';

const MAX_ATTEMPTS = 5;

const alertKey = (integration: string, key: string) => ({ pk: `ALERT#${integration}#${key}`, sk: 'META' });

/** Integrations (webhook senders) and the alert-key → issue mapping that makes one open issue per alert. */
export class AlertRepository {
  constructor(private readonly store: DynamoStore) {}

  async issueFor(integration: string, key: string): Promise<string | undefined> {
    return (await this.store.get<{ issueId?: string }>(alertKey(integration, key)))?.issueId;
  }

  /**
   * The issue id the key stands for: the one it was claimed for already, or a new one (`reserve`)
   * claimed now, or the one of a delivery that claimed it first. Its issue may not exist yet: the
   * caller opens it with this id (idempotently).
   */
  async claimedIssueId(integration: string, key: string, reserve: () => Promise<string>, at: Date): Promise<string> {
    return (await this.issueFor(integration, key)) ?? (await this.claim(integration, key, await reserve(), undefined, at));
  }

  /** Points the alert key at `issueId` unless another delivery got there first (then returns that issue). */
  async claim(integration: string, key: string, issueId: string, replacing: string | undefined, at: Date): Promise<string> {
    try {
      await this.store.put(
        { ...alertKey(integration, key), itemType: 'alert', integration, key, issueId, claimedAt: at.toISOString() },
        replacing ? { condition: 'issueId = :old', values: { ':old': replacing } } : { ifAbsent: true },
      );
      return issueId;
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      return (await this.issueFor(integration, key)) ?? issueId;
    }
  }

  async integration(name: string): Promise<Integration | undefined> {
    const item = await this.store.get({ pk: 'INTEGRATION', sk: name });
    return item ? ({ ...integrationSchema.parse(strip(item)), name } as Integration) : undefined;
  }

  /** The integration a PagerDuty routing key selects; a pointer the integration no longer names selects nothing. */
  async integrationByRoutingKey(routingKey: string): Promise<Integration | undefined> {
    const pointer = await this.store.get<{ name?: string }>({ pk: 'ROUTINGKEY', sk: routingKey });
    const integration = pointer?.name ? await this.integration(pointer.name) : undefined;
    return integration?.routingKey === routingKey ? integration : undefined;
  }

  /**
   * Stores an integration. Its routing key belongs to it alone (a key another integration holds is
   * a 409), and the write is conditional on the version it read, so of two concurrent changes one
   * is retried on a fresh read and no replaced routing key keeps authenticating.
   */
  async putIntegration(integration: Integration): Promise<void> {
    const { name } = integration;
    const byThisIntegration = { ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':n': name } };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.store.get<{ version?: number; routingKey?: string }>({ pk: 'INTEGRATION', sk: name });
      const { version, condition } = asRead(stored);
      const entries: TransactEntry[] = [
        { Put: { Item: { pk: 'INTEGRATION', sk: name, itemType: 'integration', ...integration, version }, ...condition } },
        ...(integration.routingKey
          ? [
              {
                Put: {
                  Item: { pk: 'ROUTINGKEY', sk: integration.routingKey, itemType: 'routing-key', name },
                  ConditionExpression: 'attribute_not_exists(pk) OR #n = :n',
                  ...byThisIntegration,
                },
              },
            ]
          : []),
        ...(stored?.routingKey && stored.routingKey !== integration.routingKey
          ? [{ Delete: { Key: { pk: 'ROUTINGKEY', sk: stored.routingKey }, ConditionExpression: '#n = :n', ...byThisIntegration } }]
          : []),
      ];
      try {
        await this.store.transactWrite(entries);
        return;
      } catch (error) {
        if (!(error instanceof ConditionFailed)) throw error;
        if (integration.routingKey && error.failedIndexes.includes(1)) {
          const owner = (await this.store.get<{ name?: string }>({ pk: 'ROUTINGKEY', sk: integration.routingKey }))?.name;
          if (owner && owner !== name)
            throw new DomainError(
              'conflict',
              `routingKey: belongs to integration ${owner}`,
              'routingKey',
              `belongs to integration ${owner}`,
            );
        }
        // The integration changed since it was read: read it again.
      }
    }
    throw new DomainError('conflict', `integration ${name} changed concurrently; try again`);
  }

  /** Removes an integration and its routing key; false when there is none. */
  async deleteIntegration(name: string): Promise<boolean> {
    const stored = await this.store.get<{ routingKey?: string }>({ pk: 'INTEGRATION', sk: name });
    if (!stored) return false;
    try {
      await this.store.transactWrite([
        { Delete: { Key: { pk: 'INTEGRATION', sk: name } } },
        ...(stored.routingKey
          ? [
              {
                Delete: {
                  Key: { pk: 'ROUTINGKEY', sk: stored.routingKey },
                  ConditionExpression: 'attribute_not_exists(pk) OR #n = :n',
                  ExpressionAttributeNames: { '#n': 'name' },
                  ExpressionAttributeValues: { ':n': name },
                },
              },
            ]
          : []),
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      throw new DomainError('conflict', `integration ${name} changed concurrently; try again`);
    }
    return true;
  }

  async integrations(): Promise<Integration[]> {
    const items = await this.store.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'INTEGRATION' } });
    return items.map((item) => ({ ...integrationSchema.parse(strip(item)), name: String(item.sk) }) as Integration);
  }
}
