import type { Adapter, AdapterPayload } from 'oidc-provider';

type Entry = { payload: AdapterPayload; expiresAt: number };

/**
 * Where the embedded sign-in provider keeps sessions, interactions, codes and grants: in this
 * process, gone at a restart (everyone signs in again; ID tokens already issued stay valid, their
 * keys are kept in the data folder). Expired entries are dropped as they are met, and the store
 * holds at most MAX_ENTRIES, the oldest dropped first, so a flood of sign-in attempts cannot grow it.
 */
const MAX_ENTRIES = 50_000;

export function signInStore(): new (model: string) => Adapter {
  const entries = new Map<string, Entry>();
  const key = (model: string, id: string) => `${model}:${id}`;
  const live = (entry: Entry | undefined) => (entry && entry.expiresAt > Date.now() ? entry : undefined);

  return class SignInStore implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const k = key(this.model, id);
      entries.delete(k); // re-inserted last: the Map's order is the order of last writes
      entries.set(k, { payload, expiresAt: Date.now() + expiresIn * 1000 });
      if (payload.uid)
        entries.set(key(`${this.model}.uid`, payload.uid), { payload: { id } as AdapterPayload, expiresAt: Date.now() + expiresIn * 1000 });
      if (payload.grantId) {
        const grant = key('grant', payload.grantId);
        const ids = (live(entries.get(grant))?.payload.ids as string[] | undefined) ?? [];
        entries.set(grant, { payload: { ids: [...ids, k] } as AdapterPayload, expiresAt: Date.now() + expiresIn * 1000 });
      }
      for (const oldest of entries.keys()) {
        if (entries.size <= MAX_ENTRIES) break;
        entries.delete(oldest);
      }
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return live(entries.get(key(this.model, id)))?.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const pointer = live(entries.get(key(`${this.model}.uid`, uid)));
      return pointer && this.find(pointer.payload.id as string);
    }

    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined; // the device flow is not enabled
    }

    async consume(id: string): Promise<void> {
      const entry = live(entries.get(key(this.model, id)));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      entries.delete(key(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const grant = key('grant', grantId);
      for (const id of (live(entries.get(grant))?.payload.ids as string[] | undefined) ?? []) entries.delete(id);
      entries.delete(grant);
    }
  };
}
