/**
 * Reserved project names of a tenant: exact names and `*` globs (`acme-*`) that the index answers
 * with 404 instead of sending the client to the upstream index, until the tenant publishes them.
 * Patterns are kept PEP 503-normalized, so `Acme_*` and `acme-*` are one pattern and match every
 * spelling of a name. The list lives in one JSON document per tenant (`reservedNamesKey`), written
 * by the CLI and read by the origin-response function. Pure: serialized into the edge bundle.
 */
import { normalizeProjectName } from "./names";

/** A normalized pattern: letters, digits, `-` and `*`, starting and ending with a letter, digit or `*`. */
export const RESERVED_PATTERN = /^[a-z0-9*](?:[a-z0-9*-]{0,198}[a-z0-9*])?$/;
export const RESERVED_PATTERN_ALLOWED =
  "a project name or a glob with * (e.g. acme-*): letters, digits, '-', '_', '.' and '*', at most 200 characters";

/** Most patterns a tenant may hold: the document stays a few kilobytes, read once per TTL. */
export const MAX_RESERVED_PATTERNS = 1000;

/** How long an edge container trusts a tenant's reserved list: a new reservation holds after this. */
export const RESERVED_NAMES_CACHE_SECONDS = 30;

/** The stored form of a pattern (PEP 503 normalization; `*` is kept), or undefined if it is invalid. */
export function normalizeReservedPattern(raw: string): string | undefined {
  if (!/^[A-Za-z0-9*](?:[A-Za-z0-9*._-]*[A-Za-z0-9*])?$/.test(raw)) return undefined;
  const pattern = normalizeProjectName(raw);
  return RESERVED_PATTERN.test(pattern) ? pattern : undefined;
}

/**
 * Whether a normalized project name matches a normalized pattern; `*` matches any run of
 * characters, `-` included. Linear-time two-pointer matching: no regular expression is built from
 * stored text, so no pattern can make it backtrack.
 */
export function reservedPatternMatches(pattern: string, project: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < project.length) {
    if (p < pattern.length && pattern[p] === project[n]) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

export function isReserved(patterns: readonly string[], project: string): boolean {
  return patterns.some((pattern) => reservedPatternMatches(pattern, project));
}

/** `{"reserved": [...]}`, sorted, each pattern once. */
export function renderReservedNames(patterns: readonly string[]): string {
  return `${JSON.stringify({ reserved: [...new Set(patterns)].sort() })}\n`;
}

/** The patterns of a stored document; undefined when it is not one (the edge then fails closed). */
export function parseReservedNames(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const reserved = (value as { reserved?: unknown } | null)?.reserved;
  if (!Array.isArray(reserved) || reserved.length > MAX_RESERVED_PATTERNS) return undefined;
  if (!reserved.every((p) => typeof p === "string" && RESERVED_PATTERN.test(p))) return undefined;
  return reserved as string[];
}
