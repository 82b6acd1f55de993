/**
 * Credential lookup by public key through a store (the DynamoDB adapter at the edge, a fake in
 * tests), cached per container: a found key for `validTtlMs`, an unknown key or a corrupt item for
 * `unknownTtlMs`.
 * Failed lookups are never cached, so an outage ends as soon as the table answers again.
 */
import { CredentialRecord } from "../domain/credentialRecords";
import { KeyCache, createKeyCache } from "./keyCache";

/**
 * A stored item under the public key that is not a well-formed record of that key (a field
 * missing or of the wrong type, an unknown hash scheme, another key's item): refused like an
 * unknown key, but logged as `corrupt-record` so operators can tell it from a missing one.
 */
export const CORRUPT_RECORD = "corrupt";

/** What the table holds for a public key: its record, nothing (null), or a corrupt item. */
export type StoredCredential = CredentialRecord | null | typeof CORRUPT_RECORD;

export interface CredentialStore {
  /** The record of a public key, null if there is none, CORRUPT_RECORD; rejects if the lookup fails. */
  get(publicKey: string): Promise<StoredCredential>;
}

export interface CachedLookupOptions {
  readonly validTtlMs: number;
  readonly unknownTtlMs: number;
  readonly cache?: KeyCache<StoredCredential>;
}

export type CredentialLookup = (publicKey: string, nowMs: number) => Promise<StoredCredential>;

export function createCachedLookup(store: CredentialStore, options: CachedLookupOptions): CredentialLookup {
  const cache = options.cache ?? createKeyCache<StoredCredential>();
  return async function lookupCredential(publicKey, nowMs) {
    const cached = cache.get(publicKey, nowMs);
    if (cached !== undefined) return cached;
    const record = await store.get(publicKey);
    const found = record !== null && record !== CORRUPT_RECORD;
    cache.set(publicKey, record, found ? options.validTtlMs : options.unknownTtlMs, nowMs);
    return record;
  };
}
