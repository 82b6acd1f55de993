/**
 * A tenant's reserved project names (`domain/reservedNames.ts`): exact names and `*` globs that
 * the edge answers with 404 rather than sending to the upstream index, until they are published.
 * One document per tenant, updated by compare-and-swap like the pages, so concurrent operators
 * lose nothing.
 */
import {
  MAX_RESERVED_PATTERNS,
  RESERVED_PATTERN_ALLOWED,
  normalizeReservedPattern,
  parseReservedNames,
  renderReservedNames,
} from "../domain/reservedNames";
import { reservedNamesKey } from "../domain/storageLayout";
import { PublishingError } from "./errors";
import { indexLocation } from "./indexLocation";
import { CONFLICT, IndexStore, retryOnConflict } from "./indexStore";

const CONTENT_TYPE = "application/json";
/** Read by the edge once per container per 30 s; CloudFront never serves it. */
const CACHE_CONTROL = "no-store";

/** Tenant names follow the edge's rules (`indexLocation` checks them, with their message). */
function checkTenant(tenant: string): void {
  indexLocation(tenant);
}

/** The stored patterns of each raw pattern, refusing the whole list if one is invalid. */
function normalizeAll(patterns: readonly string[]): string[] {
  if (patterns.length === 0) throw new PublishingError("name at least one project name or pattern");
  return patterns.map((raw) => {
    const pattern = normalizeReservedPattern(raw);
    if (pattern === undefined)
      throw new PublishingError(`invalid pattern "${raw}": use ${RESERVED_PATTERN_ALLOWED}`);
    return pattern;
  });
}

async function readList(store: IndexStore, tenant: string): Promise<{ patterns: string[]; etag?: string }> {
  const key = reservedNamesKey(tenant);
  const stored = await store.get(key);
  if (!stored) return { patterns: [] };
  const patterns = parseReservedNames(stored.body.toString("utf8"));
  if (patterns === undefined) {
    throw new PublishingError(
      `${key} is not a reserved-name list; the edge answers 503 for this tenant's unknown names until it is rewritten (delete it to start over)`,
    );
  }
  return { patterns, etag: stored.etag };
}

export async function listReservedNames(store: IndexStore, tenant: string): Promise<string[]> {
  checkTenant(tenant);
  return (await readList(store, tenant)).patterns;
}

async function update(
  store: IndexStore,
  tenant: string,
  change: (current: readonly string[]) => string[],
): Promise<string[]> {
  checkTenant(tenant);
  const key = reservedNamesKey(tenant);
  return retryOnConflict(key, async () => {
    const current = await readList(store, tenant);
    const next = [...new Set(change(current.patterns))].sort();
    if (next.length > MAX_RESERVED_PATTERNS) {
      throw new PublishingError(`a tenant may reserve at most ${MAX_RESERVED_PATTERNS} names and patterns`);
    }
    if (next.join("\n") === current.patterns.join("\n")) return next;
    const put = await store.put(
      key,
      renderReservedNames(next),
      { contentType: CONTENT_TYPE, cacheControl: CACHE_CONTROL, branch: false },
      current.etag,
    );
    return put === CONFLICT ? CONFLICT : next;
  });
}

/** Adds patterns (normalized; already reserved ones are kept once); returns the tenant's whole list. */
export function reserveNames(
  store: IndexStore,
  tenant: string,
  patterns: readonly string[],
): Promise<string[]> {
  const added = normalizeAll(patterns);
  return update(store, tenant, (current) => [...current, ...added]);
}

/** Removes patterns as written when reserved (any spelling); returns the tenant's whole list. */
export async function unreserveNames(
  store: IndexStore,
  tenant: string,
  patterns: readonly string[],
): Promise<string[]> {
  const removed = new Set(normalizeAll(patterns));
  return update(store, tenant, (current) => current.filter((p) => !removed.has(p)));
}
