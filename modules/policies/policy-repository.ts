import { defaultPolicy, policySchema, type Policy } from './policy.ts';
import type { Actor } from '../../kernel/actor.ts';
import { ConditionFailed, type DynamoStore, strip } from '../../kernel/dynamo-store.ts';

const versionKey = (version: number) => `V#${String(version).padStart(6, '0')}`;

/** A version of a policy as its history lists it: when and by whom it was stored (the built-in default: never). */
export interface PolicyVersion {
  version: number;
  storedAt?: string;
  updatedBy?: Actor;
}

/**
 * Policies as versioned data: every PUT stores a new version next to the old ones (issues keep the
 * version they opened with), and an index item per name points at the latest. The shipped default
 * is version 1 of "default" until someone stores a newer one.
 */
export class PolicyRepository {
  constructor(private readonly store: DynamoStore) {}

  async current(name: string): Promise<Policy | undefined> {
    return (await this.currentVersion(name))?.policy;
  }

  /** The current version with when and by whom it was stored (the built-in default: never stored). */
  async currentVersion(name: string): Promise<{ policy: Policy; storedAt?: string; updatedBy?: Actor } | undefined> {
    const [item] = await this.store.query(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': `POLICY#${name}`, ':v': 'V#' },
        ScanIndexForward: false,
        Limit: 1,
      },
      1,
    );
    if (item)
      return {
        policy: policySchema.parse(strip(item)),
        storedAt: item.storedAt as string | undefined,
        updatedBy: item.updatedBy as Actor | undefined,
      };
    return name === defaultPolicy.name ? { policy: defaultPolicy } : undefined;
  }

  /** Stored versions of a policy, newest first, `limit` of them below `before` (the built-in default counts as version 1). */
  async versions(name: string, limit: number, before?: number): Promise<PolicyVersion[]> {
    const items = await this.store.query(
      {
        KeyConditionExpression: before ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: before
          ? { ':pk': `POLICY#${name}`, ':from': versionKey(0), ':to': versionKey(before - 1) }
          : { ':pk': `POLICY#${name}`, ':v': 'V#' },
        ScanIndexForward: false,
        Limit: limit,
      },
      limit,
    );
    const versions = items.map((item) => ({
      version: Number(item.version),
      ...(item.storedAt ? { storedAt: String(item.storedAt) } : {}),
      ...(item.updatedBy ? { updatedBy: item.updatedBy as Actor } : {}),
    }));
    // The built-in default is never stored (the first PUT of "default" stores version 2): it ends the list.
    const builtInBelow = name === defaultPolicy.name && versions.length < limit && (before === undefined || before > 1);
    return builtInBelow && !versions.some((entry) => entry.version === 1) ? [...versions, { version: 1 }] : versions;
  }

  /** One version of a policy as it was stored; the built-in default is version 1 of "default" until one is stored. */
  async version(
    name: string,
    version: number,
  ): Promise<{ policy: Policy; storedAt?: string; updatedBy?: Actor; builtIn?: true } | undefined> {
    const item = await this.store.get({ pk: `POLICY#${name}`, sk: versionKey(version) });
    if (item)
      return {
        policy: policySchema.parse(strip(item)),
        storedAt: item.storedAt as string | undefined,
        updatedBy: item.updatedBy as Actor | undefined,
      };
    return name === defaultPolicy.name && version === defaultPolicy.version ? { policy: defaultPolicy, builtIn: true } : undefined;
  }

  /** Every policy's name, the built-in default's included. */
  async names(): Promise<string[]> {
    const names = (await this.store.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'POLICIES' } })).map(
      (item) => String(item.name),
    );
    return names.includes(defaultPolicy.name) ? names : [defaultPolicy.name, ...names];
  }

  async list(): Promise<Policy[]> {
    const names = await this.names();
    return (await Promise.all(names.map((name) => this.current(name)))).filter((policy): policy is Policy => policy !== undefined);
  }

  /** Stores `policy` as the next version of its name; undefined when another writer got that version first. */
  async putNextVersion(name: string, body: Omit<Policy, 'name' | 'version'>, at: Date, by?: Actor): Promise<Policy | undefined> {
    const version = ((await this.current(name))?.version ?? 0) + 1;
    const policy = policySchema.parse({ ...body, name, version });
    try {
      await this.store.transactWrite([
        {
          Put: {
            Item: {
              pk: `POLICY#${name}`,
              sk: versionKey(version),
              itemType: 'policy',
              ...policy,
              storedAt: at.toISOString(),
              ...(by ? { updatedBy: by } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: { Item: { pk: 'POLICIES', sk: name, itemType: 'policy-index', name, version } } },
      ]);
      return policy;
    } catch (error) {
      if (error instanceof ConditionFailed) return undefined;
      throw error;
    }
  }
}
