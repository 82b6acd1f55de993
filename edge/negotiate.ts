/**
 * Content negotiation for index pages (PEP 691): JSON or HTML from the `Accept` header with
 * q-values (RFC 9110 §12.5.1), overridable with `?format=json|html`. A missing Accept means
 * `*\/*`, which serves HTML; an Accept that admits neither format is a 406.
 * Hand-written: the edge bundle takes no npm package (a `negotiator` would be zipped in).
 */
import { createKeyCache } from "./keyCache";
import { PageFormat } from "../domain/storageLayout";

/** Longest Accept header considered (pip's is about 100 characters); longer is malformed. */
export const MAX_ACCEPT_LENGTH = 1024;

/** Media types served per format; the `latest` aliases are PEP 691's. */
export const FORMAT_MEDIA_TYPES: Readonly<Record<PageFormat, readonly string[]>> = {
  json: ["application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json"],
  html: ["text/html", "application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html"],
};

const MEDIA_RANGE = /^([!#$%&'*+.^_`|~0-9a-z-]+)\/([!#$%&'*+.^_`|~0-9a-z-]+)$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** Parses an Accept header; elements that are not valid media ranges are ignored, as RFC 9110 allows. */
function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const element of header.split(",")) {
    const [range, ...params] = element.split(";").map((part) => part.trim());
    const match = MEDIA_RANGE.exec(range.toLowerCase());
    if (!match || (match[1] === "*" && match[2] !== "*")) continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const [name, value] = param.split("=").map((part) => part.trim());
      if (name.toLowerCase() !== "q") continue;
      if (value === undefined || !QVALUE.test(value)) valid = false;
      else q = Number(value);
    }
    if (valid) ranges.push({ type: match[1], subtype: match[2], q });
  }
  return ranges;
}

/** Specificity of a range for a media type: 3 exact, 2 `type/*`, 1 `*\/*`, 0 no match. */
function specificity(range: MediaRange, mediaType: string): number {
  const [type, subtype] = mediaType.split("/");
  if (range.type === "*") return 1;
  if (range.type !== type) return 0;
  if (range.subtype === "*") return 2;
  return range.subtype === subtype ? 3 : 0;
}

interface Preference {
  readonly q: number;
  readonly specificity: number;
}

/** The best q a client gives any media type of a format, using the most specific matching range. */
function preferenceFor(format: PageFormat, ranges: readonly MediaRange[]): Preference {
  let best: Preference = { q: 0, specificity: 0 };
  for (const mediaType of FORMAT_MEDIA_TYPES[format]) {
    let matched: Preference = { q: 0, specificity: 0 };
    for (const range of ranges) {
      const s = specificity(range, mediaType);
      if (s > matched.specificity) matched = { q: range.q, specificity: s };
    }
    if (matched.q > best.q || (matched.q === best.q && matched.specificity > best.specificity))
      best = matched;
  }
  return best;
}

export type Negotiated = PageFormat | "not-acceptable" | "malformed";

/**
 * Picks the page format. Higher q wins; on equal q a format named explicitly beats one admitted
 * by a wildcard; otherwise HTML (the PEP 503 default every client understands).
 */
export function negotiateFormat(accept: string | undefined, override: PageFormat | undefined): Negotiated {
  if (override) return override;
  if (accept === undefined || accept.trim() === "") return "html";
  if (accept.length > MAX_ACCEPT_LENGTH) return "malformed";
  const ranges = parseAccept(accept);
  const json = preferenceFor("json", ranges);
  const html = preferenceFor("html", ranges);
  if (json.q === 0 && html.q === 0) return "not-acceptable";
  if (json.q !== html.q) return json.q > html.q ? "json" : "html";
  return json.specificity > html.specificity ? "json" : "html";
}

/** Accept values remembered by a negotiator; clients send the same few values over and over. */
export const NEGOTIATION_MEMO_ENTRIES = 64;

/** `negotiateFormat` with a bounded memo per Accept value (an answer never changes, so no expiry). */
export function createFormatNegotiator(): typeof negotiateFormat {
  const memo = createKeyCache<Negotiated>(NEGOTIATION_MEMO_ENTRIES);
  return function negotiateRemembered(accept, override) {
    if (override || accept === undefined || accept.length > MAX_ACCEPT_LENGTH)
      return negotiateFormat(accept, override);
    let negotiated = memo.get(accept, 0);
    if (negotiated === undefined) {
      negotiated = negotiateFormat(accept, undefined);
      memo.set(accept, negotiated, Infinity, 0);
    }
    return negotiated;
  };
}

/**
 * Reads `format` from a raw querystring: the format, undefined when absent, or "malformed" for
 * an unknown or conflicting value. Other parameters are ignored (the querystring is never forwarded).
 */
export function formatFromQuery(querystring: string): PageFormat | undefined | "malformed" {
  if (querystring === "") return undefined;
  const values = new URLSearchParams(querystring).getAll("format");
  if (values.length === 0) return undefined;
  const first = values[0];
  if ((first !== "json" && first !== "html") || values.some((v) => v !== first)) return "malformed";
  return first;
}
