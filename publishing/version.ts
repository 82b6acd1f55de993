/**
 * PEP 440 versions: parsing, canonical form (what file names and METADATA are compared by) and
 * ordering (for the `versions` list and the order of files on a page).
 */

const VERSION_PATTERN = new RegExp(
  "^v?(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)" +
    "(?:[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?" +
    "(?:-(?<postN1>[0-9]+)|[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?)?" +
    "(?:[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?" +
    "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$",
  "i",
);

export interface Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre?: { readonly label: "a" | "b" | "rc"; readonly number: number };
  readonly post?: number;
  readonly dev?: number;
  readonly local?: string;
}

function preLabel(label: string): "a" | "b" | "rc" {
  const lower = label.toLowerCase();
  if (lower === "a" || lower === "alpha") return "a";
  if (lower === "b" || lower === "beta") return "b";
  return "rc";
}

/** Parses a PEP 440 version; undefined when the text is not one. */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION_PATTERN.exec(text.trim());
  if (!match?.groups) return undefined;
  const g = match.groups;
  const postText = g.postN1 ?? g.postN2 ?? (g.postL ? "0" : undefined);
  return {
    epoch: g.epoch ? Number(g.epoch) : 0,
    release: g.release.split(".").map(Number),
    ...(g.preL ? { pre: { label: preLabel(g.preL), number: Number(g.preN ?? 0) } } : {}),
    ...(postText !== undefined ? { post: Number(postText) } : {}),
    ...(g.devL ? { dev: Number(g.devN ?? 0) } : {}),
    ...(g.local ? { local: g.local.toLowerCase().replace(/[-_]/g, ".") } : {}),
  };
}

export function isValidVersion(text: string): boolean {
  return parseVersion(text) !== undefined;
}

/** The canonical PEP 440 spelling (`1.0-RC1` → `1.0rc1`); the input when it is not a version. */
export function canonicalVersion(text: string): string {
  const v = parseVersion(text);
  if (!v) return text;
  return (
    (v.epoch ? `${v.epoch}!` : "") +
    v.release.join(".") +
    (v.pre ? `${v.pre.label}${v.pre.number}` : "") +
    (v.post !== undefined ? `.post${v.post}` : "") +
    (v.dev !== undefined ? `.dev${v.dev}` : "") +
    (v.local ? `+${v.local}` : "")
  );
}

/** True when two spellings denote the same version (`1.0` and `1.0.0` are equal per PEP 440). */
export function sameVersion(a: string, b: string): boolean {
  return compareVersions(a, b) === 0;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRelease(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = compareNumbers(a[i] ?? 0, b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

const NUMERIC = /^[0-9]+$/;

/**
 * PEP 440 local labels, segment by segment: numeric segments compare as integers and above
 * alphanumeric ones, alphanumeric ones lexicographically (already lowercased); a prefix sorts first.
 */
function compareLocal(a: string | undefined, b: string | undefined): number {
  const sa = a === undefined ? [] : a.split(".");
  const sb = b === undefined ? [] : b.split(".");
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const [x, y] = [sa[i], sb[i]];
    const diff =
      NUMERIC.test(x) && NUMERIC.test(y)
        ? compareNumbers(Number(x), Number(y))
        : NUMERIC.test(x) !== NUMERIC.test(y)
          ? NUMERIC.test(x)
            ? 1
            : -1
          : x < y
            ? -1
            : x > y
              ? 1
              : 0;
    if (diff !== 0) return diff;
  }
  return compareNumbers(sa.length, sb.length);
}

const PRE_ORDER = { a: 0, b: 1, rc: 2 } as const;

/** Sort key of the pre-release part: dev-only releases sort before any pre-release, finals after. */
function preRank(v: Version): [number, number] {
  if (v.pre) return [PRE_ORDER[v.pre.label], v.pre.number];
  if (v.post === undefined && v.dev !== undefined) return [-1, 0];
  return [3, 0];
}

/** PEP 440 ordering; strings that are not versions sort after every version, by text. */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (!va || !vb) return va ? -1 : vb ? 1 : a.localeCompare(b);
  const [paLabel, paNumber] = preRank(va);
  const [pbLabel, pbNumber] = preRank(vb);
  return (
    compareNumbers(va.epoch, vb.epoch) ||
    compareRelease(va.release, vb.release) ||
    compareNumbers(paLabel, pbLabel) ||
    compareNumbers(paNumber, pbNumber) ||
    compareNumbers(va.post ?? -1, vb.post ?? -1) ||
    compareNumbers(va.dev ?? Infinity, vb.dev ?? Infinity) ||
    compareLocal(va.local, vb.local)
  );
}
