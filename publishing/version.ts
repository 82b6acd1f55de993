/**
 * PEP 440 versions, through `@renovatebot/pep440` (a port of `packaging.version`): validity,
 * canonical form (what file names and METADATA are compared by) and ordering (for the `versions`
 * list and the order of files on a page).
 */
import { compare, explain, valid } from "@renovatebot/pep440";

export function isValidVersion(text: string): boolean {
  return valid(text) !== null;
}

/**
 * The canonical PEP 440 spelling (`1.0-RC1` → `1.0rc1`, `1.0+Local-1` → `1.0+local.1`); the input
 * when it is not a version. Built from `explain`: the library's `clean` writes a local label's
 * segments joined by commas.
 */
export function canonicalVersion(text: string): string {
  const parts = explain(text);
  if (!parts) return text;
  return parts.local ? `${parts.public}+${parts.local}` : parts.public;
}

/** PEP 440 ordering; strings that are not versions sort after every version, by text. */
export function compareVersions(a: string, b: string): number {
  const aValid = isValidVersion(a);
  const bValid = isValidVersion(b);
  if (!aValid || !bValid) return aValid ? -1 : bValid ? 1 : a.localeCompare(b);
  return compare(a, b);
}

/** True when two spellings denote the same version (`1.0` and `1.0.0` are equal per PEP 440). */
export function sameVersion(a: string, b: string): boolean {
  return compareVersions(a, b) === 0;
}
