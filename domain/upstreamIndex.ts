/**
 * The upstream index a tenant's unknown project pages fall through to (e.g. public PyPI): the stack
 * config names it, the origin-response function redirects to `<upstream><project>/`. Pure:
 * serialized into the edge bundle.
 */

/** What `upstreamIndex` is set to for no fall-through. */
export const UPSTREAM_OFF = "off";

/** Public PyPI's simple index, the usual upstream. */
export const PYPI_SIMPLE_URL = "https://pypi.org/simple/";

/**
 * A deployed upstream: https, a lowercase host (optionally a port), a path ending in `/`; no
 * credentials, query or fragment — nothing of the caller may be sent there.
 */
export const UPSTREAM_INDEX_PATTERN =
  /^https:\/\/[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?\/(?:[A-Za-z0-9._~-]+\/)*$/;
export const UPSTREAM_INDEX_ALLOWED = `"${UPSTREAM_OFF}" or an https URL of a simple index ending in /, such as ${PYPI_SIMPLE_URL} (no credentials, query or fragment)`;

/** A stack's `upstreamIndex` value: an upstream, or `off`. */
export const UPSTREAM_SETTING_PATTERN = new RegExp(
  `^(?:${UPSTREAM_OFF}|${UPSTREAM_INDEX_PATTERN.source.slice(1, -1)})$`,
);

/**
 * Why `url` cannot be an upstream, or undefined. `allowLoopbackHttp` admits `http://127.0.0.1:<port>/…`
 * and `http://localhost:<port>/…` too, for the sandbox and its tests.
 */
export function upstreamIndexProblem(url: unknown, allowLoopbackHttp = false): string | undefined {
  if (typeof url !== "string") return `${JSON.stringify(url)} is not a URL`;
  const local = allowLoopbackHttp && /^http:\/\/(?:127\.0\.0\.1|localhost)(?::\d{1,5})?\//.test(url);
  const asHttps = local ? url.replace(/^http:/, "https:") : url;
  if (!UPSTREAM_INDEX_PATTERN.test(asHttps)) {
    return `${JSON.stringify(url)} must be an https URL of a simple index ending in /, such as ${PYPI_SIMPLE_URL}, without credentials, query or fragment`;
  }
  return undefined;
}

/** The upstream's page of a normalized project name. */
export function upstreamProjectUrl(upstream: string, project: string): string {
  return `${upstream}${project}/`;
}
