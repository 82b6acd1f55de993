/**
 * Changes to what is already published: `yank` / `unyank` a version (PEP 592), `remove` a version's
 * files, and `list` what a tenant's channel holds.
 */
import { fileKey, metadataKey } from "../edge/layout";
import { isValidProjectName, normalizeProjectName } from "../edge/names";
import { CliError } from "./errors";
import { IndexLocation } from "./location";
import { readProject, readRoot, updateProject } from "./pageWriter";
import { FileEntry, ProjectPage, sortedPage, versionOf } from "./pages";
import { IndexStore } from "./store";
import { listStoredFiles } from "./storedFiles";
import { isValidVersion, sameVersion } from "./version";

export interface VersionRef {
  readonly project: string;
  readonly version: string;
}

function checkRef(ref: VersionRef): string {
  if (!isValidProjectName(ref.project)) throw new CliError(`invalid project name "${ref.project}"`);
  if (!isValidVersion(ref.version))
    throw new CliError(`invalid version "${ref.version}": use a PEP 440 version such as 1.2.0`);
  return normalizeProjectName(ref.project);
}

function notFound(location: IndexLocation, project: string, version?: string): CliError {
  const what = version ? `version ${version} of ${project}` : `project ${project}`;
  return new CliError(
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
 * Deletes a version's files and their `.metadata`, then takes them off the page. Files go first:
 * a crash in between leaves page entries without files, which `reindex` repairs (the reverse order
 * would leave unlisted files that the next publish would put back on the page).
 */
export async function removeVersion(
  store: IndexStore,
  location: IndexLocation,
  ref: VersionRef,
  confirmed: boolean,
): Promise<string[]> {
  if (!confirmed)
    throw new CliError("remove deletes files for good and breaks pinned installs; add --yes to confirm");
  const project = checkRef(ref);
  const stored = await listStoredFiles(store, location, project);
  const page = await readProject(store, location, project);
  const names = new Set(
    [...stored.map((f) => f.filename), ...(page?.files.map((f) => f.filename) ?? [])].filter((name) =>
      sameVersion(versionOf(name), ref.version),
    ),
  );
  if (names.size === 0) throw notFound(location, project, ref.version);
  for (const name of names) {
    await store.delete(fileKey(location.tenant, location.channel, project, name));
    await store.delete(metadataKey(location.tenant, location.channel, project, name));
  }
  await updateProject(store, location, project, async (current) =>
    current?.files.some((f) => names.has(f.filename))
      ? { project, files: current.files.filter((f) => !names.has(f.filename)) }
      : undefined,
  );
  return [...names].sort();
}

/** The projects of a channel, or one project's files. */
export async function listIndex(
  store: IndexStore,
  location: IndexLocation,
  project?: string,
): Promise<{ projects: string[] } | ProjectPage> {
  if (project === undefined)
    return { projects: [...((await readRoot(store, location))?.projects ?? [])].sort() };
  if (!isValidProjectName(project)) throw new CliError(`invalid project name "${project}"`);
  const page = await readProject(store, location, normalizeProjectName(project));
  if (!page) throw notFound(location, normalizeProjectName(project));
  return sortedPage(page);
}
