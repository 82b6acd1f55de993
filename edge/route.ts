/**
 * Viewer URL parsing: turns a raw CloudFront URI into a route inside the URL scheme, a redirect
 * to its canonical form, or a reason to refuse it. The URI is decoded exactly once, segment by
 * segment, and every segment must pass a whitelist, so nothing that reaches the rewrite can name
 * a path outside the caller's tenant prefix.
 *
 *   /simple/                           root page          (main channel)
 *   /simple/<project>/                 project page
 *   /files/<project>/<filename>        file, or its `<filename>.metadata`
 *   /<channel>/simple/... /<channel>/files/...   the same for a branch channel (when enabled)
 */
import {
  FILENAME_PATTERN,
  MAIN_CHANNEL,
  isValidChannel,
  isValidProjectName,
  normalizeProjectName,
} from "../domain/names";
import { createKeyCache } from "./keyCache";

/** Longest raw URI accepted (CloudFront allows far more; no real index URL comes close). */
export const MAX_URI_LENGTH = 1024;

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/; // eslint-disable-line no-control-regex

export type Route =
  | { readonly kind: "root"; readonly channel: string }
  | { readonly kind: "project"; readonly channel: string; readonly project: string }
  | { readonly kind: "file"; readonly channel: string; readonly project: string; readonly filename: string };

export type MalformedReason =
  | "uri-too-long"
  | "uri-not-absolute"
  | "backslash"
  | "control-character"
  | "empty-segment"
  | "bad-encoding"
  | "encoded-slash"
  | "dot-segment"
  | "bad-channel"
  | "bad-project"
  | "bad-filename";

export type RouteResult =
  /**
   * A route; `canonical` is false unless the raw URI is exactly `encodePath(canonicalPath(route))`
   * (trailing slash, normalized name, no `/main`, and the one percent-encoding the pages link with),
   * and the request should then be redirected there.
   */
  | { readonly kind: "route"; readonly route: Route; readonly canonical: boolean }
  | { readonly kind: "not-found" }
  | { readonly kind: "malformed"; readonly reason: MalformedReason };

function decodeSegments(uri: string): string[] | MalformedReason {
  if (uri.length > MAX_URI_LENGTH) return "uri-too-long";
  if (!uri.startsWith("/")) return "uri-not-absolute";
  if (uri.includes("\\")) return "backslash";
  if (CONTROL_CHARACTER.test(uri)) return "control-character";
  const raw = uri.slice(1).split("/");
  const decoded: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    // Only the last segment may be empty: it marks a trailing slash.
    if (raw[i] === "" && i !== raw.length - 1) return "empty-segment";
    let segment: string;
    try {
      segment = decodeURIComponent(raw[i]);
    } catch {
      return "bad-encoding";
    }
    if (segment.includes("/")) return "encoded-slash";
    if (segment.includes("\\")) return "backslash";
    if (CONTROL_CHARACTER.test(segment)) return "control-character";
    if (segment === "." || segment === "..") return "dot-segment";
    decoded.push(segment);
  }
  return decoded;
}

/** The viewer path (decoded, unencoded) at which a route is canonically served. */
export function canonicalPath(route: Route): string {
  const channelPart = route.channel === MAIN_CHANNEL ? "" : `/${route.channel}`;
  switch (route.kind) {
    case "root":
      return `${channelPart}/simple/`;
    case "project":
      return `${channelPart}/simple/${route.project}/`;
    case "file":
      return `${channelPart}/files/${route.project}/${route.filename}`;
  }
}

/**
 * Percent-encodes each segment of a decoded path (for `Location` headers and origin URIs): the
 * canonical encoding, the one `relativeFileUrl` gives the links on the pages.
 */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function matchRoute(channel: string, rest: readonly string[]): Route | MalformedReason | undefined {
  const [area, project, filename, ...extra] = rest;
  if (area === "simple") {
    // `/simple` and `/simple/` are the root; `/simple/<p>` and `/simple/<p>/` a project page.
    if (project === undefined || project === "")
      return filename === undefined ? { kind: "root", channel } : undefined;
    if (!isValidProjectName(project)) return "bad-project";
    if (filename !== undefined && (filename !== "" || extra.length > 0)) return undefined;
    return { kind: "project", channel, project: normalizeProjectName(project) };
  }
  if (area === "files") {
    if (project === undefined || filename === undefined || filename === "" || extra.length > 0)
      return undefined;
    if (!isValidProjectName(project)) return "bad-project";
    if (!FILENAME_PATTERN.test(filename)) return "bad-filename";
    return { kind: "file", channel, project: normalizeProjectName(project), filename };
  }
  return undefined;
}

/**
 * Parses a raw (percent-encoded) CloudFront URI. `branchChannels` enables `/<channel>/...`;
 * `/main/...` is accepted and redirected to the unprefixed canonical form.
 */
export function parseRoute(uri: string, branchChannels: boolean): RouteResult {
  const segments = decodeSegments(uri);
  if (typeof segments === "string") return { kind: "malformed", reason: segments };
  let channel = MAIN_CHANNEL;
  let rest = segments;
  if (branchChannels && segments.length > 1 && segments[0] !== "simple" && segments[0] !== "files") {
    if (!isValidChannel(segments[0])) return { kind: "malformed", reason: "bad-channel" };
    channel = segments[0];
    rest = segments.slice(1);
  }
  const route = matchRoute(channel, rest);
  if (route === undefined) return { kind: "not-found" };
  if (typeof route === "string") return { kind: "malformed", reason: route };
  // Compared raw: a percent-encoded spelling of the same path (`/%73imple/`) is not canonical, so
  // CloudFront never serves a request whose behaviour it chose on a disguised path.
  return { kind: "route", route, canonical: encodePath(canonicalPath(route)) === uri };
}

/** URIs whose parse a route parser remembers; clients request the same pages and files over and over. */
export const ROUTE_MEMO_ENTRIES = 256;

/**
 * `parseRoute` for one container and one `branchChannels`, with a bounded memo per raw URI (an
 * answer never changes, so no expiry; the oldest-inserted entry goes first). A remembered URI
 * costs one map lookup instead of the decoding, the name checks and the canonical-form check,
 * which in the edge bundle are calls through the closure serializer's wrappers.
 */
export function createRouteParser(branchChannels: boolean): (uri: string) => RouteResult {
  const parse = parseRoute;
  const memo = createKeyCache<RouteResult>(ROUTE_MEMO_ENTRIES);
  return function parseRemembered(uri) {
    let result = memo.get(uri, 0);
    if (result === undefined) {
      result = parse(uri, branchChannels);
      memo.set(uri, result, Infinity, 0);
    }
    return result;
  };
}
