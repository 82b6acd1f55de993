/**
 * `reindex`: rebuilds every page of a tenant's channel from the stored files and their object
 * metadata. Yank flags are kept from the current pages (the page is where they live). Entries of
 * files that no longer exist are dropped, except those a concurrent publish added meanwhile.
 */
import { channelPrefix, fileKey } from "../edge/layout";
import { IndexLocation } from "./location";
import { deleteProjectPages, updateProject, updateRoot } from "./pageWriter";
import { FileEntry } from "./pages";
import { IndexStore } from "./store";
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
    const stored = await listStoredFiles(store, location, project);
    const rebuilt = await describeStoredFiles(store, location, project, stored, (m) => warnings.push(m));
    if (rebuilt.length === 0) {
      await deleteProjectPages(store, location, project);
      emptied.push(project);
      continue;
    }
    const names = new Set(rebuilt.map((e) => e.filename));
    await updateProject(store, location, project, async (current) => {
      const yanked = new Map(current?.files.map((f) => [f.filename, f.yanked]));
      const added: FileEntry[] = [];
      for (const file of current?.files ?? []) {
        if (
          !names.has(file.filename) &&
          (await store.head(fileKey(location.tenant, location.channel, project, file.filename))) !== undefined
        )
          added.push(file);
      }
      return {
        project,
        files: [...rebuilt.map((e) => ({ ...e, yanked: yanked.get(e.filename) ?? false })), ...added],
      };
    });
    projects.push({ project, files: rebuilt.length });
  }
  const listed = projects.map((p) => p.project);
  // Projects that appeared after the listing above were created by a concurrent publish: keep them.
  await updateRoot(store, location, async (root) => ({
    projects: [...listed, ...(root?.projects ?? []).filter((p) => !all.includes(p))],
  }));
  return { projects, emptied, warnings };
}
