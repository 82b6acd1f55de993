/**
 * The storage layout of the index bucket, shared by the edge rewrite (reads) and the CLI (writes).
 *
 *   <tenant>/<channel>/simple/index.html | index.json               the root page, both formats
 *   <tenant>/<channel>/simple/<project>/index.html | index.json     a project page, both formats
 *   <tenant>/<channel>/files/<project>/<filename>                   a distribution file
 *   <tenant>/<channel>/files/<project>/<filename>.metadata          its core metadata (PEP 658)
 *   <tenant>/reserved-names.json                                    the tenant's reserved names (all channels)
 *
 * `<project>` is always the PEP 503 normalized name. The viewer-facing URLs mirror this layout
 * without the tenant (`/simple/...`, `/files/...` for main; `/<channel>/simple/...` otherwise),
 * so the project page links to files relatively: `../../files/<project>/<filename>`.
 */

export type PageFormat = "html" | "json";

/** PEP 691 JSON. */
export const JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json";
/** PEP 503 HTML; `text/html` is what pip, uv and browsers all accept for the HTML form. */
export const HTML_CONTENT_TYPE = "text/html";

/** Index pages: short-lived so a new version is installable within a minute. */
export const PAGE_CACHE_CONTROL = "max-age=60";
/** Files are immutable once published. */
export const FILE_CACHE_CONTROL = "max-age=31536000, immutable";

/** Object tag set on every object of a branch channel, matched by the bucket's expiry rule. */
export const CHANNEL_TAG_KEY = "ppi-channel-kind";
export const BRANCH_CHANNEL_TAG_VALUE = "branch";

export function contentTypeOf(format: PageFormat): string {
  return format === "json" ? JSON_CONTENT_TYPE : HTML_CONTENT_TYPE;
}

export function tenantPrefix(tenant: string): string {
  return `${tenant}/`;
}

export function channelPrefix(tenant: string, channel: string): string {
  return `${tenant}/${channel}/`;
}

/**
 * The tenant's reserved project names (`domain/reservedNames.ts`). A file beside the channels, never
 * inside one: channel names have no `.`, and no viewer URL is rewritten to it.
 */
export function reservedNamesKey(tenant: string): string {
  return `${tenantPrefix(tenant)}reserved-names.json`;
}

export function rootPageKey(tenant: string, channel: string, format: PageFormat): string {
  return `${channelPrefix(tenant, channel)}simple/index.${format}`;
}

export function projectPageKey(tenant: string, channel: string, project: string, format: PageFormat): string {
  return `${channelPrefix(tenant, channel)}simple/${project}/index.${format}`;
}

/** The parts of a project page's key, or undefined for any other key (the inverse of `projectPageKey`). */
export function parseProjectPageKey(
  key: string,
): { tenant: string; channel: string; project: string; format: PageFormat } | undefined {
  const parts = key.split("/");
  if (parts.length !== 5 || parts[2] !== "simple" || parts.slice(0, 4).includes("")) return undefined;
  const [tenant, channel, , project, file] = parts;
  const format = file === "index.html" ? "html" : file === "index.json" ? "json" : undefined;
  return format === undefined ? undefined : { tenant, channel, project, format };
}

export function projectFilesPrefix(tenant: string, channel: string, project: string): string {
  return `${channelPrefix(tenant, channel)}files/${project}/`;
}

export function fileKey(tenant: string, channel: string, project: string, filename: string): string {
  return `${projectFilesPrefix(tenant, channel, project)}${filename}`;
}

export function metadataKey(tenant: string, channel: string, project: string, filename: string): string {
  return `${fileKey(tenant, channel, project, filename)}.metadata`;
}

/** The link from a project page (`.../simple/<project>/`) to one of its files. */
export function relativeFileUrl(project: string, filename: string): string {
  return `../../files/${project}/${encodeURIComponent(filename)}`;
}
