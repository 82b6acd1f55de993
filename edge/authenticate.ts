/**
 * Authentication of a customer key presented as HTTP Basic credentials: the format check, the
 * (cached) lookup, the constant-time secret check, revocation and expiry. Shared by the
 * viewer-request handler and the upload function, so both accept exactly the same keys. Every
 * refusal carries a reason for the logs; the client only ever sees a plain 401 (or 503 when the
 * table cannot answer).
 */
import * as crypto from "crypto";
import { CredentialRecord, credentialExpired } from "../domain/credentialRecords";
import {
  PUBLIC_KEY_PATTERN,
  SECRET_KEY_PATTERN,
  TOKEN_USERNAME,
  keyPairOf,
  secretMatches,
} from "../domain/keyScheme";
import { isValidTenant } from "../domain/names";
import { BasicCredentials, createBasicAuthorizationParser } from "./basicAuth";
import { CORRUPT_RECORD, CredentialLookup, LOOKUP_BUDGET_EXCEEDED, LookupResult } from "./credentialLookup";

export type Refusal = {
  readonly ok: false;
  readonly status: 401 | 503;
  readonly reason: string;
  readonly username?: string;
  readonly detail?: string;
};

export type Authentication =
  { readonly ok: true; readonly record: CredentialRecord; readonly username: string } | Refusal;

/** Checks parsed Basic credentials as a customer key (`PUBLIC:SECRET`, or `__token__:PUBLIC.SECRET`). */
export type KeyAuthenticator = (credentials: BasicCredentials, nowMs: number) => Promise<Authentication>;

/** Parses the Authorization header's values and checks them as a customer key. */
export type Authenticator = (
  authorization: readonly string[] | undefined,
  nowMs: number,
) => Promise<Authentication>;

/**
 * A key checker for one container, over its cached lookup. The salted HMAC of a presented secret
 * is computed once per record the lookup returns (one per key per `keyCacheSeconds`): once it
 * matches, the record's entry keeps the SHA-256 of that secret, and a later request compares the
 * SHA-256 of its secret with it in constant time (`timingSafeEqual`), which costs a third of the
 * HMAC. The entry belongs to the record object, so it ends when the lookup refreshes the record:
 * revocation and expiry are read from the record on every request, as before. Only a digest is
 * kept, never a secret. A secret that differs from the verified one is refused as a wrong secret
 * (a record has one secret). The tenant check, a fact of the record, is kept with it too.
 *
 * A factory for the edge bundle: the closure serializer makes each module-level name or global a
 * serialized function reads a `with`-scope lookup, and each call of a module-level function a
 * wrapper rebuild, a fraction of a microsecond each; the checker reads only the locals bound here.
 */
export function createKeyAuthenticator(lookup: CredentialLookup): KeyAuthenticator {
  const publicKeyPattern = PUBLIC_KEY_PATTERN;
  const secretKeyPattern = SECRET_KEY_PATTERN;
  const matchesStored = secretMatches;
  const validTenant = isValidTenant;
  const budgetExceeded = LOOKUP_BUDGET_EXCEEDED;
  const corrupt = CORRUPT_RECORD;
  const { hash, timingSafeEqual } = crypto;
  const buffers = Buffer;
  const verified = new WeakMap<
    CredentialRecord,
    { readonly digest: Buffer; readonly tenantValid: boolean }
  >();
  const digestOf = (secret: string) => buffers.from(hash("sha256", secret, "base64"), "latin1");

  /** Whether `secret` is the record's secret: by digest once verified, else by its salted HMAC. */
  function secretIsValid(secret: string, record: CredentialRecord): boolean {
    const known = verified.get(record);
    if (known) return timingSafeEqual(digestOf(secret), known.digest);
    if (!matchesStored(secret, record)) return false;
    verified.set(record, { digest: digestOf(secret), tenantValid: validTenant(record.tenant) });
    return true;
  }

  const refusal = (reason: string, username: string): Authentication => ({
    ok: false,
    status: 401,
    reason,
    username,
  });

  const pairOf = keyPairOf;
  const tokenUsername = TOKEN_USERNAME;
  const expired = credentialExpired;

  return async function authenticateKey(credentials, nowMs) {
    const { publicKey: username, secretKey: password } = pairOf(credentials.username, credentials.password);
    const refuse = (reason: string) => refusal(reason, username);
    // Keys that cannot exist are refused without a lookup, so junk never reaches the table; a
    // `__token__` whose token is junk is logged as that username, never as a part of its password.
    if (!publicKeyPattern.test(username) || !secretKeyPattern.test(password)) {
      return refusal("bad-key-format", credentials.username === tokenUsername ? tokenUsername : username);
    }
    let record: LookupResult;
    try {
      record = await lookup(username, nowMs);
    } catch (error) {
      return { ok: false, status: 503, reason: "lookup-failed", username, detail: (error as Error)?.name };
    }
    // A flood of made-up keys: fail closed, without a lookup, as when the table is unreachable.
    if (record === budgetExceeded)
      return { ok: false, status: 503, reason: "lookup-budget-exceeded", username };
    if (record === null) return refuse("unknown-key");
    if (record === corrupt) return refuse("corrupt-record");
    if (!secretIsValid(password, record)) return refuse("wrong-secret");
    if (record.revokedAt !== undefined) return refuse("revoked");
    if (expired(record, nowMs)) return refuse("expired");
    // Defence in depth: credentialFromItem already refuses a table record with an invalid tenant.
    if (!verified.get(record)!.tenantValid) return refuse("invalid-tenant");
    return { ok: true, record, username };
  };
}

/** `createKeyAuthenticator` with the Authorization header parsed first (the viewer-request handler and the upload function). */
export function createAuthenticator(lookup: CredentialLookup): Authenticator {
  const parse = createBasicAuthorizationParser();
  const authenticateKey = createKeyAuthenticator(lookup);
  const promises = Promise;
  // Not async itself: the key check's promise is handed on, one await fewer per request.
  return function authenticate(authorization, nowMs) {
    const parsed = parse(authorization);
    if (!parsed.ok) return promises.resolve({ ok: false, status: 401, reason: parsed.reason });
    return authenticateKey(parsed.credentials, nowMs);
  };
}
