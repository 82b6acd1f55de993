/**
 * Credential lookup by public key through a store (the DynamoDB adapter at the edge, a fake in
 * tests), cached per container in two bounded caches: found keys for `validTtlMs`, and apart from
 * them unknown keys and corrupt items for `unknownTtlMs`, so a flood of made-up keys can never
 * evict a found one. Lookups of keys this container has not found before are bounded by a token
 * bucket (`unknownLookupsPerSecond`, as rate and burst); beyond it the answer is
 * LOOKUP_BUDGET_EXCEEDED without a lookup. A found key whose entry expired is refreshed outside
 * that budget: at most one lookup per cached key per `validTtlMs`. Failed lookups are never
 * cached, so an outage ends as soon as the table answers again.
 */
import { CredentialRecord } from "../domain/credentialRecords";
import {
  MAX_KEY_CACHE_SECONDS,
  MAX_UNKNOWN_KEY_CACHE_SECONDS,
  UNKNOWN_KEY_LOOKUPS_PER_SECOND,
} from "../domain/edgeAuthentication";
import { DEFAULT_MAX_ENTRIES, createKeyCache } from "./keyCache";

/**
 * A stored item under the public key that is not a well-formed record of that key (a field
 * missing or of the wrong type, an unknown hash scheme, another key's item): refused like an
 * unknown key, but logged as `corrupt-record` so operators can tell it from a missing one.
 */
export const CORRUPT_RECORD = "corrupt";

/** What the table holds for a public key: its record, nothing (null), or a corrupt item. */
export type StoredCredential = CredentialRecord | null | typeof CORRUPT_RECORD;

/** The container's budget of lookups for keys it has not found before is spent for now. */
export const LOOKUP_BUDGET_EXCEEDED = "over-budget";

export type LookupResult = StoredCredential | typeof LOOKUP_BUDGET_EXCEEDED;

export interface CredentialStore {
  /** The record of a public key, null if there is none, CORRUPT_RECORD; rejects if the lookup fails. */
  get(publicKey: string): Promise<StoredCredential>;
}

export interface CachedLookupOptions {
  readonly validTtlMs: number;
  readonly unknownTtlMs: number;
  /** @default UNKNOWN_KEY_LOOKUPS_PER_SECOND */
  readonly unknownLookupsPerSecond?: number;
  /** Entries of each of the two caches. @default DEFAULT_MAX_ENTRIES */
  readonly maxEntries?: number;
}

/** The key cache's two settings, as the edge's and the upload function's configs carry them. */
export interface KeyCacheSettings {
  readonly keyCacheSeconds: number;
  readonly unknownKeyCacheSeconds: number;
}

/** Problems with the key cache settings, as messages naming the field, the value and the range. */
export function keyCacheSettingsProblems(config: KeyCacheSettings): string[] {
  const problems: string[] = [];
  for (const [field, max] of [
    ["keyCacheSeconds", MAX_KEY_CACHE_SECONDS],
    ["unknownKeyCacheSeconds", MAX_UNKNOWN_KEY_CACHE_SECONDS],
  ] as const) {
    const value: unknown = config[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
      problems.push(`${field} ${JSON.stringify(value)} must be an integer from 0 to ${max}`);
    }
  }
  return problems;
}

export type CredentialLookup = (publicKey: string, nowMs: number) => Promise<LookupResult>;

export function createCachedLookup(store: CredentialStore, options: CachedLookupOptions): CredentialLookup {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const rate = options.unknownLookupsPerSecond ?? UNKNOWN_KEY_LOOKUPS_PER_SECOND;
  // Found keys only; an expired entry is kept (peek) so that its refresh spends no token.
  const found = createKeyCache<CredentialRecord>(maxEntries);
  const notFound = createKeyCache<null | typeof CORRUPT_RECORD>(maxEntries);
  let tokens = rate;
  let refilledAtMs: number | undefined;

  function takeToken(nowMs: number): boolean {
    const elapsedMs = refilledAtMs === undefined ? 0 : Math.max(0, nowMs - refilledAtMs);
    tokens = Math.min(rate, tokens + (elapsedMs * rate) / 1000);
    refilledAtMs = nowMs;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  return async function lookupCredential(publicKey, nowMs) {
    const entry = found.peek(publicKey, nowMs);
    if (entry?.fresh) return entry.value;
    const remembered = notFound.get(publicKey, nowMs);
    if (remembered !== undefined) return remembered;
    if (entry === undefined && !takeToken(nowMs)) return LOOKUP_BUDGET_EXCEEDED;
    const result = await store.get(publicKey);
    found.delete(publicKey);
    if (result === null || result === CORRUPT_RECORD) {
      notFound.set(publicKey, result, options.unknownTtlMs, nowMs);
    } else {
      found.set(publicKey, result, options.validTtlMs, nowMs);
    }
    return result;
  };
}
