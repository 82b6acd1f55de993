/**
 * The index pages: one model per project (its files) and for the root (its projects), rendered as
 * PEP 691 JSON and PEP 503 HTML with the PEP 592/658/714/700 fields. The project's JSON page is
 * also the authoritative state a publish reads and compare-and-swaps, so it parses back losslessly.
 */
import { relativeFileUrl } from "../domain/storageLayout";
import { parseDistributionFilename } from "./distribution";
import { PublishingError } from "./errors";
import { canonicalVersion, compareVersions } from "./version";

/** PEP 700 (1.1) adds `versions`, `size` and `upload-time`. */
export const API_VERSION = "1.1";

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

export interface ProjectPage {
  /** PEP 503 normalized name. */
  readonly project: string;
  readonly files: readonly FileEntry[];
  /** Tombstones of removed files (kept in the JSON page under the PEP 691 private key `_ppi`). */
  readonly removed?: readonly RemovedFile[];
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

export function renderProjectJson(page: ProjectPage): string {
  const sorted = sortedPage(page);
  return JSON.stringify({
    meta: META,
    name: page.project,
    versions: versionsOf(sorted),
    files: sorted.files.map((file) => {
      const coreMetadata = file.coreMetadataSha256 ? { sha256: file.coreMetadataSha256 } : false;
      return {
        filename: file.filename,
        url: relativeFileUrl(page.project, file.filename),
        hashes: { sha256: file.sha256 },
        ...(file.requiresPython ? { "requires-python": file.requiresPython } : {}),
        "core-metadata": coreMetadata,
        "dist-info-metadata": coreMetadata,
        yanked: file.yanked,
        size: file.size,
        "upload-time": file.uploadTime,
      };
    }),
    // PEP 691 reserves keys with a leading underscore for the index server; clients ignore them.
    ...(page.removed?.length ? { [PRIVATE_KEY]: { removed: page.removed } } : {}),
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

function htmlDocument(title: string, body: string[], generation: number | undefined): string {
  return [
    "<!DOCTYPE html>",
    "<html>",
    "  <head>",
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    ...(generation === undefined ? [] : [`    <meta name="${GENERATION_NAME}" content="${generation}">`]),
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
  const links = sortedPage(page).files.map((file) => {
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
  return htmlDocument(`Links for ${page.project}`, links, generation);
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
  const removed = removedFromJson(json[PRIVATE_KEY], source);
  return {
    project: json.name,
    files: json.files.map((file) => fileFromJson(file, source)),
    ...(removed.length ? { removed } : {}),
  };
}

function removedFromJson(value: unknown, source: string): RemovedFile[] {
  if (value === undefined) return [];
  const removed = isObject(value) ? value.removed : undefined;
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
