/**
 * Content negotiation for index pages (PEP 691): JSON or HTML from the `Accept` header with
 * q-values (RFC 9110 §12.5.1), overridable with `?format=json|html`. A missing Accept means
 * `*\/*`, which serves HTML; an Accept that admits neither page as it is served is a 406.
 * Hand-written: the edge bundle takes no npm package (a `negotiator` would be zipped in).
 */
import { createKeyCache } from "./keyCache";
import { PageFormat, contentTypeOf } from "../domain/storageLayout";

/** Longest Accept header considered (pip's is about 100 characters); longer is malformed. */
export const MAX_ACCEPT_LENGTH = 1024;

/**
 * PEP 691's `latest` alias of the JSON page: it asks for the newest version the index serves,
 * which is the object's own `application/vnd.pypi.simple.v1+json`. Only an exact range names it.
 */
export const LATEST_JSON_ALIAS = "application/vnd.pypi.simple.latest+json";

/**
 * The media types a range must name (or cover with a wildcard) to select a format: the
 * Content-Type of the object served for it, plus the aliases that resolve to that very type.
 * The HTML page is served as `text/html` and has no alias: the `…v1+html` and `…latest+html`
 * names would promise a Content-Type the object does not carry, so they do not select it.
 */
const SERVED_AS: Readonly<
  Record<PageFormat, { readonly type: string; readonly aliases: readonly string[] }>
> = {
  json: { type: contentTypeOf("json"), aliases: [LATEST_JSON_ALIAS] },
  html: { type: contentTypeOf("html"), aliases: [] },
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

/**
 * How specifically a range selects a format: 3 it names the served type or an alias, 2 `type/*`
 * covers the served type, 1 `*\/*`, 0 not at all. Wildcards are matched against the served type
 * only, so `application/*` never selects the HTML page, whatever its aliases would be.
 */
function specificity(range: MediaRange, format: PageFormat): number {
  const served = SERVED_AS[format];
  const [type, subtype] = served.type.split("/");
  if (range.type === "*") return 1;
  if (range.subtype === "*") return range.type === type ? 2 : 0;
  const named = `${range.type}/${range.subtype}`;
  return (range.type === type && range.subtype === subtype) || served.aliases.includes(named) ? 3 : 0;
}

interface Preference {
  readonly q: number;
  readonly specificity: number;
}

/**
 * The q a client gives a format: that of its most specific matching ranges (RFC 9110), the lowest
 * of them when several are equally specific, so a `q=0` for the served type always excludes it.
 */
function preferenceFor(format: PageFormat, ranges: readonly MediaRange[]): Preference {
  let best: Preference = { q: 0, specificity: 0 };
  for (const range of ranges) {
    const s = specificity(range, format);
    if (s > best.specificity || (s === best.specificity && s > 0 && range.q < best.q))
      best = { q: range.q, specificity: s };
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
  const maxLength = MAX_ACCEPT_LENGTH; // bound once: a module-level name read per request costs a `with` lookup in the edge bundle
  return function negotiateRemembered(accept, override) {
    if (override || accept === undefined || accept.length > maxLength)
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
