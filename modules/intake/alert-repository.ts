import { integrationSchema, type Integration } from './alerts.ts';
import { ConditionFailed, type DynamoStore, strip } from '../../kernel/dynamo-store.ts';

const alertKey = (integration: string, key: string) => ({ pk: `ALERT#${integration}#${key}`, sk: 'META' });

/** Integrations (webhook senders) and the alert-key → issue mapping that makes one open issue per alert. */
export class AlertRepository {
  constructor(private readonly store: DynamoStore) {}

  async issueFor(integration: string, key: string): Promise<string | undefined> {
    return (await this.store.get<{ issueId?: string }>(alertKey(integration, key)))?.issueId;
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

  async integrationByRoutingKey(routingKey: string): Promise<Integration | undefined> {
    const pointer = await this.store.get<{ name?: string }>({ pk: 'ROUTINGKEY', sk: routingKey });
    return pointer?.name ? this.integration(pointer.name) : undefined;
  }

  async putIntegration(integration: Integration): Promise<void> {
    const previous = await this.integration(integration.name);
    await this.store.transactWrite([
      { Put: { Item: { pk: 'INTEGRATION', sk: integration.name, itemType: 'integration', ...integration } } },
      ...(previous?.routingKey && previous.routingKey !== integration.routingKey
        ? [{ Delete: { Key: { pk: 'ROUTINGKEY', sk: previous.routingKey } } }]
        : []),
      ...(integration.routingKey
        ? [{ Put: { Item: { pk: 'ROUTINGKEY', sk: integration.routingKey, itemType: 'routing-key', name: integration.name } } }]
        : []),
    ]);
  }

  async integrations(): Promise<Integration[]> {
    const items = await this.store.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'INTEGRATION' } });
    return items.map((item) => ({ ...integrationSchema.parse(strip(item)), name: String(item.sk) }) as Integration);
  }
}
