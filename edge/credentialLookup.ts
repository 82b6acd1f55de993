/**
 * Credential lookup by public key through a store (the DynamoDB adapter at the edge, a fake in
 * tests), cached per container: a found key for `validTtlMs`, an unknown key for `unknownTtlMs`.
 * Failed lookups are never cached, so an outage ends as soon as the table answers again.
 */
import { CredentialRecord } from "../domain/credentialRecords";
import { KeyCache, createKeyCache } from "./keyCache";

export interface CredentialStore {
  /** The well-formed record of a public key, or null if there is none; rejects if the lookup fails. */
  get(publicKey: string): Promise<CredentialRecord | null>;
}

export interface CachedLookupOptions {
  readonly validTtlMs: number;
  readonly unknownTtlMs: number;
  readonly cache?: KeyCache<CredentialRecord | null>;
}

export type CredentialLookup = (publicKey: string, nowMs: number) => Promise<CredentialRecord | null>;

export function createCachedLookup(store: CredentialStore, options: CachedLookupOptions): CredentialLookup {
  const cache = options.cache ?? createKeyCache<CredentialRecord | null>();
  return async function lookupCredential(publicKey, nowMs) {
    const cached = cache.get(publicKey, nowMs);
    if (cached !== undefined) return cached;
    const record = await store.get(publicKey);
    cache.set(publicKey, record, record ? options.validTtlMs : options.unknownTtlMs, nowMs);
    return record;
  };
}
