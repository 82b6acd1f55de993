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
/** Memory of the upload function, in MB: Lambda's range. */
export const UPLOAD_FUNCTION_MEMORY_MB: Bounds = { min: 128, max: 10_240 };
/**
 * How long CloudFront waits for the upload function's answer (the origin's response timeout, its
 * default). The function's own timeout stays below it, so a viewer gets the function's answer (or
 * Lambda's timeout error), never a CloudFront 504 while the function may still be writing.
 */
export const UPLOAD_ORIGIN_READ_TIMEOUT_SECONDS = 30;
/** Timeout of the upload function, in seconds: below CloudFront's response timeout. */
export const UPLOAD_FUNCTION_TIMEOUT_SECONDS: Bounds = {
  min: 1,
  max: UPLOAD_ORIGIN_READ_TIMEOUT_SECONDS - 1,
};
