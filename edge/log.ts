/**
 * The one log line the edge writes: a structured JSON record per denied request. It carries a
 * reason code, a prefix of the public key (only when the username looks like a public key: a
 * client that swapped username and password must not get its secret logged) and the CloudFront
 * request id. Never a secret, a header value or a full key.
 */
import { PUBLIC_KEY_PATTERN } from "../domain/keyScheme";

/** `ppi_` and 8 of its 26 characters: enough to find the key with the CLI, short of the whole key. */
export const LOGGED_KEY_PREFIX_LENGTH = 12;

export interface Denial {
  readonly status: number;
  readonly reason: string;
  /** The presented username, reduced to a prefix before it is written. */
  readonly username?: string;
  readonly requestId?: string;
  /** An error class name for failures (e.g. `TimeoutError`), never an error message. */
  readonly detail?: string;
}

export function publicKeyPrefix(username: string | undefined): string | undefined {
  return username !== undefined && PUBLIC_KEY_PATTERN.test(username)
    ? username.slice(0, LOGGED_KEY_PREFIX_LENGTH)
    : undefined;
}

export function denialLogLine(denial: Denial): string {
  return JSON.stringify({
    event: "denied",
    status: denial.status,
    reason: denial.reason,
    keyPrefix: publicKeyPrefix(denial.username),
    requestId: denial.requestId,
    detail: denial.detail,
  });
}
