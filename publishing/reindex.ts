/**
 * `reindex`: rebuilds every page of a tenant's channel from the stored files and their object
 * metadata. Yank flags and tombstones are kept from the current pages (the page is where they
 * live). Entries of files that no longer exist are dropped.
 */
import { channelPrefix } from "../domain/storageLayout";
import { IndexLocation } from "./indexLocation";
import { DELETE_PAGE, hasProjectPage, updateProject, updateRoot } from "./pageWriter";
import { FileEntry, removedNames } from "./pages";
import { IndexStore } from "./indexStore";
import { describeStoredFiles, listStoredFiles } from "./storedFiles";

export interface ReindexResult {
  readonly projects: { readonly project: string; readonly files: number }[];
  /** Projects whose pages were deleted because no file is left. */
  readonly emptied: string[];
  readonly warnings: string[];
}

/** Projects that have files or pages in the channel. */
async function projectsOf(store: IndexStore, location: IndexLocation): Promise<string[]> {
  const prefix = channelPrefix(location.tenant, location.channel);
  const projects = new Set<string>();
  for (const { key } of await store.list(prefix)) {
    const match = /^(?:files|simple)\/([^/]+)\//.exec(key.slice(prefix.length));
    if (match) projects.add(match[1]);
  }
  return [...projects].sort();
}

/**
 * Rebuilds one project's page inside its compare-and-swap: the files are listed again on every
 * attempt, so a publish or remove that lands meanwhile makes the write fail and the next attempt
 * sees it. Tombstoned files are left out; a project with nothing left loses its page (unless it
 * holds tombstones, which must outlive the files). Returns the files now listed, or undefined.
 */
async function reindexProject(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  warnings: string[],
): Promise<number | undefined> {
  const cache = new Map<string, FileEntry>();
  const skipped = new Set<string>();
  const page = await updateProject(store, location, project, async (current) => {
    const removed = removedNames(current);
    const stored = (await listStoredFiles(store, location, project)).filter((f) => !removed.has(f.filename));
    const rebuilt = await describeStoredFiles(store, location, project, stored, (m) => skipped.add(m), cache);
    if (rebuilt.length === 0) return DELETE_PAGE;
    const yanked = new Map(current?.files.map((f) => [f.filename, f.yanked]));
    return { project, files: rebuilt.map((e) => ({ ...e, yanked: yanked.get(e.filename) ?? false })) };
  });
  warnings.push(...skipped);
  return page?.files.length;
}

export async function reindex(
  store: IndexStore,
  location: IndexLocation,
  onProject?: (project: string, index: number, total: number) => void,
): Promise<ReindexResult> {
  const warnings: string[] = [];
  const projects: ReindexResult["projects"] = [];
  const emptied: string[] = [];
  const all = await projectsOf(store, location);
  for (const [index, project] of all.entries()) {
    onProject?.(project, index, all.length);
    const files = await reindexProject(store, location, project, warnings);
    if (files === undefined) emptied.push(project);
    else projects.push({ project, files });
  }
  const listed = projects.map((p) => p.project);
  await updateRoot(store, location, async (root) => {
    // Keep what a concurrent publish created or re-created meanwhile: drop only pages still absent.
    const absent = new Set<string>();
    for (const project of emptied) if (!(await hasProjectPage(store, location, project))) absent.add(project);
    const kept = (root?.projects ?? []).filter((p) => !absent.has(p) && !listed.includes(p));
    return { projects: [...listed, ...kept] };
  });
  return { projects, emptied, warnings };
}
