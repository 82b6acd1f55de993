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

/**
 * The parser of the Authorization header's values (CloudFront gives a list; more than one is
 * malformed). A factory for the edge bundle: the closure serializer puts every module-level name
 * and global a serialized function reads behind a `with` scope, and every call of a module-level
 * function through a wrapper that rebuilds it, each costing a fraction of a microsecond; the parser
 * this returns reads only the locals bound here, once per container.
 */
export function createBasicAuthorizationParser(): (values: readonly string[] | undefined) => BasicAuthResult {
  const basicHeader = BASIC_HEADER;
  const basicScheme = /^basic(?: |$)/i;
  const nonAscii = /[^\x00-\x7f]/; // eslint-disable-line no-control-regex
  const maxLength = MAX_AUTHORIZATION_LENGTH;
  const decodeBase64 = atob;
  const encodeBase64 = btoa;
  const buffers = Buffer;
  const fail = (reason: BasicAuthFailure): BasicAuthResult => ({ ok: false, reason });

  /**
   * The UTF-8 text of canonical base64, or undefined. `atob` gives one character per byte: ASCII
   * text (every real key) is that string itself; anything else is decoded as UTF-8 and must
   * round-trip (invalid UTF-8 decodes to U+FFFD). `btoa` of the bytes must give the payload back,
   * which refuses non-canonical padding bits.
   */
  function decodeCanonical(payload: string): string | undefined {
    const binary = decodeBase64(payload);
    if (encodeBase64(binary) !== payload) return undefined;
    if (!nonAscii.test(binary)) return binary;
    const bytes = buffers.from(binary, "latin1");
    const text = bytes.toString("utf8");
    return buffers.from(text, "utf8").equals(bytes) ? text : undefined;
  }

  return function parseBasicAuthorization(values) {
    if (values === undefined || values.length === 0) return fail("missing-credentials");
    if (values.length > 1) return fail("malformed-credentials");
    const header = values[0];
    if (header.length > maxLength) return fail("credentials-too-long");
    if (!basicScheme.test(header)) return fail("not-basic");
    const match = basicHeader.exec(header);
    if (!match || match[1].length % 4 !== 0) return fail("malformed-credentials");
    const text = decodeCanonical(match[1]);
    if (text === undefined) return fail("malformed-credentials");
    const colon = text.indexOf(":");
    if (colon < 0) return fail("malformed-credentials");
    return { ok: true, credentials: { username: text.slice(0, colon), password: text.slice(colon + 1) } };
  };
}
