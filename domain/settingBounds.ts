/**
 * Bounds of the index's tunable settings, checked both by the stack configuration (which names the
 * config key) and by the component that takes the setting (which names its argument).
 */

export interface Bounds {
  readonly min: number;
  readonly max: number;
}

/** Days before objects of a branch channel expire. */
export const BRANCH_CHANNEL_EXPIRATION_DAYS: Bounds = { min: 1, max: 365 };
/** Days before overwritten or deleted object versions, and access logs, expire. */
export const RETENTION_DAYS: Bounds = { min: 1, max: 3650 };
/** Longest CDN lifetime of an index page: at least 1, as a zero TTL turns CloudFront compression off. */
export const PAGE_CACHE_TTL_SECONDS: Bounds = { min: 1, max: 3600 };
/** WAF rate-based rules: requests per 5-minute window per client IP. */
export const WAF_RATE_LIMIT: Bounds = { min: 10, max: 2_000_000_000 };
