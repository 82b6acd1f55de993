/**
 * Responses the edge generates itself (denials, redirects). They are tiny, never cached
 * (`no-store`: a denial must not be replayed to a client that has since fixed its key), and say
 * nothing about why a credential was refused.
 */
import type { CloudFrontHeaders, CloudFrontResultResponse } from "aws-lambda";

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  301: "Moved Permanently",
  302: "Found",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  413: "Payload Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const ALLOWED_METHODS = "GET, HEAD";

/** Builds a CloudFront generated response with a one-line plain-text body. */
export function generatedResponse(
  status: number,
  extraHeaders: Readonly<Record<string, string>> = {},
): CloudFrontResultResponse {
  const text = STATUS_TEXT[status] ?? "Error";
  const headers: CloudFrontHeaders = {
    "cache-control": [{ key: "Cache-Control", value: "no-store" }],
    "content-type": [{ key: "Content-Type", value: "text/plain; charset=utf-8" }],
  };
  for (const [key, value] of Object.entries(extraHeaders)) headers[key.toLowerCase()] = [{ key, value }];
  return { status: String(status), statusDescription: text, headers, body: `${status} ${text}\n` };
}

/** The `WWW-Authenticate` value pip, uv, poetry and twine answer with their credentials (RFC 7617). */
export function basicChallenge(realm: string): string {
  return `Basic realm="${realm}", charset="UTF-8"`;
}

export function unauthorized(realm: string): CloudFrontResultResponse {
  return generatedResponse(401, { "WWW-Authenticate": basicChallenge(realm) });
}

export function methodNotAllowed(allow: string = ALLOWED_METHODS): CloudFrontResultResponse {
  return generatedResponse(405, { Allow: allow });
}

/**
 * A 403 whose body says why, for refusals of an authenticated key by its own restriction (which
 * the key's holder may know), never for anything about the credentials themselves.
 */
export function forbidden(explanation: string): CloudFrontResultResponse {
  return { ...generatedResponse(403), body: `403 ${STATUS_TEXT[403]}: ${explanation}\n` };
}

/** `location` is an absolute path, already percent-encoded. */
export function redirect(location: string): CloudFrontResultResponse {
  return generatedResponse(301, { Location: location });
}

/**
 * The fixed page CloudFront shows instead of an origin error of `status` (a custom error response):
 * the body the edge itself gives that status, served with 200 because CloudFront uses a custom
 * error page only when fetching it succeeds; the viewer gets `status` from the distribution.
 */
export function errorPage(status: number): CloudFrontResultResponse {
  return { ...generatedResponse(status), status: "200", statusDescription: "OK" };
}
