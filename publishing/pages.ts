/**
 * The index pages: one model per project (its files) and for the root (its projects), rendered as
 * PEP 691 JSON and PEP 503 HTML with the PEP 592/658/714/700 fields. The project's JSON page is
 * also the authoritative state a publish reads and compare-and-swaps, so it parses back losslessly.
 */
import { ProjectStatusMarker, isProjectStatusMarker, withholdsFiles } from "../domain/projectStatus";
import { relativeFileUrl } from "../domain/storageLayout";
import { parseDistributionFilename } from "./distribution";
import { PublishingError } from "./errors";
import { canonicalVersion, compareVersions } from "./version";

/** PEP 700 (1.1) adds `versions`, `size` and `upload-time`: the version of every page without a status. */
export const API_VERSION = "1.1";

/**
 * PEP 792 (1.4) adds the project status: the version of a project page that carries one. The
 * features of 1.2 (PEP 708 tracks) and 1.3 (PEP 740 provenance) are optional, so such a page is a
 * complete 1.4 page without them.
 */
export const STATUS_API_VERSION = "1.4";

export interface FileEntry {
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
  /** `yyyy-mm-ddThh:mm:ss.ffffffZ` (PEP 700). */
  readonly uploadTime: string;
  readonly requiresPython?: string;
  /** sha256 of `<file>.metadata`, for wheels (PEP 658/714). */
  readonly coreMetadataSha256?: string;
  /** false, true (yanked without a reason) or the reason (PEP 592). */
  readonly yanked: boolean | string;
}

/** A file that was published and then removed: its name can never be used again. */
export interface RemovedFile {
  readonly filename: string;
  /** sha256 of the removed bytes; absent when the file was never on a page and had no such metadata. */
  readonly sha256?: string;
}

/** A project's PEP 792 status as an operator set it (`status set`). */
export interface ProjectStatus {
  readonly status: ProjectStatusMarker;
  readonly reason?: string;
}

export interface ProjectPage {
  /** PEP 503 normalized name. */
  readonly project: string;
  /**
   * Every file of the project, including those a quarantined page withholds (kept in the JSON page
   * under `_ppi.withheld`, without links, while the page offers none).
   */
  readonly files: readonly FileEntry[];
  /** Tombstones of removed files (kept in the JSON page under the PEP 691 private key `_ppi`). */
  readonly removed?: readonly RemovedFile[];
  /** Absent on a page that never had one: the project is then active (PEP 792's default). */
  readonly status?: ProjectStatus;
}

/** The files the page offers for download: none while quarantined (PEP 792), else all of them. */
export function offeredFiles(page: ProjectPage): readonly FileEntry[] {
  return page.status && withholdsFiles(page.status.status) ? [] : page.files;
}

/** The API version a project page declares: the highest whose fields it carries. */
export function projectApiVersion(page: ProjectPage): string {
  return page.status ? STATUS_API_VERSION : API_VERSION;
}

/** Names whose reuse is refused: the files the page's tombstones record. */
export function removedNames(page: ProjectPage | undefined): Set<string> {
  return new Set(page?.removed?.map((r) => r.filename));
}

export interface RootPage {
  readonly projects: readonly string[];
}

/** PEP 700's timestamp form: microsecond precision, `Z`. */
export function uploadTimeOf(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function versionOf(filename: string): string {
  return parseDistributionFilename(filename).version;
}

function byVersionThenName(a: FileEntry, b: FileEntry): number {
  return (
    compareVersions(versionOf(a.filename), versionOf(b.filename)) || a.filename.localeCompare(b.filename)
  );
}

/** The page with files in version order (stable output for the same set of files). */
export function sortedPage(page: ProjectPage): ProjectPage {
  return { project: page.project, files: [...page.files].sort(byVersionThenName) };
}

export function versionsOf(page: ProjectPage): string[] {
  const versions: string[] = [];
  for (const file of sortedPage(page).files) {
    const version = canonicalVersion(versionOf(file.filename));
    if (!versions.includes(version)) versions.push(version);
  }
  return versions;
}

const META = { "api-version": API_VERSION };
const PRIVATE_KEY = "_ppi";

function fileJson(file: FileEntry, url: string | undefined) {
  const coreMetadata = file.coreMetadataSha256 ? { sha256: file.coreMetadataSha256 } : false;
  return {
    filename: file.filename,
    ...(url === undefined ? {} : { url }),
    hashes: { sha256: file.sha256 },
    ...(file.requiresPython ? { "requires-python": file.requiresPython } : {}),
    "core-metadata": coreMetadata,
    "dist-info-metadata": coreMetadata,
    yanked: file.yanked,
    size: file.size,
    "upload-time": file.uploadTime,
  };
}

export function renderProjectJson(page: ProjectPage): string {
  const sorted = sortedPage(page);
  const offered = offeredFiles({ ...sorted, status: page.status });
  const withheld = offered.length < sorted.files.length ? sorted.files : [];
  const held = {
    ...(page.removed?.length ? { removed: page.removed } : {}),
    ...(withheld.length ? { withheld: withheld.map((file) => fileJson(file, undefined)) } : {}),
  };
  return JSON.stringify({
    meta: { "api-version": projectApiVersion(page) },
    name: page.project,
    ...(page.status ? { "project-status": page.status } : {}),
    versions: versionsOf({ project: page.project, files: offered }),
    files: offered.map((file) => fileJson(file, relativeFileUrl(page.project, file.filename))),
    // PEP 691 reserves keys with a leading underscore for the index server; clients ignore them.
    ...(Object.keys(held).length ? { [PRIVATE_KEY]: held } : {}),
  });
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * The name of a page's generation number (pageWriter.ts): in the page objects' user metadata, and
 * the HTML's meta tag (which makes each generation's bytes unique).
 */
export const GENERATION_NAME = "ppi-generation";

/** A `<meta>` tag of the head: name and content, escaped. */
function metaTag(name: string, content: string): string {
  return `    <meta name="${escapeHtml(name)}" content="${escapeHtml(content)}">`;
}

function htmlDocument(
  title: string,
  body: string[],
  generation: number | undefined,
  apiVersion = API_VERSION,
  meta: readonly (readonly [string, string])[] = [],
): string {
  return [
    "<!DOCTYPE html>",
    "<html>",
    "  <head>",
    metaTag("pypi:repository-version", apiVersion),
    ...meta.map(([name, content]) => metaTag(name, content)),
    ...(generation === undefined ? [] : [metaTag(GENERATION_NAME, String(generation))]),
    `    <title>${escapeHtml(title)}</title>`,
    "  </head>",
    "  <body>",
    `    <h1>${escapeHtml(title)}</h1>`,
    ...body.map((line) => `    ${line}`),
    "  </body>",
    "</html>",
    "",
  ].join("\n");
}

/** `generation`: the page writer's generation number, written into the page's head. */
export function renderProjectHtml(page: ProjectPage, generation?: number): string {
  const links = offeredFiles({ ...sortedPage(page), status: page.status }).map((file) => {
    const href = `${relativeFileUrl(page.project, file.filename)}#sha256=${file.sha256}`;
    const attributes = [`href="${escapeHtml(href)}"`];
    if (file.requiresPython) attributes.push(`data-requires-python="${escapeHtml(file.requiresPython)}"`);
    if (file.coreMetadataSha256) {
      const value = `sha256=${file.coreMetadataSha256}`;
      attributes.push(`data-dist-info-metadata="${value}"`, `data-core-metadata="${value}"`);
    }
    if (file.yanked !== false) {
      attributes.push(`data-yanked="${typeof file.yanked === "string" ? escapeHtml(file.yanked) : ""}"`);
    }
    return `<a ${attributes.join(" ")}>${escapeHtml(file.filename)}</a><br>`;
  });
  const status: [string, string][] = page.status ? [["pypi:project-status", page.status.status]] : [];
  if (page.status?.reason !== undefined) status.push(["pypi:project-status-reason", page.status.reason]);
  return htmlDocument(`Links for ${page.project}`, links, generation, projectApiVersion(page), status);
}

export function renderRootJson(root: RootPage): string {
  return JSON.stringify({ meta: META, projects: [...root.projects].sort().map((name) => ({ name })) });
}

/** `generation`: the page writer's generation number, written into the page's head. */
export function renderRootHtml(root: RootPage, generation?: number): string {
  const links = [...root.projects]
    .sort()
    .map((name) => `<a href="${escapeHtml(name)}/">${escapeHtml(name)}</a><br>`);
  return htmlDocument("Simple index", links, generation);
}

function corruptPage(source: string, reason: string): PublishingError {
  return new PublishingError(
    `${source} is not a page this CLI wrote (${reason}); repair it with \`reindex\``,
  );
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string, source: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw corruptPage(source, (err as Error).message);
  }
  if (!isObject(value)) throw corruptPage(source, "not a JSON object");
  return value;
}

function fileFromJson(value: unknown, source: string): FileEntry {
  if (!isObject(value)) throw corruptPage(source, "a file entry is not an object");
  const { filename, hashes, size, yanked } = value;
  const uploadTime = value["upload-time"];
  const requiresPython = value["requires-python"];
  const coreMetadata = value["core-metadata"];
  if (typeof filename !== "string" || !isObject(hashes) || typeof hashes.sha256 !== "string") {
    throw corruptPage(source, "a file entry lacks filename or sha256");
  }
  if (
    typeof size !== "number" ||
    typeof uploadTime !== "string" ||
    !["boolean", "string"].includes(typeof yanked)
  ) {
    throw corruptPage(source, `file ${filename} lacks size, upload-time or yanked`);
  }
  return {
    filename,
    sha256: hashes.sha256,
    size,
    uploadTime,
    ...(typeof requiresPython === "string" ? { requiresPython } : {}),
    ...(isObject(coreMetadata) && typeof coreMetadata.sha256 === "string"
      ? { coreMetadataSha256: coreMetadata.sha256 }
      : {}),
    yanked: yanked as boolean | string,
  };
}

export function parseProjectJson(text: string, source: string): ProjectPage {
  const json = parseJson(text, source);
  if (typeof json.name !== "string" || !Array.isArray(json.files))
    throw corruptPage(source, "no name or files");
  const held = json[PRIVATE_KEY];
  if (held !== undefined && !isObject(held)) throw corruptPage(source, `malformed ${PRIVATE_KEY}`);
  const removed = removedFromJson(held?.removed, source);
  const withheld = held?.withheld ?? [];
  if (!Array.isArray(withheld)) throw corruptPage(source, `malformed ${PRIVATE_KEY}`);
  const status = statusFromJson(json["project-status"], source);
  return {
    project: json.name,
    files: [...json.files, ...withheld].map((file) => fileFromJson(file, source)),
    ...(removed.length ? { removed } : {}),
    ...(status ? { status } : {}),
  };
}

function statusFromJson(value: unknown, source: string): ProjectStatus | undefined {
  if (value === undefined) return undefined;
  if (
    !isObject(value) ||
    !isProjectStatusMarker(value.status) ||
    !["string", "undefined"].includes(typeof value.reason)
  )
    throw corruptPage(source, "malformed project-status");
  return { status: value.status, ...(typeof value.reason === "string" ? { reason: value.reason } : {}) };
}

function removedFromJson(removed: unknown, source: string): RemovedFile[] {
  if (removed === undefined) return [];
  const valid = (r: unknown) =>
    isObject(r) && typeof r.filename === "string" && ["string", "undefined"].includes(typeof r.sha256);
  if (!Array.isArray(removed) || !removed.every(valid)) throw corruptPage(source, `malformed ${PRIVATE_KEY}`);
  return removed.map((r: Json) => ({
    filename: r.filename as string,
    ...(typeof r.sha256 === "string" ? { sha256: r.sha256 } : {}),
  }));
}

export function parseRootJson(text: string, source: string): RootPage {
  const json = parseJson(text, source);
  const projects = json.projects;
  if (!Array.isArray(projects) || !projects.every((p) => isObject(p) && typeof p.name === "string")) {
    throw corruptPage(source, "no projects list");
  }
  return { projects: projects.map((p) => (p as { name: string }).name) };
}
