/**
 * The response headers policy of the index distribution, once: the PackageIndex component deploys
 * it as a CloudFront response headers policy and the sandbox adds the same headers to every
 * response, so the local index answers with the headers production does. Every header overrides
 * whatever the origin or the edge function sent.
 */

/** HSTS for two years, with subdomains. */
export const HSTS_MAX_AGE_SECONDS = 2 * 31_536_000;
export const FRAME_OPTION = "DENY";
export const REFERRER_POLICY = "no-referrer";
export const CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";
/**
 * One URL answers JSON or HTML by Accept (PEP 691). CloudFront's own cache is keyed by the URI the
 * edge rewrote (which names the format), but caches downstream of it see only the public URL.
 */
export const CUSTOM_RESPONSE_HEADERS: readonly { readonly header: string; readonly value: string }[] = [
  { header: "Vary", value: "Accept" },
];

/** The headers as CloudFront writes them on each response (lowercase names). */
export function securityResponseHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {
    "strict-transport-security": `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    "x-content-type-options": "nosniff",
    "x-frame-options": FRAME_OPTION,
    "referrer-policy": REFERRER_POLICY,
    "content-security-policy": CONTENT_SECURITY_POLICY,
  };
  for (const { header, value } of CUSTOM_RESPONSE_HEADERS) headers[header.toLowerCase()] = value;
  return headers;
}
