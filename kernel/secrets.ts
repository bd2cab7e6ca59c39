/** How long a function keeps a secret it read: a rotated secret reaches every function within this. */
export const SECRET_TTL_MS = 5 * 60 * 1000;
/** How long a secret rotated out still verifies (links in emails already sent, senders not yet updated). */
export const ROTATION_GRACE_MS = 7 * 24 * 3600 * 1000;

/** A secret's current value and the one rotated out, while its grace period lasts. */
export interface SecretVersions {
  current: string;
  previous?: string;
}

/**
 * `load`'s value, read again once it is `ttlMs` old (a failed read is not kept: the next call
 * tries again). Concurrent callers share one read.
 */
export function cachedFor<T>(ttlMs: number, load: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let cached: { value: Promise<T>; at: number } | undefined;
  return () => {
    if (!cached || now() - cached.at >= ttlMs) {
      const value = load();
      const entry = { value, at: now() };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
}

/** The values that verify: the current one, then the previous one. */
export const verifying = (versions: SecretVersions): string[] => [versions.current, ...(versions.previous ? [versions.previous] : [])];
