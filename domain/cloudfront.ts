/** CloudFront facts shared by the components, the config and the CLI. Pure data. */

/**
 * The region of everything CloudFront uses from a region: Lambda@Edge functions are created (and
 * replicated from) here, a distribution's ACM certificate must be here, and web ACLs of scope
 * CLOUDFRONT live here. The credentials table lives here too, next to the edge function that
 * reads it (replicas serve the edge elsewhere).
 */
export const CLOUDFRONT_REGION = "us-east-1";

/** The edge locations a distribution uses, cheapest first (`PriceClass_100`: North America and Europe). */
export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/**
 * The viewer protocol policy of every cache behaviour: plain HTTP is refused (403), not redirected.
 * A redirect would make an `http://` index URL work while the client sent its Basic credentials in
 * clear on every request, before each redirect.
 */
export const VIEWER_PROTOCOL_POLICY = "https-only";

/**
 * Statuses of origin (S3) errors that CloudFront answers with a fixed page instead of S3's error
 * body, which would name internal keys (`<Key>acme/main/simple/x/index.html</Key>`): each one
 * CloudFront's custom error responses accept that S3 can answer through the origin access control.
 */
export const REPLACED_ORIGIN_ERRORS = [400, 403, 404, 416, 500, 503] as const;

/**
 * Statuses whose bodies the upload function writes for the client (what is wrong with an upload,
 * which project a key may not publish). Custom error responses apply to every origin of a
 * distribution, so with the upload function behind it these leave the distribution's custom error
 * responses, and the origin-response function on the S3 behaviours replaces S3's bodies of them
 * with the same fixed pages instead.
 */
export const UPLOAD_ERROR_BODIES_KEPT = [400, 403] as const;

/** AWS managed cache policy `Managed-CachingDisabled`: nothing cached, nothing in the key. */
export const CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/**
 * Viewer paths of those fixed pages. CloudFront fetches them itself, without the viewer-request
 * function; the edge function answers them at origin-request on this path alone. The `_` keeps
 * them apart from every route (no channel, tenant or `simple`/`files` starts with one).
 */
export const ERROR_PAGE_PATH_PREFIX = "/_errors/";

export function errorPagePath(status: number): string {
  return `${ERROR_PAGE_PATH_PREFIX}${status}`;
}
