/**
 * Authentication of a customer key presented as HTTP Basic credentials: the format check, the
 * (cached) lookup, the constant-time secret check, revocation and expiry. Shared by the
 * viewer-request handler and the upload function, so both accept exactly the same keys. Every
 * refusal carries a reason for the logs; the client only ever sees a plain 401 (or 503 when the
 * table cannot answer).
 */
import { CredentialRecord } from "../domain/credentialRecords";
import { PUBLIC_KEY_PATTERN, SECRET_KEY_PATTERN, secretMatches } from "../domain/keyScheme";
import { isValidTenant } from "../domain/names";
import { BasicCredentials, parseBasicAuthorization } from "./basicAuth";
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

/** Checks parsed Basic credentials as a customer key (public key : secret key). */
export async function authenticateKey(
  lookup: CredentialLookup,
  { username, password }: BasicCredentials,
  nowMs: number,
): Promise<Authentication> {
  const refuse = (reason: string): Authentication => ({ ok: false, status: 401, reason, username });
  // Keys that cannot exist are refused without a lookup, so junk never reaches the table.
  if (!PUBLIC_KEY_PATTERN.test(username) || !SECRET_KEY_PATTERN.test(password)) {
    return refuse("bad-key-format");
  }
  let record: LookupResult;
  try {
    record = await lookup(username, nowMs);
  } catch (error) {
    return { ok: false, status: 503, reason: "lookup-failed", username, detail: (error as Error)?.name };
  }
  // A flood of made-up keys: fail closed, without a lookup, as when the table is unreachable.
  if (record === LOOKUP_BUDGET_EXCEEDED)
    return { ok: false, status: 503, reason: "lookup-budget-exceeded", username };
  if (record === null) return refuse("unknown-key");
  if (record === CORRUPT_RECORD) return refuse("corrupt-record");
  if (!secretMatches(password, record)) return refuse("wrong-secret");
  if (record.revokedAt !== undefined) return refuse("revoked");
  if (record.expiresAt !== undefined && record.expiresAt * 1000 <= nowMs) return refuse("expired");
  if (!isValidTenant(record.tenant)) return refuse("invalid-tenant");
  return { ok: true, record, username };
}

/** Parses the Authorization header's values and checks them as a customer key. */
export async function authenticate(
  lookup: CredentialLookup,
  authorization: readonly string[] | undefined,
  nowMs: number,
): Promise<Authentication> {
  const parsed = parseBasicAuthorization(authorization);
  if (!parsed.ok) return { ok: false, status: 401, reason: parsed.reason };
  return authenticateKey(lookup, parsed.credentials, nowMs);
}
