/**
 * Bounds of the edge's authentication settings, shared by the handler's own config check and the
 * stack configuration that feeds it. Pure data: serialized into the edge bundle.
 */

/** The `realm` of the Basic challenge: it is written into a header, so printable ASCII without quotes. */
export const REALM_PATTERN = /^[A-Za-z0-9 ._-]{1,64}$/;
export const REALM_ALLOWED = "1-64 letters, digits, spaces, dots, dashes or underscores";

/** A found key is trusted this long at most without a lookup: the bound on revocation delay. */
export const MAX_KEY_CACHE_SECONDS = 60;
/** An unknown key is remembered this long at most: a key created just now works after this. */
export const MAX_UNKNOWN_KEY_CACHE_SECONDS = 10;

/**
 * Table lookups per second (and the burst) one edge container makes for keys it has not found
 * before; beyond it those requests get 503 without a lookup. Found keys are refreshed outside it.
 */
export const UNKNOWN_KEY_LOOKUPS_PER_SECOND = 10;
