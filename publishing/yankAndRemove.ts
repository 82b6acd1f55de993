/**
 * Changes to what is already published: `yank` / `unyank` a version (PEP 592), `remove` a version's
 * files, set a project's status (PEP 792), and `list` what a tenant's channel holds.
 */
import { fileKey, metadataKey } from "../domain/storageLayout";
import { isValidProjectName, normalizeProjectName } from "../domain/names";
import {
  PROJECT_STATUSES,
  STATUS_REASON_ALLOWED,
  isProjectStatusMarker,
  isValidStatusReason,
} from "../domain/projectStatus";
import { PublishingError } from "./errors";
import { IndexLocation } from "./indexLocation";
import { readProject, readRoot, updateProject } from "./pageWriter";
import { FileEntry, ProjectPage, ProjectStatus, RemovedFile, sortedPage, versionOf } from "./pages";
import { IndexStore } from "./indexStore";
import { listStoredFiles } from "./storedFiles";
import { isValidVersion, sameVersion } from "./version";

export interface VersionRef {
  readonly project: string;
  readonly version: string;
}

function checkRef(ref: VersionRef): string {
  if (!isValidProjectName(ref.project)) throw new PublishingError(`invalid project name "${ref.project}"`);
  if (!isValidVersion(ref.version))
    throw new PublishingError(`invalid version "${ref.version}": use a PEP 440 version such as 1.2.0`);
  return normalizeProjectName(ref.project);
}

function notFound(location: IndexLocation, project: string, version?: string): PublishingError {
  const what = version ? `version ${version} of ${project}` : `project ${project}`;
  return new PublishingError(
    `${what} is not published in ${location.tenant}/${location.channel}; ` +
      `\`list --tenant ${location.tenant}${version ? ` ${project}` : ""}\` shows what is`,
  );
}

/** Sets (reason or true) or clears (false) the yanked flag of every file of a version. */
export async function setYanked(
  store: IndexStore,
  location: IndexLocation,
  ref: VersionRef,
  yanked: boolean | string,
): Promise<FileEntry[]> {
  const project = checkRef(ref);
  const value = yanked === "" ? true : yanked;
  const page = await updateProject(store, location, project, async (current) => {
    const files = current?.files.filter((f) => sameVersion(versionOf(f.filename), ref.version)) ?? [];
    if (files.length === 0) throw notFound(location, project, ref.version);
    if (files.every((f) => f.yanked === value)) return undefined;
    return { project, files: current!.files.map((f) => (files.includes(f) ? { ...f, yanked: value } : f)) };
  });
  return page!.files.filter((f) => sameVersion(versionOf(f.filename), ref.version));
}

/**
 * Removes a version for good. First, under compare-and-swap, its entries move from the page's files
 * to its tombstones (`removed`), so the names can never be published again and no page entry ever
 * points at a deleted file; then the files and their `.metadata` are deleted. A crash in between
 * leaves tombstoned files that publish and `reindex` ignore; running `remove` again deletes them.
 */
export async function removeVersion(
  store: IndexStore,
  location: IndexLocation,
  ref: VersionRef,
  confirmed: boolean,
): Promise<string[]> {
  if (!confirmed)
    throw new PublishingError(
      "remove deletes files for good and breaks pinned installs; add --yes to confirm",
    );
  const project = checkRef(ref);
  const ofVersion = (name: string) => sameVersion(versionOf(name), ref.version);
  const stored = (await listStoredFiles(store, location, project)).filter((f) => ofVersion(f.filename));
  let names: string[] = [];
  await updateProject(store, location, project, async (current) => {
    const listed = current?.files.filter((f) => ofVersion(f.filename)) ?? [];
    const tombstoned = current?.removed?.filter((r) => ofVersion(r.filename)) ?? [];
    const known = new Set([...listed, ...tombstoned].map((f) => f.filename));
    const unlisted: RemovedFile[] = [];
    for (const { filename } of stored.filter((f) => !known.has(f.filename))) {
      const sha256 = (await store.head(fileKey(location.tenant, location.channel, project, filename)))
        ?.metadata.sha256;
      unlisted.push({ filename, ...(sha256 ? { sha256 } : {}) });
    }
    const fresh = [...listed.map((f) => ({ filename: f.filename, sha256: f.sha256 })), ...unlisted];
    names = [...new Set([...fresh, ...tombstoned].map((f) => f.filename))];
    if (fresh.length === 0) return undefined;
    return {
      project,
      files: current?.files.filter((f) => !ofVersion(f.filename)) ?? [],
      removed: [...(current?.removed ?? []), ...fresh],
    };
  });
  if (names.length === 0) throw notFound(location, project, ref.version);
  for (const name of names) {
    await store.delete(fileKey(location.tenant, location.channel, project, name));
    await store.delete(metadataKey(location.tenant, location.channel, project, name));
  }
  return names.sort();
}

/** A quoted string with every invisible or reordering character spelled `\uXXXX` (safe to print). */
function visible(text: string): string {
  return JSON.stringify(text).replace(/[\p{C}\p{Z}]/gu, (c) =>
    c === " " ? c : `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`,
  );
}

/**
 * Sets a project's status (PEP 792) and an optional reason, under compare-and-swap, so a publish
 * racing it keeps its files and the status both; every later write carries the status over.
 * The project must have a page. Returns the status now on the page.
 */
export async function setProjectStatus(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  status: string,
  reason?: string,
): Promise<ProjectStatus> {
  if (!isValidProjectName(project)) throw new PublishingError(`invalid project name "${project}"`);
  if (!isProjectStatusMarker(status))
    throw new PublishingError(`unknown status "${status}": use ${PROJECT_STATUSES.join(", ")}`);
  if (reason !== undefined && !isValidStatusReason(reason))
    throw new PublishingError(`invalid status reason ${visible(reason)}: use ${STATUS_REASON_ALLOWED}`);
  const name = normalizeProjectName(project);
  const next: ProjectStatus = { status, ...(reason === undefined ? {} : { reason }) };
  await updateProject(store, location, name, async (current) => {
    if (!current) throw notFound(location, name);
    if (current.status?.status === next.status && current.status.reason === next.reason) return undefined;
    return { ...current, status: next };
  });
  return next;
}

/** The projects of a channel, or one project's files (and status, when it has one). */
export async function listIndex(
  store: IndexStore,
  location: IndexLocation,
  project?: string,
): Promise<{ projects: string[] } | ProjectPage> {
  if (project === undefined)
    return { projects: [...((await readRoot(store, location))?.projects ?? [])].sort() };
  if (!isValidProjectName(project)) throw new PublishingError(`invalid project name "${project}"`);
  const page = await readProject(store, location, normalizeProjectName(project));
  if (!page) throw notFound(location, normalizeProjectName(project));
  return { ...sortedPage(page), ...(page.status ? { status: page.status } : {}) };
}
