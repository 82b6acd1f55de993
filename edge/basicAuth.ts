/**
 * HTTP Basic credentials (RFC 7617): `Basic <base64(user-id ":" password)>`. The scheme is
 * case-insensitive, the payload must be canonical base64 of valid UTF-8, and the user-id is
 * everything before the first colon. Every failure is reported with a reason for the logs; the
 * client only ever sees a plain 401. Hand-written: the edge bundle takes no npm package.
 */

/** Longest Authorization header accepted; a real key pair encodes to about 110 characters. */
export const MAX_AUTHORIZATION_LENGTH = 512;

const BASIC_HEADER = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

export type BasicAuthFailure =
  "missing-credentials" | "not-basic" | "credentials-too-long" | "malformed-credentials";

export type BasicAuthResult =
  | { readonly ok: true; readonly credentials: BasicCredentials }
  | { readonly ok: false; readonly reason: BasicAuthFailure };

/** Parses the values of the Authorization header (CloudFront gives a list; more than one is malformed). */
export function parseBasicAuthorization(values: readonly string[] | undefined): BasicAuthResult {
  if (values === undefined || values.length === 0) return { ok: false, reason: "missing-credentials" };
  if (values.length > 1) return { ok: false, reason: "malformed-credentials" };
  const header = values[0];
  if (header.length > MAX_AUTHORIZATION_LENGTH) return { ok: false, reason: "credentials-too-long" };
  if (!/^basic(?: |$)/i.test(header)) return { ok: false, reason: "not-basic" };
  const match = BASIC_HEADER.exec(header);
  if (!match || match[1].length % 4 !== 0) return { ok: false, reason: "malformed-credentials" };
  const bytes = Buffer.from(match[1], "base64");
  const text = bytes.toString("utf8");
  // A round trip catches invalid UTF-8 (decoded to U+FFFD) and non-canonical base64 padding bits.
  if (!Buffer.from(text, "utf8").equals(bytes) || bytes.toString("base64") !== match[1]) {
    return { ok: false, reason: "malformed-credentials" };
  }
  const colon = text.indexOf(":");
  if (colon < 0) return { ok: false, reason: "malformed-credentials" };
  return { ok: true, credentials: { username: text.slice(0, colon), password: text.slice(colon + 1) } };
}
