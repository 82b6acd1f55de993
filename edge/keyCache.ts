/**
 * The container-wide cache of credential lookups: bounded in size and in time, so memory stays
 * flat under a flood of random keys and a revoked or deleted key stops working within its TTL.
 * Eviction is oldest-inserted first (a Map keeps insertion order), which is enough for a cache
 * whose entries all expire within a minute. Hand-written: the edge bundle takes no npm package.
 */

/** Entries kept at most; one entry is a few hundred bytes. */
export const DEFAULT_MAX_ENTRIES = 2000;

export interface KeyCache<T> {
  /** The cached value, or undefined on a miss (absent or expired). */
  get(key: string, nowMs: number): T | undefined;
  /**
   * The entry under `key` even once expired (`get` forgets an expired entry, `peek` keeps it until
   * it is replaced, deleted or evicted), with whether it is still fresh.
   */
  peek(key: string, nowMs: number): { readonly value: T; readonly fresh: boolean } | undefined;
  delete(key: string): void;
  /** Caches a value for `ttlMs`; a TTL of 0 or less caches nothing. */
  set(key: string, value: T, ttlMs: number, nowMs: number): void;
  readonly size: () => number;
}

/** Creates an empty cache. `T` must not include undefined, which means "miss". */
export function createKeyCache<T>(maxEntries: number = DEFAULT_MAX_ENTRIES): KeyCache<T> {
  const entries = new Map<string, { readonly value: T; readonly expiresAtMs: number }>();
  return {
    get(key, nowMs) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAtMs > nowMs) return entry.value;
      entries.delete(key);
      return undefined;
    },
    peek(key, nowMs) {
      const entry = entries.get(key);
      return entry && { value: entry.value, fresh: entry.expiresAtMs > nowMs };
    },
    delete(key) {
      entries.delete(key);
    },
    set(key, value, ttlMs, nowMs) {
      if (ttlMs <= 0) return;
      entries.delete(key);
      entries.set(key, { value, expiresAtMs: nowMs + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    size: () => entries.size,
  };
}
