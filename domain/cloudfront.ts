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
